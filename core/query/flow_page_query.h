#pragma once

#include "core/decode/flow_record.h"
#include "core/query/cancel_token.h"
#include "core/query/filter.h"
#include "core/util/result.h"

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <vector>

namespace flowlens::store {
class FlowReader;
}

namespace flowlens::query {

/// A page of the Flows table: stored flows in [since, until) that match the filter, ordered by one
/// field. Sorting by time_received is arrival order and pages through every flow; any other field
/// is a partial sort in the worker that reaches the first kMaxSortedRows rows.
struct FlowPageRequest
{
    std::uint64_t sinceNs = 0;
    std::uint64_t untilNs = UINT64_MAX;
    Filter filter;
    decode::FlowField sortField = decode::FlowField::TimeReceived;
    bool descending = true;
    std::uint64_t offset = 0;
    int limit = 500; ///< at most kMaxPageRows
    /// 0: take a new snapshot of the data; else FlowPage::snapshot of an earlier page, so that later
    /// pages come from the same flows even while the collector writes.
    std::uint64_t snapshot = 0;
};

struct FlowPage
{
    std::uint64_t snapshot = 0;      ///< pass back in FlowPageRequest::snapshot for the next pages
    std::uint64_t offset = 0;        ///< row number of rows[0]
    std::uint64_t totalRows = 0;     ///< matching flows in the snapshot
    std::uint64_t reachableRows = 0; ///< rows that can be paged to (sorted views stop at kMaxSortedRows)
    std::vector<decode::FlowRecord> rows;
};

inline constexpr int kMaxPageRows = 5000;
inline constexpr std::uint64_t kMaxSortedRows = 100000;

/// Page indexes kept between requests (block lists with match counts, partially sorted rows).
/// Thread-safe; shared by the query workers so any worker can serve the next page.
class FlowPageCache
{
public:
    struct Index;
    FlowPageCache();
    ~FlowPageCache();
    std::shared_ptr<Index> find(std::uint64_t snapshot) const;
    std::uint64_t insert(std::shared_ptr<Index> index);
    void replace(std::uint64_t snapshot, std::shared_ptr<Index> index);
    void clear();

private:
    mutable std::mutex m_mutex;
    std::map<std::uint64_t, std::shared_ptr<Index>> m_indexes;
    std::uint64_t m_next = 1;
};

/// Returns one page. The first request (snapshot 0) counts the matching flows: without a filter
/// from the block table alone, with a filter by scanning the filter's columns; sorted views scan
/// once and keep the best rows. Later pages decode only the blocks they show. Errors: the database,
/// "cancelled", and "the stored flows changed" when retention removed a block of the snapshot.
Result<FlowPage> runFlowPage(store::FlowReader& reader, const FlowPageRequest& request, FlowPageCache& cache,
                             const CancelToken& cancel = {});

/// The value rows are ordered by (addresses compare as 16 bytes, lists by their first element).
bool flowLess(const decode::FlowRecord& a, const decode::FlowRecord& b, decode::FlowField field);

} // namespace flowlens::query
