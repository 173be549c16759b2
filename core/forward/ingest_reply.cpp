#include "ingest_reply.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace flowlens::forward {

namespace {

/// The server's message: "message" of a JSON error body, else the body text (shortened).
QString serverMessage(const QByteArray& body)
{
    const QJsonDocument doc = QJsonDocument::fromJson(body);
    if (doc.isObject()) {
        const QJsonObject o = doc.object();
        for (const char* key : {"message", "error"}) {
            const QJsonValue v = o.value(QLatin1String(key));
            if (v.isString() && !v.toString().isEmpty())
                return v.toString();
        }
    }
    QString text = QString::fromUtf8(body).simplified();
    if (text.size() > 200)
        text = text.left(200) + QStringLiteral("...");
    return text;
}

QString withMessage(const QString& what, const HttpResult& reply)
{
    const QString message = serverMessage(reply.body);
    return message.isEmpty() ? what : QStringLiteral("%1 (server: \"%2\")").arg(what, message);
}

/// Retry-After in its delta-seconds form (an HTTP date is ignored), bounded to a day.
int retryAfterMs(const HttpResult& reply)
{
    bool ok = false;
    const int seconds = reply.retryAfter.trimmed().toInt(&ok);
    return ok && seconds > 0 ? std::min(seconds, 86400) * 1000 : 0;
}

IngestVerdict make(Verdict v, const HttpResult& reply, QString error)
{
    IngestVerdict out;
    out.verdict = v;
    out.httpStatus = reply.status;
    out.error = std::move(error);
    return out;
}

IngestVerdict judgeOk(const HttpResult& reply, std::uint64_t sent, const ForwardConfig& config)
{
    const QJsonDocument doc = QJsonDocument::fromJson(reply.body);
    const QJsonValue status = doc.isObject() ? doc.object().value(QStringLiteral("status")) : QJsonValue();
    if (!status.isArray())
        return make(Verdict::Pause, reply,
                    QStringLiteral("%1 answered 200 without an ingestion status; it does not look like "
                                   "OpenObserve (a proxy or login page?): check the URL")
                        .arg(config.ingestUrl().toString(QUrl::RemoveUserInfo)));
    IngestVerdict out;
    out.httpStatus = reply.status;
    QString lastError;
    for (const QJsonValue& entry : status.toArray()) {
        const QJsonObject e = entry.toObject();
        out.successful +=
            std::uint64_t(std::max<qint64>(e.value(QStringLiteral("successful")).toInteger(), 0));
        out.failed += std::uint64_t(std::max<qint64>(e.value(QStringLiteral("failed")).toInteger(), 0));
        const QString err = e.value(QStringLiteral("error")).toString();
        if (!err.isEmpty())
            lastError = err;
    }
    if (out.successful >= sent) {
        out.verdict = Verdict::Delivered;
        return out;
    }
    if (out.successful == 0 && out.failed == 0) {
        // OpenObserve drops a whole batch this way, e.g. past 1000 distinct fields in one request.
        out.verdict = Verdict::SetAside;
        out.failed = sent;
        out.error =
            QStringLiteral("OpenObserve accepted none of %1 records and reported no failure (a silent "
                           "whole-batch failure, e.g. more than 1000 distinct fields)%2")
                .arg(sent)
                .arg(lastError.isEmpty() ? QString() : QStringLiteral(": ") + lastError);
        return out;
    }
    out.verdict = Verdict::Partial;
    out.failed = sent - out.successful;
    out.error = QStringLiteral("OpenObserve rejected %1 of %2 records: %3")
                    .arg(out.failed)
                    .arg(sent)
                    .arg(lastError.isEmpty() ? QStringLiteral("no reason given") : lastError);
    return out;
}

} // namespace

QString describeHttpResult(const HttpResult& reply)
{
    switch (reply.transport) {
    case Transport::Ok:
        return QStringLiteral("HTTP %1").arg(reply.status);
    case Transport::Timeout:
        return QStringLiteral("no reply within the request timeout");
    case Transport::Refused:
        return QStringLiteral("connection refused");
    case Transport::HostNotFound:
        return QStringLiteral("host not found");
    case Transport::Closed:
        return QStringLiteral("the server closed the connection");
    case Transport::Tls:
        return QStringLiteral("TLS failure: %1").arg(reply.transportError);
    case Transport::Aborted:
        return QStringLiteral("cancelled");
    case Transport::Other:
        return reply.transportError.isEmpty() ? QStringLiteral("network error") : reply.transportError;
    }
    return QStringLiteral("network error");
}

IngestVerdict judgeIngestReply(const HttpResult& reply, std::uint64_t sent, const ForwardConfig& config)
{
    const QString where = config.destinationText();
    switch (reply.transport) {
    case Transport::Ok:
        break;
    case Transport::Tls:
        return make(Verdict::Pause, reply,
                    QStringLiteral("TLS with %1 failed: %2. Trust the server's CA with a CA file, or turn "
                                   "certificate verification off (not recommended)")
                        .arg(config.url, reply.transportError));
    case Transport::HostNotFound:
        // Could be a typo or a DNS outage: keep trying, but say which.
        return make(Verdict::Retry, reply,
                    QStringLiteral("host of %1 not found: check the URL (retrying)").arg(config.url));
    case Transport::Timeout:
    case Transport::Refused:
    case Transport::Closed:
    case Transport::Aborted:
    case Transport::Other:
        return make(Verdict::Retry, reply,
                    QStringLiteral("%1: %2 (retrying)").arg(config.url, describeHttpResult(reply)));
    }

    const int s = reply.status;
    if (s == 200)
        return judgeOk(reply, sent, config);
    if (s >= 300 && s < 400)
        return make(Verdict::Pause, reply,
                    QStringLiteral("%1 redirects (HTTP %2) to %3: set the URL to the server's real address")
                        .arg(config.url)
                        .arg(s)
                        .arg(QString::fromUtf8(reply.location)));
    switch (s) {
    case 400:
        return make(Verdict::SetAside, reply,
                    withMessage(QStringLiteral("OpenObserve refused the batch (400)"), reply));
    case 401: {
        // OpenObserve answers a missing header with JSON and wrong credentials with plain text.
        const bool json = QJsonDocument::fromJson(reply.body).isObject();
        return make(
            Verdict::Pause, reply,
            json ? withMessage(QStringLiteral("OpenObserve wants credentials (401): set the user and "
                                              "secret"),
                               reply)
                 : QStringLiteral("OpenObserve rejected user \"%1\" (401 Unauthorized): check the user "
                                  "and the secret (password, ingestion passcode, or an org token with "
                                  "the organisation as user)")
                       .arg(config.user));
    }
    case 403:
        return make(Verdict::Pause, reply,
                    withMessage(QStringLiteral("user \"%1\" may not ingest into organisation \"%2\" (403)")
                                    .arg(config.user, config.org),
                                reply));
    case 404:
        return make(
            Verdict::Pause, reply,
            withMessage(QStringLiteral("organisation \"%1\" not found at %2 (404): check the organisation "
                                       "and that the URL is the server's base address")
                            .arg(config.org, config.url),
                        reply));
    case 413:
        return make(Verdict::TooLarge, reply, withMessage(QStringLiteral("batch too large (413)"), reply));
    case 415:
        return make(
            Verdict::Pause, reply,
            withMessage(QStringLiteral("the server does not accept this body encoding (415): turn gzip "
                                       "off for %1")
                            .arg(where),
                        reply));
    case 408:
    case 429: {
        IngestVerdict v =
            make(Verdict::Retry, reply,
                 withMessage(QStringLiteral("%1 is overloaded (HTTP %2), retrying").arg(config.url).arg(s),
                             reply));
        v.retryAfterMs = retryAfterMs(reply);
        return v;
    }
    default:
        break;
    }
    if (s >= 500) {
        IngestVerdict v =
            make(Verdict::Retry, reply,
                 withMessage(QStringLiteral("%1 failed (HTTP %2), retrying").arg(config.url).arg(s), reply));
        v.retryAfterMs = retryAfterMs(reply);
        return v;
    }
    return make(
        Verdict::Pause, reply,
        withMessage(QStringLiteral("unexpected reply HTTP %1 from %2: check the URL").arg(s).arg(where),
                    reply));
}

} // namespace flowlens::forward
