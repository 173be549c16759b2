#include "flow_reader.h"

#include "rollup_blob.h"
#include "schema.h"
#include "sqlite_db.h"

#include <QFileInfo>
#include <QJsonDocument>

namespace flowlens::store {

using decode::FlowRecord;

namespace {

/// Flows, packets, bytes, scaled packets, scaled bytes from five columns starting at `first`.
Counters countersAt(const Statement& st, int first)
{
    Counters c;
    c.flows = std::uint64_t(st.columnInt(first));
    c.packets = std::uint64_t(st.columnInt(first + 1));
    c.bytes = std::uint64_t(st.columnInt(first + 2));
    c.scaledPackets = std::uint64_t(st.columnInt(first + 3));
    c.scaledBytes = std::uint64_t(st.columnInt(first + 4));
    return c;
}

} // namespace

Result<std::unique_ptr<FlowReader>> FlowReader::open(const QString& path)
{
    if (!QFileInfo::exists(path))
        return fail(QStringLiteral("database %1 does not exist: check the path given with --db (flowlens-cli "
                                   "collect or import creates it)")
                        .arg(path));
    auto db = Database::open(path, Database::Mode::ReadOnly);
    if (!db)
        return fail(db.error());
    auto version = checkReadable(*db);
    if (!version)
        return fail(version.error());
    std::unique_ptr<FlowReader> r(new FlowReader);
    r->m_schema = *version;
    r->m_db = std::make_unique<Database>(std::move(*db));
    return r;
}

FlowReader::~FlowReader()
{
    endSnapshot();
}

Result<void> FlowReader::beginSnapshot()
{
    if (m_inSnapshot)
        return {};
    if (auto r = m_db->exec("BEGIN"); !r)
        return r;
    m_inSnapshot = true;
    return {};
}

void FlowReader::endSnapshot()
{
    if (m_inSnapshot && m_db) {
        (void)m_db->exec("COMMIT");
        m_inSnapshot = false;
    }
}

Result<void> FlowReader::scan(const ScanOptions& options, const Visitor& visit)
{
    auto st = m_db->prepare("SELECT n, data FROM flow_blocks WHERE t_max >= ?1 AND t_min < ?2 ORDER BY id");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(std::min<std::uint64_t>(options.sinceNs, INT64_MAX)));
    st->bind(2, std::int64_t(std::min<std::uint64_t>(options.untilNs, INT64_MAX)));
    FieldMask fields = options.fields;
    fields.set(std::size_t(decode::FlowField::TimeReceived));
    while (st->step()) {
        const auto blob = st->columnBlob(1);
        if (!m_decoder.open(blob))
            return fail(QStringLiteral("a flow block in %1 is damaged (cannot read its directory)")
                            .arg(m_db->path()));
        const std::size_t n = m_decoder.count();
        m_records.resize(n);
        m_flowsScanned += n;
        if (!m_decoder.decode(fields, m_records))
            return fail(QStringLiteral("a flow block in %1 is damaged (a column does not decompress)")
                            .arg(m_db->path()));
        // Keep only flows inside the range; blocks are mostly inside it, so compact in place.
        std::size_t kept = 0;
        for (std::size_t i = 0; i < n; ++i) {
            const std::uint64_t t = m_records[i].time_received_ns;
            if (t >= options.sinceNs && t < options.untilNs) {
                if (kept != i)
                    m_records[kept] = m_records[i];
                ++kept;
            }
        }
        if (kept && !visit(std::span<const FlowRecord>(m_records.data(), kept)))
            return {};
    }
    if (st->hasError())
        return fail(st->error());
    return {};
}

Result<std::vector<RollupRow>> FlowReader::rollupRows(Dimension dim, std::int64_t fromBucket,
                                                      std::int64_t toBucket, std::int64_t tier)
{
    std::vector<RollupRow> out;
    auto r =
        visitRollupRows(dim, fromBucket, toBucket, tier, [&](std::int64_t, std::span<const RollupRow> rows) {
            out.insert(out.end(), rows.begin(), rows.end());
        });
    if (!r)
        return fail(r.error());
    return out;
}

Result<void> FlowReader::visitRollupRows(Dimension dim, std::int64_t fromBucket, std::int64_t toBucket,
                                         std::int64_t tier, const RollupVisitor& visit)
{
    std::vector<RollupRow> rows;
    return visitRollupBuckets(dim, fromBucket, toBucket, tier, [&](const StoredBucket& b) {
        if (b.packed.empty()) {
            visit(b.bucket, b.rows);
            return true;
        }
        rows.clear();
        if (!decodeRollupRows(b.packed, b.bucket, rows))
            return false;
        visit(b.bucket, rows);
        return true;
    });
}

Result<void> FlowReader::visitRollupBuckets(Dimension dim, std::int64_t fromBucket, std::int64_t toBucket,
                                            std::int64_t tier,
                                            const std::function<bool(const StoredBucket&)>& visit)
{
    auto damaged = [&](std::int64_t bucket) {
        return QStringLiteral("the rollup of bucket %1 in %2 is damaged; flowlens-cli import can rebuild a "
                              "database from its flows")
            .arg(bucket)
            .arg(m_db->path());
    };
    if (m_schema < 7) { // a database not yet upgraded (opened read-only): one row per key
        auto st = m_db->prepare("SELECT bucket, key, flows, packets, bytes, packets_scaled, bytes_scaled "
                                "FROM rollup WHERE tier=?4 AND dim=?1 AND bucket >= ?2 AND bucket < ?3 "
                                "ORDER BY bucket");
        if (!st)
            return fail(st.error());
        st->bind(1, std::int64_t(dim)).bind(2, fromBucket).bind(3, toBucket).bind(4, tier);
        std::vector<RollupRow> rows;
        auto flush = [&] {
            const bool ok = rows.empty() || visit({rows.back().bucket, {}, rows});
            rows.clear();
            return ok;
        };
        while (st->step()) {
            RollupRow r;
            r.bucket = st->columnInt(0);
            r.key = RollupKey::fromBlob(st->columnBlob(1));
            r.counters = countersAt(*st, 2);
            if (!rows.empty() && rows.back().bucket != r.bucket && !flush())
                return fail(damaged(r.bucket));
            rows.push_back(r);
        }
        if (st->hasError())
            return fail(st->error());
        if (!rows.empty() && !flush())
            return fail(damaged(fromBucket));
        return {};
    }
    auto st = m_db->prepare("SELECT bucket, data FROM rollup_rows "
                            "WHERE tier=?4 AND dim=?1 AND bucket >= ?2 AND bucket < ?3");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(dim)).bind(2, fromBucket).bind(3, toBucket).bind(4, tier);
    while (st->step()) {
        const std::int64_t bucket = st->columnInt(0);
        const std::span<const std::byte> packed = st->columnBlob(1);
        if (packed.empty() || !visit({bucket, packed, {}}))
            return fail(damaged(bucket));
    }
    if (st->hasError())
        return fail(st->error());
    return {};
}

Result<std::vector<RollupCut>> FlowReader::rollupCuts(Dimension dim, std::int64_t fromBucket,
                                                      std::int64_t toBucket, std::int64_t tier)
{
    auto st =
        m_db->prepare("SELECT bucket, dropped_keys, max_flows, max_packets, max_bytes, max_packets_scaled, "
                      "max_bytes_scaled, merged FROM rollup_cut "
                      "WHERE tier=?4 AND dim=?1 AND bucket >= ?2 AND bucket < ?3");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(dim)).bind(2, fromBucket).bind(3, toBucket).bind(4, tier);
    std::vector<RollupCut> cuts;
    while (st->step()) {
        RollupCut c;
        c.bucket = st->columnInt(0);
        c.droppedKeys = std::uint64_t(st->columnInt(1));
        c.maxDropped = countersAt(*st, 2);
        c.merged = st->columnInt(7) != 0;
        cuts.push_back(c);
    }
    if (st->hasError())
        return fail(st->error());
    return cuts;
}

Result<std::vector<std::pair<std::int64_t, PresenceSet>>>
FlowReader::rollupPresence(Dimension dim, std::int64_t fromBucket, std::int64_t toBucket, std::int64_t tier)
{
    if (m_schema < 6) // no key sets before schema 6
        return std::vector<std::pair<std::int64_t, PresenceSet>>{};
    auto st = m_db->prepare("SELECT bucket, keys FROM rollup_presence "
                            "WHERE tier=?4 AND dim=?1 AND bucket >= ?2 AND bucket < ?3");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(dim)).bind(2, fromBucket).bind(3, toBucket).bind(4, tier);
    std::vector<std::pair<std::int64_t, PresenceSet>> sets;
    while (st->step())
        sets.emplace_back(st->columnInt(0), PresenceSet::fromBlob(st->columnBlob(1)));
    if (st->hasError())
        return fail(st->error());
    return sets;
}

Result<std::vector<std::int64_t>> FlowReader::completeBuckets(std::int64_t tier, std::int64_t fromBucket,
                                                              std::int64_t toBucket)
{
    auto st =
        m_db->prepare("SELECT bucket FROM rollup_coverage WHERE tier=?1 AND bucket >= ?2 AND bucket < ?3 "
                      "AND covered_until >= bucket + ?1 ORDER BY bucket");
    if (!st)
        return fail(st.error());
    st->bind(1, tier).bind(2, fromBucket).bind(3, toBucket);
    std::vector<std::int64_t> buckets;
    while (st->step())
        buckets.push_back(st->columnInt(0));
    if (st->hasError())
        return fail(st->error());
    return buckets;
}

Result<std::vector<std::int64_t>> FlowReader::sparseMinutes(Dimension dim, std::int64_t fromBucket,
                                                            std::int64_t toBucket)
{
    auto st = m_db->prepare("SELECT bucket FROM rollup_sparse WHERE dim=?1 AND bucket >= ?2 AND bucket < ?3 "
                            "ORDER BY bucket");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(dim)).bind(2, fromBucket).bind(3, toBucket);
    std::vector<std::int64_t> buckets;
    while (st->step())
        buckets.push_back(st->columnInt(0));
    if (st->hasError())
        return fail(st->error());
    return buckets;
}

Result<std::pair<std::uint64_t, std::uint64_t>> FlowReader::timeRange()
{
    auto st = m_db->prepare("SELECT min(t_min), max(t_max) FROM flow_blocks");
    if (!st)
        return fail(st.error());
    if (!st->step() || st->columnIsNull(0))
        return std::pair<std::uint64_t, std::uint64_t>{0, 0};
    return std::pair<std::uint64_t, std::uint64_t>{std::uint64_t(st->columnInt(0)),
                                                   std::uint64_t(st->columnInt(1))};
}

Result<std::uint64_t> FlowReader::flowCount()
{
    auto st = m_db->prepare("SELECT coalesce(sum(n), 0) FROM flow_blocks");
    if (!st)
        return fail(st.error());
    if (!st->step())
        return fail(st->error());
    return std::uint64_t(st->columnInt(0));
}

} // namespace flowlens::store

namespace flowlens::store {

Result<std::vector<ExporterRow>> FlowReader::exporters()
{
    auto st = m_db->prepare(
        "SELECT exporter, domain, address, type, version, first_seen_ns, last_seen_ns, datagrams, "
        "bytes, flows, sampling_rate, sequence_lost, sequence_expected, detail FROM exporters "
        "ORDER BY address, exporter, domain");
    if (!st)
        return fail(st.error());
    std::vector<ExporterRow> rows;
    while (st->step()) {
        ExporterRow r;
        r.exporter = st->columnText(0);
        r.domain = std::uint32_t(st->columnInt(1));
        r.address = st->columnText(2);
        r.type = st->columnText(3);
        r.version = int(st->columnInt(4));
        r.firstSeenNs = std::uint64_t(st->columnInt(5));
        r.lastSeenNs = std::uint64_t(st->columnInt(6));
        r.datagrams = std::uint64_t(st->columnInt(7));
        r.bytes = std::uint64_t(st->columnInt(8));
        r.flows = std::uint64_t(st->columnInt(9));
        r.samplingRate = std::uint64_t(st->columnInt(10));
        r.sequenceLost = std::uint64_t(st->columnInt(11));
        r.sequenceExpected = std::uint64_t(st->columnInt(12));
        r.detail = QJsonDocument::fromJson(st->columnText(13).toUtf8()).object();
        rows.push_back(std::move(r));
    }
    if (st->hasError())
        return fail(st->error());
    return rows;
}

Result<std::vector<InterfaceRow>> FlowReader::interfaces()
{
    auto st = m_db->prepare(
        "SELECT agent, sub_agent, if_index, last_seen_ns, port_name, if_speed, status, in_octets, "
        "in_packets, in_errors, in_discards, out_octets, out_packets, out_errors, out_discards, "
        "in_bps, out_bps FROM interfaces ORDER BY agent, sub_agent, if_index");
    if (!st)
        return fail(st.error());
    std::vector<InterfaceRow> rows;
    while (st->step()) {
        InterfaceRow r;
        r.agent = st->columnText(0);
        r.subAgent = std::uint32_t(st->columnInt(1));
        r.ifIndex = std::uint32_t(st->columnInt(2));
        r.lastSeenNs = std::uint64_t(st->columnInt(3));
        r.portName = st->columnText(4);
        r.ifSpeed = std::uint64_t(st->columnInt(5));
        r.operUp = (st->columnInt(6) & 2) != 0;
        r.inOctets = std::uint64_t(st->columnInt(7));
        r.inPackets = std::uint64_t(st->columnInt(8));
        r.inErrors = std::uint64_t(st->columnInt(9));
        r.inDiscards = std::uint64_t(st->columnInt(10));
        r.outOctets = std::uint64_t(st->columnInt(11));
        r.outPackets = std::uint64_t(st->columnInt(12));
        r.outErrors = std::uint64_t(st->columnInt(13));
        r.outDiscards = std::uint64_t(st->columnInt(14));
        r.inBps = st->columnDouble(15);
        r.outBps = st->columnDouble(16);
        rows.push_back(std::move(r));
    }
    if (st->hasError())
        return fail(st->error());
    return rows;
}

} // namespace flowlens::store
