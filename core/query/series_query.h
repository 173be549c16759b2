#pragma once

#include "core/query/cancel_token.h"
#include "core/query/filter.h"
#include "core/store/rollup.h"
#include "core/util/result.h"

#include <cstdint>
#include <vector>

namespace flowlens::store {
class FlowReader;
}

namespace flowlens::query {

/// Traffic over time, split by the keys of one dimension (protocols, exporters) or as one total.
struct SeriesSpec
{
    store::Dimension by = store::Dimension::Proto; ///< Dimension::Count_: one total series
    store::Metric rankBy = store::Metric::Bytes;   ///< which keys get their own series
    int topKeys = 8;                               ///< keys with their own series; the rest is "other"
    std::int64_t bucketSeconds = 0;                ///< 0: chosen from the range (see chooseBucketSeconds)
};

struct SeriesResult
{
    SeriesSpec spec;
    std::uint64_t firstBucketNs = 0;    ///< start of bucket 0 (aligned to bucketSeconds, UTC)
    std::int64_t bucketSeconds = 60;    ///< width of every bucket
    std::vector<double> coveredSeconds; ///< per bucket: seconds of it inside the range (for rates)
    std::vector<store::RollupKey> keys; ///< ranked by spec.rankBy over the whole range
    std::vector<std::vector<store::Counters>> values; ///< [key][bucket]
    std::vector<store::Counters> other;               ///< [bucket]: keys beyond topKeys, and rollups' "other"
    std::vector<store::Counters> total;               ///< [bucket]: every flow
    bool fromRollups = false;                         ///< whole minutes came from the per-minute rollups
    bool exact = true;                                ///< false when truncated rollups hid some keys
    bool sampled = false;                             ///< some flow carried a sampling rate > 1

    int bucketCount() const { return int(total.size()); }
    std::uint64_t bucketStartNs(int i) const
    {
        return firstBucketNs + std::uint64_t(i) * std::uint64_t(bucketSeconds) * 1000000000ull;
    }
};

struct SeriesRequest
{
    SeriesSpec spec;
    std::uint64_t sinceNs = 0;
    std::uint64_t untilNs = UINT64_MAX; ///< UINT64_MAX: open end, laid out up to nowNs
    std::uint64_t nowNs = 0;            ///< end of the chart when untilNs is open
    Filter filter;
    bool raw = false;
    /// Sub-minute buckets need a scan of every flow; allowed up to this many flows in the range.
    std::uint64_t fineScanBudget = 3000000;
};

/// The bucket width for a range: about 60-240 points, from 1 s up to 1 day. With `fine` false the
/// width is at least a minute (what the rollups hold).
std::int64_t chooseBucketSeconds(std::uint64_t spanNs, bool fine);

/// Computes one series. Without a filter and with whole-minute buckets the rollups answer (partial
/// minutes at the edges are scanned); otherwise the flows are scanned. Returns an error
/// "cancelled" when `cancel` fires.
Result<SeriesResult> runSeries(store::FlowReader& reader, const SeriesRequest& request,
                               const CancelToken& cancel = {});

} // namespace flowlens::query
