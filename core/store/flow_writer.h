#pragma once

#include "core/decode/exporter_stats.h"
#include "core/decode/flow_record.h"
#include "core/decode/interface_counters.h"
#include "core/store/block_encode_worker.h"
#include "core/store/dictionary.h"
#include "core/store/rollup.h"
#include "core/store/rollup_accumulator.h"
#include "core/util/result.h"

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include <QString>

namespace flowlens::enrich {
class Enricher;
}

namespace flowlens::store {

class WalCheckpointer;

class Database;
class BlockEncoder;

struct WriterOptions
{
    std::size_t blockFlows = 32768; ///< flows per stored block (1 .. kMaxBlockFlows)
    int zstdLevel = 1;
    std::int64_t retentionSeconds = 0;     ///< delete flows older than this (0 = keep)
    std::int64_t maxDatabaseBytes = 0;     ///< delete oldest flows past this size (0 = no bound)
    std::int64_t bucketGraceSeconds = 5;   ///< a minute closes this long after newer data arrives
    std::size_t maxKeysPerBucket = 100000; ///< per dimension; past it new keys go to "other"
    bool encodeThread = true;              ///< compress full blocks on a helper thread
};

struct WriterStats
{
    std::uint64_t flowsStored = 0;  ///< committed
    std::uint64_t flowsPending = 0; ///< added, not yet committed
    std::uint64_t blocksWritten = 0;
    std::uint64_t commits = 0;
    std::uint64_t blocksDeleted = 0; ///< by retention
    std::int64_t databaseBytes = 0;
    std::uint64_t lastCommitMs = 0; ///< duration of the last commit
};

/// The only writer of a FlowLens database: appends flows to columnar blocks, keeps the per-minute
/// rollups, exporter health and retention. Synchronous and single-threaded; the collector runs it
/// on its writer thread, `flowlens-cli import` directly. Nothing is visible to readers before
/// commit(); close() commits and finalises every open minute. Full blocks are written as the encode
/// thread finishes them, in a transaction that commit() completes (opened at the earliest 250 ms
/// after a commit, so that other connections get their turn to write).
class FlowWriter
{
public:
    static Result<std::unique_ptr<FlowWriter>> open(const QString& path, const WriterOptions& options = {});
    ~FlowWriter();
    FlowWriter(const FlowWriter&) = delete;
    FlowWriter& operator=(const FlowWriter&) = delete;

    /// Buffers flows (full blocks are compressed at once); no database access. With an enricher,
    /// a copy of the flows is enriched first.
    void add(std::span<const decode::FlowRecord> flows);
    /// Enriches the flows in place (when an enricher is set), then adds them: the collector's path,
    /// which owns its batches and so needs no copy.
    void enrichAndAdd(std::span<decode::FlowRecord> flows);
    /// GeoIP / address class / user network enrichment at ingest (core/enrich). Seeds the enricher
    /// with the dictionaries already stored, so ids stay stable across runs; new dictionary rows
    /// are stored in the transaction of the flows that refer to them.
    Result<void> setEnricher(std::unique_ptr<enrich::Enricher> enricher);
    enrich::Enricher* enricher() const { return m_enricher.get(); }
    /// The dictionaries as committed (cities, AS organisations, user networks).
    Result<Dictionaries> storedDictionaries();
    /// Makes every flow added so far durable and visible (blocks, rollups of open minutes,
    /// exporters) in one transaction; closes minutes that newer data has left behind; applies
    /// retention. On failure (disk full, read-only file) nothing is lost: the transaction is rolled
    /// back and everything stays pending for the next commit. Callers bound what they add while
    /// commits fail (see pendingFlows()).
    Result<void> commit();
    /// Commits and finalises every open minute. The writer stays usable.
    Result<void> close();

    /// Replaces the exporter health rows at the next commit.
    void setExporters(std::vector<std::pair<decode::DomainKey, decode::DomainStats>> snapshot);
    /// Stores a named decoder state blob (e.g. "templates") at the next commit.
    void setDecoderState(const QString& name, std::vector<std::byte> value);
    /// Reads a decoder state blob written earlier (empty when none).
    Result<std::vector<std::byte>> decoderState(const QString& name);
    /// Latest sFlow interface counters; stored (with rates from the previous sample) at the next commit.
    void addInterfaceCounters(std::span<const decode::InterfaceCounters> counters);
    /// When the previous collector run on this database did not stop cleanly (killed, crashed, power
    /// lost): a message saying so and up to when flows are stored. Empty after a clean stop.
    Result<QString> uncleanShutdownNotice();
    /// Records a collector event (start, stop, drops ...) at the next commit.
    void logEvent(const QString& event, const QString& detail);

    /// Caps the file at `pages` pages (SQLite max_page_count); 0 removes the cap. Used to simulate a
    /// full disk in tests and to enforce a hard size limit.
    Result<void> setMaxPageCount(std::int64_t pages);

    const WriterStats& stats() const { return m_stats; }
    QString path() const;

private:
    struct Bucket
    {
        explicit Bucket(std::unique_ptr<RollupAccumulator> accumulator)
            : owned(std::move(accumulator))
            , rollup(*owned)
        {}
        std::unique_ptr<RollupAccumulator> owned;
        RollupAccumulator& rollup;
        bool dirty = false;
        bool merged = false; ///< re-opened after a truncated flush
        // Coarse tiers only:
        std::int64_t coveredUntil = 0;        ///< as last written to rollup_coverage
        std::int64_t coverageCap = INT64_MAX; ///< a re-opened minute not merged yet starts here
    };

    FlowWriter() = default;
    using PendingBlock = EncodedBlock;

    Result<void> prepareStatements();
    void addEnriched(std::span<const decode::FlowRecord> flows);
    Result<void> commitInTransaction(std::vector<std::int64_t>& closed);
    Result<std::int64_t> writeBlock(const PendingBlock& block);
    void closeOpenBlock();
    void writeEncodedBlocks();
    Bucket& bucketFor(std::int64_t tier, std::int64_t start);
    Result<void> flushBucket(std::int64_t tier, std::int64_t start, Bucket& bucket);
    Result<void> writeCoverage(std::int64_t tier, std::int64_t start, Bucket& bucket,
                               std::int64_t coveredUntil);
    std::map<std::int64_t, Bucket>& bucketsOf(std::int64_t tier);
    std::unique_ptr<RollupAccumulator> takeAccumulator(std::size_t sizeHint);
    void eraseBucket(std::map<std::int64_t, Bucket>& buckets, std::map<std::int64_t, Bucket>::iterator it);
    Result<void> writeExporters();
    Result<void> writeInterfaces();
    Result<void> applyRetention();
    Result<void> deleteRollupsBefore(std::int64_t cutoffS);
    void updateDatabaseBytes();

    std::unique_ptr<Database> m_db;
    std::unique_ptr<BlockEncoder> m_encoder;
    std::unique_ptr<BlockEncodeWorker> m_encodeWorker;
    WriterOptions m_options;
    WriterStats m_stats;

    ColumnBlock m_open;           ///< flows not yet in a full block, gathered into columns as they arrive
    std::int64_t m_openRowId = 0; ///< row holding the open block as of the last commit
    std::vector<PendingBlock> m_pendingBlocks; ///< kept until committed (a failed commit writes them again)
    /// Blocks the encoder finished are written as they come, in a transaction that the next commit
    /// completes: at 2 M flows/s that is ~60 blocks (50 MB) a second, which written all at commit
    /// time held the writer thread up for 50-100 ms.
    std::size_t m_blocksInTransaction = 0; ///< m_pendingBlocks[0, n) are written in the open transaction
    bool m_inTransaction = false;
    bool m_incrementalFailed = false; ///< a write between commits failed: the next commit does it all
    std::chrono::steady_clock::time_point m_lastCommitEnd;

    std::map<std::int64_t, Bucket> m_buckets;    ///< open minutes
    std::map<std::int64_t, Bucket> m_tenMinutes; ///< 600 s buckets not yet fully covered
    std::map<std::int64_t, Bucket> m_hours;      ///< 3600 s buckets not yet fully covered
    std::int64_t m_closedThrough = 0;            ///< every minute before this (unix s) is closed and merged
    std::vector<std::unique_ptr<RollupAccumulator>> m_spareAccumulators;
    std::int64_t m_lastBucketStart = -1;
    Bucket* m_lastBucket = nullptr;
    std::uint64_t m_latestNs = 0;
    std::uint64_t m_lastRetentionNs = 0;
    std::size_t m_bucketSizeHint = 1024; ///< keys the last closed minute had (sizes new minutes)

    bool m_exportersDirty = false;
    std::vector<std::pair<decode::DomainKey, decode::DomainStats>> m_exporters;
    struct ExporterRates
    {
        std::uint64_t timeNs = 0;
        std::uint64_t datagrams = 0;
        std::uint64_t flows = 0;
        std::uint64_t templatesLearned = 0;
        std::uint64_t templateRefreshNs = 0;
        double datagramsPerSecond = 0;
        double flowsPerSecond = 0;
    };
    std::map<decode::DomainKey, ExporterRates> m_exporterRates;
    std::vector<std::pair<QString, QString>> m_events;
    std::vector<std::pair<QString, std::vector<std::byte>>> m_decoderState;
    struct InterfaceState
    {
        decode::InterfaceCounters latest;
        decode::InterfaceCounters previous;
        bool hasPrevious = false;
        std::uint64_t firstSeenNs = 0;
        bool dirty = false;
    };
    std::map<std::tuple<std::string, std::uint32_t, std::uint32_t>, InterfaceState> m_interfaces;

    std::unique_ptr<enrich::Enricher> m_enricher;
    std::vector<decode::FlowRecord> m_enrichScratch;
    DictionaryRows m_pendingDictionary; ///< enrichment rows not yet committed

    struct Statements;
    std::unique_ptr<Statements> m_st;
    std::unique_ptr<WalCheckpointer> m_checkpointer; ///< last member: stops before the connection closes
};

} // namespace flowlens::store
