#pragma once

#include "core/decode/exporter_stats.h"
#include "core/decode/flow_record.h"
#include "core/decode/interface_counters.h"
#include "core/store/rollup.h"
#include "core/util/result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <vector>

#include <QString>

namespace flowlens::store {

class Database;
class BlockEncoder;

struct WriterOptions
{
    std::size_t blockFlows = 32768; ///< flows per stored block
    int zstdLevel = 1;
    std::int64_t retentionSeconds = 0;     ///< delete flows older than this (0 = keep)
    std::int64_t maxDatabaseBytes = 0;     ///< delete oldest flows past this size (0 = no bound)
    std::int64_t bucketGraceSeconds = 5;   ///< a minute closes this long after newer data arrives
    std::size_t maxKeysPerBucket = 200000; ///< per dimension; past it new keys go to "other"
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
/// commit(); close() commits and finalises every open minute.
class FlowWriter
{
public:
    static Result<std::unique_ptr<FlowWriter>> open(const QString& path, const WriterOptions& options = {});
    ~FlowWriter();
    FlowWriter(const FlowWriter&) = delete;
    FlowWriter& operator=(const FlowWriter&) = delete;

    /// Buffers flows (full blocks are compressed at once); no database access.
    void add(std::span<const decode::FlowRecord> flows);
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
        std::array<RollupMap, kDimensionCount> maps;
        bool dirty = false;
        bool merged = false; ///< re-opened after a truncated flush, or overflowed its key bound
    };

    FlowWriter() = default;
    struct PendingBlock
    {
        std::uint64_t tMin = 0, tMax = 0;
        std::size_t count = 0;
        std::int64_t rowId = 0; ///< row to update (an open block committed earlier), 0 = insert
        std::vector<std::byte> blob;
    };

    Result<void> prepareStatements();
    Result<void> commitInTransaction(std::vector<std::int64_t>& closed);
    Result<std::int64_t> writeBlock(const PendingBlock& block);
    PendingBlock encodeOpenBlock();
    Bucket& bucketFor(std::int64_t start);
    Result<void> flushBucket(std::int64_t start, Bucket& bucket);
    Result<void> writeExporters();
    Result<void> writeInterfaces();
    Result<void> applyRetention();
    void updateDatabaseBytes();

    std::unique_ptr<Database> m_db;
    std::unique_ptr<BlockEncoder> m_encoder;
    WriterOptions m_options;
    WriterStats m_stats;

    std::vector<decode::FlowRecord> m_open;
    std::int64_t m_openRowId = 0; ///< row holding the open block as of the last commit
    std::vector<PendingBlock> m_pendingBlocks;

    std::map<std::int64_t, Bucket> m_buckets;
    std::int64_t m_lastBucketStart = -1;
    Bucket* m_lastBucket = nullptr;
    std::uint64_t m_latestNs = 0;
    std::uint64_t m_lastRetentionNs = 0;

    bool m_exportersDirty = false;
    std::vector<std::pair<decode::DomainKey, decode::DomainStats>> m_exporters;
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

    struct Statements;
    std::unique_ptr<Statements> m_st;
};

} // namespace flowlens::store
