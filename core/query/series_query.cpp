#include "series_query.h"

#include "series_builder.h"

#include "core/store/flow_reader.h"
#include "core/store/sqlite_db.h"

#include <algorithm>

namespace flowlens::query {

using store::Counters;
using store::Dimension;
using store::RollupKey;

namespace {

constexpr std::uint64_t kNs = 1000000000ull;
constexpr std::int64_t kMinute = 60;
constexpr int kMaxBuckets = 20000;

// Widths a person reads easily on an axis.
constexpr std::int64_t kWidths[] = {1,   2,   5,    10,   15,   30,    60,    120,   300,
                                    600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400};

} // namespace

store::FieldMask dimensionFields(Dimension d)
{
    using decode::FlowField;
    store::FieldMask m = store::fieldMask({FlowField::Bytes, FlowField::Packets, FlowField::SamplingRate});
    switch (d) {
    case Dimension::Proto:
        m.set(std::size_t(FlowField::Proto));
        break;
    case Dimension::Src:
        m.set(std::size_t(FlowField::SrcAddr));
        break;
    case Dimension::Dst:
        m.set(std::size_t(FlowField::DstAddr));
        break;
    case Dimension::Ip:
    case Dimension::Pair:
        m.set(std::size_t(FlowField::SrcAddr));
        m.set(std::size_t(FlowField::DstAddr));
        break;
    case Dimension::SrcPort:
        m.set(std::size_t(FlowField::SrcPort));
        break;
    case Dimension::DstPort:
        m.set(std::size_t(FlowField::DstPort));
        break;
    case Dimension::Exporter:
        m.set(std::size_t(FlowField::SamplerAddress));
        break;
    case Dimension::SrcCountry:
        m.set(std::size_t(FlowField::SrcCountry));
        break;
    case Dimension::DstCountry:
        m.set(std::size_t(FlowField::DstCountry));
        break;
    case Dimension::SrcAs:
        m.set(std::size_t(FlowField::SrcLookupAs));
        m.set(std::size_t(FlowField::SrcAs));
        break;
    case Dimension::DstAs:
        m.set(std::size_t(FlowField::DstLookupAs));
        m.set(std::size_t(FlowField::DstAs));
        break;
    case Dimension::SrcCity:
        m.set(std::size_t(FlowField::SrcCity));
        break;
    case Dimension::DstCity:
        m.set(std::size_t(FlowField::DstCity));
        break;
    case Dimension::SrcNet:
        m.set(std::size_t(FlowField::SrcNetName));
        break;
    case Dimension::DstNet:
        m.set(std::size_t(FlowField::DstNetName));
        break;
    case Dimension::Count_:
        break;
    }
    return m;
}

std::int64_t chooseBucketSeconds(std::uint64_t spanNs, bool fine)
{
    const double span = double(spanNs) / double(kNs);
    for (std::int64_t w : kWidths) {
        if (!fine && w < kMinute)
            continue;
        if (span / double(w) <= 240.0)
            return w;
    }
    return kWidths[std::size(kWidths) - 1];
}

SeriesBuilder::SeriesBuilder(const SeriesSpec& spec, std::uint64_t firstBucketNs, std::int64_t bucketSeconds,
                             int bucketCount)
    : m_spec(spec)
    , m_firstNs(firstBucketNs)
    , m_width(std::max<std::int64_t>(1, bucketSeconds))
    , m_count(std::max(1, bucketCount))
    , m_other(std::size_t(m_count))
    , m_total(std::size_t(m_count))
{}

store::FieldMask SeriesBuilder::fields() const
{
    return dimensionFields(m_spec.by);
}

int SeriesBuilder::bucketOfNs(std::uint64_t ns) const
{
    if (ns <= m_firstNs)
        return 0;
    const std::uint64_t i = (ns - m_firstNs) / (std::uint64_t(m_width) * kNs);
    return int(std::min<std::uint64_t>(i, std::uint64_t(m_count - 1)));
}

int SeriesBuilder::bucketOfSeconds(std::int64_t s) const
{
    return bucketOfNs(std::uint64_t(std::max<std::int64_t>(0, s)) * kNs);
}

void SeriesBuilder::addFlow(const decode::FlowRecord& r, bool countTotal)
{
    const int b = bucketOfNs(r.time_received_ns);
    if (countTotal)
        m_total[std::size_t(b)].add(r);
    m_sampled = m_sampled || r.sampling_rate > 1;
    if (m_spec.by == Dimension::Count_)
        return;
    RollupKey keys[2];
    const int n = store::rollupKeys(m_spec.by, r, keys);
    for (int k = 0; k < n; ++k) {
        auto& v = m_perKey[keys[k]];
        if (v.empty())
            v.resize(std::size_t(m_count));
        v[std::size_t(b)].add(r);
    }
}

void SeriesBuilder::addRollup(std::int64_t bucketStartS, const RollupKey& key, const Counters& c)
{
    const int b = bucketOfSeconds(bucketStartS);
    if (m_spec.by != Dimension::Ip)
        m_total[std::size_t(b)].add(c);
    if (c.scaledBytes != c.bytes || c.scaledPackets != c.packets)
        m_sampled = true;
    if (m_spec.by == Dimension::Count_)
        return;
    if (key.isOther()) {
        m_other[std::size_t(b)].add(c);
        return;
    }
    auto& v = m_perKey[key];
    if (v.empty())
        v.resize(std::size_t(m_count));
    v[std::size_t(b)].add(c);
}

void SeriesBuilder::addTotal(std::int64_t bucketStartS, const Counters& c)
{
    m_total[std::size_t(bucketOfSeconds(bucketStartS))].add(c);
}

SeriesResult SeriesBuilder::finish(std::uint64_t sinceNs, std::uint64_t endNs, bool raw)
{
    SeriesResult out;
    out.spec = m_spec;
    out.firstBucketNs = m_firstNs;
    out.bucketSeconds = m_width;
    out.sampled = m_sampled;
    out.coveredSeconds.resize(std::size_t(m_count));
    for (int i = 0; i < m_count; ++i) {
        const std::uint64_t b0 = m_firstNs + std::uint64_t(i) * std::uint64_t(m_width) * kNs;
        const std::uint64_t b1 = b0 + std::uint64_t(m_width) * kNs;
        const std::uint64_t lo = std::max(b0, sinceNs);
        const std::uint64_t hi = std::min(b1, endNs);
        out.coveredSeconds[std::size_t(i)] = hi > lo ? double(hi - lo) / double(kNs) : 0.0;
    }

    struct Ranked
    {
        RollupKey key;
        std::uint64_t value;
    };
    std::vector<Ranked> ranked;
    ranked.reserve(m_perKey.size());
    for (const auto& [key, values] : m_perKey) {
        Counters sum;
        for (const Counters& c : values)
            sum.add(c);
        ranked.push_back({key, store::metricValue(sum, m_spec.rankBy, raw)});
    }
    std::sort(ranked.begin(), ranked.end(), [](const Ranked& a, const Ranked& b) {
        return a.value != b.value ? a.value > b.value : a.key < b.key;
    });
    const std::size_t keep = std::min(ranked.size(), std::size_t(std::max(0, m_spec.topKeys)));
    out.other = std::move(m_other);
    for (std::size_t i = 0; i < ranked.size(); ++i) {
        auto& values = m_perKey[ranked[i].key];
        if (i < keep) {
            out.keys.push_back(ranked[i].key);
            out.values.push_back(std::move(values));
        } else {
            for (std::size_t b = 0; b < values.size(); ++b)
                out.other[b].add(values[b]);
        }
    }
    out.total = std::move(m_total);
    return out;
}

namespace {

Result<std::uint64_t> flowsInRange(store::FlowReader& reader, std::uint64_t since, std::uint64_t until)
{
    auto st = reader.database().prepare(
        "SELECT coalesce(sum(n), 0) FROM flow_blocks WHERE t_max >= ?1 AND t_min < ?2");
    if (!st)
        return fail(st.error());
    st->bind(1, std::int64_t(std::min<std::uint64_t>(since, INT64_MAX)));
    st->bind(2, std::int64_t(std::min<std::uint64_t>(until, INT64_MAX)));
    if (!st->step())
        return fail(st->hasError() ? st->error() : QStringLiteral("no result"));
    return std::uint64_t(st->columnInt(0));
}

Result<void> scanSeries(store::FlowReader& reader, const SeriesRequest& req, SeriesBuilder& builder,
                        std::uint64_t since, std::uint64_t until, const CancelToken& cancel,
                        bool countTotal = true)
{
    if (since >= until)
        return {};
    store::FlowReader::ScanOptions opts;
    opts.sinceNs = since;
    opts.untilNs = until;
    opts.fields = builder.fields();
    for (decode::FlowField f : req.filter.fields())
        opts.fields.set(std::size_t(f));
    const bool filtered = !req.filter.isEmpty();
    bool cancelled = false;
    auto r = reader.scan(opts, [&](std::span<const decode::FlowRecord> flows) {
        if (cancel.isCancelled()) {
            cancelled = true;
            return false;
        }
        for (const decode::FlowRecord& f : flows)
            if (!filtered || req.filter.matches(f))
                builder.addFlow(f, countTotal);
        return true;
    });
    if (!r)
        return r;
    if (cancelled)
        return fail(QStringLiteral("cancelled"));
    return {};
}

} // namespace

Result<SeriesResult> runSeries(store::FlowReader& reader, const SeriesRequest& request,
                               const CancelToken& cancel)
{
    if (auto r = reader.beginSnapshot(); !r)
        return fail(r.error());
    struct EndSnapshot
    {
        store::FlowReader& r;
        ~EndSnapshot() { r.endSnapshot(); }
    } endSnapshot{reader};

    SeriesRequest req = request;
    if (req.sinceNs == 0 || (req.untilNs == UINT64_MAX && req.nowNs == 0)) {
        auto range = reader.timeRange();
        if (!range)
            return fail(range.error());
        if (req.sinceNs == 0)
            req.sinceNs = range->first;
        if (req.untilNs == UINT64_MAX && req.nowNs == 0)
            req.nowNs = range->second + 1;
    }
    const std::uint64_t endNs =
        req.untilNs != UINT64_MAX ? req.untilNs : std::max(req.nowNs, req.sinceNs + 1);
    const std::uint64_t span = endNs > req.sinceNs ? endNs - req.sinceNs : 1;

    std::int64_t width = req.spec.bucketSeconds;
    if (width <= 0) {
        auto n = flowsInRange(reader, req.sinceNs, endNs);
        if (!n)
            return fail(n.error());
        width = chooseBucketSeconds(span, *n <= req.fineScanBudget);
    }
    const std::uint64_t widthNs = std::uint64_t(width) * kNs;
    const std::uint64_t firstNs = req.sinceNs - req.sinceNs % widthNs;
    const std::uint64_t count64 = (endNs - firstNs + widthNs - 1) / widthNs;
    const int count = int(std::clamp<std::uint64_t>(count64, 1, kMaxBuckets));
    SeriesBuilder builder(req.spec, firstNs, width, count);

    const bool useRollups = req.filter.isEmpty() && width % kMinute == 0;
    // Whole minutes inside [since, until): rollups; partial minutes at the edges: scanned.
    const std::uint64_t minuteNs = kMinute * kNs;
    const std::uint64_t firstWhole = (req.sinceNs + minuteNs - 1) / minuteNs * minuteNs;
    const std::uint64_t endWhole =
        req.untilNs == UINT64_MAX ? UINT64_MAX : req.untilNs - req.untilNs % minuteNs;
    if (!useRollups || endWhole <= firstWhole) {
        if (auto r = scanSeries(reader, req, builder, req.sinceNs, req.untilNs, cancel); !r)
            return fail(r.error());
        return builder.finish(req.sinceNs, endNs, req.raw);
    }

    if (auto r = scanSeries(reader, req, builder, req.sinceNs, firstWhole, cancel); !r)
        return fail(r.error());
    if (endWhole != UINT64_MAX)
        if (auto r = scanSeries(reader, req, builder, endWhole, req.untilNs, cancel); !r)
            return fail(r.error());

    const std::int64_t fromBucket = std::int64_t(firstWhole / kNs);
    const std::int64_t toBucket = endWhole == UINT64_MAX ? INT64_MAX / 2 : std::int64_t(endWhole / kNs);
    const Dimension source = req.spec.by == Dimension::Count_ ? Dimension::Proto : req.spec.by;
    auto rows = reader.visitRollupRows(source, fromBucket, toBucket, kMinute,
                                       [&](std::int64_t, std::span<const store::RollupRow> bucketRows) {
                                           for (const auto& row : bucketRows)
                                               builder.addRollup(row.bucket, row.key, row.counters);
                                       });
    if (!rows)
        return fail(rows.error());
    // Quiet minutes keep no rows of high-cardinality dimensions: read their flows instead (totals
    // of Dimension::Ip come from the protocol rows, which are always kept).
    if (source != Dimension::Proto && source != Dimension::Exporter) {
        auto sparse = reader.sparseMinutes(source, fromBucket, toBucket);
        if (!sparse)
            return fail(sparse.error());
        std::vector<std::int64_t> minutes = *sparse;
        std::sort(minutes.begin(), minutes.end());
        for (std::size_t i = 0; i < minutes.size();) {
            std::size_t j = i + 1;
            while (j < minutes.size() && minutes[j] == minutes[j - 1] + kMinute)
                ++j;
            const std::uint64_t from = std::uint64_t(minutes[i]) * kNs;
            const std::uint64_t to = std::uint64_t(minutes[j - 1] + kMinute) * kNs;
            if (auto r = scanSeries(reader, req, builder, from, to, cancel, req.spec.by != Dimension::Ip); !r)
                return fail(r.error());
            i = j;
        }
    }
    if (req.spec.by == Dimension::Ip) {
        auto totals = reader.rollupRows(Dimension::Proto, fromBucket, toBucket);
        if (!totals)
            return fail(totals.error());
        for (const auto& row : *totals)
            builder.addTotal(row.bucket, row.counters);
    }
    bool exact = true;
    if (req.spec.by != Dimension::Count_) {
        auto cuts = reader.rollupCuts(source, fromBucket, toBucket);
        if (!cuts)
            return fail(cuts.error());
        exact = cuts->empty();
    }
    SeriesResult out = builder.finish(req.sinceNs, endNs, req.raw);
    out.fromRollups = true;
    out.exact = exact;
    return out;
}

} // namespace flowlens::query
