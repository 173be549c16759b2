// RollupAccumulator against a plain std::map reference: ports (direct tables), addresses and pairs
// (hash maps grown well past the size that gets huge pages), merging and clearing.
#include "core/store/rollup_accumulator.h"

#include <map>
#include <random>

#include <QtTest>

using namespace flowlens;
using decode::FlowRecord;
using store::Counters;
using store::Dimension;
using store::RollupKey;

namespace {

FlowRecord flow(std::uint32_t src, std::uint32_t dst, std::uint16_t srcPort, std::uint16_t dstPort,
                std::uint64_t bytes, std::uint32_t rate = 0)
{
    FlowRecord r;
    r.src_addr = decode::IpAddress::fromV4(src);
    r.dst_addr = decode::IpAddress::fromV4(dst);
    r.sampler_address = decode::IpAddress::fromV4(0xc0000201u);
    r.proto = 17;
    r.src_port = srcPort;
    r.dst_port = dstPort;
    r.bytes = bytes;
    r.packets = 1 + bytes / 1000;
    r.sampling_rate = rate;
    return r;
}

bool sameCounters(const Counters& a, const Counters& b)
{
    return a.flows == b.flows && a.packets == b.packets && a.bytes == b.bytes &&
           a.scaledPackets == b.scaledPackets && a.scaledBytes == b.scaledBytes;
}

/// Every key of `d` with its counters, as the accumulator reports them (nothing truncated).
std::map<RollupKey, Counters> allRows(const store::RollupAccumulator& acc, Dimension d)
{
    std::map<RollupKey, Counters> out;
    const auto rows = acc.rows(d, SIZE_MAX / 4);
    for (const auto& [key, c] : rows.rows)
        out[key] = c;
    return out;
}

std::map<RollupKey, Counters> reference(std::span<const FlowRecord> flows, Dimension d)
{
    std::map<RollupKey, Counters> out;
    for (const auto& f : flows) {
        RollupKey keys[2];
        const int n = store::rollupKeys(d, f, keys);
        for (int i = 0; i < n; ++i)
            out[keys[i]].add(f);
    }
    return out;
}

bool sameRows(const std::map<RollupKey, Counters>& a, const std::map<RollupKey, Counters>& b)
{
    if (a.size() != b.size())
        return false;
    for (const auto& [key, c] : a) {
        const auto it = b.find(key);
        if (it == b.end() || !sameCounters(c, it->second))
            return false;
    }
    return true;
}

} // namespace

class TestRollupAccumulator : public QObject
{
    Q_OBJECT

private slots:
    void countsEveryPort()
    {
        std::vector<FlowRecord> flows;
        for (std::uint32_t p : {0u, 1u, 63u, 64u, 443u, 32768u, 65534u, 65535u})
            for (int i = 0; i < 3; ++i)
                flows.push_back(flow(1, 2, std::uint16_t(p), std::uint16_t(65535 - p), 100 * (p + 1), 10));
        store::RollupAccumulator acc(1000);
        acc.add(flows);
        QCOMPARE(acc.keyCount(Dimension::SrcPort), std::size_t(8));
        QVERIFY(sameRows(allRows(acc, Dimension::SrcPort), reference(flows, Dimension::SrcPort)));
        QVERIFY(sameRows(allRows(acc, Dimension::DstPort), reference(flows, Dimension::DstPort)));

        // Cleared ports start from zero: only the ports used are reset, the others never held anything.
        acc.clear();
        QCOMPARE(acc.keyCount(Dimension::SrcPort), std::size_t(0));
        QVERIFY(acc.rows(Dimension::SrcPort, 100).rows.empty());
        const std::vector<FlowRecord> again{flow(1, 2, 443, 80, 5)};
        acc.add(again);
        QVERIFY(sameRows(allRows(acc, Dimension::SrcPort), reference(again, Dimension::SrcPort)));

        // A closed minute merged into an hour, and stored rows merged back in.
        store::RollupAccumulator hour(1000);
        hour.mergeFrom(acc);
        hour.mergeFrom(acc);
        std::vector<FlowRecord> twice{again[0], again[0]};
        QVERIFY(sameRows(allRows(hour, Dimension::SrcPort), reference(twice, Dimension::SrcPort)));
        RollupKey port80[2];
        store::rollupKeys(Dimension::DstPort, again[0], port80);
        Counters stored;
        stored.add(again[0]);
        hour.merge(Dimension::DstPort, port80[0], stored);
        twice.push_back(again[0]);
        QVERIFY(sameRows(allRows(hour, Dimension::DstPort), reference(twice, Dimension::DstPort)));
    }

    void growsLargeMapsWithoutLosingKeys()
    {
        // 300,000 sources and pairs: the maps grow through sizes served by calloc and by huge pages.
        std::mt19937 rng(5);
        std::vector<FlowRecord> flows;
        flows.reserve(400000);
        for (std::uint32_t i = 0; i < 300000; ++i)
            flows.push_back(flow(0x0a000000u + i, 0xc0a80000u + rng() % 5000, std::uint16_t(rng()),
                                 std::uint16_t(rng() % 1024), rng() % 100000, rng() % 3 ? 0 : 100));
        for (std::uint32_t i = 0; i < 100000; ++i)
            flows.push_back(flows[rng() % flows.size()]); // repeats of keys already seen
        store::RollupAccumulator acc(1'000'000);
        for (std::size_t at = 0; at < flows.size(); at += 7000)
            acc.add(std::span(flows).subspan(at, std::min<std::size_t>(7000, flows.size() - at)));
        QCOMPARE(acc.keyCount(Dimension::Src), std::size_t(300000));
        QCOMPARE(acc.flowCount(), std::uint64_t(flows.size()));
        for (Dimension d : {Dimension::Src, Dimension::Dst, Dimension::Pair, Dimension::SrcPort,
                            Dimension::DstPort, Dimension::Ip})
            QVERIFY2(sameRows(allRows(acc, d), reference(flows, d)), store::dimensionName(d).data());
        // The same flows again after clear(): the grown maps are reused, nothing of before remains.
        acc.clear();
        const auto half = std::span(flows).first(150000);
        acc.add(half);
        for (Dimension d : {Dimension::Src, Dimension::Pair, Dimension::SrcPort})
            QVERIFY2(sameRows(allRows(acc, d), reference(half, d)), store::dimensionName(d).data());
    }
};

QTEST_APPLESS_MAIN(TestRollupAccumulator)
#include "tst_rollup_accumulator.moc"
