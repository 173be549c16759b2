#include "top_query.h"

#include "core/query/series_builder.h"
#include "core/store/flow_reader.h"

#include <algorithm>
#include <unordered_map>
#include <unordered_set>

namespace flowlens::query {

using store::Counters;
using store::Dimension;
using store::RollupKey;
using store::RollupKeyHash;

namespace {

constexpr std::int64_t kBucket = 60;
constexpr std::uint64_t kNs = 1000000000ull;

struct Accum
{
    Counters counters;
    std::uint32_t truncatedPresent = 0; ///< truncated buckets in which this key was kept
    std::uint64_t presentBound = 0;     ///< sum of those buckets' dropped-key bounds
};

using AccumMap = std::unordered_map<RollupKey, Accum, RollupKeyHash>;

/// Distinct keys a scan keeps; past it further new keys are summed as "other" (memory stays bounded
/// whatever the data; the result then says it is approximate).
constexpr std::size_t kMaxScanKeys = 4'000'000;

/// Flows in minute-tier buckets that a query reads rather than scan the whole range when their
/// rollups cannot prove a top-N exact (about 0.1 s of scanning).
constexpr std::uint64_t kMinuteScanBudget = 1'000'000;

Result<void> scanInto(store::FlowReader& reader, const TopRequest& req, std::uint64_t since,
                      std::uint64_t until, AccumMap& map, Counters& total, bool& sampled, bool& overflowed)
{
    if (since >= until)
        return {};
    store::FlowReader::ScanOptions opts;
    opts.sinceNs = since;
    opts.untilNs = until;
    opts.fields = dimensionFields(req.by); // series_builder.h: the columns a dimension reads
    for (decode::FlowField f : req.filter.fields())
        opts.fields.set(std::size_t(f));
    const bool filtered = !req.filter.isEmpty();
    return reader.scan(opts, [&](std::span<const decode::FlowRecord> flows) {
        for (const decode::FlowRecord& r : flows) {
            if (filtered && !req.filter.matches(r))
                continue;
            total.add(r);
            sampled = sampled || r.sampling_rate > 1;
            RollupKey keys[2];
            const int n = store::rollupKeys(req.by, r, keys);
            for (int k = 0; k < n; ++k) {
                if (map.size() >= kMaxScanKeys && !map.count(keys[k])) {
                    overflowed = true;
                    map[RollupKey{}].counters.add(r);
                    continue;
                }
                map[keys[k]].counters.add(r);
            }
        }
        return true;
    });
}

std::vector<TopEntry> rank(const AccumMap& map, const TopRequest& req, std::size_t limit)
{
    std::vector<TopEntry> rows;
    rows.reserve(map.size());
    for (const auto& [key, acc] : map)
        if (!key.isOther())
            rows.push_back({key, acc.counters});
    auto better = [&](const TopEntry& a, const TopEntry& b) {
        const auto va = store::metricValue(a.counters, req.order, req.raw);
        const auto vb = store::metricValue(b.counters, req.order, req.raw);
        return va != vb ? va > vb : a.key < b.key;
    };
    if (limit && rows.size() > limit) {
        std::partial_sort(rows.begin(), rows.begin() + std::ptrdiff_t(limit), rows.end(), better);
        rows.resize(limit);
    } else {
        std::sort(rows.begin(), rows.end(), better);
    }
    return rows;
}

} // namespace

std::uint64_t reportedValue(const Counters& c, store::Metric metric, bool raw)
{
    return store::metricValue(c, metric, raw);
}

Result<TopResult> runTop(store::FlowReader& reader, const TopRequest& req)
{
    if (auto r = reader.beginSnapshot(); !r)
        return fail(r.error());
    struct EndSnapshot
    {
        store::FlowReader& r;
        ~EndSnapshot() { r.endSnapshot(); }
    } endSnapshot{reader};

    const std::size_t limit = req.limit > 0 ? std::size_t(req.limit) : 0;

    auto fullScan = [&]() -> Result<TopResult> {
        TopResult out;
        AccumMap map;
        if (auto r =
                scanInto(reader, req, req.sinceNs, req.untilNs, map, out.total, out.sampled, out.keysCapped);
            !r)
            return fail(r.error());
        out.keys = map.size() - (map.count(RollupKey{}) ? 1 : 0);
        out.rows = rank(map, req, limit);
        out.exact = !out.keysCapped;
        out.fromRollups = false;
        return out;
    };
    if (!req.filter.isEmpty())
        return fullScan();

    // Bound an open-ended range by the stored data, so the plan covers only real minutes.
    auto span = reader.timeRange();
    if (!span)
        return fail(span.error());
    if (span->second == 0)
        return TopResult{}; // empty database
    const std::uint64_t since = std::max(req.sinceNs, span->first);
    const std::uint64_t until = std::min(req.untilNs, span->second + 1);
    if (since >= until)
        return TopResult{};

    // Whole minutes inside the range come from rollups; partial minutes at the edges are scanned.
    const std::int64_t sinceS = std::int64_t(since / kNs);
    std::int64_t firstMinute = sinceS - sinceS % kBucket;
    const bool sinceAligned = since == std::uint64_t(firstMinute) * kNs;
    if (!sinceAligned)
        firstMinute += kBucket;
    std::int64_t endMinute = std::int64_t(until / kNs);
    endMinute -= endMinute % kBucket;
    const bool untilOpen = until == span->second + 1 && req.untilNs > span->second;
    if (untilOpen)
        endMinute = std::int64_t(span->second / kNs) - std::int64_t(span->second / kNs) % kBucket + kBucket;
    const bool sinceOpen = req.sinceNs <= span->first;
    if (sinceOpen)
        firstMinute = std::int64_t(span->first / kNs) - std::int64_t(span->first / kNs) % kBucket;
    if (endMinute <= firstMinute)
        return fullScan();

    // Plan: the coarsest complete bucket at each point (hour, 10 minutes, minute). A coarse bucket
    // whose bounds cannot prove exactness (merged) is replaced by finer ones.
    struct Run
    {
        std::int64_t tier, from, to;
    };
    std::vector<Run> plan; // tier 0: scan the flows of [from, to)
    std::unordered_set<std::int64_t> sparseSet;
    {
        std::unordered_set<std::int64_t> usable[2];
        const std::int64_t coarseTiers[2] = {3600, 600};
        for (int t = 0; t < 2; ++t) {
            const std::int64_t tier = coarseTiers[t];
            auto complete = reader.completeBuckets(tier, firstMinute, endMinute);
            if (!complete)
                return fail(complete.error());
            auto cuts = reader.rollupCuts(req.by, firstMinute, endMinute, tier);
            if (!cuts)
                return fail(cuts.error());
            std::unordered_set<std::int64_t> merged;
            for (const auto& c : *cuts)
                if (c.merged)
                    merged.insert(c.bucket);
            for (std::int64_t b : *complete)
                if (!merged.count(b))
                    usable[t].insert(b);
        }
        auto sparse = reader.sparseMinutes(req.by, firstMinute, endMinute);
        if (!sparse)
            return fail(sparse.error());
        sparseSet.insert(sparse->begin(), sparse->end());
        // A minute re-opened after it was truncated (late flows, an overlapping import) has bounds
        // that prove nothing; reading its few thousand flows keeps the rest of the answer exact.
        auto minuteCuts = reader.rollupCuts(req.by, firstMinute, endMinute, kBucket);
        if (!minuteCuts)
            return fail(minuteCuts.error());
        for (const auto& c : *minuteCuts)
            if (c.merged)
                sparseSet.insert(c.bucket);
        for (std::int64_t p = firstMinute; p < endMinute;) {
            std::int64_t tier = kBucket;
            if (p % 3600 == 0 && p + 3600 <= endMinute && usable[0].count(p))
                tier = 3600;
            else if (p % 600 == 0 && p + 600 <= endMinute && usable[1].count(p))
                tier = 600;
            if (tier == kBucket && sparseSet.count(p))
                tier = 0; // a quiet or re-opened minute: read its flows
            const std::int64_t width = tier ? tier : kBucket;
            if (!plan.empty() && plan.back().tier == tier && plan.back().to == p)
                plan.back().to = p + width;
            else
                plan.push_back({tier, p, p + width});
            p += width;
        }
    }

    // Answers from a plan: edges scanned, then each run from its rollups or its flows.
    // `minuteRunFlows`: flows in the minute-tier runs (their rollups keep 100 keys and no key sets).
    auto answer = [&](const std::vector<Run>& plan, std::uint64_t& minuteRunFlows) -> Result<TopResult> {
        TopResult result;
        AccumMap map;
        if (!sinceOpen && !sinceAligned)
            if (auto r = scanInto(reader, req, since, std::uint64_t(firstMinute) * kNs, map, result.total,
                                  result.sampled, result.keysCapped);
                !r)
                return fail(r.error());
        if (!untilOpen && std::uint64_t(endMinute) * kNs < until)
            if (auto r = scanInto(reader, req, std::uint64_t(endMinute) * kNs, until, map, result.total,
                                  result.sampled, result.keysCapped);
                !r)
                return fail(r.error());

        std::unordered_map<std::int64_t, const store::RollupCut*> cutOf; // key: bucket * 8 + tier index
        std::vector<store::RollupCut> cuts;
        std::vector<store::RollupRow> rows;
        std::vector<store::RollupRow> protoRows;
        std::vector<std::int64_t> rowTier;
        std::vector<std::pair<std::int64_t, store::PresenceSet>> presence; // key: bucket * 8 + tier index
        for (const Run& run : plan) {
            if (run.tier == 0) {
                if (auto r = scanInto(reader, req, std::uint64_t(run.from) * kNs, std::uint64_t(run.to) * kNs,
                                      map, result.total, result.sampled, result.keysCapped);
                    !r)
                    return fail(r.error());
                continue;
            }
            auto c = reader.rollupCuts(req.by, run.from, run.to, run.tier);
            if (!c)
                return fail(c.error());
            for (auto& cut : *c) {
                cut.bucket = cut.bucket * 8 + (run.tier == 60 ? 0 : (run.tier == 600 ? 1 : 2));
                cuts.push_back(cut);
            }
            if (run.tier != kBucket) {
                auto p = reader.rollupPresence(req.by, run.from, run.to, run.tier);
                if (!p)
                    return fail(p.error());
                for (auto& [bucket, set] : *p)
                    presence.emplace_back(bucket * 8 + (run.tier == 600 ? 1 : 2), std::move(set));
            }
            auto r = reader.rollupRows(req.by, run.from, run.to, run.tier);
            if (!r)
                return fail(r.error());
            for (auto& row : *r) {
                row.bucket = row.bucket * 8 + (run.tier == 60 ? 0 : (run.tier == 600 ? 1 : 2));
                rows.push_back(row);
            }
            if (req.by == Dimension::Ip) {
                auto pr = reader.rollupRows(Dimension::Proto, run.from, run.to, run.tier);
                if (!pr)
                    return fail(pr.error());
                protoRows.insert(protoRows.end(), pr->begin(), pr->end());
            }
        }

        std::uint64_t bound = 0; // the most any key can be missing from what the rollups show
        bool merged = false;
        for (const auto& c : cuts) {
            cutOf[c.bucket] = &c;
            bound += store::metricValue(c.maxDropped, req.order, req.raw);
            merged = merged || c.merged;
        }
        for (const auto& row : rows) {
            Accum& a = map[row.key];
            a.counters.add(row.counters);
            if (!row.key.isOther())
                if (const auto it = cutOf.find(row.bucket); it != cutOf.end()) {
                    ++a.truncatedPresent;
                    a.presentBound += store::metricValue(it->second->maxDropped, req.order, req.raw);
                }
            result.sampled = result.sampled || row.counters.scaledBytes != row.counters.bytes;
        }
        // Totals: the rollup rows of any dimension sum to every flow, "other" included (Ip counts twice).
        for (const auto& row : req.by == Dimension::Ip ? protoRows : rows)
            result.total.add(row.counters);
        result.keys = map.size() - (map.count(RollupKey{}) ? 1 : 0);
        // Rank including one extra row to check the gap to the first key left out.
        result.rows = rank(map, req, limit ? limit + 1 : 0);
        result.fromRollups = true;

        // Buckets that certainly did not have `key` (their key sets say so): its value there is 0,
        // known exactly. Returns how many, and the dropped-key bounds they no longer add.
        auto provenAbsent = [&](const RollupKey& key) {
            std::pair<std::uint32_t, std::uint64_t> out{0, 0};
            for (const auto& [code, set] : presence)
                if (!set.mayContain(key))
                    if (const auto it = cutOf.find(code); it != cutOf.end()) {
                        ++out.first;
                        out.second += store::metricValue(it->second->maxDropped, req.order, req.raw);
                    }
            return out;
        };
        bool exact = cuts.empty();
        if (!exact && !merged) {
            // Threshold test. A key's value is exact when every truncated bucket either kept it or
            // certainly did not have it. A key left out of the shown rows can have at most what the
            // rollups show for it plus the dropped-key bound of each truncated bucket that neither
            // kept it nor rules it out; a key no bucket kept, at most `bound`.
            const std::size_t shown = limit ? std::min(limit, result.rows.size()) : result.rows.size();
            exact = true;
            for (std::size_t i = 0; i < shown && exact; ++i) {
                const Accum& a = map[result.rows[i].key];
                exact = a.truncatedPresent == cuts.size() ||
                        a.truncatedPresent + provenAbsent(result.rows[i].key).first == cuts.size();
            }
            if (exact && limit && shown == limit) {
                const std::uint64_t last =
                    store::metricValue(result.rows[shown - 1].counters, req.order, req.raw);
                const RollupKey& lastKey = result.rows[shown - 1].key;
                exact = last >= bound; // keys the rollups never kept
                for (const auto& [key, acc] : map) {
                    if (!exact)
                        break;
                    if (key.isOther())
                        continue;
                    const std::uint64_t v = store::metricValue(acc.counters, req.order, req.raw);
                    if (v > last || (v == last && !(lastKey < key)))
                        continue; // shown (ranks at or above the last shown key)
                    std::uint64_t upper = v + (bound - acc.presentBound);
                    if (upper > last)
                        upper -= provenAbsent(key).second;
                    exact = last >= upper;
                }
            } else if (exact && !limit) {
                exact = false; // "all keys" cannot be complete when keys were dropped
            }
        }
        for (const auto& row : rows)
            if (row.bucket % 8 == 0)
                minuteRunFlows += row.counters.flows;
        if (limit && result.rows.size() > limit)
            result.rows.resize(limit);
        result.exact = exact && !result.keysCapped;
        return result;
    };
    std::uint64_t minuteRunFlows = 0;
    auto first = answer(plan, minuteRunFlows);
    if (!first || first->exact || !req.requireExact || first->keysCapped)
        return first;
    // Not provable: the minutes at the edges of the range often decide (their rollups keep few
    // keys). Reading their flows is cheap when they are few; then the rest is tried again.
    if (minuteRunFlows > 0 && minuteRunFlows <= kMinuteScanBudget) {
        std::vector<Run> scanned;
        for (const Run& run : plan) {
            const std::int64_t tier = run.tier == kBucket ? 0 : run.tier;
            if (!scanned.empty() && scanned.back().tier == tier && scanned.back().to == run.from)
                scanned.back().to = run.to;
            else
                scanned.push_back({tier, run.from, run.to});
        }
        std::uint64_t unused = 0;
        auto second = answer(scanned, unused);
        if (!second || second->exact || second->keysCapped)
            return second;
    }
    return fullScan();
}

} // namespace flowlens::query
