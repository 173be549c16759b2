#pragma once

#include "core/query/filter.h"
#include "core/store/rollup.h"
#include "core/util/result.h"

#include <cstdint>
#include <vector>

namespace flowlens::store {
class FlowReader;
}

namespace flowlens::query {

struct TopRequest
{
    store::Dimension by = store::Dimension::Src;
    store::Metric order = store::Metric::Bytes;
    int limit = 10;                     ///< 0 = all keys
    std::uint64_t sinceNs = 0;          ///< time_received_ns >= since
    std::uint64_t untilNs = UINT64_MAX; ///< time_received_ns < until
    Filter filter;
    bool raw = false;         ///< rank and report counters as sent instead of sampling-scaled
    bool requireExact = true; ///< fall back to a scan when rollups cannot prove the answer exact
};

struct TopEntry
{
    store::RollupKey key;
    store::Counters counters;
};

struct TopResult
{
    std::vector<TopEntry> rows; ///< ranked by the requested metric, ties by key
    store::Counters total;      ///< every flow in the range (and filter)
    std::uint64_t keys = 0;     ///< distinct keys seen (a lower bound when keysAtLeast)
    bool keysAtLeast = false;   ///< keys is a lower bound: truncated rollups, or a capped scan
    bool exact = true;          ///< false only when requireExact was off and rollups were truncated
    bool fromRollups = false;   ///< answered from the per-minute rollups (else by scanning flows)
    bool sampled = false;       ///< some flows carried a sampling rate > 1
    bool keysCapped = false;    ///< more distinct keys than a scan keeps (4 million): approximate
};

/// Top-N of a dimension like `nfdump -s`. Without a filter the per-minute rollups answer (with the
/// partial minutes at the edges of the range scanned); when their truncation bounds cannot prove
/// the ranking and values exact, and requireExact is set, the flows are scanned instead.
Result<TopResult> runTop(store::FlowReader& reader, const TopRequest& request);

/// The value a TopEntry is ranked by / reported as.
std::uint64_t reportedValue(const store::Counters& c, store::Metric metric, bool raw);

} // namespace flowlens::query
