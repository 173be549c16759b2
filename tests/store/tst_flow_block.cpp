#include "core/store/flow_block.h"

#include <cstring>
#include <random>

#include <QtTest>

using namespace flowlens;
using decode::FlowRecord;

namespace {

std::vector<FlowRecord> randomFlows(std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<FlowRecord> v(n);
    std::uint64_t t = 1'700'000'000'000'000'000ull;
    for (auto& r : v) {
        t += rng() % 1'000'000;
        r.time_received_ns = t;
        r.time_flow_start_ns = t - rng() % 10'000'000'000ull;
        r.time_flow_end_ns = t - rng() % 1'000'000'000ull;
        r.bytes = rng() % 1'000'000;
        r.packets = 1 + rng() % 1000;
        r.sampling_rate = (rng() % 4 == 0) ? 100 : 0;
        r.src_addr = (rng() % 5) ? decode::IpAddress::fromV4(0x0a000000u | std::uint32_t(rng() % 65536))
                                 : decode::IpAddress::parse("2001:db8::1").value();
        r.dst_addr = decode::IpAddress::fromV4(std::uint32_t(rng()));
        r.sampler_address = decode::IpAddress::fromV4(0xc0000201u);
        r.src_port = std::uint16_t(rng());
        r.dst_port = std::uint16_t(rng() % 3 == 0 ? 443 : rng());
        r.proto = (rng() % 2) ? 6 : 17;
        r.etype = r.src_addr.isV4() ? 0x0800 : 0x86dd;
        r.tcp_flags = std::uint16_t(rng() % 64);
        r.in_if = std::uint32_t(rng() % 8);
        r.mpls_label[0] = (rng() % 10 == 0) ? 16000 : 0;
        r.mpls_label_count = r.mpls_label[0] ? 1 : 0;
        r.type = decode::FlowType::NetFlowV9;
    }
    return v;
}

} // namespace

class TestFlowBlock : public QObject
{
    Q_OBJECT

private slots:
    void roundTripsEveryField_data()
    {
        QTest::addColumn<int>("count");
        QTest::newRow("one") << 1;
        QTest::newRow("small") << 17;
        QTest::newRow("full block") << 32768;
    }

    void roundTripsEveryField()
    {
        QFETCH(int, count);
        const auto flows = randomFlows(std::size_t(count), 42);
        store::BlockEncoder enc;
        std::vector<std::byte> blob;
        enc.encode(flows, blob);
        store::BlockDecoder dec;
        QVERIFY(dec.open(blob));
        QCOMPARE(dec.count(), std::size_t(count));
        std::vector<FlowRecord> back(static_cast<std::size_t>(count));
        QVERIFY(dec.decode(store::allFields(), back));
        QVERIFY(std::memcmp(back.data(), flows.data(), sizeof(FlowRecord) * flows.size()) == 0);
        QVERIFY(!dec.hasColumn(decode::FlowField::NextHop)); // all-zero columns are not stored
    }

    void encodesIntoARecycledBuffer()
    {
        // The encode worker hands blocks buffers of earlier blocks (bigger, full of old bytes).
        const auto flows = randomFlows(5000, 7);
        store::BlockEncoder enc;
        std::vector<std::byte> fresh;
        enc.encode(flows, fresh);
        std::vector<std::byte> recycled(fresh.size() * 3, std::byte{0xA5});
        enc.encode(randomFlows(300, 8), recycled);
        enc.encode(flows, recycled);
        QCOMPARE(recycled.size(), fresh.size());
        QVERIFY(recycled == fresh);
    }

    void decodesOnlyRequestedColumns()
    {
        const auto flows = randomFlows(100, 7);
        store::BlockEncoder enc;
        std::vector<std::byte> blob;
        enc.encode(flows, blob);
        store::BlockDecoder dec;
        QVERIFY(dec.open(blob));
        std::vector<FlowRecord> back(100);
        QVERIFY(dec.decode(store::fieldMask({decode::FlowField::Bytes}), back));
        QCOMPARE(back[5].bytes, flows[5].bytes);
        QCOMPARE(back[5].packets, std::uint64_t(0));
    }

    void compressesRealisticFlows()
    {
        const auto flows = randomFlows(32768, 3);
        store::BlockEncoder enc;
        std::vector<std::byte> blob;
        enc.encode(flows, blob);
        // Random counters and addresses still compress well below the 320-byte in-memory record.
        QVERIFY2(blob.size() / flows.size() < 60, qPrintable(QString::number(blob.size() / flows.size())));
    }

    void rejectsCorruptBlocks()
    {
        const auto flows = randomFlows(50, 9);
        store::BlockEncoder enc;
        std::vector<std::byte> blob;
        enc.encode(flows, blob);
        store::BlockDecoder dec;
        QVERIFY(!dec.open(std::span<const std::byte>(blob.data(), 5)));
        auto truncated = blob;
        truncated.resize(blob.size() - 10);
        std::vector<FlowRecord> back(50);
        QVERIFY(!dec.open(truncated) || !dec.decode(store::allFields(), back));
        auto badCount = blob;
        badCount[4] = std::byte{0xff};
        QVERIFY(!dec.open(badCount));
        // Flipping bytes anywhere never crashes.
        std::mt19937 rng(1);
        for (int i = 0; i < 2000; ++i) {
            auto copy = blob;
            copy[rng() % copy.size()] ^= std::byte(1u << (rng() % 8));
            if (dec.open(copy) && dec.count() <= 50)
                (void)dec.decode(store::allFields(), back);
        }
    }
};

QTEST_GUILESS_MAIN(TestFlowBlock)
#include "tst_flow_block.moc"
