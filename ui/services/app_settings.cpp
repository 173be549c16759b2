#include "app_settings.h"

#include <unistd.h>

#include <QDir>
#include <QSettings>
#include <QStandardPaths>

namespace flowlens::ui {

AppSettings AppSettings::load(QSettings& s)
{
    AppSettings a;
    a.endpoints = s.value(QStringLiteral("collector/endpoints")).toStringList();
    a.databasePath = s.value(QStringLiteral("collector/database")).toString();
    a.retentionDays = s.value(QStringLiteral("collector/retentionDays"), 0).toInt();
    a.maxSizeMb = s.value(QStringLiteral("collector/maxSizeMb"), 0).toInt();
    a.allow = s.value(QStringLiteral("collector/allow")).toStringList();
    a.geoip = s.value(QStringLiteral("geoip/enabled"), true).toBool();
    a.geoipPaths = s.value(QStringLiteral("geoip/databases")).toStringList();
    a.networksPath = s.value(QStringLiteral("geoip/networks")).toString();
    a.forward.enabled = s.value(QStringLiteral("forward/enabled"), false).toBool();
    a.forward.url = s.value(QStringLiteral("forward/url"), a.forward.url).toString();
    a.forward.org = s.value(QStringLiteral("forward/org"), a.forward.org).toString();
    a.forward.stream = s.value(QStringLiteral("forward/stream"), a.forward.stream).toString();
    a.forward.user = s.value(QStringLiteral("forward/user")).toString();
    a.forward.gzip = s.value(QStringLiteral("forward/gzip"), false).toBool();
    a.forward.batchRecords = s.value(QStringLiteral("forward/batchRecords"), a.forward.batchRecords).toInt();
    a.forward.verifyTls = s.value(QStringLiteral("forward/verifyTls"), true).toBool();
    a.forward.caFile = s.value(QStringLiteral("forward/caFile")).toString();
    a.forward.ingestWindowHours =
        s.value(QStringLiteral("forward/ingestWindowHours"), a.forward.ingestWindowHours).toInt();
    a.forward.expiredPolicy =
        s.value(QStringLiteral("forward/expired")).toString() == QLatin1String("restamp")
            ? forward::ExpiredPolicy::Restamp
            : forward::ExpiredPolicy::Skip;
    a.forward.startAt = s.value(QStringLiteral("forward/startAt")).toString() == QLatin1String("beginning")
                            ? forward::StartPosition::Beginning
                            : forward::StartPosition::End;
    const int n = s.beginReadArray(QStringLiteral("sampling"));
    for (int i = 0; i < n; ++i) {
        s.setArrayIndex(i);
        SamplingOverrideSetting o;
        o.exporter = s.value(QStringLiteral("exporter")).toString();
        o.rate = s.value(QStringLiteral("rate"), 1).toULongLong();
        o.force = s.value(QStringLiteral("force"), false).toBool();
        a.samplingOverrides << o;
    }
    s.endArray();
    return a;
}

void AppSettings::save(QSettings& s) const
{
    s.setValue(QStringLiteral("collector/endpoints"), endpoints);
    s.setValue(QStringLiteral("collector/database"), databasePath);
    s.setValue(QStringLiteral("collector/retentionDays"), retentionDays);
    s.setValue(QStringLiteral("collector/maxSizeMb"), maxSizeMb);
    s.setValue(QStringLiteral("collector/allow"), allow);
    s.setValue(QStringLiteral("geoip/enabled"), geoip);
    s.setValue(QStringLiteral("geoip/databases"), geoipPaths);
    s.setValue(QStringLiteral("geoip/networks"), networksPath);
    s.setValue(QStringLiteral("forward/enabled"), forward.enabled);
    s.setValue(QStringLiteral("forward/url"), forward.url);
    s.setValue(QStringLiteral("forward/org"), forward.org);
    s.setValue(QStringLiteral("forward/stream"), forward.stream);
    s.setValue(QStringLiteral("forward/user"), forward.user);
    s.setValue(QStringLiteral("forward/gzip"), forward.gzip);
    s.setValue(QStringLiteral("forward/batchRecords"), forward.batchRecords);
    s.setValue(QStringLiteral("forward/verifyTls"), forward.verifyTls);
    s.setValue(QStringLiteral("forward/caFile"), forward.caFile);
    s.setValue(QStringLiteral("forward/ingestWindowHours"), forward.ingestWindowHours);
    s.setValue(QStringLiteral("forward/expired"), forward.expiredPolicy == forward::ExpiredPolicy::Restamp
                                                      ? QStringLiteral("restamp")
                                                      : QStringLiteral("skip"));
    s.setValue(QStringLiteral("forward/startAt"), forward.startAt == forward::StartPosition::Beginning
                                                      ? QStringLiteral("beginning")
                                                      : QStringLiteral("end"));
    // The secret is deliberately absent: the settings file is plain text and often copied around.
    s.beginWriteArray(QStringLiteral("sampling"), int(samplingOverrides.size()));
    for (int i = 0; i < samplingOverrides.size(); ++i) {
        s.setArrayIndex(i);
        s.setValue(QStringLiteral("exporter"), samplingOverrides[i].exporter);
        s.setValue(QStringLiteral("rate"), samplingOverrides[i].rate);
        s.setValue(QStringLiteral("force"), samplingOverrides[i].force);
    }
    s.endArray();
}

QStringList AppSettings::validate() const
{
    QStringList problems;
    for (const QString& a : allow)
        if (!collect::Cidr::parse(a.trimmed().toStdString()))
            problems << QStringLiteral(
                            "Allowed exporters: “%1” is not an address or network (e.g. 192.0.2.0/24, "
                            "2001:db8::/32, 10.1.2.3).")
                            .arg(a);
    const bool root = ::geteuid() == 0;
    QStringList seen;
    for (const QString& text : endpoints) {
        const auto ep = decode::Endpoint::parse(text.trimmed().toStdString());
        if (!ep) {
            problems << QStringLiteral(
                            "“%1” is not an endpoint: write ADDR:PORT, e.g. 0.0.0.0:2055 or [::]:4739.")
                            .arg(text);
            continue;
        }
        if (ep->port == 0)
            problems << QStringLiteral("“%1”: port 0 would pick a random port; exporters need a fixed one.")
                            .arg(text);
        else if (ep->port < 1024 && !root)
            problems << QStringLiteral(
                            "“%1”: ports below 1024 need root or the CAP_NET_BIND_SERVICE capability; "
                            "use 2055 (NetFlow), 4739 (IPFIX) or 6343 (sFlow).")
                            .arg(text);
        const QString canonical = QString::fromStdString(ep->toString());
        if (seen.contains(canonical))
            problems << QStringLiteral("“%1” is listed twice.").arg(text);
        seen << canonical;
    }
    if (!databasePath.isEmpty() && !QDir::isAbsolutePath(databasePath))
        problems
            << QStringLiteral("The database location must be an absolute path (got “%1”).").arg(databasePath);
    if (retentionDays < 0)
        problems << QStringLiteral("Retention cannot be negative.");
    if (maxSizeMb < 0)
        problems << QStringLiteral("The size limit cannot be negative.");
    else if (maxSizeMb > 0 && maxSizeMb < 16)
        problems << QStringLiteral("A size limit below 16 MB would delete flows almost at once.");
    for (const auto& o : samplingOverrides) {
        if (!decode::IpAddress::parse(o.exporter.trimmed().toStdString()))
            problems
                << QStringLiteral("Sampling override: “%1” is not an IPv4 or IPv6 address.").arg(o.exporter);
        if (o.rate < 1)
            problems
                << QStringLiteral("Sampling override for %1: the rate must be at least 1.").arg(o.exporter);
    }
    if (forward.enabled)
        if (const QString p = forward.problem(); !p.isEmpty())
            problems << p;
    return problems;
}

forward::ForwardConfig AppSettings::ForwardSettings::config() const
{
    forward::ForwardConfig c;
    c.url = url.trimmed();
    c.org = org.trimmed();
    c.stream = stream.trimmed();
    c.user = user.trimmed();
    c.secret = secret;
    c.gzip = gzip;
    c.batchRecords = batchRecords;
    c.verifyTls = verifyTls;
    c.caFile = caFile.trimmed();
    c.ingestWindowSeconds = std::int64_t(ingestWindowHours) * 3600;
    c.expiredPolicy = expiredPolicy;
    c.startAt = startAt;
    return c;
}

QString AppSettings::ForwardSettings::problem() const
{
    const auto r = config().validate();
    if (r)
        return {};
    QString text = r.error();
    if (!text.isEmpty())
        text[0] = text[0].toUpper();
    return text + QLatin1Char('.');
}

QString AppSettings::defaultDatabasePath()
{
    // $XDG_DATA_HOME/flowlens/flows.db: the same file `./dev.sh start` and the README's
    // flowlens-cli examples use, so the app and the CLI see one store.
    QString dir = QStandardPaths::writableLocation(QStandardPaths::GenericDataLocation);
    if (dir.isEmpty())
        dir = QDir::homePath() + QStringLiteral("/.local/share");
    return QDir(dir).filePath(QStringLiteral("flowlens/flows.db"));
}

QString AppSettings::effectiveDatabasePath() const
{
    return databasePath.isEmpty() ? defaultDatabasePath() : databasePath;
}

std::vector<collect::SamplingOverride> AppSettings::overrides() const
{
    std::vector<collect::SamplingOverride> out;
    for (const auto& o : samplingOverrides) {
        const auto addr = decode::IpAddress::parse(o.exporter.trimmed().toStdString());
        if (!addr || o.rate < 1)
            continue;
        out.push_back(collect::SamplingOverride{*addr, o.rate, o.force});
    }
    return out;
}

collect::CollectorConfig AppSettings::collectorConfig() const
{
    collect::CollectorConfig c;
    c.databasePath = effectiveDatabasePath();
    for (const QString& text : endpoints)
        if (const auto ep = decode::Endpoint::parse(text.trimmed().toStdString()))
            c.endpoints.push_back(*ep);
    c.writer.retentionSeconds = std::int64_t(retentionDays) * 86400;
    c.writer.maxDatabaseBytes = std::int64_t(maxSizeMb) * 1024 * 1024;
    c.samplingOverrides = overrides();
    for (const QString& a : allow)
        if (auto cidr = collect::Cidr::parse(a.trimmed().toStdString()))
            c.allow.push_back(*cidr);
    if (geoip) {
        enrich::EnrichConfig e;
        e.geoipPaths = geoipPaths;
        e.networksPath = networksPath;
        c.enrich = e;
    }
    if (forward.enabled)
        c.forward = forward.config();
    return c;
}

} // namespace flowlens::ui
