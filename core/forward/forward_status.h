#pragma once

#include <cstdint>

#include <QMetaType>
#include <QString>

namespace flowlens::forward {

enum class ForwardState
{
    Stopped,
    Idle,       ///< everything stored so far is settled, or a partial batch waits for its timer
    Sending,    ///< a request is on the wire
    BackingOff, ///< the server is down or overloaded (429/5xx/timeout/refused): waiting to retry
    Paused,     ///< a setup error (credentials, organisation, URL, TLS): waiting for a fix
};

/// "stopped", "idle", "sending", "backing off", "paused"
QString forwardStateName(ForwardState state);

/// Lifetime counters of one destination, as stored in forward_state. Every stored flow the cursor
/// has passed is in exactly one of delivered, failed, setAside, expired, droppedRetention or
/// droppedBacklog (restamped flows are also in delivered or failed).
struct ForwardCounters
{
    std::uint64_t delivered = 0;        ///< counted successful by the server
    std::uint64_t failed = 0;           ///< rejected inside a 200 reply (partial failure)
    std::uint64_t setAside = 0;         ///< in batches refused whole (400, silent failure, too large)
    std::uint64_t expired = 0;          ///< older than the ingest window, skipped
    std::uint64_t restamped = 0;        ///< older than the ingest window, sent with _timestamp = now
    std::uint64_t droppedRetention = 0; ///< deleted by the store's retention before delivery
    std::uint64_t droppedBacklog = 0;   ///< skipped because the backlog passed maxBacklogFlows

    std::uint64_t settled() const
    {
        return delivered + failed + setAside + expired + droppedRetention + droppedBacklog;
    }
};

/// What the forwarder reports about once a second (and at stop), for the status bar and the CLI.
struct ForwardStatus
{
    ForwardState state = ForwardState::Stopped;
    QString destination; ///< url, org, stream (no credentials)
    ForwardCounters counters;
    std::uint64_t sessionDelivered = 0; ///< delivered since start
    double deliveredPerSecond = 0;      ///< over the last interval
    std::uint64_t backlogFlows = 0;     ///< stored, not yet settled (the outbox depth)
    std::uint64_t requests = 0;         ///< since start
    std::uint64_t retries = 0;          ///< requests that will be retried (429/5xx/timeout/refused)
    int backoffMs = 0;                  ///< current retry delay while BackingOff / Paused
    QString lastError;                  ///< most recent problem, empty when none since start
    QString setupError;                 ///< why forwarding is Paused
    bool verifyTls = true;              ///< false: certificates are not checked (opted out)
    std::int64_t cursorBlock = 0;
    std::int64_t cursorRow = 0;
};

} // namespace flowlens::forward

Q_DECLARE_METATYPE(flowlens::forward::ForwardStatus)
