#pragma once

#include "core/forward/forward_config.h"

#include <cstdint>

#include <QByteArray>
#include <QString>

namespace flowlens::forward {

/// How an HTTP exchange ended at the transport level.
enum class Transport
{
    Ok,           ///< a complete HTTP reply (any status)
    Timeout,      ///< no complete reply within the request timeout
    Refused,      ///< connection refused (server down)
    HostNotFound, ///< DNS failure
    Closed,       ///< the server closed the connection before replying
    Tls,          ///< TLS handshake or certificate failure
    Aborted,      ///< cancelled by FlowLens (stop)
    Other,        ///< any other network error
};

/// One HTTP exchange as the forwarder sees it.
struct HttpResult
{
    Transport transport = Transport::Ok;
    QString transportError; ///< Qt's text for a transport failure
    int status = 0;
    QByteArray body;
    QByteArray contentType;
    QByteArray location;   ///< of a redirect
    QByteArray retryAfter; ///< Retry-After of a 429/503, as sent
};

/// What the forwarder does about a reply (OPENOBSERVE.md "Status handling").
enum class Verdict
{
    Delivered, ///< 200 and the sum of `successful` equals the records sent
    Partial,   ///< 200 but some records failed: count them with the server's error, do not resend
    SetAside,  ///< 400, or a silent whole-batch failure (200 with nothing successful or failed)
    TooLarge,  ///< 413: split the batch
    Retry,     ///< 429, 5xx, 408, timeout, refused, closed: back off and resend
    Pause,     ///< 401/403/404/415, redirects, TLS failures, unexpected replies: a setup error
};

struct IngestVerdict
{
    Verdict verdict = Verdict::Retry;
    std::uint64_t successful = 0;
    std::uint64_t failed = 0;
    int httpStatus = 0;
    int retryAfterMs = 0; ///< the server's Retry-After (seconds form) for a Retry, 0 when none
    QString error;        ///< for the user: what happened and what to do; empty when Delivered
};

/// Judges the reply to a POST of `sent` records to config.ingestUrl(). Pure: no I/O.
IngestVerdict judgeIngestReply(const HttpResult& reply, std::uint64_t sent, const ForwardConfig& config);

/// Short text of a transport failure or HTTP status for messages ("connection refused", "HTTP 503").
QString describeHttpResult(const HttpResult& reply);

} // namespace flowlens::forward
