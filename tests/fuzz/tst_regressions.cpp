// Regression tests for what fuzzing found (fuzz/run.sh): each case feeds the input that failed, inline,
// to the API the fuzz target drives, and checks the fixed behaviour.

#include "core/store/flow_block.h"

#include <vector>

#include <QtTest>

using namespace flowlens;

namespace {

std::span<const std::byte> bytesOf(const QByteArray& a)
{
    return {reinterpret_cast<const std::byte*>(a.constData()), std::size_t(a.size())};
}

} // namespace

class TestRegressions : public QObject
{
    Q_OBJECT

private slots:
    void blockCountIsBounded_data();
    void blockCountIsBounded();
    void largestBlockRoundTrips();
    void emptyBlockDecodes();
};

void TestRegressions::blockCountIsBounded_data()
{
    QTest::addColumn<QByteArray>("blob");
    QTest::addColumn<quint32>("count"); // what the directory claims

    // fuzz_block_decoder oom-*: a directory of no columns claiming 16777060 flows opened, and the
    // reader then allocated that many records (5 GB) before decoding a byte.
    QTest::newRow("header only, 16777060 flows") << QByteArray::fromHex("464c423164ffff000000") << 16777060u;
    // fuzz_block_decoder timeout-6de06cfa: 524287 flows, no columns (the rest is junk): seconds spent
    // zero-filling 170 MB of records.
    QTest::newRow("no columns, 524287 flows")
        << QByteArray::fromHex("464c4231ffff070000001500000308000000080000000102380000003e0000000202380000003"
                               "e0000000301ffffffff"
                               "fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff"
                               "fffffffffffffffffff"
                               "ffffffffffffffffffff97f08c2d1b5b3d55ff0100ff0000e8ff0000ff0000f2ee14ff0000ff0"
                               "000020060086a284f28"
                               "3603010000000100000000002a36fe9c971700e21c6bccf2ee14802c9755e8f2ee1429df5b000"
                               "0000000771e00000000"
                               "000000000000000000000000ffffc000020100000000000000000000ffff140001ae000000000"
                               "00000000000ffff1e00"
                               "01ae00000000000000000000ffff0a64670100000000000000000000ffff000000881e1e00010"
                               "30003030005ae043981"
                               "a8af57020060c405b000000000000000000000ffff0a64670100000000000000070000ffff000"
                               "0000050040000080000"
                               "0020030000fb02000001000000010000000008fd202003")
        << 524287u;
}

void TestRegressions::blockCountIsBounded()
{
    QFETCH(QByteArray, blob);
    QFETCH(quint32, count);
    QVERIFY(count > store::kMaxBlockFlows);
    store::BlockDecoder decoder;
    QVERIFY(!decoder.open(bytesOf(blob)));
    QCOMPARE(decoder.count(), std::size_t(count)); // read, then refused
    // The same directory within the bound opens (it is the count that was wrong).
    QByteArray bounded = blob;
    bounded[4] = 0;
    bounded[5] = 1;
    bounded[6] = 0;
    bounded[7] = 0;
    QVERIFY(decoder.open(bytesOf(bounded)));
    QCOMPARE(decoder.count(), std::size_t(256));
}

void TestRegressions::largestBlockRoundTrips()
{
    // Every block the writer can produce still opens: kMaxBlockFlows records round-trip, and the
    // encoder never writes a longer block (it cuts the span there).
    std::vector<decode::FlowRecord> records(store::kMaxBlockFlows + 1);
    for (std::size_t i = 0; i < records.size(); ++i) {
        records[i].time_received_ns = 1'700'000'000'000'000'000ull + i;
        records[i].bytes = i;
    }
    store::BlockEncoder encoder;
    std::vector<std::byte> blob;
    encoder.encode(records, blob);
    store::BlockDecoder decoder;
    QVERIFY(decoder.open(blob));
    QCOMPARE(decoder.count(), store::kMaxBlockFlows);
    std::vector<decode::FlowRecord> back(decoder.count());
    QVERIFY(decoder.decode(store::allFields(), back));
    QCOMPARE(back.back().bytes, std::uint64_t(store::kMaxBlockFlows - 1));
    QCOMPARE(back.back().time_received_ns, records[store::kMaxBlockFlows - 1].time_received_ns);
}

void TestRegressions::emptyBlockDecodes()
{
    // fuzz_block_decoder crash-71425cd8 (UBSan): a block of 0 flows decoded into an empty vector did
    // pointer arithmetic on its null data() ("applying non-zero offset to null pointer").
    const QByteArray blob = QByteArray::fromHex("464c423100000000000003");
    store::BlockDecoder decoder;
    QVERIFY(decoder.open(bytesOf(blob)));
    QCOMPARE(decoder.count(), std::size_t(0));
    std::vector<decode::FlowRecord> none;
    QVERIFY(decoder.decode(store::allFields(), none));
    // An encoded empty span reads back the same way.
    store::BlockEncoder encoder;
    std::vector<std::byte> encoded;
    encoder.encode(std::span<const decode::FlowRecord>(), encoded);
    QVERIFY(decoder.open(encoded));
    QCOMPARE(decoder.count(), std::size_t(0));
    QVERIFY(decoder.decode(store::allFields(), none));
}

QTEST_GUILESS_MAIN(TestRegressions)
#include "tst_regressions.moc"
