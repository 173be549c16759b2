#pragma once

#include "core/query/cancel_token.h"
#include "core/query/exporter_query.h"
#include "core/query/filter.h"
#include "core/query/series_query.h"
#include "core/query/top_query.h"
#include "core/store/dictionary.h"
#include "core/util/result.h"

#include <cstdint>
#include <vector>

namespace flowlens::store {
class FlowReader;
}

namespace flowlens::query {

/// One ranked panel of a dashboard.
struct TopSpec
{
    store::Dimension by = store::Dimension::Src;
    store::Metric order = store::Metric::Bytes;
    int limit = 10; ///< 0 = every key
};

struct TopPanel
{
    TopSpec spec;
    TopResult result;
};

/// What the database holds, for the status bar, the empty state and "all data" ranges.
struct DatabaseInfo
{
    std::uint64_t firstNs = 0; ///< oldest time_received_ns stored (0 when empty)
    std::uint64_t lastNs = 0;  ///< newest
    std::uint64_t flows = 0;
    std::int64_t fileBytes = 0; ///< database file plus its WAL
};

/// Everything one dashboard shows, computed by one worker in one go: the panels update together.
struct DashboardRequest
{
    std::uint64_t sinceNs = 0;          ///< 0: from the oldest flow
    std::uint64_t untilNs = UINT64_MAX; ///< UINT64_MAX: open end (live)
    std::uint64_t nowNs = 0;            ///< where charts end when untilNs is open
    Filter filter;
    bool raw = false; ///< counters as sent instead of sampling-scaled
    std::vector<TopSpec> tops;
    std::vector<SeriesSpec> series;
    bool exporters = false; ///< include the exporter health table
    /// Scan the flows when truncated rollups cannot prove a top-N exact (exports, reports); live
    /// dashboards leave it off and show "approximate" instead of waiting.
    bool requireExact = false;
    std::uint64_t fineScanBudget = 3000000;
};

struct DashboardResult
{
    std::vector<TopPanel> tops;       ///< in request order
    std::vector<SeriesResult> series; ///< in request order
    std::vector<ExporterInfo> exporters;
    store::Counters total; ///< every flow in the range and filter (when a top or series was asked)
    bool sampled = false;
    bool scanned = false; ///< the flows were scanned (a filter was set), not read from rollups
    DatabaseInfo database;
    /// Cities, AS organisations and network names: read when a top asks for a GeoIP dimension.
    store::Dictionaries dictionaries;
};

/// Runs a dashboard request. Without a filter, tops and series come from the per-minute rollups
/// (top-N may be approximate; TopResult::exact says so); with a filter, one scan of the range feeds
/// every panel. Returns the error "cancelled" when `cancel` fires.
Result<DashboardResult> runDashboard(store::FlowReader& reader, const DashboardRequest& request,
                                     const CancelToken& cancel = {});

Result<DatabaseInfo> readDatabaseInfo(store::FlowReader& reader);

} // namespace flowlens::query
