#pragma once

#include "core/decode/flow_record.h"
#include "core/store/flow_block.h"
#include "core/store/rollup.h"
#include "core/store/rollup_presence.h"
#include "core/util/result.h"

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include <QJsonObject>
#include <QString>

namespace flowlens::store {

class Database;

/// One rollup row as read back.
/// Truncation bound of one bucket (see rollup_cut in schema.cpp).
struct RollupCut
{
    std::int64_t bucket = 0;
    std::uint64_t droppedKeys = 0;
    Counters maxDropped;
    bool merged = false;
};

/// Health of one exporter/domain as the collector last stored it.
struct ExporterRow
{
    QString exporter; ///< "addr:port"
    std::uint32_t domain = 0;
    QString address;
    QString type; ///< NETFLOW_V5, NETFLOW_V9, IPFIX, SFLOW_5
    int version = 0;
    std::uint64_t firstSeenNs = 0;
    std::uint64_t lastSeenNs = 0;
    std::uint64_t datagrams = 0;
    std::uint64_t bytes = 0;
    std::uint64_t flows = 0;
    std::uint64_t samplingRate = 0;
    std::uint64_t sequenceLost = 0;
    std::uint64_t sequenceExpected = 0;
    QJsonObject detail; ///< every other counter, anomalies by name, rates
};

/// Latest counters of one sFlow agent interface.
struct InterfaceRow
{
    QString agent;
    std::uint32_t subAgent = 0;
    std::uint32_t ifIndex = 0;
    std::uint64_t lastSeenNs = 0;
    QString portName;
    std::uint64_t ifSpeed = 0;
    bool operUp = false;
    std::uint64_t inOctets = 0, inPackets = 0, inErrors = 0, inDiscards = 0;
    std::uint64_t outOctets = 0, outPackets = 0, outErrors = 0, outDiscards = 0;
    double inBps = 0, outBps = 0;
};

/// Read-only access to a FlowLens database: block scans and rollup reads. One instance per thread.
class FlowReader
{
public:
    static Result<std::unique_ptr<FlowReader>> open(const QString& path);
    ~FlowReader();

    struct ScanOptions
    {
        std::uint64_t sinceNs = 0;          ///< time_received_ns >= sinceNs
        std::uint64_t untilNs = UINT64_MAX; ///< time_received_ns < untilNs
        FieldMask fields = allFields();     ///< columns to decode (TimeReceived is always decoded)
    };
    using Visitor = std::function<bool(std::span<const decode::FlowRecord>)>;

    /// Visits the stored flows received in [since, until) in storage (arrival) order, a block at a
    /// time; the visitor returns false to stop early.
    Result<void> scan(const ScanOptions& options, const Visitor& visit);

    /// Rows of one dimension in buckets [fromBucket, toBucket) of a tier (kRollupTiers; 60 = minutes).
    Result<std::vector<RollupRow>> rollupRows(Dimension dim, std::int64_t fromBucket, std::int64_t toBucket,
                                              std::int64_t tier = 60);
    /// One stored bucket: its packed value (schema 7) or, in a database not yet upgraded, its rows.
    struct StoredBucket
    {
        std::int64_t bucket = 0;
        std::span<const std::byte> packed; ///< rollup_blob.h; empty when `rows` holds the bucket
        std::span<const RollupRow> rows;
    };
    /// Visits each stored bucket in [fromBucket, toBucket) of a tier as stored (valid during the call
    /// only); the visitor returns false when the value is damaged, which fails the read.
    Result<void> visitRollupBuckets(Dimension dim, std::int64_t fromBucket, std::int64_t toBucket,
                                    std::int64_t tier, const std::function<bool(const StoredBucket&)>& visit);
    using RollupVisitor = std::function<void(std::int64_t bucket, std::span<const RollupRow> rows)>;
    /// Visits the rows of each bucket in [fromBucket, toBucket) of a tier, one bucket at a time (the
    /// span is valid during the call only): no copy of every row of a long range.
    Result<void> visitRollupRows(Dimension dim, std::int64_t fromBucket, std::int64_t toBucket,
                                 std::int64_t tier, const RollupVisitor& visit);
    Result<std::vector<RollupCut>> rollupCuts(Dimension dim, std::int64_t fromBucket, std::int64_t toBucket,
                                              std::int64_t tier = 60);
    /// Key sets of the complete, truncated coarse buckets (600, 3600) in [fromBucket, toBucket).
    Result<std::vector<std::pair<std::int64_t, PresenceSet>>>
    rollupPresence(Dimension dim, std::int64_t fromBucket, std::int64_t toBucket, std::int64_t tier);
    /// Minute buckets in [fromBucket, toBucket) whose rows of `dim` are not stored (read their flows).
    Result<std::vector<std::int64_t>> sparseMinutes(Dimension dim, std::int64_t fromBucket,
                                                    std::int64_t toBucket);
    /// Buckets of a coarse tier (600, 3600) in [fromBucket, toBucket) that hold all of their flows.
    Result<std::vector<std::int64_t>> completeBuckets(std::int64_t tier, std::int64_t fromBucket,
                                                      std::int64_t toBucket);

    /// Range of stored data (time_received_ns); {0,0} when empty.
    Result<std::pair<std::uint64_t, std::uint64_t>> timeRange();
    Result<std::uint64_t> flowCount();
    Result<std::vector<ExporterRow>> exporters();
    Result<std::vector<InterfaceRow>> interfaces();

    /// Starts/ends a read transaction so several reads see one consistent snapshot.
    Result<void> beginSnapshot();
    void endSnapshot();

    Database& database() { return *m_db; }
    /// Flows decoded by scan() so far (all calls): what a query read besides rollups.
    std::uint64_t flowsScanned() const { return m_flowsScanned; }

private:
    FlowReader() = default;
    std::unique_ptr<Database> m_db;
    BlockDecoder m_decoder;
    std::vector<decode::FlowRecord> m_records;
    bool m_inSnapshot = false;
    int m_schema = 0; ///< the database's schema version (older ones are read as they are)
    std::uint64_t m_flowsScanned = 0;
};

} // namespace flowlens::store
