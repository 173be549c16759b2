#pragma once

#include "core/decode/flow_record.h"
#include "core/forward/forward_config.h"
#include "core/forward/forward_status.h"
#include "core/util/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <QString>

namespace flowlens::store {
class Database;
class BlockDecoder;
} // namespace flowlens::store

namespace flowlens::forward {

class RecordEncoder;

/// A place in the store, in storage order: row `row` of block `block` (flow_blocks.id). Block ids
/// only grow (schema 3), and only the newest block gains rows, so a position never moves.
struct OutboxPosition
{
    std::int64_t block = 0;
    std::int64_t row = 0;

    friend bool operator==(const OutboxPosition& a, const OutboxPosition& b)
    {
        return a.block == b.block && a.row == b.row;
    }
    friend bool operator!=(const OutboxPosition& a, const OutboxPosition& b) { return !(a == b); }
};

/// How Outbox::prepare builds one request.
struct PrepareOptions
{
    std::size_t maxRecords = 5000;
    std::size_t maxBytes = 4 << 20; ///< JSON bytes; at least one record is always taken
    std::uint64_t nowNs = 0;
    std::int64_t ingestWindowSeconds = 5 * 3600;
    ExpiredPolicy expiredPolicy = ExpiredPolicy::Skip;
    std::uint64_t maxBacklogFlows = 0; ///< 0 = no bound
};

/// Rows [start, end) rendered as one JSON array body.
struct PreparedBatch
{
    OutboxPosition start; ///< the cursor when prepared
    OutboxPosition first; ///< the first stored row the batch covers (for forward_rejected)
    OutboxPosition end;
    std::string body;            ///< "[{...},{...}]"
    std::uint64_t records = 0;   ///< objects in body
    std::uint64_t expired = 0;   ///< rows in the range skipped as outside the ingest window
    std::uint64_t restamped = 0; ///< objects in body sent with _timestamp = now

    bool isEmpty() const { return start == end; }
};

/// How a sent batch ended, for Outbox::settle.
enum class Settlement
{
    Delivered, ///< the reply counted every record successful
    Partial,   ///< 200, but some records failed inside it: not resent, recorded with the error
    SetAside,  ///< refused whole (400, silent failure, too large alone): recorded, not resent
};

/// The forwarder's durable outbox: a cursor over the store's flow blocks (no copy of the flows),
/// with lifetime counters, in tables forward_state / forward_gaps / forward_rejected / forward_log
/// (schema 3). Flows the store's retention deletes before the cursor reaches them are counted as
/// droppedRetention (a trigger records each deleted block); flows past maxBacklogFlows as
/// droppedBacklog. Synchronous; owns its own read-write connection, so it belongs to one thread
/// (the forwarder thread).
class Outbox
{
public:
    /// Opens (and, for a new name, creates) the cursor `name` in the database at `path`.
    static Result<std::unique_ptr<Outbox>> open(const QString& path, const QString& name,
                                                StartPosition start);
    ~Outbox();
    Outbox(const Outbox&) = delete;
    Outbox& operator=(const Outbox&) = delete;

    OutboxPosition cursor() const { return m_cursor; }
    const ForwardCounters& counters() const { return m_counters; }
    QString name() const { return m_name; }

    /// Stored flows after the cursor (the outbox depth).
    Result<std::uint64_t> backlog();

    /// Counts flows deleted ahead of the cursor and applies the backlog bound (one transaction).
    Result<void> maintain(std::uint64_t maxBacklogFlows, std::uint64_t nowNs = 0);

    /// maintain(), then renders the rows after the cursor into one batch, all in one transaction so
    /// that retention cannot delete rows between counting gaps and reading. A batch may be empty
    /// of records but still cover rows (all outside the ingest window): settle it as Delivered.
    Result<PreparedBatch> prepare(const PrepareOptions& options, const RecordEncoder& encoder);

    /// Moves the cursor to batch.end and counts the batch (Partial/SetAside also add a row to
    /// forward_rejected). Then counts rows that retention deleted while the batch was on the wire.
    Result<void> settle(const PreparedBatch& batch, Settlement how, std::uint64_t successful, int httpStatus,
                        const QString& error);

    /// Stores the last error (shown by status readers) without moving the cursor.
    Result<void> recordError(const QString& error);
    /// Appends to forward_log (bounded to the latest 10000 entries).
    Result<void> log(const QString& event, const QString& detail);

private:
    Outbox() = default;
    Result<void> load(StartPosition start);
    Result<void> begin();
    Result<void> commit();
    void rollback();
    Result<void> maintainLocked(std::uint64_t maxBacklogFlows, std::uint64_t nowNs);
    Result<void> settleGapsLocked(std::uint64_t nowNs);
    Result<void> enforceBacklogLocked(std::uint64_t maxBacklogFlows);
    Result<std::uint64_t> backlogLocked();
    Result<void> storeStateLocked(std::uint64_t nowNs);
    Result<void> logLocked(const QString& event, const QString& detail, std::uint64_t nowNs);
    /// Decoded records of a block (cached: the newest block is re-read only when it grew).
    Result<const std::vector<decode::FlowRecord>*> blockRecords(std::int64_t id, std::int64_t n,
                                                                std::span<const std::byte> blob);

    std::unique_ptr<store::Database> m_db;
    std::unique_ptr<store::BlockDecoder> m_decoder;
    QString m_name;
    std::string m_nameUtf8;
    OutboxPosition m_cursor;
    ForwardCounters m_counters;
    QString m_lastError;
    std::uint64_t m_lastErrorNs = 0;
    std::int64_t m_cachedId = -1;
    std::int64_t m_cachedN = -1;
    std::vector<decode::FlowRecord> m_cached;
};

} // namespace flowlens::forward
