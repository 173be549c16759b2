#include "core/gen/byte_writer.h"
#include "core/gen/netflow_v5_encoder.h"
#include "gen/encoder_harness.h"

#include <QtTest>

using namespace flowlens;
using gentest::kNow;

namespace {

decode::FlowRecord tcpFlow()
{
    decode::FlowRecord r;
    r.src_addr = decode::IpAddress::fromV4(0x0a140001); // 10.20.0.1
    r.dst_addr = decode::IpAddress::fromV4(0x8efa0001); // 142.250.0.1
    r.next_hop = decode::IpAddress::fromV4(0xc6336401);
    r.src_port = 40000;
    r.dst_port = 443;
    r.proto = 6;
    r.tcp_flags = 0x1b;
    r.packets = 10;
    r.bytes = 5000;
    r.in_if = 3;
    r.out_if = 1;
    r.dst_as = 15169;
    r.src_net = 22;
    r.dst_net = 15;
    r.time_flow_start_ns = kNow - 2'000'000'000;
    r.time_flow_end_ns = kNow - 1'000'000'000;
    return r;
}

} // namespace

class TestNetflowV5Encoder : public QObject
{
    Q_OBJECT

private slots:
    void roundTripsModelFlows_data()
    {
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<int>("perCall");
        QTest::addColumn<int>("recordsPerDatagram");
        QTest::addColumn<quint64>("samplingRate");
        QTest::newRow("30 per datagram") << quint64(1) << 100 << 0 << quint64(1);
        QTest::newRow("odd batches, 7 per datagram") << quint64(2) << 37 << 7 << quint64(1);
        QTest::newRow("sampled 1:512") << quint64(3) << 90 << 0 << quint64(512);
    }

    void roundTripsModelFlows()
    {
        QFETCH(quint64, seed);
        QFETCH(int, perCall);
        QFETCH(int, recordsPerDatagram);
        QFETCH(quint64, samplingRate);
        gen::EncoderOptions eo;
        eo.recordsPerDatagram = recordsPerDatagram;
        eo.samplingRate = samplingRate;
        eo.domainId = 0x0102; // engine type 1, engine id 2
        gen::NetflowV5Encoder enc(eo);
        gen::TrafficModelOptions mo;
        mo.seed = seed;
        mo.ipv6Share = 0;
        const auto run = gentest::encodeModel(enc, mo, 3000, perCall);
        QCOMPARE(QString::fromStdString(gentest::compareWithExpected(enc, run)), QString());
        QCOMPARE(enc.flowsEncoded(), 3000ull);
        QCOMPARE(enc.datagramsEncoded(), quint64(run.raw.size()));

        const int limit = recordsPerDatagram ? recordsPerDatagram : 30;
        std::uint32_t sequence = 0;
        std::uint64_t bootMs = 0;
        for (std::size_t i = 0; i < run.raw.size(); ++i) {
            const auto& p = run.parsed[i];
            QVERIFY(p.headerCount >= 1 && p.headerCount <= std::uint32_t(limit));
            QCOMPARE(run.raw[i].size(), 24 + 48 * std::size_t(p.headerCount));
            QCOMPARE(p.sequence, sequence); // flows sent before this datagram
            sequence += p.headerCount;
            QCOMPARE(p.domain, 0x0102u);
            // unix time minus uptime names the same boot instant in every datagram
            const std::uint64_t nsecs = gen::load32(run.raw[i].data() + 12);
            const std::uint64_t boot = p.exportSecs * 1000ull + nsecs / 1'000'000 - p.sysUptime;
            if (i == 0)
                bootMs = boot;
            QCOMPARE(boot, bootMs);
            QCOMPARE(p.exportSecs, std::uint32_t(run.nowOfDatagram[i] / 1'000'000'000));
            const std::uint16_t sampling = gen::load16(run.raw[i].data() + 22);
            QCOMPARE(sampling, samplingRate > 1 ? std::uint16_t(0x4000 | samplingRate) : std::uint16_t(0));
        }
    }

    void skipsIpv6Flows()
    {
        gen::NetflowV5Encoder enc({});
        gen::TrafficModelOptions mo;
        mo.ipv6Share = 0.5;
        const auto run = gentest::encodeModel(enc, mo, 2000, 200);
        std::size_t v4 = 0, encoded = 0;
        for (const auto& r : run.sent)
            v4 += r.src_addr.isV4() ? 1 : 0;
        for (std::size_t n : run.encodedPerCall)
            encoded += n;
        QVERIFY(v4 < run.sent.size());
        QCOMPARE(encoded, v4);
        QCOMPARE(QString::fromStdString(gentest::compareWithExpected(enc, run)), QString());
    }

    void wireLimits()
    {
        gen::NetflowV5Encoder enc({});
        decode::FlowRecord big = tcpFlow();
        big.bytes = 10'000'000'000ull; // beyond 32 bits
        big.packets = 7'000'000;
        big.src_as = 4'200'000'000u; // 32-bit AS: AS_TRANS on the wire
        big.in_if = 70000;
        decode::FlowRecord icmp = tcpFlow();
        icmp.proto = 1;
        icmp.src_port = icmp.dst_port = 0;
        icmp.tcp_flags = 0;
        icmp.icmp_type = 3;
        icmp.icmp_code = 13;
        const std::vector<decode::FlowRecord> flows{big, icmp};
        gen::DatagramBatch batch;
        QCOMPARE(enc.encode(flows, kNow, batch), std::size_t(2));
        QCOMPARE(batch.size(), std::size_t(1));
        gentest::ExportParser parser(decode::Protocol::NetFlowV5);
        const auto p = parser.parse(batch.at(0));
        QCOMPARE(QString::fromStdString(p.error), QString());
        QCOMPARE(p.flows[0].bytes, 0xffffffffull);
        QCOMPARE(p.flows[0].packets, 7'000'000ull);
        QCOMPARE(p.flows[0].src_as, 23456u);
        QCOMPARE(p.flows[0].in_if, 65535u);
        QCOMPARE(p.flows[1].src_port, std::uint16_t(0));
        QCOMPARE(p.flows[1].dst_port, std::uint16_t(3 * 256 + 13)); // type*256+code, as Cisco does
        QCOMPARE(QString::fromStdString(gentest::firstDifference(p.flows[0], enc.expectedDecode(big))),
                 QString());
        QCOMPARE(QString::fromStdString(gentest::firstDifference(p.flows[1], enc.expectedDecode(icmp))),
                 QString());
    }

    void explicitBootTime()
    {
        gen::EncoderOptions eo;
        eo.bootTimeNs = kNow - 86'400'000'000'000ull; // booted a day ago
        gen::NetflowV5Encoder enc(eo);
        gen::DatagramBatch batch;
        const std::vector<decode::FlowRecord> flows{tcpFlow()};
        enc.encode(flows, kNow, batch);
        const auto p = gentest::ExportParser(decode::Protocol::NetFlowV5).parse(batch.at(0));
        QCOMPARE(p.sysUptime, 86'400'000u);
        QCOMPARE(p.flows[0].time_flow_start_ns, (kNow - 2'000'000'000) / 1'000'000 * 1'000'000);
    }
};

QTEST_GUILESS_MAIN(TestNetflowV5Encoder)
#include "tst_netflow_v5_encoder.moc"
