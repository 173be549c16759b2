#pragma once

#include "core/forward/forward_config.h"
#include "core/forward/forward_status.h"
#include "core/util/result.h"

#include <optional>

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QProcessEnvironment>

namespace flowlens::cli {

/// The environment variable holding the forwarding secret (never a command-line argument).
inline constexpr char kForwardSecretVariable[] = "FLOWLENS_FORWARD_PASSWORD";

/// --forward-* options of `collect`.
struct ForwardOptions
{
    QCommandLineOption url{QStringLiteral("forward-url"),
                           QStringLiteral("Forward every stored flow to OpenObserve at this base URL "
                                          "(e.g. http://localhost:5080). The secret is read from $") +
                               QLatin1String(kForwardSecretVariable) + QStringLiteral("."),
                           QStringLiteral("URL")};
    QCommandLineOption org{QStringLiteral("forward-org"),
                           QStringLiteral("OpenObserve organisation (default: default)."),
                           QStringLiteral("ORG"), QStringLiteral("default")};
    QCommandLineOption stream{
        QStringLiteral("forward-stream"),
        QStringLiteral("OpenObserve stream (default: netflow1, which the NetFlow dashboards read)."),
        QStringLiteral("STREAM"), QStringLiteral("netflow1")};
    QCommandLineOption user{
        QStringLiteral("forward-user"),
        QStringLiteral("OpenObserve user (e-mail), or the organisation with an org token."),
        QStringLiteral("USER")};
    QCommandLineOption gzip{QStringLiteral("forward-gzip"),
                            QStringLiteral("Compress request bodies with gzip.")};
    QCommandLineOption batch{QStringLiteral("forward-batch"),
                             QStringLiteral("Records per request at most (default 5000)."),
                             QStringLiteral("N")};
    QCommandLineOption test{
        QStringLiteral("forward-test"),
        QStringLiteral("Check that the server answers (/healthz) and that it accepts the "
                       "credentials, say which failed, and exit (0 both fine, 1 not)."),
    };
    QCommandLineOption ca{QStringLiteral("forward-ca"),
                          QStringLiteral("PEM file of extra CA certificates to trust."),
                          QStringLiteral("FILE")};
    QCommandLineOption insecure{QStringLiteral("forward-insecure"),
                                QStringLiteral("Do not verify the server's TLS certificate (not recommended; "
                                               "shown in every status line).")};
    QCommandLineOption window{
        QStringLiteral("forward-window"),
        QStringLiteral("The server's ingest window (ZO_INGEST_ALLOWED_UPTO, default 5h)."),
        QStringLiteral("DURATION")};
    QCommandLineOption expired{
        QStringLiteral("forward-expired"),
        QStringLiteral("Flows older than the window: skip (default; counted as expired) or "
                       "restamp (sent with _timestamp = now, original_timestamp kept)."),
        QStringLiteral("skip|restamp")};
    QCommandLineOption fromStart{QStringLiteral("forward-from-start"),
                                 QStringLiteral("A database never forwarded before sends every flow it holds "
                                                "(default: only flows stored from now on).")};
    QCommandLineOption maxBacklog{
        QStringLiteral("forward-max-backlog"),
        QStringLiteral("Unsent flows kept at most; past it the oldest are skipped and "
                       "counted (default 50000000, 0 = bounded only by retention)."),
        QStringLiteral("N")};

    void addTo(QCommandLineParser& p) const;
    bool anySet(const QCommandLineParser& p) const;
    /// The configuration, or nothing without --forward-url. Errors name the option.
    Result<std::optional<forward::ForwardConfig>> read(const QCommandLineParser& p,
                                                       const QProcessEnvironment& env) const;
};

/// "forwarding: idle, 1.2 k/s, 12345 delivered, backlog 0, ..." (no newline).
QString forwardStatusLine(const forward::ForwardStatus& s);

} // namespace flowlens::cli
