#include "forward_config.h"

#include <QRegularExpression>

namespace flowlens::forward {

namespace {

QString trimmedBase(const QString& url)
{
    QString base = url.trimmed();
    while (base.endsWith(QLatin1Char('/')))
        base.chop(1);
    return base;
}

} // namespace

QUrl ForwardConfig::ingestUrl() const
{
    return QUrl(trimmedBase(url) + QStringLiteral("/api/") + QString::fromUtf8(QUrl::toPercentEncoding(org)) +
                QLatin1Char('/') + QString::fromUtf8(QUrl::toPercentEncoding(stream)) +
                QStringLiteral("/_json"));
}

QUrl ForwardConfig::healthUrl() const
{
    return QUrl(trimmedBase(url) + QStringLiteral("/healthz"));
}

QString ForwardConfig::destinationText() const
{
    return QStringLiteral("%1 org %2 stream %3").arg(trimmedBase(url), org, stream);
}

Result<void> ForwardConfig::validate() const
{
    const QUrl base(trimmedBase(url));
    if (!base.isValid() || base.host().isEmpty() ||
        (base.scheme() != QLatin1String("http") && base.scheme() != QLatin1String("https")))
        return fail(
            QStringLiteral("forwarding URL \"%1\" is not an http:// or https:// URL with a host, such "
                           "as http://localhost:5080")
                .arg(url));
    if (!base.userInfo().isEmpty())
        return fail(
            QStringLiteral("forwarding URL must not contain credentials; give the user separately and "
                           "the secret through the environment or the keychain"));
    if (!base.query().isEmpty() || !base.fragment().isEmpty())
        return fail(QStringLiteral("forwarding URL \"%1\" must not have a query or fragment").arg(url));
    // OpenObserve lowercases stream names and keeps [a-z0-9_]; anything else would land elsewhere.
    static const QRegularExpression name(QStringLiteral("^[A-Za-z0-9_-]+$"));
    if (!name.match(org).hasMatch())
        return fail(
            QStringLiteral("forwarding organisation \"%1\" must be letters, digits, _ or -").arg(org));
    if (!name.match(stream).hasMatch())
        return fail(QStringLiteral("forwarding stream \"%1\" must be letters, digits, _ or -").arg(stream));
    if (user.isEmpty())
        return fail(QStringLiteral("forwarding needs a user (or the organisation, with an org token)"));
    if (user.contains(QLatin1Char(':')))
        return fail(QStringLiteral("forwarding user must not contain ':' (Basic authentication)"));
    if (secret.isEmpty())
        return fail(QStringLiteral("forwarding needs a secret (password, ingestion passcode or org token)"));
    if (batchRecords < 1 || batchBytes < 1024)
        return fail(QStringLiteral("forwarding batch must allow at least 1 record and 1 KiB"));
    if (flushIntervalMs < 1 || pollIntervalMs < 1 || requestTimeoutMs < 100 || backoffInitialMs < 1 ||
        backoffMaxMs < backoffInitialMs || pauseRetryMs < 1 || shutdownGraceMs < 0)
        return fail(QStringLiteral("forwarding timings must be positive (request timeout >= 100 ms, "
                                   "backoff cap >= first backoff)"));
    if (ingestWindowSeconds < 60)
        return fail(QStringLiteral("forwarding ingest window must be at least 60 seconds"));
    if (cursorName.isEmpty())
        return fail(QStringLiteral("forwarding cursor name must not be empty"));
    return {};
}

} // namespace flowlens::forward
