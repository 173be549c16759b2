#pragma once

#include "core/query/series_query.h"
#include "core/store/flow_block.h"

#include <unordered_map>

namespace flowlens::query {

/// Accumulates one series from flows and/or rollup rows into a fixed bucket layout; used by
/// runSeries() and by the one-pass dashboard scan. Internal to core/query.
class SeriesBuilder
{
public:
    SeriesBuilder(const SeriesSpec& spec, std::uint64_t firstBucketNs, std::int64_t bucketSeconds,
                  int bucketCount);

    /// Columns addFlow() reads.
    store::FieldMask fields() const;
    /// `countTotal` false: the totals come from elsewhere (rollup rows of another dimension).
    void addFlow(const decode::FlowRecord& r, bool countTotal = true);
    /// Adds a rollup row of bucket `bucketStartS` (unix seconds); the key "other" goes to other.
    void addRollup(std::int64_t bucketStartS, const store::RollupKey& key, const store::Counters& c);
    /// Adds to the totals only (rollup rows of another dimension, for Dimension::Ip).
    void addTotal(std::int64_t bucketStartS, const store::Counters& c);
    void markSampled() { m_sampled = true; }

    /// Ranks the keys, fills coveredSeconds for [sinceNs, endNs) and returns the result.
    SeriesResult finish(std::uint64_t sinceNs, std::uint64_t endNs, bool raw);

private:
    int bucketOfNs(std::uint64_t ns) const;
    int bucketOfSeconds(std::int64_t s) const;

    SeriesSpec m_spec;
    std::uint64_t m_firstNs;
    std::int64_t m_width;
    int m_count;
    std::unordered_map<store::RollupKey, std::vector<store::Counters>, store::RollupKeyHash> m_perKey;
    std::vector<store::Counters> m_other;
    std::vector<store::Counters> m_total;
    bool m_sampled = false;
};

/// Columns needed to compute the keys of `d` and the counters.
store::FieldMask dimensionFields(store::Dimension d);

} // namespace flowlens::query
