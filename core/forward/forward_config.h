#pragma once

#include "core/util/result.h"

#include <cstdint>

#include <QMetaType>
#include <QString>
#include <QUrl>

namespace flowlens::forward {

/// What to do with stored flows older than the server's ingest window (OpenObserve rejects
/// records older than ZO_INGEST_ALLOWED_UPTO, 5 h by default, inside a 200 reply).
enum class ExpiredPolicy
{
    Skip,    ///< do not send them; count them as "expired" (default)
    Restamp, ///< send them with _timestamp = now and the original time in original_timestamp
};

/// Where a destination that the database has never forwarded to starts.
enum class StartPosition
{
    End,       ///< flows stored from now on (default)
    Beginning, ///< every flow the database holds
};

/// Forwarding to one OpenObserve stream. Plain value; the secret is never logged or stored.
struct ForwardConfig
{
    QString url = QStringLiteral("http://localhost:5080"); ///< base URL, without /api/...
    QString org = QStringLiteral("default");
    QString stream = QStringLiteral("netflow1"); ///< the published NetFlow dashboards read netflow1
    QString user;
    QString secret; ///< password, ingestion passcode, or an org token (then user = org)
    bool gzip = false;

    int batchRecords = 5000;           ///< records per request at most
    std::int64_t batchBytes = 4 << 20; ///< JSON bytes per request at most (before gzip)
    int flushIntervalMs = 1000;        ///< a partial batch waits at most this long
    int pollIntervalMs = 250;          ///< how often the store is checked for new flows
    int requestTimeoutMs = 30000;      ///< a request without a full reply by then is retried
    int backoffInitialMs = 1000;       ///< first retry delay after 429/5xx/timeout/refused
    int backoffMaxMs = 60000;          ///< retry delays double up to this
    int pauseRetryMs = 60000;          ///< while paused by a setup error, try again this often
    int shutdownGraceMs = 2000;        ///< stop() flushes for at most this long

    bool verifyTls = true; ///< false: accept any certificate (shown in the status, never silent)
    QString caFile;        ///< extra CA certificates (PEM) to trust, e.g. a private CA

    std::int64_t ingestWindowSeconds = 5 * 3600; ///< the server's ZO_INGEST_ALLOWED_UPTO
    ExpiredPolicy expiredPolicy = ExpiredPolicy::Skip;
    /// Flows stored but not yet forwarded, at most; past it the oldest are skipped and counted as
    /// dropped_backlog. 0 = bounded only by the store's retention.
    std::uint64_t maxBacklogFlows = 50'000'000;

    QString cursorName = QStringLiteral("openobserve"); ///< names the cursor in the database
    StartPosition startAt = StartPosition::End;

    /// {url}/api/{org}/{stream}/_json
    QUrl ingestUrl() const;
    /// {url}/healthz
    QUrl healthUrl() const;
    /// "http://host:5080 org default stream netflow1" (no credentials)
    QString destinationText() const;
    /// Checks every field; the message names the field and what to do.
    Result<void> validate() const;
};

} // namespace flowlens::forward

Q_DECLARE_METATYPE(flowlens::forward::ForwardConfig)
