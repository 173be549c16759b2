#include "schema.h"

#include "sqlite_db.h"

#include <string_view>

namespace flowlens::store {

namespace {

// Migration N brings version N-1 to N. Append only; never edit a shipped migration.
constexpr std::string_view kMigrations[] = {
    // 1: raw flows as columnar blocks, per-minute rollups with truncation bounds, exporter health.
    R"sql(
CREATE TABLE flow_blocks(
    id INTEGER PRIMARY KEY,
    t_min INTEGER NOT NULL,  -- smallest time_received_ns in the block
    t_max INTEGER NOT NULL,  -- largest time_received_ns in the block
    n INTEGER NOT NULL,      -- flows in the block
    data BLOB NOT NULL);     -- see core/store/flow_block.h
CREATE INDEX flow_blocks_t_max ON flow_blocks(t_max);
CREATE INDEX flow_blocks_t_min ON flow_blocks(t_min);

CREATE TABLE rollup(
    tier INTEGER NOT NULL,    -- bucket width in seconds (60)
    dim INTEGER NOT NULL,     -- core/store/rollup.h Dimension
    bucket INTEGER NOT NULL,  -- bucket start, unix seconds (time_received)
    key BLOB NOT NULL,        -- dimension key; empty = other (dropped keys)
    flows INTEGER NOT NULL,
    packets INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    packets_scaled INTEGER NOT NULL,
    bytes_scaled INTEGER NOT NULL,
    PRIMARY KEY(tier, dim, bucket, key)) WITHOUT ROWID;

-- One row per truncated bucket: the largest counters any dropped key had.
CREATE TABLE rollup_cut(
    tier INTEGER NOT NULL,
    dim INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    dropped_keys INTEGER NOT NULL,
    max_flows INTEGER NOT NULL,
    max_packets INTEGER NOT NULL,
    max_bytes INTEGER NOT NULL,
    max_packets_scaled INTEGER NOT NULL,
    max_bytes_scaled INTEGER NOT NULL,
    merged INTEGER NOT NULL DEFAULT 0,  -- 1: re-opened after truncation, bounds no longer prove exactness
    PRIMARY KEY(tier, dim, bucket)) WITHOUT ROWID;

CREATE TABLE exporters(
    exporter TEXT NOT NULL,   -- "addr:port"
    domain INTEGER NOT NULL,
    address TEXT NOT NULL,
    type TEXT NOT NULL,
    version INTEGER NOT NULL,
    first_seen_ns INTEGER NOT NULL,
    last_seen_ns INTEGER NOT NULL,
    datagrams INTEGER NOT NULL,
    bytes INTEGER NOT NULL,
    flows INTEGER NOT NULL,
    sampling_rate INTEGER NOT NULL,
    sequence_lost INTEGER NOT NULL,
    sequence_expected INTEGER NOT NULL,
    detail TEXT NOT NULL,     -- JSON: every DomainStats counter, anomalies by name
    PRIMARY KEY(exporter, domain)) WITHOUT ROWID;

CREATE TABLE collector_log(
    time_ns INTEGER NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL);
)sql",
    // 2: decoder state that must survive a restart (templates, options-learned sampling rates) and
    // the latest sFlow interface counters per agent interface.
    R"sql(
CREATE TABLE decoder_state(
    name TEXT PRIMARY KEY,
    value BLOB NOT NULL,
    updated_ns INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE interfaces(
    agent TEXT NOT NULL,       -- "addr:port" of the sFlow agent
    sub_agent INTEGER NOT NULL,
    if_index INTEGER NOT NULL,
    first_seen_ns INTEGER NOT NULL,
    last_seen_ns INTEGER NOT NULL,
    port_name TEXT NOT NULL,
    if_type INTEGER NOT NULL,
    if_speed INTEGER NOT NULL,
    status INTEGER NOT NULL,   -- bit 0 admin up, bit 1 oper up
    in_octets INTEGER NOT NULL,
    in_packets INTEGER NOT NULL,
    in_errors INTEGER NOT NULL,
    in_discards INTEGER NOT NULL,
    out_octets INTEGER NOT NULL,
    out_packets INTEGER NOT NULL,
    out_errors INTEGER NOT NULL,
    out_discards INTEGER NOT NULL,
    in_bps REAL NOT NULL,      -- over the last two samples (0 until there are two)
    out_bps REAL NOT NULL,
    PRIMARY KEY(agent, sub_agent, if_index)) WITHOUT ROWID;
)sql",
};

constexpr int kMigrationCount = int(std::size(kMigrations));
static_assert(kMigrationCount == kSchemaVersion);

Result<int> userVersion(Database& db)
{
    auto st = db.prepare("PRAGMA user_version");
    if (!st)
        return fail(st.error());
    if (!st->step())
        return fail(st->error());
    return int(st->columnInt(0));
}

Result<bool> hasFlowLensTables(Database& db)
{
    auto st = db.prepare("SELECT count(*) FROM sqlite_master WHERE type='table' AND name='flow_blocks'");
    if (!st)
        return fail(st.error());
    if (!st->step())
        return fail(st->error());
    return st->columnInt(0) > 0;
}

Result<int> tableCount(Database& db)
{
    auto st = db.prepare("SELECT count(*) FROM sqlite_master");
    if (!st)
        return fail(st.error());
    if (!st->step())
        return fail(st->error());
    return int(st->columnInt(0));
}

QString notSqliteMessage(const QString& path, const QString& why)
{
    return QStringLiteral("%1 is not a FlowLens database or is damaged (%2). It was left untouched; "
                          "choose another file with --db, or move this one away to start a new database.")
        .arg(path, why);
}

} // namespace

Result<int> checkReadable(Database& db)
{
    auto v = userVersion(db);
    if (!v)
        return fail(notSqliteMessage(db.path(), v.error()));
    if (*v > kSchemaVersion)
        return fail(
            QStringLiteral("%1 was written by a newer FlowLens (database schema %2; this build reads up "
                           "to %3). Upgrade FlowLens to open it; the file was not changed.")
                .arg(db.path())
                .arg(*v)
                .arg(kSchemaVersion));
    auto has = hasFlowLensTables(db);
    if (!has)
        return fail(notSqliteMessage(db.path(), has.error()));
    if (!*has)
        return fail(QStringLiteral("%1 is not a FlowLens database (it has no flow tables).").arg(db.path()));
    return *v;
}

Result<void> migrate(Database& db)
{
    auto v = userVersion(db);
    if (!v)
        return fail(notSqliteMessage(db.path(), v.error()));
    if (*v > kSchemaVersion)
        return fail(
            QStringLiteral("%1 was written by a newer FlowLens (database schema %2; this build writes "
                           "schema %3). Upgrade FlowLens or choose another file with --db; the file "
                           "was not changed.")
                .arg(db.path())
                .arg(*v)
                .arg(kSchemaVersion));
    if (*v == 0) {
        auto tables = tableCount(db);
        if (!tables)
            return fail(notSqliteMessage(db.path(), tables.error()));
        if (*tables > 0)
            return fail(
                QStringLiteral("%1 is an SQLite database of another program; FlowLens will not modify "
                               "it. Choose another file with --db.")
                    .arg(db.path()));
        // Settings that only take effect before the first table exists.
        if (auto r = db.exec("PRAGMA page_size=8192; PRAGMA auto_vacuum=INCREMENTAL;"); !r)
            return fail(r.error());
    }
    if (auto r = db.exec("PRAGMA journal_mode=WAL"); !r)
        return fail(QStringLiteral("cannot switch %1 to WAL mode: %2").arg(db.path(), r.error()));
    if (*v == kSchemaVersion)
        return {};

    Transaction tx(db);
    if (auto r = tx.begin(); !r)
        return fail(r.error());
    for (int version = *v + 1; version <= kSchemaVersion; ++version) {
        if (auto r = db.exec(kMigrations[version - 1]); !r)
            return fail(QStringLiteral("upgrading %1 to schema %2 failed: %3")
                            .arg(db.path())
                            .arg(version)
                            .arg(r.error()));
    }
    if (auto r = db.exec("PRAGMA user_version=" + std::to_string(kSchemaVersion)); !r)
        return fail(r.error());
    return tx.commit();
}

} // namespace flowlens::store
