// ColumnBlock: flows gathered into columns as they arrive read back as they went in, fields get a
// column only once nonzero, and a block encodes to the same bytes as the records it holds.
#include "core/store/column_block.h"
#include "core/store/flow_block.h"

#include <cstring>
#include <random>

#include <QtTest>

using namespace flowlens;
using decode::FlowField;
using decode::FlowRecord;

namespace {

std::vector<FlowRecord> someFlows(std::size_t n, std::uint64_t seed)
{
    std::mt19937_64 rng(seed);
    std::vector<FlowRecord> v(n);
    std::uint64_t t = 1'790'000'000'000'000'000ull;
    for (std::size_t i = 0; i < n; ++i) {
        FlowRecord& r = v[i];
        t += rng() % 3'000'000;
        r.time_received_ns = (i % 97 == 5) ? t - 7'000'000'000ull : t; // some late flows
        r.time_flow_start_ns = t - rng() % 60'000'000'000ull;
        r.bytes = rng() % 2'000'000;
        r.packets = 1 + rng() % 500;
        r.src_addr = decode::IpAddress::fromV4(std::uint32_t(rng()));
        r.dst_addr = (i % 11 == 0) ? decode::IpAddress::parse("2001:db8::7").value()
                                   : decode::IpAddress::fromV4(std::uint32_t(rng()));
        r.src_port = std::uint16_t(rng());
        r.dst_port = 443;
        r.proto = 6;
        r.type = decode::FlowType::Ipfix;
        if (i >= 700) { // fields that appear only late in the block
            r.mpls_label[1] = 16001;
            r.mpls_label_count = 2;
            r.src_city = std::uint32_t(1 + rng() % 1000);
        }
        if (i == 1500)
            r.post_nat_dst_port = 8080; // one flow only
    }
    return v;
}

bool sameRecord(const FlowRecord& a, const FlowRecord& b)
{
    // Every registered field (padding and the reserved byte are not stored).
    for (const auto& info : decode::flowFields()) {
        const auto* pa = reinterpret_cast<const std::uint8_t*>(&a) + info.offset;
        const auto* pb = reinterpret_cast<const std::uint8_t*>(&b) + info.offset;
        if (std::memcmp(pa, pb, info.size) != 0)
            return false;
    }
    return true;
}

} // namespace

class TestColumnBlock : public QObject
{
    Q_OBJECT

private slots:
    void readsBackWhatWasAppended()
    {
        const auto flows = someFlows(2000, 1);
        store::ColumnBlock block;
        block.reserveFlows(4096);
        // Slices of odd sizes, as the writer hands them (512) and as a block boundary cuts them.
        std::size_t at = 0;
        for (std::size_t size :
             {std::size_t(1), std::size_t(63), std::size_t(512), std::size_t(700), std::size_t(724)}) {
            block.append(std::span(flows).subspan(at, size));
            at += size;
        }
        QCOMPARE(at, flows.size());
        QCOMPARE(block.size(), flows.size());
        for (std::size_t i = 0; i < flows.size(); ++i)
            QVERIFY2(sameRecord(block.record(i), flows[i]), qPrintable(QString::number(i)));
        std::uint64_t lo = UINT64_MAX, hi = 0;
        for (const auto& r : flows) {
            lo = std::min(lo, r.time_received_ns);
            hi = std::max(hi, r.time_received_ns);
        }
        QCOMPARE(block.minTimeReceived(), lo);
        QCOMPARE(block.maxTimeReceived(), hi);
    }

    void fieldsGetAColumnOnlyOnceNonzero()
    {
        const auto flows = someFlows(2000, 2);
        store::ColumnBlock block;
        block.append(std::span(flows).first(600));
        QVERIFY(block.column(FlowField::Bytes));
        QVERIFY(!block.column(FlowField::MplsLabel)); // zero so far
        QVERIFY(!block.column(FlowField::NextHop));
        block.append(std::span(flows).subspan(600));
        QVERIFY(block.column(FlowField::MplsLabel));
        QVERIFY(!block.column(FlowField::NextHop)); // zero in every flow
        // The earlier flows read as zero in a column created later.
        QCOMPARE(block.record(10).mpls_label[1], std::uint32_t(0));
        QCOMPARE(block.record(900).mpls_label[1], std::uint32_t(16001));
        QCOMPARE(block.record(1500).post_nat_dst_port, std::uint16_t(8080));
        QCOMPARE(block.record(1499).post_nat_dst_port, std::uint16_t(0));
        block.clear();
        QVERIFY(block.empty());
        QVERIFY(!block.column(FlowField::MplsLabel));
        QCOMPARE(block.minTimeReceived(), std::uint64_t(UINT64_MAX));
        block.append(std::span(flows).first(3));
        QCOMPARE(block.size(), std::size_t(3));
        QVERIFY(!block.column(FlowField::MplsLabel)); // a cleared block starts over
        QVERIFY(sameRecord(block.record(2), flows[2]));
    }

    void encodesLikeTheRecords()
    {
        // The writer encodes its column block; import and tests encode records. Same bytes.
        const auto flows = someFlows(5000, 3);
        store::ColumnBlock block;
        for (std::size_t at = 0; at < flows.size(); at += 512)
            block.append(std::span(flows).subspan(at, std::min<std::size_t>(512, flows.size() - at)));
        store::BlockEncoder encoder;
        std::vector<std::byte> fromColumns, fromRecords;
        encoder.encode(block, fromColumns);
        encoder.encode(flows, fromRecords);
        QVERIFY(fromColumns == fromRecords);
        store::BlockDecoder decoder;
        QVERIFY(decoder.open(fromColumns));
        std::vector<FlowRecord> back(flows.size());
        QVERIFY(decoder.decode(store::allFields(), back));
        for (std::size_t i = 0; i < flows.size(); ++i)
            QVERIFY2(sameRecord(back[i], flows[i]), qPrintable(QString::number(i)));
        QVERIFY(decoder.hasColumn(FlowField::PostNatDstPort));
        QVERIFY(!decoder.hasColumn(FlowField::NextHop));
        // The encoder leaves the block as it was (the open block is encoded again at each commit).
        for (std::size_t i = 0; i < flows.size(); i += 97)
            QVERIFY(sameRecord(block.record(i), flows[i]));
        encoder.encode(block, fromRecords);
        QVERIFY(fromColumns == fromRecords);
    }
};

QTEST_APPLESS_MAIN(TestColumnBlock)
#include "tst_column_block.moc"
