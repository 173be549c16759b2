#include "dashboard_query.h"

#include "series_builder.h"

#include "core/store/flow_reader.h"
#include "core/store/sqlite_db.h"

#include <algorithm>
#include <unordered_map>

#include <QFileInfo>

namespace flowlens::query {

using store::Counters;
using store::Dimension;
using store::RollupKey;

namespace {

constexpr std::uint64_t kNs = 1000000000ull;

using KeyMap = std::unordered_map<RollupKey, Counters, store::RollupKeyHash>;

std::vector<TopEntry> rank(const KeyMap& map, const TopSpec& spec, bool raw)
{
    std::vector<TopEntry> rows;
    rows.reserve(map.size());
    for (const auto& [key, counters] : map)
        rows.push_back({key, counters});
    auto better = [&](const TopEntry& a, const TopEntry& b) {
        const auto va = store::metricValue(a.counters, spec.order, raw);
        const auto vb = store::metricValue(b.counters, spec.order, raw);
        return va != vb ? va > vb : a.key < b.key;
    };
    const std::size_t limit = spec.limit > 0 ? std::size_t(spec.limit) : 0;
    if (limit && rows.size() > limit) {
        std::partial_sort(rows.begin(), rows.begin() + std::ptrdiff_t(limit), rows.end(), better);
        rows.resize(limit);
    } else {
        std::sort(rows.begin(), rows.end(), better);
    }
    return rows;
}

struct Layout
{
    std::uint64_t firstNs = 0;
    std::int64_t width = 60;
    int count = 1;
};

Layout layoutFor(std::uint64_t since, std::uint64_t end, std::int64_t width)
{
    Layout l;
    l.width = width;
    const std::uint64_t widthNs = std::uint64_t(width) * kNs;
    l.firstNs = since - since % widthNs;
    l.count = int(std::clamp<std::uint64_t>((end - l.firstNs + widthNs - 1) / widthNs, 1, 20000));
    return l;
}

// Filtered dashboards: one scan of the range feeds every top and series.
Result<DashboardResult> scanDashboard(store::FlowReader& reader, const DashboardRequest& req,
                                      std::uint64_t since, std::uint64_t end, const CancelToken& cancel)
{
    std::unordered_map<int, KeyMap> maps; // by Dimension
    std::vector<SeriesBuilder> builders;
    store::FieldMask fields;
    for (const TopSpec& t : req.tops) {
        maps[int(t.by)];
        fields |= dimensionFields(t.by);
    }
    for (const SeriesSpec& s : req.series) {
        const std::int64_t width =
            s.bucketSeconds > 0 ? s.bucketSeconds : chooseBucketSeconds(end - since, true);
        const Layout l = layoutFor(since, end, width);
        builders.emplace_back(s, l.firstNs, l.width, l.count);
        fields |= builders.back().fields();
    }
    for (decode::FlowField f : req.filter.fields())
        fields.set(std::size_t(f));
    fields |= dimensionFields(Dimension::Count_);

    DashboardResult out;
    out.scanned = true;
    store::FlowReader::ScanOptions opts;
    opts.sinceNs = since;
    opts.untilNs = req.untilNs;
    opts.fields = fields;
    bool cancelled = false;
    std::vector<std::pair<Dimension, KeyMap*>> targets;
    for (auto& [dim, map] : maps)
        targets.emplace_back(Dimension(dim), &map);
    auto r = reader.scan(opts, [&](std::span<const decode::FlowRecord> flows) {
        if (cancel.isCancelled()) {
            cancelled = true;
            return false;
        }
        for (const decode::FlowRecord& f : flows) {
            if (!req.filter.matches(f))
                continue;
            out.total.add(f);
            out.sampled = out.sampled || f.sampling_rate > 1;
            for (auto& [dim, map] : targets) {
                RollupKey keys[2];
                const int n = store::rollupKeys(dim, f, keys);
                for (int k = 0; k < n; ++k)
                    (*map)[keys[k]].add(f);
            }
            for (SeriesBuilder& b : builders)
                b.addFlow(f);
        }
        return true;
    });
    if (!r)
        return fail(r.error());
    if (cancelled)
        return fail(QStringLiteral("cancelled"));
    for (const TopSpec& t : req.tops) {
        TopPanel p;
        p.spec = t;
        const KeyMap& map = maps[int(t.by)];
        p.result.rows = rank(map, t, req.raw);
        p.result.keys = map.size();
        p.result.exact = true;
        p.result.fromRollups = false;
        p.result.sampled = out.sampled;
        p.result.total = out.total;
        out.tops.push_back(std::move(p));
    }
    for (SeriesBuilder& b : builders)
        out.series.push_back(b.finish(since, end, req.raw));
    return out;
}

} // namespace

Result<DatabaseInfo> readDatabaseInfo(store::FlowReader& reader)
{
    DatabaseInfo info;
    auto range = reader.timeRange();
    if (!range)
        return fail(range.error());
    info.firstNs = range->first;
    info.lastNs = range->second;
    auto count = reader.flowCount();
    if (!count)
        return fail(count.error());
    info.flows = *count;
    const QString path = reader.database().path();
    info.fileBytes = QFileInfo(path).size() + QFileInfo(path + QStringLiteral("-wal")).size();
    return info;
}

Result<DashboardResult> runDashboard(store::FlowReader& reader, const DashboardRequest& request,
                                     const CancelToken& cancel)
{
    auto info = readDatabaseInfo(reader);
    if (!info)
        return fail(info.error());
    const std::uint64_t since = request.sinceNs ? request.sinceNs : info->firstNs;
    const std::uint64_t now = request.nowNs ? request.nowNs : info->lastNs + 1;
    const std::uint64_t end = request.untilNs != UINT64_MAX ? request.untilNs : std::max(now, since + 1);

    DashboardResult out;
    if (!request.filter.isEmpty() && (!request.tops.empty() || !request.series.empty())) {
        auto scanned = scanDashboard(reader, request, since, std::max(end, since + 1), cancel);
        if (!scanned)
            return fail(scanned.error());
        out = std::move(*scanned);
    } else {
        bool haveTotal = false;
        for (const TopSpec& t : request.tops) {
            if (cancel.isCancelled())
                return fail(QStringLiteral("cancelled"));
            TopRequest tr;
            tr.by = t.by;
            tr.order = t.order;
            tr.limit = t.limit;
            tr.sinceNs = since;
            tr.untilNs = request.untilNs;
            tr.raw = request.raw;
            // A live dashboard cannot afford a full scan whenever a truncated minute leaves the
            // ranking unproven; it shows the rollup answer and says it is approximate.
            tr.requireExact = request.requireExact;
            auto top = runTop(reader, tr);
            if (!top)
                return fail(top.error());
            if (!haveTotal) {
                out.total = top->total;
                haveTotal = true;
            }
            out.sampled = out.sampled || top->sampled;
            out.tops.push_back(TopPanel{t, std::move(*top)});
        }
        for (const SeriesSpec& s : request.series) {
            if (cancel.isCancelled())
                return fail(QStringLiteral("cancelled"));
            SeriesRequest sr;
            sr.spec = s;
            sr.sinceNs = since;
            sr.untilNs = request.untilNs;
            sr.nowNs = now;
            sr.raw = request.raw;
            sr.fineScanBudget = request.fineScanBudget;
            auto series = runSeries(reader, sr, cancel);
            if (!series)
                return fail(series.error());
            if (!haveTotal) {
                for (const Counters& c : series->total)
                    out.total.add(c);
                haveTotal = true;
            }
            out.sampled = out.sampled || series->sampled;
            out.series.push_back(std::move(*series));
        }
    }
    const bool geo = std::any_of(request.tops.begin(), request.tops.end(),
                                 [](const TopSpec& t) { return t.by >= Dimension::SrcCountry; });
    if (geo) {
        auto dict = store::readDictionaries(reader.database());
        if (!dict)
            return fail(dict.error());
        out.dictionaries = std::move(*dict);
    }
    if (request.exporters) {
        auto exporters = readExporters(reader);
        if (!exporters)
            return fail(exporters.error());
        out.exporters = std::move(*exporters);
    }
    out.database = *info;
    return out;
}

} // namespace flowlens::query
