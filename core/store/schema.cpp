#include "schema.h"

#include "rollup_blob.h"
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

-- Minute buckets whose rows for a dimension are not stored because the minute holds few flows
-- (rows would take more room than the flows): queries read those minutes' flows instead.
CREATE TABLE rollup_sparse(
    dim INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    flows INTEGER NOT NULL,
    PRIMARY KEY(dim, bucket)) WITHOUT ROWID;

-- Coarse rollup tiers (600 s, 3600 s) are built from closed minutes; a coarse bucket holds every
-- flow received before covered_until (unix seconds). Queries use it only when fully covered.
CREATE TABLE rollup_coverage(
    tier INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    covered_until INTEGER NOT NULL,
    PRIMARY KEY(tier, bucket)) WITHOUT ROWID;
)sql",
    // 3: forwarding to OpenObserve (core/forward). The forwarder's outbox is a cursor over flow_blocks
    // (block id, row), so block ids must never be reused: flow_blocks is rebuilt with AUTOINCREMENT
    // (one copy of the table, once). A trigger records blocks that retention deletes before every
    // forwarder has passed them, so those flows are counted as dropped, never silently lost.
    R"sql(
CREATE TABLE flow_blocks_v3(
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    t_min INTEGER NOT NULL,
    t_max INTEGER NOT NULL,
    n INTEGER NOT NULL,
    data BLOB NOT NULL);
INSERT INTO flow_blocks_v3(id, t_min, t_max, n, data) SELECT id, t_min, t_max, n, data FROM flow_blocks;
DROP TABLE flow_blocks;
ALTER TABLE flow_blocks_v3 RENAME TO flow_blocks;
CREATE INDEX flow_blocks_t_max ON flow_blocks(t_max);
CREATE INDEX flow_blocks_t_min ON flow_blocks(t_min);

-- One row per forwarding destination: the cursor and lifetime counters (core/forward/outbox.h).
CREATE TABLE forward_state(
    name TEXT PRIMARY KEY,
    cursor_block INTEGER NOT NULL,   -- every flow in blocks below this id is settled
    cursor_row INTEGER NOT NULL,     -- and rows below this index of block cursor_block
    created_ns INTEGER NOT NULL,
    updated_ns INTEGER NOT NULL,
    delivered INTEGER NOT NULL DEFAULT 0,          -- counted successful by the server
    failed INTEGER NOT NULL DEFAULT 0,             -- rejected inside a 200 reply (partial failure)
    set_aside INTEGER NOT NULL DEFAULT 0,          -- in batches refused whole (400, silent failure, too large)
    expired INTEGER NOT NULL DEFAULT 0,            -- older than the ingest window, skipped
    restamped INTEGER NOT NULL DEFAULT 0,          -- older than the ingest window, sent with _timestamp = now
    dropped_retention INTEGER NOT NULL DEFAULT 0,  -- deleted by retention before delivery
    dropped_backlog INTEGER NOT NULL DEFAULT 0,    -- skipped because the backlog passed its bound
    last_error TEXT NOT NULL DEFAULT '',
    last_error_ns INTEGER NOT NULL DEFAULT 0) WITHOUT ROWID;

-- Blocks deleted (by retention) at or after a forwarder's cursor; the forwarder counts and removes them.
CREATE TABLE forward_gaps(
    name TEXT NOT NULL,
    block_id INTEGER NOT NULL,
    n INTEGER NOT NULL,
    time_ns INTEGER NOT NULL);
CREATE TRIGGER forward_gaps_on_delete AFTER DELETE ON flow_blocks BEGIN
    INSERT INTO forward_gaps(name, block_id, n, time_ns)
        SELECT name, OLD.id, OLD.n, CAST(strftime('%s', 'now') AS INTEGER) * 1000000000
        FROM forward_state WHERE OLD.id >= cursor_block;
END;

-- Batches the server did not take whole: set aside (400, silent failure, too large) or partly
-- rejected inside a 200. Rows [first_row of first_block, end_row of last_block) in storage order.
CREATE TABLE forward_rejected(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    time_ns INTEGER NOT NULL,
    kind TEXT NOT NULL,        -- 'set_aside' or 'partial'
    first_block INTEGER NOT NULL,
    first_row INTEGER NOT NULL,
    last_block INTEGER NOT NULL,
    end_row INTEGER NOT NULL,
    records INTEGER NOT NULL,  -- sent in the batch
    failed INTEGER NOT NULL,   -- not accepted by the server
    http_status INTEGER NOT NULL,
    error TEXT NOT NULL);

CREATE TABLE forward_log(
    time_ns INTEGER NOT NULL,
    name TEXT NOT NULL,
    event TEXT NOT NULL,
    detail TEXT NOT NULL);
)sql",
    // 4: GeoIP enrichment (core/enrich). Flows hold ids; names and places live in dictionaries written
    // in the same transaction as the flows that refer to them.
    R"sql(
CREATE TABLE geo_cities(
    id INTEGER PRIMARY KEY,      -- FlowRecord src_city / dst_city
    name TEXT NOT NULL,
    region TEXT NOT NULL,        -- first subdivision, may be empty
    country TEXT NOT NULL,       -- ISO 3166-1 alpha-2
    latitude REAL NOT NULL,
    longitude REAL NOT NULL,
    has_location INTEGER NOT NULL,
    timezone TEXT NOT NULL);

CREATE TABLE geo_as(
    asn INTEGER PRIMARY KEY,     -- FlowRecord src_lookup_as / dst_lookup_as (and exporter-sent AS)
    organization TEXT NOT NULL);

-- User-defined networks (CIDR -> name, like Akvorado's networks): FlowRecord src_net_name / dst_net_name.
CREATE TABLE net_names(
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL,
    site TEXT NOT NULL);
)sql",
    // 5: alert rules (core/alert) and the alerts they fired. Rules are keyed by name; alerts keep
    // the rule's name and definition as it was, so the history survives removing the rule.
    R"sql(
CREATE TABLE alert_rules(
    name TEXT PRIMARY KEY,
    expression TEXT NOT NULL,           -- the --when text, e.g. 'bytes_per_s > 50M'
    by_key TEXT NOT NULL DEFAULT '',    -- '', 'src', 'dst', 'port' or 'exporter'
    filter TEXT NOT NULL DEFAULT '',    -- filter language; '' = all traffic
    for_s INTEGER NOT NULL DEFAULT 0,   -- condition must hold this long before firing
    cooldown_s INTEGER NOT NULL DEFAULT 300,
    enabled INTEGER NOT NULL DEFAULT 1,
    created_ns INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE alert_events(
    id INTEGER PRIMARY KEY,
    rule TEXT NOT NULL,
    key TEXT NOT NULL,                  -- value of the rule's key ('' without --by)
    expression TEXT NOT NULL,
    metric TEXT NOT NULL,
    by_key TEXT NOT NULL,
    filter TEXT NOT NULL,
    started_ns INTEGER NOT NULL,        -- first second over the threshold
    fired_ns INTEGER NOT NULL,
    resolved_ns INTEGER,                -- NULL while firing
    value REAL NOT NULL,                -- metric in the second it fired
    threshold REAL,                     -- line crossed then
    peak REAL NOT NULL,
    samples TEXT NOT NULL,              -- JSON [[unix_s, value, threshold], ...]
    forwarded INTEGER NOT NULL DEFAULT 0);  -- sent to OpenObserve: 1 the firing, 2 also the resolution
CREATE INDEX alert_events_fired ON alert_events(fired_ns);
)sql",
    // 6: which keys a complete, truncated 10-minute or hour bucket had at all (PresenceSet: an
    // exact port bitmap or a Bloom filter), so top-N can prove that a key missing from the kept
    // rows had nothing in that bucket.
    R"sql(
CREATE TABLE rollup_presence(
    tier INTEGER NOT NULL,
    dim INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    keys BLOB NOT NULL,
    PRIMARY KEY(tier, dim, bucket)) WITHOUT ROWID;
)sql",
    // 7: the rows of a bucket become one value (core/store/rollup_blob.h) instead of one row per key:
    // a bucket is one lookup and about a quarter of the bytes, so long-range top-N reads its
    // buckets several times faster. convertRollupRows() moves the rows of schema 1-6 over, then
    // the old table goes. (A rowid table: its values can be 100+ KB, too big for WITHOUT ROWID.)
    R"sql(
CREATE TABLE rollup_rows(
    tier INTEGER NOT NULL,
    dim INTEGER NOT NULL,
    bucket INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY(tier, dim, bucket));
)sql",
};

constexpr int kMigrationCount = int(std::size(kMigrations));

/// Schema 7: packs the per-key rows of the `rollup` table (schemas 1-6) into one rollup_rows value
/// per bucket, then drops the old table. Part of the upgrade's transaction.
Result<void> convertRollupRows(Database& db)
{
    auto read =
        db.prepare("SELECT tier, dim, bucket, key, flows, packets, bytes, packets_scaled, bytes_scaled "
                   "FROM rollup ORDER BY tier, dim, bucket");
    if (!read)
        return fail(read.error());
    auto write = db.prepare("INSERT INTO rollup_rows(tier, dim, bucket, data) VALUES(?1, ?2, ?3, ?4)");
    if (!write)
        return fail(write.error());
    std::int64_t tier = 0, dim = 0, bucket = 0;
    std::vector<std::pair<RollupKey, Counters>> rows;
    Counters other;
    bool any = false;
    auto flush = [&]() -> Result<void> {
        if (!any)
            return {};
        const std::vector<std::byte> blob = encodeRollupRows(std::move(rows), other);
        rows.clear();
        other = {};
        write->reset();
        write->bind(1, tier).bind(2, dim).bind(3, bucket);
        write->bindBlob(4, blob);
        return write->run();
    };
    while (read->step()) {
        const std::int64_t t = read->columnInt(0), d = read->columnInt(1), b = read->columnInt(2);
        if (!any || t != tier || d != dim || b != bucket) {
            if (auto r = flush(); !r)
                return r;
            tier = t;
            dim = d;
            bucket = b;
            any = true;
        }
        Counters c;
        c.flows = std::uint64_t(read->columnInt(4));
        c.packets = std::uint64_t(read->columnInt(5));
        c.bytes = std::uint64_t(read->columnInt(6));
        c.scaledPackets = std::uint64_t(read->columnInt(7));
        c.scaledBytes = std::uint64_t(read->columnInt(8));
        const RollupKey key = RollupKey::fromBlob(read->columnBlob(3));
        if (key.isOther())
            other.add(c);
        else
            rows.emplace_back(key, c);
    }
    if (read->hasError())
        return fail(read->error());
    if (auto r = flush(); !r)
        return r;
    *read = Statement(); // finalise before dropping the table it reads
    return db.exec("DROP TABLE rollup");
}
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
        // Settings that only take effect before the first table exists. 8 KiB pages: 64 KiB pages
        // halved the time to write flow blocks at 2 M flows/s (25 vs 55 ms a second) but added 3-9
        // ms to every query over a 10 M-flow day (each read of a block or rollup value copies 64 KiB pages).
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
        auto r = db.exec(kMigrations[version - 1]);
        if (r && version == 7)
            r = convertRollupRows(db);
        if (!r)
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
