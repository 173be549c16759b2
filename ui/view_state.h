#pragma once

#include "core/query/dashboard_query.h"
#include "core/store/rollup.h"

#include <cstdint>
#include <vector>

#include <QString>

namespace flowlens::ui {

/// What the metric switch selects. Bits/s ranks like bytes and shows rates.
enum class MetricKind
{
    Bytes,
    BitsPerSecond,
    Packets,
    Flows,
};

store::Metric storeMetric(MetricKind m);
QString metricKindName(MetricKind m); ///< "bytes", "bits/s", "packets", "flows"
/// Parses metricKindName() and "bps"; false when unknown.
bool metricKindFromName(const QString& name, MetricKind* out);

enum class RangePreset
{
    Last5Minutes,
    Last15Minutes,
    LastHour,
    Last6Hours,
    Last24Hours,
    Last7Days,
    AllData,
    Custom,
};

QString rangePresetName(RangePreset p);         ///< "Last 15 minutes", ...
std::int64_t rangePresetSeconds(RangePreset p); ///< 0 for AllData and Custom

struct TimeRange
{
    RangePreset preset = RangePreset::Last15Minutes;
    std::uint64_t sinceNs = 0; ///< Custom only
    std::uint64_t untilNs = 0; ///< Custom only

    friend bool operator==(const TimeRange&, const TimeRange&) = default;
};

/// The state every dashboard shares: time range, filter, metric. Back/forward walks through it.
struct ViewState
{
    TimeRange range;
    QString filter;
    MetricKind metric = MetricKind::Bytes;
    bool raw = false; ///< counters as sent instead of sampling-scaled

    friend bool operator==(const ViewState&, const ViewState&) = default;
};

/// A time range made concrete for one query.
struct ResolvedRange
{
    std::uint64_t sinceNs = 0;
    std::uint64_t untilNs = UINT64_MAX; ///< UINT64_MAX: open (live)
    std::uint64_t nowNs = 0;            ///< where the charts end
    /// Seconds the range covers (for bits/s): until (or now) minus since, at least 1 (the store's
    /// time resolution) when the range is not empty, 0 when it is.
    double seconds() const;
    QString text() const; ///< "2026-11-28 10:00:00 – 10:15:00"
};

/// Presets start on a whole minute so that live dashboards read only the per-minute rollups; live
/// ranges stay open at the end (they include what arrives until the next refresh). `nowNs` is the
/// wall clock, or the time the view was paused. AllData uses the database's time range.
ResolvedRange resolveRange(const TimeRange& range, std::uint64_t nowNs, bool live,
                           const query::DatabaseInfo& database);

std::uint64_t wallClockNs();

/// Back/forward through view states, like a browser.
class NavigationHistory
{
public:
    explicit NavigationHistory(const ViewState& initial);
    /// Records a new state (drops the forward part); ignored when equal to the current one.
    void push(const ViewState& state);
    bool canGoBack() const { return m_index > 0; }
    bool canGoForward() const { return m_index + 1 < m_states.size(); }
    ViewState back();
    ViewState forward();
    const ViewState& current() const { return m_states[m_index]; }

private:
    std::vector<ViewState> m_states;
    std::size_t m_index = 0;
};

} // namespace flowlens::ui
