#include "top_query.h"

#include "core/query/series_builder.h"
#include "core/store/flow_reader.h"
#include "core/store/rollup_accumulator.h"
#include "core/store/rollup_blob.h"

#include <algorithm>
#include <cstring>
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

/// Candidate keys a targeted refinement reads at most (beyond: scan the range).
constexpr std::size_t kMaxRefineKeys = 10'000;

/// The columns and range a scan for `req` reads (the filter's columns too).
store::FlowReader::ScanOptions scanOptions(const TopRequest& req, std::uint64_t since, std::uint64_t until)
{
    store::FlowReader::ScanOptions opts;
    opts.sinceNs = since;
    opts.untilNs = until;
    opts.fields = dimensionFields(req.by); // series_builder.h: the columns a dimension reads
    for (decode::FlowField f : req.filter.fields())
        opts.fields.set(std::size_t(f));
    return opts;
}

/// Buckets of different tiers in one map: bucket * 8 + tier index (minute 0, 10 minutes 1, hour 2).
std::int64_t bucketCode(std::int64_t bucket, std::int64_t tier)
{
    return bucket * 8 + (tier == 60 ? 0 : (tier == 600 ? 1 : 2));
}

std::int64_t tierOfCode(std::int64_t code)
{
    return code % 8 == 0 ? 60 : (code % 8 == 1 ? 600 : 3600);
}

Result<void> scanInto(store::FlowReader& reader, const TopRequest& req, std::uint64_t since,
                      std::uint64_t until, AccumMap& map, Counters& total, bool& sampled, bool& overflowed)
{
    if (since >= until)
        return {};
    const store::FlowReader::ScanOptions opts = scanOptions(req, since, until);
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
    // Sort pointers, copy only what is shown (a day of ports is 65,536 keys).
    using Item = const AccumMap::value_type*;
    std::vector<Item> items;
    items.reserve(map.size());
    for (const auto& entry : map)
        if (!entry.first.isOther())
            items.push_back(&entry);
    auto better = [&](Item a, Item b) {
        const auto va = store::metricValue(a->second.counters, req.order, req.raw);
        const auto vb = store::metricValue(b->second.counters, req.order, req.raw);
        return va != vb ? va > vb : a->first < b->first;
    };
    if (limit && items.size() > limit) {
        std::partial_sort(items.begin(), items.begin() + std::ptrdiff_t(limit), items.end(), better);
        items.resize(limit);
    } else {
        std::sort(items.begin(), items.end(), better);
    }
    std::vector<TopEntry> rows;
    rows.reserve(items.size());
    for (Item item : items)
        rows.push_back({item->first, item->second.counters});
    return rows;
}

/// A whole-range scan with an open-addressing map keyed by the dimension's exact key size: no
/// allocation per key and a batch of hashes prefetched ahead (the general map above costs about
/// four times as much per flow).
template <std::size_t N>
Result<void> fastScan(store::FlowReader& reader, const TopRequest& req, TopResult& out, std::size_t limit)
{
    using Map = store::CounterMap<N>;
    using Key = typename Map::Key;
    Map map(1 << 12);
    Counters other;
    const store::FlowReader::ScanOptions opts = scanOptions(req, req.sinceNs, req.untilNs);
    const bool filtered = !req.filter.isEmpty();
    const int keySize = store::dimensionKeySize(req.by);
    struct Pending
    {
        Key key;
        std::uint64_t hash;
        const decode::FlowRecord* flow;
    };
    constexpr std::size_t kBatch = 16;
    Pending pending[kBatch];
    std::size_t n = 0;
    auto flush = [&] {
        for (std::size_t i = 0; i < n; ++i) {
            if (map.size() >= kMaxScanKeys && !map.find(pending[i].key)) {
                out.keysCapped = true;
                other.add(*pending[i].flow);
                continue;
            }
            map.at(pending[i].key, pending[i].hash).add(*pending[i].flow);
        }
        n = 0;
    };
    auto r = reader.scan(opts, [&](std::span<const decode::FlowRecord> flows) {
        for (const decode::FlowRecord& f : flows) {
            if (filtered && !req.filter.matches(f))
                continue;
            out.total.add(f);
            out.sampled = out.sampled || f.sampling_rate > 1;
            RollupKey keys[2];
            const int k = store::rollupKeys(req.by, f, keys);
            for (int j = 0; j < k; ++j) {
                Pending& p = pending[n++];
                std::memcpy(p.key.data(), keys[j].bytes.data(), N);
                p.hash = Map::hashOf(p.key);
                p.flow = &f;
                map.prefetch(p.hash);
                if (n == kBatch)
                    flush();
            }
        }
        flush(); // the flows of this block are not kept past the call
        return true;
    });
    if (!r)
        return fail(r.error());
    out.keys = map.size();
    auto value = [&](const Counters& c) {
        return store::metricValue(c, req.order, req.raw);
    };
    auto toEntry = [&](const Key& key, const Counters& c) {
        TopEntry e;
        e.key.size = std::uint8_t(keySize);
        std::memcpy(e.key.bytes.data(), key.data(), std::size_t(keySize));
        e.counters = c;
        return e;
    };
    auto better = [&](const TopEntry& a, const TopEntry& b) {
        const auto va = value(a.counters), vb = value(b.counters);
        return va != vb ? va > vb : a.key < b.key;
    };
    if (limit == 0) {
        out.rows.reserve(map.size());
        map.forEach([&](const Key& key, const Counters& c) { out.rows.push_back(toEntry(key, c)); });
        std::sort(out.rows.begin(), out.rows.end(), better);
    } else {
        // A heap of the best `limit` so far (its top is the worst of them).
        std::vector<TopEntry> heap;
        heap.reserve(limit + 1);
        map.forEach([&](const Key& key, const Counters& c) {
            if (heap.size() == limit) {
                const auto v = value(c), worst = value(heap.front().counters);
                if (v < worst)
                    return;
                const TopEntry e = toEntry(key, c);
                if (!better(e, heap.front()))
                    return;
                std::pop_heap(heap.begin(), heap.end(), better);
                heap.back() = e;
                std::push_heap(heap.begin(), heap.end(), better);
                return;
            }
            heap.push_back(toEntry(key, c));
            std::push_heap(heap.begin(), heap.end(), better);
        });
        std::sort_heap(heap.begin(), heap.end(), better);
        out.rows = std::move(heap);
    }
    return {};
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
        Result<void> r;
        switch (store::dimensionKeySize(req.by)) {
        case 1:
        case 2:
            r = fastScan<2>(reader, req, out, limit);
            break;
        case 4:
            r = fastScan<4>(reader, req, out, limit);
            break;
        case 16:
            r = fastScan<16>(reader, req, out, limit);
            break;
        default:
            r = fastScan<32>(reader, req, out, limit);
            break;
        }
        if (!r)
            return fail(r.error());
        out.exact = !out.keysCapped;
        out.keysAtLeast = out.keysCapped;
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

    // Targeted refinement when the threshold test fails: only keys whose upper bound reaches the
    // last shown lower bound can be in the top N (the candidates). Their values are uncertain only
    // in truncated buckets that neither kept them nor rule them out; reading the flows of just
    // those buckets, for just those keys, makes every candidate exact, and so the top N.
    // Returns false when it cannot (keys never kept could still reach the top, too many candidates).
    auto refine = [&](AccumMap& map, const std::vector<store::RollupRow>& rows,
                      const std::vector<store::RollupCut>& cuts,
                      const std::unordered_map<std::int64_t, const store::RollupCut*>& cutOf,
                      std::uint64_t bound,
                      const std::unordered_map<std::int64_t, store::PresenceSet>& presence,
                      const auto& provenAbsent, TopResult& result) -> Result<bool> {
        const auto value = [&](const Counters& c) {
            return store::metricValue(c, req.order, req.raw);
        };
        const std::uint64_t floor = value(result.rows[limit - 1].counters);
        if (bound >= floor)
            return false; // a key no bucket kept could still be in the top N
        std::unordered_map<RollupKey, std::vector<std::int64_t>, RollupKeyHash> candidates; // -> kept in
        for (const auto& [key, acc] : map) {
            if (key.isOther() || acc.truncatedPresent == cuts.size())
                continue;
            std::uint64_t upper = value(acc.counters) + (bound - acc.presentBound);
            if (upper >= floor)
                upper -= provenAbsent(key).second;
            if (upper >= floor)
                candidates.try_emplace(key);
            if (candidates.size() > kMaxRefineKeys)
                return false;
        }
        if (candidates.empty())
            return false;
        for (const auto& row : rows)
            if (const auto it = candidates.find(row.key); it != candidates.end() && cutOf.count(row.bucket))
                it->second.push_back(row.bucket);
        // Buckets to read: for each candidate, the truncated ones that did not keep it and whose
        // key set (if any) does not rule it out.
        std::unordered_set<std::int64_t> toRead;
        for (auto& [key, keptIn] : candidates) {
            std::sort(keptIn.begin(), keptIn.end());
            for (const auto& cut : cuts) {
                if (std::binary_search(keptIn.begin(), keptIn.end(), cut.bucket) || toRead.count(cut.bucket))
                    continue;
                const auto set = presence.find(cut.bucket);
                if (set == presence.end() || set->second.mayContain(key))
                    toRead.insert(cut.bucket);
            }
        }
        std::vector<std::pair<std::int64_t, std::int64_t>> ranges; // [from, to) unix seconds
        for (std::int64_t code : toRead) {
            ranges.emplace_back(code / 8, code / 8 + tierOfCode(code));
        }
        std::sort(ranges.begin(), ranges.end());
        std::unordered_map<RollupKey, Counters, RollupKeyHash> read;
        // Most flows read belong to no candidate: a 65,536-bit filter on a cheap hash of the key
        // turns them away before the map lookup.
        auto quick = [](const RollupKey& k) {
            std::uint64_t w[4];
            std::memcpy(w, k.bytes.data(), sizeof w);
            return std::uint32_t((w[0] * 0x9E3779B97F4A7C15ull ^ w[1] * 0xC2B2AE3D27D4EB4Full ^
                                  w[2] * 0x165667B19E3779F9ull ^ w[3] * 0xD6E8FEB86659FD93ull) >>
                                 48);
        };
        std::vector<std::uint64_t> maybe(65536 / 64, 0);
        for (const auto& [key, kept] : candidates) {
            read.try_emplace(key);
            const std::uint32_t q = quick(key);
            maybe[q >> 6] |= std::uint64_t(1) << (q & 63);
        }
        std::vector<std::pair<std::int64_t, std::int64_t>> merged;
        for (const auto& r : ranges) {
            if (!merged.empty() && merged.back().second >= r.first)
                merged.back().second = std::max(merged.back().second, r.second);
            else
                merged.push_back(r);
        }
        for (const auto& [from, to] : merged) {
            const auto opts = scanOptions(req, std::uint64_t(from) * kNs, std::uint64_t(to) * kNs);
            auto r = reader.scan(opts, [&](std::span<const decode::FlowRecord> flows) {
                for (const decode::FlowRecord& f : flows) {
                    RollupKey keys[2];
                    const int n = store::rollupKeys(req.by, f, keys);
                    for (int k = 0; k < n; ++k) {
                        const std::uint32_t q = quick(keys[k]);
                        if (!((maybe[q >> 6] >> (q & 63)) & 1))
                            continue;
                        if (const auto it = read.find(keys[k]); it != read.end())
                            it->second.add(f);
                    }
                }
                return true;
            });
            if (!r)
                return fail(r.error());
        }
        // Exact value: what the rollups show outside the buckets read, plus what was read.
        for (const auto& row : rows) {
            if (!toRead.count(row.bucket))
                continue;
            if (const auto it = read.find(row.key); it != read.end()) {
                map[row.key].counters.subtract(row.counters);
            }
        }
        for (const auto& [key, c] : read)
            map[key].counters.add(c);
        result.rows = rank(map, req, limit);
        return true;
    };

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
        std::unordered_map<std::int64_t, store::PresenceSet> presence; // key: bucket * 8 + tier index
        // Two-byte keys (ports, countries, networks) of untruncated buckets: summed in a table, not
        // the map (a day of hourly port tables is about a million rows).
        const bool denseKeys = store::dimensionKeySize(req.by) == 2;
        std::vector<Counters> dense(denseKeys ? 65536 : 0);
        std::vector<std::uint8_t> denseUsed(dense.size(), 0);
        Counters denseOther;
        std::vector<store::RollupRow> bucketRows; // one decoded bucket
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
                cut.bucket = bucketCode(cut.bucket, run.tier);
                cuts.push_back(cut);
            }
            if (run.tier != kBucket) {
                auto p = reader.rollupPresence(req.by, run.from, run.to, run.tier);
                if (!p)
                    return fail(p.error());
                for (auto& [bucket, set] : *p)
                    presence.emplace(bucketCode(bucket, run.tier), std::move(set));
            }
            // Rows of truncated buckets are kept (the proof and the refinement need to know which
            // bucket kept which key); a bucket that kept every key only adds to the sums.
            std::unordered_set<std::int64_t> truncated; // bucket codes
            for (const auto& cut : *c)
                truncated.insert(cut.bucket);
            auto visit = [&](const store::FlowReader::StoredBucket& b) {
                const std::int64_t code = bucketCode(b.bucket, run.tier);
                const bool kept = truncated.count(code) > 0;
                if (!kept && denseKeys && run.tier != kBucket && !b.packed.empty())
                    return store::addRollupRowsByKey16(b.packed, dense, denseUsed, denseOther);
                std::span<const store::RollupRow> stored = b.rows;
                if (!b.packed.empty()) {
                    bucketRows.clear();
                    if (!store::decodeRollupRows(b.packed, b.bucket, bucketRows))
                        return false;
                    stored = bucketRows;
                }
                for (const store::RollupRow& row : stored) {
                    if (run.tier == kBucket)
                        minuteRunFlows += row.counters.flows;
                    if (kept) {
                        rows.push_back(row);
                        rows.back().bucket = code;
                        continue;
                    }
                    if (req.by != Dimension::Ip)
                        result.total.add(row.counters);
                    result.sampled = result.sampled || row.counters.scaledBytes != row.counters.bytes;
                    map[row.key].counters.add(row.counters);
                }
                return true;
            };
            if (auto r = reader.visitRollupBuckets(req.by, run.from, run.to, run.tier, visit); !r)
                return fail(r.error());
            if (req.by == Dimension::Ip) {
                auto pr = reader.rollupRows(Dimension::Proto, run.from, run.to, run.tier);
                if (!pr)
                    return fail(pr.error());
                protoRows.insert(protoRows.end(), pr->begin(), pr->end());
            }
        }

        map.reserve(map.size() + rows.size() / 2 +
                    std::size_t(std::count(denseUsed.begin(), denseUsed.end(), std::uint8_t(1))));
        for (std::size_t i = 0; i < dense.size(); ++i) {
            if (!denseUsed[i])
                continue;
            RollupKey key;
            key.size = 2;
            key.bytes[0] = std::uint8_t(i >> 8);
            key.bytes[1] = std::uint8_t(i);
            map[key].counters.add(dense[i]);
            if (req.by != Dimension::Ip)
                result.total.add(dense[i]);
            result.sampled = result.sampled || dense[i].scaledBytes != dense[i].bytes;
        }
        if (denseOther.flows > 0) {
            map[RollupKey{}].counters.add(denseOther);
            result.total.add(denseOther);
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
        if (!exact && !merged && limit && req.requireExact && !result.keysCapped &&
            result.rows.size() >= limit) {
            if (auto refined = refine(map, rows, cuts, cutOf, bound, presence, provenAbsent, result);
                !refined)
                return fail(refined.error());
            else
                exact = *refined;
        }
        if (limit && result.rows.size() > limit)
            result.rows.resize(limit);
        result.exact = exact && !result.keysCapped;
        result.keysAtLeast = !cuts.empty() || result.keysCapped; // truncated buckets hide keys
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
