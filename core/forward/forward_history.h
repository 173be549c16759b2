#pragma once

#include "core/forward/forward_status.h"
#include "core/util/result.h"

#include <cstdint>
#include <vector>

#include <QString>

namespace flowlens::forward {

/// A batch the server did not take whole (table forward_rejected).
struct RejectedBatch
{
    std::uint64_t timeNs = 0;
    QString kind; ///< "set_aside" (refused whole) or "partial" (some records failed inside a 200)
    std::int64_t firstBlock = 0, firstRow = 0; ///< first stored row of the batch
    std::int64_t lastBlock = 0, endRow = 0;    ///< rows end before this row of lastBlock
    std::uint64_t records = 0;                 ///< sent
    std::uint64_t failed = 0;                  ///< not accepted
    int httpStatus = 0;
    QString error;
};

/// One state change (table forward_log): start, stop, backoff, paused, recovered, split,
/// dropped_retention, dropped_backlog, created, reconfigured.
struct ForwardEvent
{
    std::uint64_t timeNs = 0;
    QString event;
    QString detail;
};

/// What a database remembers about one forwarding destination.
struct ForwardHistory
{
    bool exists = false; ///< false when this cursor was never created
    std::int64_t cursorBlock = 0;
    std::int64_t cursorRow = 0;
    ForwardCounters counters;
    QString lastError;
    std::uint64_t lastErrorNs = 0;
    std::vector<RejectedBatch> rejected; ///< newest first
    std::vector<ForwardEvent> events;    ///< newest first
};

/// Reads the forwarding state of cursor `name` through a read-only connection (safe while a
/// collector writes; call it off the GUI thread). `limit` bounds rejected batches and events.
Result<ForwardHistory> readForwardHistory(const QString& databasePath,
                                          const QString& name = QStringLiteral("openobserve"),
                                          int limit = 100);

} // namespace flowlens::forward
