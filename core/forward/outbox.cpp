#include "outbox.h"

#include "core/forward/record_encoder.h"
#include "core/store/flow_block.h"
#include "core/store/schema.h"
#include "core/store/sqlite_db.h"

#include <algorithm>
#include <chrono>

namespace flowlens::forward {

using store::Database;
using store::Statement;

namespace {

constexpr std::int64_t kKeepLogRows = 10000;
constexpr std::int64_t kKeepRejectedRows = 10000;
constexpr std::uint64_t kNsPerSecond = 1000000000ull;
constexpr std::uint64_t kFutureWindowNs = 24ull * 3600 * kNsPerSecond; // OpenObserve: 24 h ahead at most

std::uint64_t systemNowNs()
{
    return std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
}

std::string_view view(const QByteArray& b)
{
    return {b.constData(), std::size_t(b.size())};
}

std::string_view settlementKind(Settlement how)
{
    return how == Settlement::Partial ? std::string_view("partial") : std::string_view("set_aside");
}

} // namespace

Result<std::unique_ptr<Outbox>> Outbox::open(const QString& path, const QString& name, StartPosition start)
{
    auto db = Database::open(path, Database::Mode::ReadWrite);
    if (!db)
        return fail(db.error());
    if (auto r = store::migrate(*db); !r)
        return fail(r.error());
    // NORMAL in WAL mode: a settled batch survives a process crash (an OS crash may resend the
    // last batches, never skip them: the cursor only moves after delivery).
    if (auto r = db->exec("PRAGMA synchronous=NORMAL"); !r)
        return fail(r.error());
    std::unique_ptr<Outbox> o(new Outbox);
    o->m_db = std::make_unique<Database>(std::move(*db));
    o->m_decoder = std::make_unique<store::BlockDecoder>();
    o->m_name = name;
    o->m_nameUtf8 = name.toStdString();
    if (auto r = o->load(start); !r)
        return fail(QStringLiteral("forwarding state in %1: %2").arg(path, r.error()));
    return o;
}

Outbox::~Outbox() = default;

Result<void> Outbox::begin()
{
    return m_db->exec("BEGIN IMMEDIATE");
}

Result<void> Outbox::commit()
{
    return m_db->exec("COMMIT");
}

void Outbox::rollback()
{
    (void)m_db->exec("ROLLBACK");
}

Result<void> Outbox::load(StartPosition start)
{
    if (auto r = begin(); !r)
        return r;
    auto st =
        m_db->prepare("SELECT cursor_block, cursor_row, delivered, failed, set_aside, expired, restamped, "
                      "dropped_retention, dropped_backlog, last_error, last_error_ns FROM forward_state "
                      "WHERE name=?1");
    if (!st) {
        rollback();
        return fail(st.error());
    }
    st->bind(1, std::string_view(m_nameUtf8));
    if (st->step()) {
        m_cursor = {st->columnInt(0), st->columnInt(1)};
        m_counters.delivered = std::uint64_t(st->columnInt(2));
        m_counters.failed = std::uint64_t(st->columnInt(3));
        m_counters.setAside = std::uint64_t(st->columnInt(4));
        m_counters.expired = std::uint64_t(st->columnInt(5));
        m_counters.restamped = std::uint64_t(st->columnInt(6));
        m_counters.droppedRetention = std::uint64_t(st->columnInt(7));
        m_counters.droppedBacklog = std::uint64_t(st->columnInt(8));
        m_lastError = st->columnText(9);
        m_lastErrorNs = std::uint64_t(st->columnInt(10));
        st->reset();
        return commit();
    }
    if (st->hasError()) {
        rollback();
        return fail(st->error());
    }
    st->reset();
    // A new destination: start after everything stored so far, or before all of it.
    OutboxPosition at;
    if (start == StartPosition::End) {
        auto last = m_db->prepare("SELECT id, n FROM flow_blocks ORDER BY id DESC LIMIT 1");
        if (!last) {
            rollback();
            return fail(last.error());
        }
        if (last->step())
            at = {last->columnInt(0), last->columnInt(1)};
    }
    auto ins = m_db->prepare("INSERT INTO forward_state(name, cursor_block, cursor_row, created_ns, "
                             "updated_ns) VALUES(?1, ?2, ?3, ?4, ?4)");
    if (!ins) {
        rollback();
        return fail(ins.error());
    }
    const std::uint64_t now = systemNowNs();
    ins->bind(1, std::string_view(m_nameUtf8)).bind(2, at.block).bind(3, at.row).bind(4, std::int64_t(now));
    if (auto r = ins->run(); !r) {
        rollback();
        return r;
    }
    m_cursor = at;
    if (auto r = logLocked(QStringLiteral("created"),
                           start == StartPosition::End
                               ? QStringLiteral("forwarding starts with the flows stored from now on")
                               : QStringLiteral("forwarding starts with every flow the database holds"),
                           now);
        !r) {
        rollback();
        return r;
    }
    return commit();
}

Result<void> Outbox::storeStateLocked(std::uint64_t nowNs)
{
    auto st =
        m_db->prepare("UPDATE forward_state SET cursor_block=?2, cursor_row=?3, updated_ns=?4, delivered=?5, "
                      "failed=?6, set_aside=?7, expired=?8, restamped=?9, dropped_retention=?10, "
                      "dropped_backlog=?11, last_error=?12, last_error_ns=?13 WHERE name=?1");
    if (!st)
        return fail(st.error());
    const QByteArray error = m_lastError.toUtf8();
    st->bind(1, std::string_view(m_nameUtf8)).bind(2, m_cursor.block).bind(3, m_cursor.row);
    st->bind(4, std::int64_t(nowNs)).bind(5, std::int64_t(m_counters.delivered));
    st->bind(6, std::int64_t(m_counters.failed)).bind(7, std::int64_t(m_counters.setAside));
    st->bind(8, std::int64_t(m_counters.expired)).bind(9, std::int64_t(m_counters.restamped));
    st->bind(10, std::int64_t(m_counters.droppedRetention)).bind(11, std::int64_t(m_counters.droppedBacklog));
    st->bind(12, view(error)).bind(13, std::int64_t(m_lastErrorNs));
    return st->run();
}

Result<void> Outbox::logLocked(const QString& event, const QString& detail, std::uint64_t nowNs)
{
    auto st = m_db->prepare("INSERT INTO forward_log(time_ns, name, event, detail) VALUES(?1, ?2, ?3, ?4)");
    if (!st)
        return fail(st.error());
    const QByteArray e = event.toUtf8(), d = detail.toUtf8();
    st->bind(1, std::int64_t(nowNs)).bind(2, std::string_view(m_nameUtf8)).bind(3, view(e)).bind(4, view(d));
    if (auto r = st->run(); !r)
        return r;
    const std::int64_t id = m_db->lastInsertRowId();
    if (id % 100 == 0) {
        auto trim = m_db->prepare("DELETE FROM forward_log WHERE rowid <= ?1");
        if (!trim)
            return fail(trim.error());
        trim->bind(1, id - kKeepLogRows);
        return trim->run();
    }
    return {};
}

Result<void> Outbox::log(const QString& event, const QString& detail)
{
    if (auto r = begin(); !r)
        return r;
    if (auto r = logLocked(event, detail, systemNowNs()); !r) {
        rollback();
        return r;
    }
    return commit();
}

Result<void> Outbox::recordError(const QString& error)
{
    if (auto r = begin(); !r)
        return r;
    const QString previous = m_lastError;
    const std::uint64_t previousNs = m_lastErrorNs;
    m_lastError = error;
    m_lastErrorNs = systemNowNs();
    if (auto r = storeStateLocked(m_lastErrorNs); !r) {
        rollback();
        m_lastError = previous;
        m_lastErrorNs = previousNs;
        return r;
    }
    return commit();
}

Result<std::uint64_t> Outbox::backlogLocked()
{
    auto st = m_db->prepare("SELECT coalesce(sum(CASE WHEN id = ?1 THEN max(n - ?2, 0) ELSE n END), 0) "
                            "FROM flow_blocks WHERE id >= ?1");
    if (!st)
        return fail(st.error());
    st->bind(1, m_cursor.block).bind(2, m_cursor.row);
    if (!st->step())
        return fail(st->hasError() ? st->error() : QStringLiteral("no backlog row"));
    return std::uint64_t(st->columnInt(0));
}

Result<std::uint64_t> Outbox::backlog()
{
    return backlogLocked();
}

Result<void> Outbox::settleGapsLocked(std::uint64_t nowNs)
{
    auto st = m_db->prepare("SELECT block_id, n FROM forward_gaps WHERE name=?1");
    if (!st)
        return fail(st.error());
    st->bind(1, std::string_view(m_nameUtf8));
    std::uint64_t dropped = 0;
    std::uint64_t blocks = 0;
    while (st->step()) {
        const std::int64_t id = st->columnInt(0);
        const std::int64_t n = st->columnInt(1);
        // Rows before the cursor were settled already (delivered, possibly while the block was
        // being deleted); the rest of the block is gone.
        if (id > m_cursor.block)
            dropped += std::uint64_t(n);
        else if (id == m_cursor.block)
            dropped += std::uint64_t(std::max<std::int64_t>(n - m_cursor.row, 0));
        ++blocks;
    }
    if (st->hasError())
        return fail(st->error());
    if (blocks == 0)
        return {};
    auto del = m_db->prepare("DELETE FROM forward_gaps WHERE name=?1");
    if (!del)
        return fail(del.error());
    del->bind(1, std::string_view(m_nameUtf8));
    if (auto r = del->run(); !r)
        return r;
    if (dropped == 0)
        return {};
    m_counters.droppedRetention += dropped;
    if (auto r = storeStateLocked(nowNs); !r)
        return r;
    return logLocked(QStringLiteral("dropped_retention"),
                     QStringLiteral("%1 flows were deleted by the store's retention before they could be "
                                    "forwarded (%2 blocks)")
                         .arg(dropped)
                         .arg(blocks),
                     nowNs);
}

Result<void> Outbox::enforceBacklogLocked(std::uint64_t maxBacklogFlows)
{
    if (maxBacklogFlows == 0)
        return {};
    auto backlog = backlogLocked();
    if (!backlog)
        return fail(backlog.error());
    if (*backlog <= maxBacklogFlows)
        return {};
    // Keep the newest flows: skip the oldest ones past the bound.
    std::uint64_t skip = *backlog - maxBacklogFlows;
    const std::uint64_t skipped = skip;
    auto st = m_db->prepare("SELECT id, n FROM flow_blocks WHERE id >= ?1 ORDER BY id");
    if (!st)
        return fail(st.error());
    st->bind(1, m_cursor.block);
    OutboxPosition at = m_cursor;
    while (skip > 0 && st->step()) {
        const std::int64_t id = st->columnInt(0);
        const std::int64_t n = st->columnInt(1);
        const std::int64_t from = id == m_cursor.block ? m_cursor.row : 0;
        const auto available = std::uint64_t(std::max<std::int64_t>(n - from, 0));
        const std::uint64_t take = std::min(available, skip);
        at = {id, from + std::int64_t(take)};
        skip -= take;
    }
    if (st->hasError())
        return fail(st->error());
    m_cursor = at;
    m_counters.droppedBacklog += skipped - skip;
    return {};
}

Result<void> Outbox::maintainLocked(std::uint64_t maxBacklogFlows, std::uint64_t nowNs)
{
    if (auto r = settleGapsLocked(nowNs); !r)
        return r;
    const std::uint64_t before = m_counters.droppedBacklog;
    if (auto r = enforceBacklogLocked(maxBacklogFlows); !r)
        return r;
    if (m_counters.droppedBacklog == before)
        return {};
    if (auto r = storeStateLocked(nowNs); !r)
        return r;
    return logLocked(
        QStringLiteral("dropped_backlog"),
        QStringLiteral("%1 of the oldest unsent flows skipped: the backlog passed its bound of %2 flows")
            .arg(m_counters.droppedBacklog - before)
            .arg(maxBacklogFlows),
        nowNs);
}

Result<void> Outbox::maintain(std::uint64_t maxBacklogFlows, std::uint64_t nowNs)
{
    // Runs about once a second: take the write lock only when there is something to do.
    auto gaps = m_db->prepare("SELECT 1 FROM forward_gaps WHERE name=?1 LIMIT 1");
    if (!gaps)
        return fail(gaps.error());
    gaps->bind(1, std::string_view(m_nameUtf8));
    const bool haveGaps = gaps->step();
    if (gaps->hasError())
        return fail(gaps->error());
    gaps->reset();
    if (!haveGaps) {
        if (maxBacklogFlows == 0)
            return {};
        auto backlog = backlogLocked();
        if (!backlog)
            return fail(backlog.error());
        if (*backlog <= maxBacklogFlows)
            return {};
    }
    if (auto r = begin(); !r)
        return r;
    const OutboxPosition cursor = m_cursor;
    const ForwardCounters counters = m_counters;
    auto r = maintainLocked(maxBacklogFlows, nowNs ? nowNs : systemNowNs());
    if (r)
        r = commit();
    if (!r) {
        rollback();
        m_cursor = cursor;
        m_counters = counters;
    }
    return r;
}

Result<const std::vector<decode::FlowRecord>*> Outbox::blockRecords(std::int64_t id, std::int64_t n,
                                                                    std::span<const std::byte> blob)
{
    if (id == m_cachedId && n == m_cachedN)
        return &m_cached;
    m_cachedId = -1;
    if (!m_decoder->open(blob) || std::int64_t(m_decoder->count()) != n)
        return fail(QStringLiteral("flow block %1 in %2 is damaged (cannot read its directory)")
                        .arg(id)
                        .arg(m_db->path()));
    m_cached.assign(m_decoder->count(), decode::FlowRecord{});
    if (!m_decoder->decode(store::allFields(), m_cached))
        return fail(QStringLiteral("flow block %1 in %2 is damaged (a column does not decompress)")
                        .arg(id)
                        .arg(m_db->path()));
    m_cachedId = id;
    m_cachedN = n;
    return &m_cached;
}

Result<PreparedBatch> Outbox::prepare(const PrepareOptions& options, const RecordEncoder& encoder)
{
    if (auto r = begin(); !r)
        return fail(r.error());
    const OutboxPosition cursor = m_cursor;
    const ForwardCounters counters = m_counters;
    const std::uint64_t now = options.nowNs ? options.nowNs : systemNowNs();
    PreparedBatch batch;
    auto work = [&]() -> Result<void> {
        if (auto r = maintainLocked(options.maxBacklogFlows, now); !r)
            return r;
        batch.start = batch.first = batch.end = m_cursor;
        bool haveFirst = false;
        // Keep a margin inside the window: the batch may wait for a retry before it arrives.
        const std::uint64_t windowNs = std::uint64_t(options.ingestWindowSeconds) * kNsPerSecond;
        const std::uint64_t marginNs = std::min<std::uint64_t>(60 * kNsPerSecond, windowNs / 2);
        const std::uint64_t oldestNs = now > windowNs - marginNs ? now - (windowNs - marginNs) : 0;
        const std::uint64_t newestNs = now + kFutureWindowNs - marginNs;
        const std::uint64_t nowUs = now / 1000;
        const std::size_t maxRecords = std::max<std::size_t>(options.maxRecords, 1);

        auto st = m_db->prepare("SELECT id, n, data FROM flow_blocks WHERE id >= ?1 ORDER BY id");
        if (!st)
            return fail(st.error());
        st->bind(1, m_cursor.block);
        batch.body.push_back('[');
        bool full = false;
        while (!full && st->step()) {
            const std::int64_t id = st->columnInt(0);
            const std::int64_t n = st->columnInt(1);
            std::int64_t row = id == m_cursor.block ? m_cursor.row : 0;
            if (row >= n) {
                batch.end = {id, std::max(row, n)};
                continue;
            }
            if (!haveFirst) {
                batch.first = {id, row};
                haveFirst = true;
            }
            auto records = blockRecords(id, n, st->columnBlob(2));
            if (!records)
                return fail(records.error());
            for (; row < n; ++row) {
                const decode::FlowRecord& r = (**records)[std::size_t(row)];
                const bool outside = r.time_received_ns < oldestNs || r.time_received_ns > newestNs;
                if (outside && options.expiredPolicy == ExpiredPolicy::Skip) {
                    ++batch.expired;
                    continue;
                }
                const std::size_t before = batch.body.size();
                if (batch.records)
                    batch.body.push_back(',');
                encoder.append(batch.body, r, outside ? nowUs : 0);
                if (batch.records && batch.body.size() + 1 > options.maxBytes) {
                    batch.body.resize(before); // this record starts the next batch
                    full = true;
                    break;
                }
                ++batch.records;
                batch.restamped += outside ? 1 : 0;
                if (batch.records >= maxRecords) {
                    ++row;
                    full = true;
                    break;
                }
            }
            batch.end = {id, row};
        }
        if (st->hasError())
            return fail(st->error());
        batch.body.push_back(']');
        return {};
    };
    if (auto r = work(); !r) {
        rollback();
        m_cursor = cursor;
        m_counters = counters;
        return fail(r.error());
    }
    if (auto r = commit(); !r) {
        rollback();
        m_cursor = cursor;
        m_counters = counters;
        return fail(r.error());
    }
    return batch;
}

Result<void> Outbox::settle(const PreparedBatch& batch, Settlement how, std::uint64_t successful,
                            int httpStatus, const QString& error)
{
    if (batch.start != m_cursor)
        return fail(
            QStringLiteral("internal: batch starts at block %1 row %2, the cursor is at block %3 row %4")
                .arg(batch.start.block)
                .arg(batch.start.row)
                .arg(m_cursor.block)
                .arg(m_cursor.row));
    if (auto r = begin(); !r)
        return r;
    const OutboxPosition cursor = m_cursor;
    const ForwardCounters counters = m_counters;
    const QString lastError = m_lastError;
    const std::uint64_t lastErrorNs = m_lastErrorNs;
    const std::uint64_t now = systemNowNs();
    auto work = [&]() -> Result<void> {
        m_cursor = batch.end;
        m_counters.expired += batch.expired;
        m_counters.restamped += batch.restamped;
        const std::uint64_t accepted = std::min(successful, batch.records);
        switch (how) {
        case Settlement::Delivered:
            m_counters.delivered += batch.records;
            break;
        case Settlement::Partial:
            m_counters.delivered += accepted;
            m_counters.failed += batch.records - accepted;
            break;
        case Settlement::SetAside:
            m_counters.setAside += batch.records;
            break;
        }
        if (how != Settlement::Delivered) {
            m_lastError = error;
            m_lastErrorNs = now;
            auto st =
                m_db->prepare("INSERT INTO forward_rejected(name, time_ns, kind, first_block, first_row, "
                              "last_block, end_row, records, failed, http_status, error) "
                              "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
            if (!st)
                return fail(st.error());
            const QByteArray e = error.toUtf8();
            st->bind(1, std::string_view(m_nameUtf8)).bind(2, std::int64_t(now)).bind(3, settlementKind(how));
            st->bind(4, batch.first.block)
                .bind(5, batch.first.row)
                .bind(6, batch.end.block)
                .bind(7, batch.end.row);
            st->bind(8, std::int64_t(batch.records));
            st->bind(9, std::int64_t(how == Settlement::Partial ? batch.records - accepted : batch.records));
            st->bind(10, std::int64_t(httpStatus)).bind(11, view(e));
            if (auto r = st->run(); !r)
                return r;
            const std::int64_t id = m_db->lastInsertRowId();
            if (id % 100 == 0) {
                auto trim = m_db->prepare("DELETE FROM forward_rejected WHERE id <= ?1");
                if (!trim)
                    return fail(trim.error());
                trim->bind(1, id - kKeepRejectedRows);
                if (auto r = trim->run(); !r)
                    return r;
            }
        }
        if (auto r = storeStateLocked(now); !r)
            return r;
        return settleGapsLocked(now);
    };
    if (auto r = work(); !r) {
        rollback();
        m_cursor = cursor;
        m_counters = counters;
        m_lastError = lastError;
        m_lastErrorNs = lastErrorNs;
        return r;
    }
    if (auto r = commit(); !r) {
        rollback();
        m_cursor = cursor;
        m_counters = counters;
        m_lastError = lastError;
        m_lastErrorNs = lastErrorNs;
        return r;
    }
    return {};
}

} // namespace flowlens::forward
