#include "forward_history.h"

#include "core/store/schema.h"
#include "core/store/sqlite_db.h"

#include <QFileInfo>

namespace flowlens::forward {

Result<ForwardHistory> readForwardHistory(const QString& databasePath, const QString& name, int limit)
{
    if (!QFileInfo::exists(databasePath))
        return fail(QStringLiteral("database %1 does not exist").arg(databasePath));
    auto db = store::Database::open(databasePath, store::Database::Mode::ReadOnly);
    if (!db)
        return fail(db.error());
    auto version = store::checkReadable(*db);
    if (!version)
        return fail(version.error());
    ForwardHistory h;
    if (*version < 3)
        return h; // written before forwarding existed
    const QByteArray n = name.toUtf8();
    const std::string_view key(n.constData(), std::size_t(n.size()));
    auto state =
        db->prepare("SELECT cursor_block, cursor_row, delivered, failed, set_aside, expired, restamped, "
                    "dropped_retention, dropped_backlog, last_error, last_error_ns FROM forward_state "
                    "WHERE name=?1");
    if (!state)
        return fail(state.error());
    state->bind(1, key);
    if (!state->step())
        return state->hasError() ? Result<ForwardHistory>(fail(state->error())) : Result<ForwardHistory>(h);
    h.exists = true;
    h.cursorBlock = state->columnInt(0);
    h.cursorRow = state->columnInt(1);
    h.counters.delivered = std::uint64_t(state->columnInt(2));
    h.counters.failed = std::uint64_t(state->columnInt(3));
    h.counters.setAside = std::uint64_t(state->columnInt(4));
    h.counters.expired = std::uint64_t(state->columnInt(5));
    h.counters.restamped = std::uint64_t(state->columnInt(6));
    h.counters.droppedRetention = std::uint64_t(state->columnInt(7));
    h.counters.droppedBacklog = std::uint64_t(state->columnInt(8));
    h.lastError = state->columnText(9);
    h.lastErrorNs = std::uint64_t(state->columnInt(10));

    auto rejected =
        db->prepare("SELECT time_ns, kind, first_block, first_row, last_block, end_row, records, failed, "
                    "http_status, error FROM forward_rejected WHERE name=?1 ORDER BY id DESC LIMIT ?2");
    if (!rejected)
        return fail(rejected.error());
    rejected->bind(1, key).bind(2, std::int64_t(limit));
    while (rejected->step()) {
        RejectedBatch b;
        b.timeNs = std::uint64_t(rejected->columnInt(0));
        b.kind = rejected->columnText(1);
        b.firstBlock = rejected->columnInt(2);
        b.firstRow = rejected->columnInt(3);
        b.lastBlock = rejected->columnInt(4);
        b.endRow = rejected->columnInt(5);
        b.records = std::uint64_t(rejected->columnInt(6));
        b.failed = std::uint64_t(rejected->columnInt(7));
        b.httpStatus = int(rejected->columnInt(8));
        b.error = rejected->columnText(9);
        h.rejected.push_back(b);
    }
    if (rejected->hasError())
        return fail(rejected->error());

    auto events = db->prepare(
        "SELECT time_ns, event, detail FROM forward_log WHERE name=?1 ORDER BY rowid DESC LIMIT ?2");
    if (!events)
        return fail(events.error());
    events->bind(1, key).bind(2, std::int64_t(limit));
    while (events->step())
        h.events.push_back(
            {std::uint64_t(events->columnInt(0)), events->columnText(1), events->columnText(2)});
    if (events->hasError())
        return fail(events->error());
    return h;
}

} // namespace flowlens::forward
