#include "forward_options.h"

#include "cli_common.h"

#include "core/query/time_spec.h"

namespace flowlens::cli {

void ForwardOptions::addTo(QCommandLineParser& p) const
{
    p.addOptions(
        {url, org, stream, user, gzip, batch, test, ca, insecure, window, expired, fromStart, maxBacklog});
}

bool ForwardOptions::anySet(const QCommandLineParser& p) const
{
    for (const auto* o : {&url, &org, &stream, &user, &gzip, &batch, &test, &ca, &insecure, &window, &expired,
                          &fromStart, &maxBacklog})
        if (p.isSet(*o))
            return true;
    return false;
}

Result<std::optional<forward::ForwardConfig>> ForwardOptions::read(const QCommandLineParser& p,
                                                                   const QProcessEnvironment& env) const
{
    if (!p.isSet(url)) {
        if (anySet(p))
            return fail(QStringLiteral("--forward-* options need --forward-url"));
        return std::optional<forward::ForwardConfig>{};
    }
    forward::ForwardConfig c;
    c.url = p.value(url);
    c.org = p.value(org);
    c.stream = p.value(stream);
    c.user = p.value(user);
    c.gzip = p.isSet(gzip);
    c.caFile = p.value(ca);
    c.verifyTls = !p.isSet(insecure);
    c.startAt = p.isSet(fromStart) ? forward::StartPosition::Beginning : forward::StartPosition::End;
    const QString secretName = QLatin1String(kForwardSecretVariable);
    if (!p.isSet(user))
        return fail(QStringLiteral("--forward-user is required with --forward-url"));
    if (!env.contains(secretName) || env.value(secretName).isEmpty())
        return fail(
            QStringLiteral("set the forwarding secret (password, ingestion passcode or org token) in the "
                           "environment variable %1; it is never taken from the command line")
                .arg(secretName));
    c.secret = env.value(secretName);
    if (p.isSet(batch)) {
        bool ok = false;
        const int n = p.value(batch).toInt(&ok);
        if (!ok || n < 1 || n > 1000000)
            return fail(QStringLiteral("--forward-batch needs a number of records from 1 to 1000000"));
        c.batchRecords = n;
    }
    if (p.isSet(window)) {
        auto d = query::parseDuration(p.value(window));
        if (!d || *d < 60)
            return fail(
                QStringLiteral("--forward-window: %1").arg(d ? QStringLiteral("at least 60s") : d.error()));
        c.ingestWindowSeconds = *d;
    }
    if (p.isSet(expired)) {
        const QString v = p.value(expired);
        if (v == QLatin1String("skip"))
            c.expiredPolicy = forward::ExpiredPolicy::Skip;
        else if (v == QLatin1String("restamp"))
            c.expiredPolicy = forward::ExpiredPolicy::Restamp;
        else
            return fail(QStringLiteral("--forward-expired takes skip or restamp, not \"%1\"").arg(v));
    }
    if (p.isSet(maxBacklog)) {
        bool ok = false;
        const qulonglong n = p.value(maxBacklog).toULongLong(&ok);
        if (!ok)
            return fail(QStringLiteral("--forward-max-backlog needs a number of flows (0 = no bound)"));
        c.maxBacklogFlows = n;
    }
    if (auto r = c.validate(); !r)
        return fail(r.error());
    return std::optional<forward::ForwardConfig>(c);
}

QString forwardStatusLine(const forward::ForwardStatus& s)
{
    const auto& c = s.counters;
    QString line = QStringLiteral("forwarding %1: %2/s, %3 delivered (%4 this run), backlog %5")
                       .arg(forward::forwardStateName(s.state))
                       .arg(humanCount(std::uint64_t(s.deliveredPerSecond)))
                       .arg(c.delivered)
                       .arg(s.sessionDelivered)
                       .arg(s.backlogFlows);
    const std::pair<const char*, std::uint64_t> extras[] = {
        {"rejected in 200", c.failed},
        {"set aside", c.setAside},
        {"expired", c.expired},
        {"restamped", c.restamped},
        {"dropped by retention", c.droppedRetention},
        {"dropped over backlog bound", c.droppedBacklog},
    };
    for (const auto& [name, value] : extras)
        if (value)
            line += QStringLiteral(", %1 %2").arg(value).arg(QLatin1String(name));
    if (s.retries)
        line += QStringLiteral(", %1 retries").arg(s.retries);
    if (!s.verifyTls)
        line += QStringLiteral(" | TLS VERIFICATION OFF");
    if (!s.setupError.isEmpty())
        line += QStringLiteral(" | SETUP ERROR: ") + s.setupError;
    else if (!s.lastError.isEmpty())
        line += QStringLiteral(" | last error: ") + s.lastError;
    return line;
}

} // namespace flowlens::cli
