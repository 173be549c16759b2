#include "view_state.h"

#include "core/query/time_spec.h"

#include <algorithm>
#include <chrono>

namespace flowlens::ui {

namespace {
constexpr std::uint64_t kNs = 1000000000ull;
constexpr std::uint64_t kMinuteNs = 60 * kNs;
constexpr std::size_t kMaxHistory = 100;
} // namespace

store::Metric storeMetric(MetricKind m)
{
    switch (m) {
    case MetricKind::Bytes:
    case MetricKind::BitsPerSecond:
        return store::Metric::Bytes;
    case MetricKind::Packets:
        return store::Metric::Packets;
    case MetricKind::Flows:
        return store::Metric::Flows;
    }
    return store::Metric::Bytes;
}

QString metricKindName(MetricKind m)
{
    switch (m) {
    case MetricKind::Bytes:
        return QStringLiteral("bytes");
    case MetricKind::BitsPerSecond:
        return QStringLiteral("bits/s");
    case MetricKind::Packets:
        return QStringLiteral("packets");
    case MetricKind::Flows:
        return QStringLiteral("flows");
    }
    return {};
}

bool metricKindFromName(const QString& name, MetricKind* out)
{
    const QString n = name.trimmed().toLower();
    for (MetricKind m :
         {MetricKind::Bytes, MetricKind::BitsPerSecond, MetricKind::Packets, MetricKind::Flows}) {
        if (n == metricKindName(m)) {
            *out = m;
            return true;
        }
    }
    if (n == QLatin1String("bps") || n == QLatin1String("bits")) {
        *out = MetricKind::BitsPerSecond;
        return true;
    }
    return false;
}

QString rangePresetName(RangePreset p)
{
    switch (p) {
    case RangePreset::Last5Minutes:
        return QStringLiteral("Last 5 minutes");
    case RangePreset::Last15Minutes:
        return QStringLiteral("Last 15 minutes");
    case RangePreset::LastHour:
        return QStringLiteral("Last hour");
    case RangePreset::Last6Hours:
        return QStringLiteral("Last 6 hours");
    case RangePreset::Last24Hours:
        return QStringLiteral("Last 24 hours");
    case RangePreset::Last7Days:
        return QStringLiteral("Last 7 days");
    case RangePreset::AllData:
        return QStringLiteral("All stored data");
    case RangePreset::Custom:
        return QStringLiteral("Custom range…");
    }
    return {};
}

std::int64_t rangePresetSeconds(RangePreset p)
{
    switch (p) {
    case RangePreset::Last5Minutes:
        return 5 * 60;
    case RangePreset::Last15Minutes:
        return 15 * 60;
    case RangePreset::LastHour:
        return 3600;
    case RangePreset::Last6Hours:
        return 6 * 3600;
    case RangePreset::Last24Hours:
        return 24 * 3600;
    case RangePreset::Last7Days:
        return 7 * 24 * 3600;
    case RangePreset::AllData:
    case RangePreset::Custom:
        break;
    }
    return 0;
}

double ResolvedRange::seconds() const
{
    const std::uint64_t end = untilNs != UINT64_MAX ? untilNs : nowNs;
    if (end <= sinceNs)
        return 0.0;
    // At least a second, the store's time resolution: the export's default range (oldest to newest
    // flow) of a capture that softflowd sent in one burst spans microseconds, and divided by that,
    // 14 MB read "113 Pb/s".
    return std::max(1.0, double(end - sinceNs) / double(kNs));
}

QString ResolvedRange::text() const
{
    if (sinceNs == 0)
        return QStringLiteral("all stored data");
    const std::uint64_t end = untilNs != UINT64_MAX ? untilNs : nowNs;
    const QString from = query::formatTime(sinceNs);
    QString to = query::formatTime(end);
    // Same day: only the time of the end.
    if (from.left(10) == to.left(10))
        to = to.mid(11);
    return from + QStringLiteral(" – ") + to +
           (untilNs == UINT64_MAX ? QStringLiteral(" (live)") : QString());
}

ResolvedRange resolveRange(const TimeRange& range, std::uint64_t nowNs, bool live,
                           const query::DatabaseInfo& database)
{
    ResolvedRange r;
    r.nowNs = nowNs;
    switch (range.preset) {
    case RangePreset::AllData:
        if (database.lastNs == 0) {
            // Not known yet (or empty): the worker resolves "from the oldest flow".
            r.sinceNs = 0;
            r.untilNs = UINT64_MAX;
            break;
        }
        r.sinceNs = database.firstNs;
        r.untilNs = live ? UINT64_MAX : database.lastNs + 1;
        r.nowNs = live ? std::max(nowNs, database.lastNs + 1) : database.lastNs + 1;
        break;
    case RangePreset::Custom:
        r.sinceNs = range.sinceNs;
        r.untilNs = std::max(range.untilNs, range.sinceNs + 1);
        r.nowNs = r.untilNs;
        break;
    default: {
        const std::uint64_t span = std::uint64_t(rangePresetSeconds(range.preset)) * kNs;
        const std::uint64_t start = nowNs > span ? nowNs - span : 0;
        r.sinceNs = start - start % kMinuteNs;
        r.untilNs = live ? UINT64_MAX : nowNs;
        break;
    }
    }
    return r;
}

std::uint64_t wallClockNs()
{
    return std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count());
}

NavigationHistory::NavigationHistory(const ViewState& initial)
    : m_states{initial}
{}

void NavigationHistory::push(const ViewState& state)
{
    if (state == m_states[m_index])
        return;
    m_states.resize(m_index + 1);
    m_states.push_back(state);
    if (m_states.size() > kMaxHistory)
        m_states.erase(m_states.begin());
    m_index = m_states.size() - 1;
}

ViewState NavigationHistory::back()
{
    if (m_index > 0)
        --m_index;
    return m_states[m_index];
}

ViewState NavigationHistory::forward()
{
    if (m_index + 1 < m_states.size())
        ++m_index;
    return m_states[m_index];
}

} // namespace flowlens::ui
