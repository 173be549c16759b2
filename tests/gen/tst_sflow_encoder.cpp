#include "core/gen/sflow_encoder.h"
#include "gen/encoder_harness.h"

#include <map>

#include <QtTest>

using namespace flowlens;

class TestSflowEncoder : public QObject
{
    Q_OBJECT

private slots:
    void roundTripsModelFlows_data()
    {
        QTest::addColumn<quint64>("seed");
        QTest::addColumn<int>("recordsPerDatagram");
        QTest::addColumn<quint64>("samplingRate");
        QTest::addColumn<QString>("agent");
        QTest::newRow("unsampled, default agent") << quint64(1) << 0 << quint64(1) << QString();
        QTest::newRow("1:512, IPv6 agent")
            << quint64(2) << 0 << quint64(512) << QStringLiteral("2001:db8::1");
        QTest::newRow("3 samples per datagram")
            << quint64(3) << 3 << quint64(4096) << QStringLiteral("192.0.2.7");
    }

    void roundTripsModelFlows()
    {
        QFETCH(quint64, seed);
        QFETCH(int, recordsPerDatagram);
        QFETCH(quint64, samplingRate);
        QFETCH(QString, agent);
        gen::EncoderOptions eo;
        eo.recordsPerDatagram = recordsPerDatagram;
        eo.samplingRate = samplingRate;
        eo.domainId = 3;
        if (!agent.isEmpty())
            eo.agentAddress = *decode::IpAddress::parse(agent.toStdString());
        gen::SflowEncoder enc(eo);
        gen::TrafficModelOptions mo;
        mo.seed = seed;
        const auto run = gentest::encodeModel(enc, mo, 3000, 50);
        QCOMPARE(QString::fromStdString(gentest::compareWithExpected(enc, run)), QString());

        const auto expectedAgent = agent.isEmpty() ? decode::IpAddress::fromV4(0x0a010001)
                                                   : *decode::IpAddress::parse(agent.toStdString());
        std::map<std::uint32_t, std::uint32_t> nextSequence; // per data source
        for (std::size_t i = 0; i < run.raw.size(); ++i) {
            const auto& p = run.parsed[i];
            QCOMPARE(p.sequence, std::uint32_t(i));
            QCOMPARE(p.domain, 3u);
            QVERIFY(p.agent == expectedAgent);
            QCOMPARE(p.headerCount, std::uint32_t(p.flows.size() + p.counterSamples.size()));
            if (recordsPerDatagram == 0)
                QVERIFY2(run.raw[i].size() <= 1400, qPrintable(QString::number(run.raw[i].size())));
            else
                QVERIFY(p.flows.size() <= std::size_t(recordsPerDatagram));
            for (const auto& s : p.flowSamples) {
                // Each data source (input ifIndex) numbers its samples and counts its pool.
                const std::uint32_t seq = nextSequence[s.sourceId]++;
                QCOMPARE(s.sequence, seq);
                QCOMPARE(s.rate, std::uint32_t(samplingRate));
                QCOMPARE(s.pool, (seq + 1) * std::uint32_t(samplingRate));
            }
        }
        QVERIFY(nextSequence.size() >= 2);
    }

    void countersAddUpTheSampledTraffic()
    {
        gen::EncoderOptions eo;
        eo.samplingRate = 100;
        eo.counterIntervalSeconds = 5;
        gen::SflowEncoder enc(eo);
        // 12 calls one second apart: counters go out with the 1st, 6th and 11th.
        const auto run = gentest::encodeModel(enc, {}, 1200, 100);
        std::map<std::uint32_t, std::uint64_t> inOctets, outOctets, inPackets;
        std::vector<std::uint64_t> counterTimes;
        std::map<std::uint32_t, std::uint32_t> counterSequence;
        for (std::size_t i = 0; i < run.parsed.size(); ++i) {
            const auto& p = run.parsed[i];
            QCOMPARE(QString::fromStdString(p.error), QString());
            for (const auto& f : p.flows) {
                inOctets[f.in_if] += (f.bytes - 4) * 100; // frame without FCS, scaled
                outOctets[f.out_if] += (f.bytes - 4) * 100;
                inPackets[f.in_if] += 100;
            }
            if (!p.counterSamples.empty() &&
                (counterTimes.empty() || counterTimes.back() != run.nowOfDatagram[i]))
                counterTimes.push_back(run.nowOfDatagram[i]);
            for (const auto& c : p.counterSamples) {
                QCOMPARE(c.sequence, counterSequence[c.ifIndex]++);
                QCOMPARE(c.inOctets, inOctets[c.ifIndex]);
                QCOMPARE(c.outOctets, outOctets[c.ifIndex]);
                QCOMPARE(std::uint64_t(c.inPackets), inPackets[c.ifIndex]);
                QCOMPARE(c.speed, c.ifIndex <= 2 ? 10'000'000'000ull : 1'000'000'000ull);
            }
        }
        const std::uint64_t second = 1'000'000'000;
        QCOMPARE(counterTimes, (std::vector<std::uint64_t>{gentest::kNow, gentest::kNow + 5 * second,
                                                           gentest::kNow + 10 * second}));
        QCOMPARE(counterSequence.size(), gen::TrafficModel::interfaces().size());
    }

    void sampledPacket_data()
    {
        QTest::addColumn<int>("proto");
        QTest::addColumn<bool>("v6");
        QTest::addColumn<quint64>("bytes");
        QTest::addColumn<quint64>("packets");
        QTest::addColumn<int>("flowFlags");
        QTest::addColumn<int>("ipLength");
        QTest::addColumn<int>("packetFlags");
        QTest::newRow("bulk TCP") << 6 << false << quint64(1'450'000) << quint64(1000) << 0x1b << 1450
                                  << 0x18;
        QTest::newRow("scan SYN") << 6 << false << quint64(44) << quint64(1) << 0x02 << 44 << 0x02;
        QTest::newRow("reset answer") << 6 << false << quint64(40) << quint64(1) << 0x14 << 40 << 0x14;
        QTest::newRow("ACK-only flow") << 6 << true << quint64(720) << quint64(10) << 0x10 << 72 << 0x10;
        QTest::newRow("tiny UDP is padded to its headers")
            << 17 << true << quint64(40) << quint64(1) << 0 << 48 << 0;
        QTest::newRow("jumbo mean capped at 1500")
            << 17 << false << quint64(90000) << quint64(10) << 0 << 1500 << 0;
    }

    void sampledPacket()
    {
        QFETCH(int, proto);
        QFETCH(bool, v6);
        QFETCH(quint64, bytes);
        QFETCH(quint64, packets);
        QFETCH(int, flowFlags);
        QFETCH(int, ipLength);
        QFETCH(int, packetFlags);
        decode::FlowRecord r;
        r.src_addr = v6 ? *decode::IpAddress::parse("2001:db8::1") : decode::IpAddress::fromV4(0x0a000001);
        r.dst_addr = v6 ? *decode::IpAddress::parse("2001:db8::2") : decode::IpAddress::fromV4(0x0a000002);
        r.proto = std::uint8_t(proto);
        r.bytes = bytes;
        r.packets = packets;
        r.tcp_flags = std::uint16_t(flowFlags);
        QCOMPARE(int(gen::SflowEncoder::sampledPacketLength(r)), ipLength);
        if (proto == 6)
            QCOMPARE(int(gen::SflowEncoder::sampledTcpFlags(r.tcp_flags)), packetFlags);
        gen::SflowEncoder enc({});
        const auto e = enc.expectedDecode(r);
        QCOMPARE(int(e.tcp_flags), packetFlags);   // UDP carries none
        QCOMPARE(e.bytes, quint64(ipLength + 18)); // Ethernet header and FCS
        QCOMPARE(e.packets, 1ull);
        QCOMPARE(e.sampling_rate, 1ull);
    }
};

QTEST_GUILESS_MAIN(TestSflowEncoder)
#include "tst_sflow_encoder.moc"
