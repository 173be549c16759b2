#include "flow_writer.h"

#include "flow_block.h"
#include "rollup_blob.h"
#include "wal_checkpointer.h"

#include "core/enrich/enricher.h"
#include "schema.h"
#include "sqlite_db.h"

#include <algorithm>
#include <chrono>
#include <initializer_list>

#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>

namespace flowlens::store {

using decode::FlowRecord;

namespace {

constexpr std::int64_t kMinuteTier = 60;
constexpr std::size_t kMaxOpenBuckets = 16;
constexpr std::uint64_t kRetentionEveryNs = 60ull * 1000 * 1000 * 1000;

std::uint64_t nowNs()
{
    return std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
}

std::int64_t bucketStartOf(std::uint64_t timeNs)
{
    const auto seconds = std::int64_t(timeNs / 1000000000ull);
    return seconds - seconds % kMinuteTier;
}

QString diskFullHint(const QString& path, const QString& error)
{
    if (error.contains(QStringLiteral("full"), Qt::CaseInsensitive))
        return QStringLiteral("the disk holding %1 is full (%2): free some space or set a size limit for the "
                              "database; collection continues and counts what it cannot store")
            .arg(path, error);
    if (error.contains(QStringLiteral("readonly"), Qt::CaseInsensitive) ||
        error.contains(QStringLiteral("read-only"), Qt::CaseInsensitive))
        return QStringLiteral("%1 cannot be written (%2): check the folder's permissions or choose another "
                              "file with --db")
            .arg(path, error);
    return QStringLiteral("writing %1 failed: %2").arg(path, error);
}

} // namespace

struct FlowWriter::Statements
{
    Statement insertBlock;
    Statement updateBlock;
    Statement deleteBucketRows;
    Statement insertRollup;
    Statement deleteCut;
    Statement insertCut;
    Statement bucketExists;
    Statement loadBucketRows;
    Statement loadBucketCuts;
    Statement upsertExporter;
    Statement insertEvent;
    Statement upsertState;
    Statement upsertInterface;
    Statement upsertCoverage;
    Statement loadCoverage;
    Statement deleteSparse;
    Statement insertSparse;
    Statement upsertPresence;
    Statement deletePresence;
};

Result<std::unique_ptr<FlowWriter>> FlowWriter::open(const QString& path, const WriterOptions& options)
{
    auto db = Database::open(path, Database::Mode::ReadWrite);
    if (!db)
        return fail(db.error());
    if (auto r = migrate(*db); !r)
        return fail(r.error());
    // NORMAL in WAL mode: a commit survives a process crash; an OS crash may lose the last commits.
    // No automatic checkpoint inside COMMIT: WalCheckpointer copies the log on its own thread.
    if (auto r = db->exec("PRAGMA synchronous=NORMAL; PRAGMA cache_size=-8192; PRAGMA temp_store=MEMORY; "
                          "PRAGMA wal_autocheckpoint=0; PRAGMA journal_size_limit=67108864;");
        !r)
        return fail(r.error());
    std::unique_ptr<FlowWriter> w(new FlowWriter);
    w->m_db = std::make_unique<Database>(std::move(*db));
    w->m_options = options;
    w->m_options.blockFlows = std::clamp<std::size_t>(options.blockFlows, 1, kMaxBlockFlows);
    w->m_encoder = std::make_unique<BlockEncoder>(options.zstdLevel);
    if (options.encodeThread)
        w->m_encodeWorker = std::make_unique<BlockEncodeWorker>(options.zstdLevel, 2);
    w->m_open.reserveFlows(w->m_options.blockFlows);
    if (auto r = w->prepareStatements(); !r)
        return fail(r.error());
    auto checkpointer = WalCheckpointer::start(path, std::chrono::milliseconds(500));
    if (!checkpointer)
        return fail(checkpointer.error());
    w->m_checkpointer = std::move(*checkpointer);
    w->updateDatabaseBytes();
    return w;
}

FlowWriter::~FlowWriter() = default;

QString FlowWriter::path() const
{
    return m_db ? m_db->path() : QString();
}

Result<void> FlowWriter::prepareStatements()
{
    m_st = std::make_unique<Statements>();
    struct Def
    {
        Statement* target;
        const char* sql;
    };
    const Def defs[] = {
        {&m_st->insertBlock, "INSERT INTO flow_blocks(t_min, t_max, n, data) VALUES(?1, ?2, ?3, ?4)"},
        {&m_st->updateBlock, "UPDATE flow_blocks SET t_min=?1, t_max=?2, n=?3, data=?4 WHERE id=?5"},
        {&m_st->deleteBucketRows, "DELETE FROM rollup_rows WHERE tier=?1 AND dim=?2 AND bucket=?3"},
        {&m_st->insertRollup,
         "INSERT OR REPLACE INTO rollup_rows(tier, dim, bucket, data) VALUES(?1, ?2, ?3, ?4)"},
        {&m_st->deleteCut, "DELETE FROM rollup_cut WHERE tier=?1 AND dim=?2 AND bucket=?3"},
        {&m_st->insertCut, "INSERT INTO rollup_cut(tier, dim, bucket, dropped_keys, max_flows, max_packets, "
                           "max_bytes, max_packets_scaled, max_bytes_scaled, merged) "
                           "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
        {&m_st->upsertPresence, "INSERT OR REPLACE INTO rollup_presence(tier, dim, bucket, keys) "
                                "VALUES(?1, ?2, ?3, ?4)"},
        {&m_st->deletePresence, "DELETE FROM rollup_presence WHERE tier=?1 AND dim=?2 AND bucket=?3"},
        {&m_st->bucketExists, "SELECT 1 FROM rollup_rows WHERE tier=?1 AND dim=0 AND bucket=?2"},
        {&m_st->loadBucketRows, "SELECT data FROM rollup_rows WHERE tier=?1 AND dim=?2 AND bucket=?3"},
        {&m_st->loadBucketCuts, "SELECT count(*) FROM rollup_cut WHERE tier=?1 AND bucket=?2"},
        {&m_st->upsertExporter,
         "INSERT INTO exporters(exporter, domain, address, type, version, first_seen_ns, last_seen_ns, "
         "datagrams, "
         "bytes, flows, sampling_rate, sequence_lost, sequence_expected, detail) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14) "
         "ON CONFLICT(exporter, domain) DO UPDATE SET address=excluded.address, type=excluded.type, "
         "version=excluded.version, first_seen_ns=min(first_seen_ns, excluded.first_seen_ns), "
         "last_seen_ns=max(last_seen_ns, excluded.last_seen_ns), datagrams=excluded.datagrams, "
         "bytes=excluded.bytes, flows=excluded.flows, sampling_rate=excluded.sampling_rate, "
         "sequence_lost=excluded.sequence_lost, sequence_expected=excluded.sequence_expected, "
         "detail=excluded.detail"},
        {&m_st->insertEvent, "INSERT INTO collector_log(time_ns, event, detail) VALUES(?1, ?2, ?3)"},
        {&m_st->upsertCoverage,
         "INSERT INTO rollup_coverage(tier, bucket, covered_until) VALUES(?1, ?2, ?3) "
         "ON CONFLICT(tier, bucket) DO UPDATE SET covered_until=excluded.covered_until"},
        {&m_st->loadCoverage, "SELECT covered_until FROM rollup_coverage WHERE tier=?1 AND bucket=?2"},
        {&m_st->deleteSparse, "DELETE FROM rollup_sparse WHERE dim=?1 AND bucket=?2"},
        {&m_st->insertSparse, "INSERT INTO rollup_sparse(dim, bucket, flows) VALUES(?1, ?2, ?3)"},
        {&m_st->upsertState,
         "INSERT INTO decoder_state(name, value, updated_ns) VALUES(?1, ?2, ?3) "
         "ON CONFLICT(name) DO UPDATE SET value=excluded.value, updated_ns=excluded.updated_ns"},
        {&m_st->upsertInterface,
         "INSERT INTO interfaces(agent, sub_agent, if_index, first_seen_ns, last_seen_ns, port_name, "
         "if_type, "
         "if_speed, status, in_octets, in_packets, in_errors, in_discards, out_octets, out_packets, "
         "out_errors, "
         "out_discards, in_bps, out_bps) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, "
         "?15, "
         "?16, ?17, ?18, ?19) ON CONFLICT(agent, sub_agent, if_index) DO UPDATE SET "
         "last_seen_ns=excluded.last_seen_ns, port_name=excluded.port_name, if_type=excluded.if_type, "
         "if_speed=excluded.if_speed, status=excluded.status, in_octets=excluded.in_octets, "
         "in_packets=excluded.in_packets, in_errors=excluded.in_errors, in_discards=excluded.in_discards, "
         "out_octets=excluded.out_octets, out_packets=excluded.out_packets, out_errors=excluded.out_errors, "
         "out_discards=excluded.out_discards, in_bps=excluded.in_bps, out_bps=excluded.out_bps"},
    };
    for (const Def& d : defs) {
        auto st = m_db->prepare(d.sql);
        if (!st)
            return fail(QStringLiteral("preparing statements on %1: %2").arg(m_db->path(), st.error()));
        *d.target = std::move(*st);
    }
    return {};
}

Result<void> FlowWriter::setEnricher(std::unique_ptr<enrich::Enricher> enricher)
{
    if (enricher) {
        auto existing = readDictionaries(*m_db);
        if (!existing)
            return fail(QStringLiteral("reading the GeoIP dictionaries of %1: %2")
                            .arg(m_db->path(), existing.error()));
        enricher->seed(*existing);
        // Which databases the stored fields come from (attributions): every database any run used,
        // since its data stays in the store.
        std::vector<std::string> lines = existing->sources;
        for (const auto& info : enricher->databases()) {
            const std::string line =
                (info.flatSchema ? info.databaseType + QStringLiteral(" (dbip)") : info.databaseType)
                    .toStdString() +
                '\t' + info.path.toStdString();
            if (std::find(lines.begin(), lines.end(), line) == lines.end())
                lines.push_back(line);
        }
        if (!lines.empty()) {
            std::string sources;
            for (const std::string& line : lines)
                sources += line + '\n';
            const auto* bytes = reinterpret_cast<const std::byte*>(sources.data());
            setDecoderState(QString::fromLatin1(kGeoSourcesState),
                            std::vector<std::byte>(bytes, bytes + sources.size()));
        }
    }
    m_enricher = std::move(enricher);
    return {};
}

Result<Dictionaries> FlowWriter::storedDictionaries()
{
    return readDictionaries(*m_db);
}

void FlowWriter::add(std::span<const FlowRecord> flows)
{
    if (!m_enricher) {
        addEnriched(flows);
        return;
    }
    m_enrichScratch.assign(flows.begin(), flows.end());
    m_enricher->enrich(m_enrichScratch);
    addEnriched(m_enrichScratch);
}

void FlowWriter::enrichAndAdd(std::span<FlowRecord> flows)
{
    if (m_enricher)
        m_enricher->enrich(flows);
    addEnriched(flows);
}

void FlowWriter::addEnriched(std::span<const FlowRecord> flows)
{
    std::size_t runStart = 0;
    while (runStart < flows.size()) {
        // A run of flows in the same minute goes to that minute's rollups in one call.
        const std::int64_t start = bucketStartOf(flows[runStart].time_received_ns);
        std::size_t runEnd = runStart + 1;
        while (runEnd < flows.size() && bucketStartOf(flows[runEnd].time_received_ns) == start)
            ++runEnd;
        Bucket* bucket = m_lastBucket;
        if (start != m_lastBucketStart || !bucket) {
            bucket = &bucketFor(kMinuteTier, start);
            m_lastBucket = bucket;
            m_lastBucketStart = start;
        }
        bucket->dirty = true;
        bucket->rollup.add(flows.subspan(runStart, runEnd - runStart));
        runStart = runEnd;
    }
    for (std::size_t at = 0; at < flows.size();) {
        const std::size_t n = std::min(m_options.blockFlows - m_open.size(), flows.size() - at);
        m_open.append(flows.subspan(at, n));
        m_latestNs = std::max(m_latestNs, m_open.maxTimeReceived());
        at += n;
        if (m_open.size() >= m_options.blockFlows)
            closeOpenBlock();
    }
    m_stats.flowsPending += flows.size();
    if (m_encodeWorker)
        writeEncodedBlocks();
}

void FlowWriter::writeEncodedBlocks()
{
    if (m_encodeWorker->takeDone(m_pendingBlocks) == 0 && m_blocksInTransaction == m_pendingBlocks.size())
        return; // nothing new (the common case: one block in ~60 calls at 2 M flows/s)
    if (m_incrementalFailed)
        return;
    if (!m_inTransaction) {
        // Other connections (the app's settings, the forwarder's outbox) get a turn after each
        // commit: the transaction opens 250 ms later, and never waits for their lock.
        if (std::chrono::steady_clock::now() - m_lastCommitEnd < std::chrono::milliseconds(250))
            return;
        m_db->setBusyTimeout(0);
        const bool begun = bool(m_db->exec("BEGIN IMMEDIATE"));
        m_db->setBusyTimeout(Database::kBusyTimeoutMs);
        if (!begun)
            return; // the commit waits for the lock and reports what is wrong
        m_inTransaction = true;
    }
    while (m_blocksInTransaction < m_pendingBlocks.size()) {
        if (!writeBlock(m_pendingBlocks[m_blocksInTransaction])) {
            // The commit writes everything again in a fresh transaction and reports the error.
            (void)m_db->exec("ROLLBACK");
            m_inTransaction = false;
            m_blocksInTransaction = 0;
            m_incrementalFailed = true;
            return;
        }
        ++m_blocksInTransaction;
    }
}

std::unique_ptr<RollupAccumulator> FlowWriter::takeAccumulator(std::size_t sizeHint)
{
    if (m_spareAccumulators.empty())
        return std::make_unique<RollupAccumulator>(m_options.maxKeysPerBucket, sizeHint);
    auto a = std::move(m_spareAccumulators.back());
    m_spareAccumulators.pop_back();
    return a;
}

void FlowWriter::eraseBucket(std::map<std::int64_t, Bucket>& buckets,
                             std::map<std::int64_t, Bucket>::iterator it)
{
    if (m_spareAccumulators.size() < 1) {
        it->second.owned->clear();
        m_spareAccumulators.push_back(std::move(it->second.owned));
    }
    buckets.erase(it);
}

std::map<std::int64_t, FlowWriter::Bucket>& FlowWriter::bucketsOf(std::int64_t tier)
{
    return tier == kMinuteTier ? m_buckets : (tier == 600 ? m_tenMinutes : m_hours);
}

FlowWriter::Bucket& FlowWriter::bucketFor(std::int64_t tier, std::int64_t start)
{
    auto& buckets = bucketsOf(tier);
    auto it = buckets.find(start);
    if (it != buckets.end())
        return it->second;
    const std::size_t hint = tier == kMinuteTier ? m_bucketSizeHint : m_bucketSizeHint * 4;
    Bucket& b = buckets.try_emplace(start, takeAccumulator(hint)).first->second;
    if (tier != kMinuteTier) {
        Statement& cov = m_st->loadCoverage;
        cov.reset();
        cov.bind(1, tier).bind(2, start);
        b.coveredUntil = cov.step() ? cov.columnInt(0) : start;
        cov.reset();
    }
    // A bucket already in the database (an import overlapping earlier data, or a restart within
    // the same minute or hour) is merged into, never overwritten.
    Statement& exists = m_st->bucketExists;
    exists.reset();
    exists.bind(1, tier).bind(2, start);
    if (!exists.step())
        return b;
    exists.reset();
    std::vector<RollupRow> stored;
    for (int d = 0; d < kDimensionCount; ++d) {
        Statement& rows = m_st->loadBucketRows;
        rows.reset();
        rows.bind(1, tier).bind(2, std::int64_t(d)).bind(3, start);
        stored.clear();
        // A damaged value merges nothing (the bucket then counts only what arrives now); it is
        // recorded in collector_log so the gap can be found.
        if (rows.step() && !decodeRollupRows(rows.columnBlob(0), start, stored))
            logEvent(
                QStringLiteral("rollup_damaged"),
                QStringLiteral("the stored rollup of bucket %1 (tier %2 s, dimension %3) could not be read; "
                               "it now holds only the flows received since")
                    .arg(start)
                    .arg(tier)
                    .arg(QString::fromLatin1(dimensionName(Dimension(d)).data(),
                                             qsizetype(dimensionName(Dimension(d)).size()))));
        rows.reset();
        for (const RollupRow& row : stored)
            b.rollup.merge(Dimension(d), row.key, row.counters);
    }
    Statement& cuts = m_st->loadBucketCuts;
    cuts.reset();
    cuts.bind(1, tier).bind(2, start);
    if (cuts.step() && cuts.columnInt(0) > 0)
        b.merged = true;
    cuts.reset();
    if (tier == kMinuteTier) {
        // Coarse buckets that already counted this minute must not claim to cover it until it
        // closes again and is merged in.
        for (std::int64_t coarse : {std::int64_t(600), std::int64_t(3600)}) {
            Bucket& c = bucketFor(coarse, start - start % coarse);
            c.coverageCap = std::min(c.coverageCap, start);
        }
    }
    return b;
}

void FlowWriter::closeOpenBlock()
{
    if (m_encodeWorker) {
        m_encodeWorker->submit(m_open, m_openRowId);
        m_open.reserveFlows(m_options.blockFlows);
    } else {
        m_pendingBlocks.push_back(BlockEncodeWorker::encodeNow(*m_encoder, m_open, m_openRowId));
        m_open.clear();
    }
    m_openRowId = 0;
}

Result<std::int64_t> FlowWriter::writeBlock(const PendingBlock& block)
{
    Statement& st = block.rowId ? m_st->updateBlock : m_st->insertBlock;
    st.reset();
    st.bind(1, std::int64_t(block.tMin)).bind(2, std::int64_t(block.tMax)).bind(3, std::int64_t(block.count));
    st.bindBlob(4, block.blob);
    if (block.rowId)
        st.bind(5, block.rowId);
    if (auto r = st.run(); !r)
        return fail(r.error());
    return block.rowId ? block.rowId : m_db->lastInsertRowId();
}

Result<void> FlowWriter::writeCoverage(std::int64_t tier, std::int64_t start, Bucket& bucket,
                                       std::int64_t coveredUntil)
{
    if (coveredUntil == bucket.coveredUntil)
        return {};
    Statement& st = m_st->upsertCoverage;
    st.reset();
    st.bind(1, tier).bind(2, start).bind(3, coveredUntil);
    if (auto r = st.run(); !r)
        return r;
    bucket.coveredUntil = coveredUntil;
    return {};
}

Result<void> FlowWriter::flushBucket(std::int64_t tier, std::int64_t start, Bucket& bucket)
{
    const std::uint64_t bucketFlows = bucket.rollup.flowCount();
    // A coarse bucket that holds all of its minutes also stores which keys it had (PresenceSet).
    const bool complete =
        tier != kMinuteTier && std::min(m_closedThrough, bucket.coverageCap) >= start + tier;
    for (int d = 0; d < kDimensionCount; ++d) {
        PresenceSet presence;
        // Every port only once the bucket is complete (queries use no other coarse bucket): a
        // coarse bucket is rewritten at each minute that closes into it.
        const std::size_t keep = complete ? rollupKeep(tier, Dimension(d)) : rollupKeepPerMetric(tier);
        const RollupBucketRows rows = bucket.rollup.rows(Dimension(d), keep, complete ? &presence : nullptr);
        // A quiet minute: its rows would take more room than its flows, and reading the flows is
        // cheap. Store no rows for it; queries read the flows (protocols and exporters always stay,
        // they are few and feed the charts).
        const bool sparse = tier == kMinuteTier && Dimension(d) != Dimension::Proto &&
                            Dimension(d) != Dimension::Exporter && rows.rows.size() * 4 > bucketFlows &&
                            !bucket.merged;
        if (tier == kMinuteTier) {
            Statement& delSparse = m_st->deleteSparse;
            delSparse.reset();
            delSparse.bind(1, std::int64_t(d)).bind(2, start);
            if (auto r = delSparse.run(); !r)
                return r;
        }
        if (sparse) {
            for (Statement* st : {&m_st->deleteBucketRows, &m_st->deleteCut}) {
                st->reset();
                st->bind(1, tier).bind(2, std::int64_t(d)).bind(3, start);
                if (auto r = st->run(); !r)
                    return r;
            }
            Statement& ins = m_st->insertSparse;
            ins.reset();
            ins.bind(1, std::int64_t(d)).bind(2, start).bind(3, std::int64_t(bucketFlows));
            if (auto r = ins.run(); !r)
                return r;
            continue;
        }
        {
            const std::vector<std::byte> blob = encodeRollupRows(rows.rows, rows.other);
            Statement& ins = m_st->insertRollup;
            ins.reset();
            ins.bind(1, tier).bind(2, std::int64_t(d)).bind(3, start);
            ins.bindBlob(4, blob);
            if (auto r = ins.run(); !r)
                return fail(r.error());
        }
        Statement& delCut = m_st->deleteCut;
        delCut.reset();
        delCut.bind(1, tier).bind(2, std::int64_t(d)).bind(3, start);
        if (auto r = delCut.run(); !r)
            return fail(r.error());
        // A full coarse bucket (keys went to "other") proves little: queries use the finer buckets
        // it was built from instead.
        const bool unprovable = bucket.merged || bucket.rollup.inexact(Dimension(d)) ||
                                (tier != kMinuteTier && bucket.rollup.overflowed(Dimension(d)));
        if (rows.droppedKeys > 0 || unprovable || bucket.rollup.overflowed(Dimension(d)) ||
            rows.other.flows > 0) {
            Statement& cut = m_st->insertCut;
            cut.reset();
            cut.bind(1, tier).bind(2, std::int64_t(d)).bind(3, start);
            cut.bind(4, std::int64_t(rows.droppedKeys));
            cut.bind(5, std::int64_t(rows.maxDropped.flows)).bind(6, std::int64_t(rows.maxDropped.packets));
            cut.bind(7, std::int64_t(rows.maxDropped.bytes))
                .bind(8, std::int64_t(rows.maxDropped.scaledPackets));
            cut.bind(9, std::int64_t(rows.maxDropped.scaledBytes));
            // Bounds prove exactness unless the bucket was re-opened after a truncated flush, a
            // merged minute had sent keys to "other" (a key kept here could miss those flows) or a
            // coarse bucket was full. Keys left out of a full minute are covered: maxDropped
            // includes everything that went to "other" that way.
            cut.bind(10, std::int64_t(unprovable ? 1 : 0));
            if (auto r = cut.run(); !r)
                return fail(r.error());
        }
        if (tier != kMinuteTier) {
            const bool keep = complete && !unprovable && rows.droppedKeys > 0;
            Statement& st = keep ? m_st->upsertPresence : m_st->deletePresence;
            st.reset();
            st.bind(1, tier).bind(2, std::int64_t(d)).bind(3, start);
            if (keep)
                st.bindBlob(4, presence.blob());
            if (auto r = st.run(); !r)
                return fail(r.error());
        }
    }
    bucket.dirty = false;
    return {};
}

void FlowWriter::setExporters(std::vector<std::pair<decode::DomainKey, decode::DomainStats>> snapshot)
{
    const std::uint64_t now = nowNs();
    for (const auto& [key, s] : snapshot) {
        ExporterRates& r = m_exporterRates[key];
        if (r.timeNs && now > r.timeNs + 500000000ull) {
            const double seconds = double(now - r.timeNs) / 1e9;
            r.datagramsPerSecond = double(s.datagrams - std::min(s.datagrams, r.datagrams)) / seconds;
            r.flowsPerSecond = double(s.flows - std::min(s.flows, r.flows)) / seconds;
        }
        if (s.templatesLearned != r.templatesLearned)
            r.templateRefreshNs = s.lastSeenNs;
        if (!r.timeNs || now > r.timeNs + 500000000ull) {
            r.timeNs = now;
            r.datagrams = s.datagrams;
            r.flows = s.flows;
        }
        r.templatesLearned = s.templatesLearned;
    }
    m_exporters = std::move(snapshot);
    m_exportersDirty = true;
}

void FlowWriter::logEvent(const QString& event, const QString& detail)
{
    m_events.emplace_back(event, detail);
}

Result<void> FlowWriter::writeExporters()
{
    for (const auto& [key, s] : m_exporters) {
        QJsonObject detail;
        detail[QStringLiteral("options_records")] = qint64(s.optionsRecords);
        detail[QStringLiteral("missing_template_sets")] = qint64(s.missingTemplateSets);
        detail[QStringLiteral("missing_template_bytes")] = qint64(s.missingTemplateBytes);
        detail[QStringLiteral("templates_learned")] = qint64(s.templatesLearned);
        detail[QStringLiteral("templates_changed")] = qint64(s.templatesChanged);
        detail[QStringLiteral("templates_withdrawn")] = qint64(s.templatesWithdrawn);
        detail[QStringLiteral("templates_active")] = qint64(s.templatesActive);
        detail[QStringLiteral("sequence_gaps")] = qint64(s.sequenceGaps);
        detail[QStringLiteral("sequence_resets")] = qint64(s.sequenceResets);
        detail[QStringLiteral("pending_sets")] = qint64(s.pendingSets);
        detail[QStringLiteral("pending_expired")] = qint64(s.pendingExpired);
        detail[QStringLiteral("sflow_flow_samples")] = qint64(s.sflowFlowSamples);
        detail[QStringLiteral("sflow_counter_samples")] = qint64(s.sflowCounterSamples);
        detail[QStringLiteral("sflow_discarded_packets")] = qint64(s.sflowDiscardedPackets);
        if (const auto it = m_exporterRates.find(key); it != m_exporterRates.end()) {
            detail[QStringLiteral("datagrams_per_s")] = it->second.datagramsPerSecond;
            detail[QStringLiteral("flows_per_s")] = it->second.flowsPerSecond;
            detail[QStringLiteral("template_refresh_ns")] = qint64(it->second.templateRefreshNs);
        }
        QJsonObject anomalies;
        for (int a = 0; a < decode::kAnomalyCount; ++a)
            if (s.anomalies[std::size_t(a)])
                anomalies[QString::fromLatin1(decode::anomalyName(decode::Anomaly(a)))] =
                    qint64(s.anomalies[std::size_t(a)]);
        detail[QStringLiteral("anomalies")] = anomalies;
        const std::string exporter = key.exporter.toString();
        const std::string address = key.exporter.address.toString();
        Statement& st = m_st->upsertExporter;
        st.reset();
        st.bind(1, std::string_view(exporter))
            .bind(2, std::int64_t(key.domain))
            .bind(3, std::string_view(address));
        st.bind(4, decode::flowTypeName(s.type)).bind(5, std::int64_t(s.version));
        st.bind(6, std::int64_t(s.firstSeenNs)).bind(7, std::int64_t(s.lastSeenNs));
        st.bind(8, std::int64_t(s.datagrams)).bind(9, std::int64_t(s.bytes)).bind(10, std::int64_t(s.flows));
        st.bind(11, std::int64_t(s.samplingRate)).bind(12, std::int64_t(s.sequenceLost));
        st.bind(13, std::int64_t(s.sequenceExpected));
        const QByteArray json = QJsonDocument(detail).toJson(QJsonDocument::Compact);
        st.bind(14, std::string_view(json.constData(), std::size_t(json.size())));
        if (auto r = st.run(); !r)
            return fail(r.error());
    }
    return {};
}

void FlowWriter::setDecoderState(const QString& name, std::vector<std::byte> value)
{
    for (auto& [n, v] : m_decoderState) {
        if (n == name) {
            v = std::move(value);
            return;
        }
    }
    m_decoderState.emplace_back(name, std::move(value));
}

Result<std::vector<std::byte>> FlowWriter::decoderState(const QString& name)
{
    auto st = m_db->prepare("SELECT value FROM decoder_state WHERE name=?1");
    if (!st)
        return fail(st.error());
    const QByteArray n = name.toUtf8();
    st->bind(1, std::string_view(n.constData(), std::size_t(n.size())));
    if (!st->step())
        return std::vector<std::byte>{};
    const auto blob = st->columnBlob(0);
    return std::vector<std::byte>(blob.begin(), blob.end());
}

void FlowWriter::addInterfaceCounters(std::span<const decode::InterfaceCounters> counters)
{
    for (const auto& c : counters) {
        const std::string agent = c.agent.toString();
        auto& state = m_interfaces[{agent, c.subAgentId, c.ifIndex}];
        if (state.firstSeenNs == 0) {
            state.firstSeenNs = c.timeReceivedNs;
        } else if (c.timeReceivedNs > state.latest.timeReceivedNs) {
            state.previous = state.latest;
            state.hasPrevious = true;
        } else {
            continue; // older or duplicate sample
        }
        state.latest = c;
        state.dirty = true;
    }
}

Result<void> FlowWriter::writeInterfaces()
{
    for (const auto& [key, state] : m_interfaces) {
        if (!state.dirty)
            continue;
        const auto& c = state.latest;
        double inBps = 0, outBps = 0;
        if (state.hasPrevious && c.timeReceivedNs > state.previous.timeReceivedNs &&
            c.inOctets >= state.previous.inOctets && c.outOctets >= state.previous.outOctets) {
            const double seconds = double(c.timeReceivedNs - state.previous.timeReceivedNs) / 1e9;
            inBps = 8.0 * double(c.inOctets - state.previous.inOctets) / seconds;
            outBps = 8.0 * double(c.outOctets - state.previous.outOctets) / seconds;
        }
        Statement& st = m_st->upsertInterface;
        st.reset();
        const std::string& agent = std::get<0>(key);
        const std::string_view portName = c.portName();
        st.bind(1, std::string_view(agent))
            .bind(2, std::int64_t(c.subAgentId))
            .bind(3, std::int64_t(c.ifIndex));
        st.bind(4, std::int64_t(state.firstSeenNs)).bind(5, std::int64_t(c.timeReceivedNs)).bind(6, portName);
        st.bind(7, std::int64_t(c.ifType)).bind(8, std::int64_t(c.ifSpeed)).bind(9, std::int64_t(c.ifStatus));
        st.bind(10, std::int64_t(c.inOctets));
        st.bind(11, std::int64_t(std::uint64_t(c.inUcastPkts) + c.inMulticastPkts + c.inBroadcastPkts));
        st.bind(12, std::int64_t(c.inErrors)).bind(13, std::int64_t(c.inDiscards));
        st.bind(14, std::int64_t(c.outOctets));
        st.bind(15, std::int64_t(std::uint64_t(c.outUcastPkts) + c.outMulticastPkts + c.outBroadcastPkts));
        st.bind(16, std::int64_t(c.outErrors)).bind(17, std::int64_t(c.outDiscards));
        st.bind(18, inBps).bind(19, outBps);
        if (auto r = st.run(); !r)
            return r;
    }
    return {};
}

Result<void> FlowWriter::deleteRollupsBefore(std::int64_t cutoffS)
{
    for (std::int64_t tier : kRollupTiers) {
        // A bucket goes when all of it is older than the cutoff.
        const std::int64_t before = cutoffS - tier;
        for (int d = 0; d < kDimensionCount; ++d) {
            for (const char* sql :
                 {"DELETE FROM rollup_rows WHERE tier=?1 AND dim=?2 AND bucket <= ?3",
                  "DELETE FROM rollup_cut WHERE tier=?1 AND dim=?2 AND bucket <= ?3",
                  "DELETE FROM rollup_presence WHERE tier=?1 AND dim=?2 AND bucket <= ?3"}) {
                auto st = m_db->prepare(sql);
                if (!st)
                    return fail(st.error());
                st->bind(1, tier).bind(2, std::int64_t(d)).bind(3, before);
                if (auto r = st->run(); !r)
                    return fail(r.error());
            }
        }
        if (tier == kMinuteTier) {
            auto sp = m_db->prepare("DELETE FROM rollup_sparse WHERE bucket <= ?1");
            if (!sp)
                return fail(sp.error());
            sp->bind(1, before);
            if (auto r = sp->run(); !r)
                return fail(r.error());
        }
        auto st = m_db->prepare("DELETE FROM rollup_coverage WHERE tier=?1 AND bucket <= ?2");
        if (!st)
            return fail(st.error());
        st->bind(1, tier).bind(2, before);
        if (auto r = st->run(); !r)
            return fail(r.error());
    }
    return {};
}

Result<void> FlowWriter::applyRetention()
{
    bool deleted = false;
    if (m_options.retentionSeconds > 0) {
        const std::uint64_t cutoffNs = nowNs() - std::uint64_t(m_options.retentionSeconds) * 1000000000ull;
        // Never the open block: the next commit rewrites it in place by id, and would silently
        // write nothing if it was gone.
        auto del = m_db->prepare("DELETE FROM flow_blocks WHERE t_max < ?1 AND id != ?2");
        if (!del)
            return fail(del.error());
        del->bind(1, std::int64_t(cutoffNs)).bind(2, m_openRowId);
        if (auto r = del->run(); !r)
            return fail(r.error());
        const int n = m_db->changes();
        m_stats.blocksDeleted += std::uint64_t(n);
        deleted = deleted || n > 0;
        const std::int64_t cutoffS = std::int64_t(cutoffNs / 1000000000ull);
        if (auto r = deleteRollupsBefore(cutoffS); !r)
            return r;
    }
    if (m_options.maxDatabaseBytes > 0) {
        updateDatabaseBytes();
        for (int round = 0; round < 64 && m_stats.databaseBytes > m_options.maxDatabaseBytes; ++round) {
            auto oldest = m_db->prepare("SELECT id, t_max FROM flow_blocks ORDER BY t_max LIMIT 1 OFFSET 7");
            if (!oldest)
                return fail(oldest.error());
            std::int64_t cutoffNs = 0;
            if (oldest->step())
                cutoffNs = oldest->columnInt(1);
            else
                break; // fewer than 8 blocks: nothing sensible left to delete
            auto del = m_db->prepare("DELETE FROM flow_blocks WHERE t_max <= ?1 AND id != ?2");
            if (!del)
                return fail(del.error());
            del->bind(1, cutoffNs).bind(2, m_openRowId);
            if (auto r = del->run(); !r)
                return fail(r.error());
            m_stats.blocksDeleted += std::uint64_t(m_db->changes());
            if (auto r = deleteRollupsBefore(cutoffNs / 1000000000); !r)
                return r;
            deleted = true;
            if (auto r = m_db->exec("PRAGMA incremental_vacuum"); !r)
                return fail(r.error());
            updateDatabaseBytes();
        }
    }
    if (deleted && m_options.maxDatabaseBytes <= 0)
        (void)m_db->exec("PRAGMA incremental_vacuum(4096)");
    return {};
}

Result<void> FlowWriter::commitInTransaction(std::vector<std::int64_t>& closed)
{
    // Dictionary rows first: every flow written below may refer to them. They stay pending until a
    // commit succeeds.
    if (m_enricher)
        m_pendingDictionary.append(m_enricher->takeNewRows());
    if (!m_pendingDictionary.empty())
        if (auto r = writeDictionaryRows(*m_db, m_pendingDictionary); !r)
            return r;
    if (m_encodeWorker)
        m_encodeWorker->collect(m_pendingBlocks);
    std::uint64_t newBlocks = 0;
    for (std::size_t i = 0; i < m_pendingBlocks.size(); ++i) {
        const PendingBlock& b = m_pendingBlocks[i];
        if (i >= m_blocksInTransaction) // the first ones were written as they came
            if (auto id = writeBlock(b); !id)
                return fail(id.error());
        newBlocks += b.rowId ? 0 : 1;
    }
    std::int64_t openRowId = m_openRowId;
    if (!m_open.empty()) {
        const PendingBlock open = BlockEncodeWorker::encodeNow(*m_encoder, m_open, m_openRowId);
        auto id = writeBlock(open);
        if (!id)
            return fail(id.error());
        newBlocks += open.rowId ? 0 : 1;
        openRowId = *id;
    }

    // Close minutes that newer data has left behind; rewrite the open ones that changed.
    const std::int64_t closeBefore =
        std::int64_t(m_latestNs / 1000000000ull) - kMinuteTier - m_options.bucketGraceSeconds;
    const std::size_t overflow = m_buckets.size() > kMaxOpenBuckets ? m_buckets.size() - kMaxOpenBuckets : 0;
    std::size_t index = 0;
    for (auto& [start, bucket] : m_buckets) {
        // The oldest minutes past the open-bucket bound close, whatever their age (counted over
        // every open minute: counting only the young ones closed the newest instead).
        const bool close = index++ < overflow || start < closeBefore;
        if (bucket.dirty || close)
            if (auto r = flushBucket(kMinuteTier, start, bucket); !r)
                return r;
        if (close)
            closed.push_back(start);
    }
    // Coarse tiers: rewrite what closed minutes changed, and how far each bucket is complete.
    for (std::int64_t tier : {std::int64_t(600), std::int64_t(3600)}) {
        for (auto& [start, bucket] : bucketsOf(tier)) {
            if (bucket.dirty)
                if (auto r = flushBucket(tier, start, bucket); !r)
                    return r;
            const std::int64_t covered =
                std::clamp(std::min(m_closedThrough, bucket.coverageCap), start, start + tier);
            if (auto r = writeCoverage(tier, start, bucket, covered); !r)
                return r;
        }
    }
    if (m_exportersDirty)
        if (auto r = writeExporters(); !r)
            return r;
    if (auto r = writeInterfaces(); !r)
        return r;
    for (const auto& [name, value] : m_decoderState) {
        Statement& st = m_st->upsertState;
        st.reset();
        const QByteArray n = name.toUtf8();
        st.bind(1, std::string_view(n.constData(), std::size_t(n.size()))).bindBlob(2, value);
        st.bind(3, std::int64_t(nowNs()));
        if (auto r = st.run(); !r)
            return r;
    }
    for (const auto& [event, detail] : m_events) {
        Statement& st = m_st->insertEvent;
        st.reset();
        const QByteArray e = event.toUtf8(), dt = detail.toUtf8();
        st.bind(1, std::int64_t(nowNs()))
            .bind(2, std::string_view(e.constData(), std::size_t(e.size())))
            .bind(3, std::string_view(dt.constData(), std::size_t(dt.size())));
        if (auto r = st.run(); !r)
            return r;
    }
    if (auto r = m_db->exec("COMMIT"); !r)
        return r;
    m_pendingDictionary = {};
    m_openRowId = openRowId;
    m_stats.blocksWritten += newBlocks;
    return {};
}

Result<void> FlowWriter::commit()
{
    const auto started = std::chrono::steady_clock::now();
    if (m_enricher && m_enricher->reloadIfChanged())
        logEvent(QStringLiteral("geoip_reload"),
                 QStringLiteral("GeoIP databases or networks changed on disk: reloaded"));
    if (!m_inTransaction)
        if (auto r = m_db->exec("BEGIN IMMEDIATE"); !r)
            return fail(diskFullHint(m_db->path(), r.error()));
    std::vector<std::int64_t> closed;
    const auto written = commitInTransaction(closed);
    m_inTransaction = false;
    m_blocksInTransaction = 0;
    m_incrementalFailed = false;
    m_lastCommitEnd = std::chrono::steady_clock::now();
    if (!written) {
        (void)m_db->exec("ROLLBACK");
        for (auto* buckets : {&m_buckets, &m_tenMinutes, &m_hours})
            for (auto& [start, bucket] : *buckets) {
                bucket.dirty = true; // rewrite everything the failed transaction did not keep
                bucket.coveredUntil = 0;
            }
        return fail(diskFullHint(m_db->path(), written.error()));
    }
    // Closed minutes go into their 10-minute and hour buckets (written at the next commit).
    for (std::int64_t start : closed) {
        const auto it = m_buckets.find(start);
        m_bucketSizeHint = std::max<std::size_t>(1024, it->second.rollup.keyCount(Dimension::Src));
        for (std::int64_t tier : {std::int64_t(600), std::int64_t(3600)}) {
            Bucket& coarse = bucketFor(tier, start - start % tier);
            coarse.rollup.mergeFrom(it->second.rollup);
            coarse.merged = coarse.merged || it->second.merged;
            coarse.dirty = true;
            if (coarse.coverageCap <= start)
                coarse.coverageCap = INT64_MAX;
        }
        m_closedThrough = std::max(m_closedThrough, start + kMinuteTier);
        eraseBucket(m_buckets, it);
    }
    if (m_buckets.empty() && m_latestNs)
        m_closedThrough = std::max(m_closedThrough, bucketStartOf(m_latestNs) + kMinuteTier);
    // Coarse buckets that are complete and written leave memory.
    for (std::int64_t tier : {std::int64_t(600), std::int64_t(3600)}) {
        auto& coarse = bucketsOf(tier);
        for (auto it = coarse.begin(); it != coarse.end();) {
            if (!it->second.dirty && it->second.coveredUntil >= it->first + tier)
                eraseBucket(coarse, it++);
            else
                ++it;
        }
    }
    m_lastBucket = nullptr;
    m_lastBucketStart = -1;
    if (m_encodeWorker)
        m_encodeWorker->recycle(m_pendingBlocks); // clears it
    m_pendingBlocks.clear();
    m_exportersDirty = false;
    m_events.clear();
    m_decoderState.clear();
    for (auto& [key, state] : m_interfaces)
        state.dirty = false;
    ++m_stats.commits;
    m_stats.flowsStored += m_stats.flowsPending;
    m_stats.flowsPending = 0;

    const std::uint64_t now = nowNs();
    if ((m_options.retentionSeconds > 0 || m_options.maxDatabaseBytes > 0) &&
        now - m_lastRetentionNs >= kRetentionEveryNs) {
        m_lastRetentionNs = now;
        if (auto r = applyRetention(); !r)
            return fail(diskFullHint(m_db->path(), r.error()));
    }
    updateDatabaseBytes();
    m_stats.lastCommitMs = std::uint64_t(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
            .count());
    return {};
}

Result<void> FlowWriter::close()
{
    const std::uint64_t latest = m_latestNs;
    m_latestNs = UINT64_MAX / 2; // every minute is behind "now" for closing purposes
    auto r = commit();
    m_latestNs = latest;
    if (r) // the minutes closed by that commit reach their coarse buckets with this one
        r = commit();
    return r;
}

Result<QString> FlowWriter::uncleanShutdownNotice()
{
    auto last = m_db->prepare("SELECT event FROM collector_log WHERE event IN ('start', 'stop') "
                              "ORDER BY rowid DESC LIMIT 1");
    if (!last)
        return fail(last.error());
    if (!last->step() || last->columnText(0) != QLatin1String("start"))
        return QString();
    auto stored = m_db->prepare("SELECT max(t_max) FROM flow_blocks");
    if (!stored)
        return fail(stored.error());
    QString upTo = QStringLiteral("no flows");
    if (stored->step() && !stored->columnIsNull(0))
        upTo = QDateTime::fromMSecsSinceEpoch(stored->columnInt(0) / 1000000).toString(Qt::ISODate);
    return QStringLiteral("The previous collector run on %1 did not stop cleanly (it was killed or crashed). "
                          "Everything it committed is kept (newest flow: %2); flows it received in its last "
                          "second, after its last commit, may be missing.")
        .arg(m_db->path(), upTo);
}

Result<void> FlowWriter::setMaxPageCount(std::int64_t pages)
{
    return m_db->exec("PRAGMA max_page_count=" + std::to_string(pages > 0 ? pages : 4294967294ll));
}

void FlowWriter::updateDatabaseBytes()
{
    auto st = m_db->prepare("SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()");
    if (st && st->step())
        m_stats.databaseBytes = st->columnInt(0);
}

} // namespace flowlens::store
