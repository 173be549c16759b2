// NetFlow v5 conformance: every v5 vector with expected values, plus targeted unit cases.
#include "decode/oracle_support.h"
#include "decode/packet_builder.h"

using namespace flowlens;
using namespace flowlens::decode;
using namespace flowlens::test;

namespace {

// Expected values that the oracles get wrong, with the evidence.
constexpr KnownDeviation kDeviations[] = {
    {"*", "first_switched: logstash 1 s late",
     "logstash-codec-netflow v5: when (unix_nsecs/1000 - (sysUptime - first) % 1000 * 1000) is negative it "
     "adds 1e6 us without taking 1 s off the seconds: 1 s late. E.g. Juniper MX80 record 28: 1469109172.000 "
     "s - "
     "(190649064 - 190631000) ms = 1469109153.936 (logstash .154.936); tshark's relative times agree."},
    {"*", "last_switched: logstash 1 s late", "same logstash v5 borrow error as first_switched"},
    {"Netflow_5_valid_01", "event 0: first_switched",
     "First = 0xFFFFFFFF with SysUptime = 3381 ms: the uptime wrapped, so the flow started 3382 ms before "
     "export "
     "(2015-05-02T18:38:04.898Z); logstash's unsigned arithmetic puts it 49.7 days later (2015-06-21), after "
     "the "
     "export time itself (see MANIFEST caveat)."},
    {"Netflow_5_valid_01", "event 1: first_switched", "same uptime wrap as event 0"},
};

SourceTally g_tally;

} // namespace

class TestNetflowV5 : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!QDir(vectorsDir()).exists())
            QSKIP("oracle vectors not found; set FLOWLENS_VECTORS to shared/oracle/vectors");
    }
    void cleanupTestCase() { g_tally.print(); }

    void logstash_data()
    {
        QTest::addColumn<QString>("context");
        for (const QString& c : logstashContexts(5))
            QTest::newRow(qPrintable(c)) << c;
    }
    void logstash()
    {
        QFETCH(QString, context);
        const RowResult r = runLogstash(context, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("logstash-codec-netflow (v5)"));
    }

    void akvorado_data()
    {
        QTest::addColumn<QJsonObject>("test");
        for (const auto& [name, test] : akvoradoTests(5))
            QTest::newRow(qPrintable(name)) << test;
    }
    void akvorado()
    {
        QFETCH(QJsonObject, test);
        const RowResult r = runAkvorado(test, QTest::currentDataTag(), kDeviations);
        const QString na = akvoradoNotApplicable(test);
        if (!na.isEmpty()) {
            g_tally.add(QStringLiteral("akvorado (v5)"));
            g_tally.notApplicable(QStringLiteral("akvorado (v5)"));
            QSKIP(qPrintable(na));
        }
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("akvorado (v5)"));
    }

    void telegraf_data()
    {
        QTest::addColumn<QString>("caseName");
        for (const QString& c : telegrafCases(5))
            QTest::newRow(qPrintable(c)) << c;
    }
    void telegraf()
    {
        QFETCH(QString, caseName);
        const RowResult r = runTelegraf(caseName, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("telegraf (v5)"));
    }

    void netflowParser_data()
    {
        QTest::addColumn<QJsonObject>("test");
        for (const auto& [name, test] : snapshotTests(5))
            QTest::newRow(qPrintable(name)) << test;
    }
    void netflowParser()
    {
        QFETCH(QJsonObject, test);
        const RowResult r = runSnapshot(test, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("netflow_parser_rs (v5)"));
    }

    // goflow2, scapy and vflow v5 datagrams: header count, record values they assert.
    void smallSources_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("goflow2 TestDecodeNetFlowV5")
            << QStringLiteral("goflow2/nfv5_goflow2_TestDecodeNetFlowV5.bin");
        QTest::newRow("scapy basic dissection") << QStringLiteral("scapy/nfv5_scapy_basic_dissection.bin");
        QTest::newRow("scapy build two records") << QStringLiteral("scapy/nfv5_scapy_build_two_records.bin");
        QTest::newRow("vflow TestV5FlowPacket") << QStringLiteral("vflow/nfv5_vflow_TestV5FlowPacket.bin");
    }
    void smallSources()
    {
        QFETCH(QString, file);
        const QString source = file.section(QLatin1Char('/'), 0, 0);
        const QString name = file.section(QLatin1Char('/'), 1);
        const QJsonObject v = readJsonObject(vectorPath(source + QStringLiteral("/expected.json")))
                                  .value(QLatin1String("vectors"))
                                  .toObject()
                                  .value(name)
                                  .toObject();
        QVERIFY(!v.isEmpty());
        const QByteArray bytes = readFile(vectorPath(file));
        QVERIFY(bytes.size() >= 24);
        const std::uint64_t headerCount = (std::uint8_t(bytes[2]) << 8) | std::uint8_t(bytes[3]);
        DecodeRun run;
        run.feed(toBytes(bytes), endpoint("114.23.3.231:9995"));
        FieldChecker c;
        // Every record the header announces is in these datagrams.
        c.compare(QStringLiteral("records = header count"), run.flows.size(), headerCount);
        const QJsonObject asserted = v.value(QLatin1String("asserted")).toObject();
        if (asserted.contains(QLatin1String("count")))
            c.compare(QStringLiteral("count"), run.flows.size(),
                      jsonU64(asserted.value(QLatin1String("count"))));
        if (asserted.contains(QLatin1String("Records[0].Input")) && !run.flows.empty())
            c.compare(QStringLiteral("Records[0].Input"), run.flows.front().in_if,
                      jsonU64(asserted.value(QLatin1String("Records[0].Input"))));
        const QJsonArray built =
            v.value(QLatin1String("build_parameters")).toObject().value(QLatin1String("records")).toArray();
        for (int i = 0; i < built.size() && i < int(run.flows.size()); ++i)
            c.compare(QStringLiteral("record %1 dst").arg(i), addr(run.flows[std::size_t(i)].dst_addr),
                      built.at(i).toObject().value(QLatin1String("dst")).toString());
        for (const FlowRecord& r : run.flows)
            c.compare(QStringLiteral("type"), static_cast<std::uint64_t>(r.type),
                      static_cast<std::uint64_t>(FlowType::NetFlowV5));
        // vflow's datagram ends with 6 bytes (00 00 d4 05 00 00) after the last record.
        const bool trailing = v.value(QLatin1String("notes")).toString().contains(QLatin1String("TRAILING"));
        c.compare(QStringLiteral("trailing_bytes"), run.anomaly(Anomaly::TrailingBytes), trailing ? 1 : 0);
        c.compare(QStringLiteral("bad_length"), run.anomaly(Anomaly::BadLength), 0);
        RowResult result;
        result.checked = c.checked();
        result.problems = c.unexplained(QTest::currentDataTag(), kDeviations);
        result.summary =
            QStringLiteral("%1 flows; anomalies: %2").arg(run.flows.size()).arg(run.anomalySummary());
        FLOWLENS_CHECK_ROW(result, g_tally, source + QStringLiteral(" (v5)"));
    }

    // ---------------------------------------------------------------------------- unit cases

    void headerAndRecordFields()
    {
        // sampling: mode 1 (top 2 bits), interval 1000 (low 14 bits); engine type 3, id 7.
        PacketBuilder b = v5Header(1, 100000, 1600000000, 250000000, 42, 3, 7, (1u << 14) | 1000);
        V5Record r;
        r.src = 0xc0000201;
        r.dst = 0xc6336402;
        r.nextHop = 0x0a000001;
        r.input = 11;
        r.output = 12;
        r.packets = 5;
        r.bytes = 4000;
        r.first = 90000;
        r.last = 99000;
        r.srcPort = 443;
        r.dstPort = 51000;
        r.tcpFlags = 0x12;
        r.proto = 6;
        r.tos = 0xb8;
        r.srcAs = 64500;
        r.dstAs = 64501;
        r.srcMask = 24;
        r.dstMask = 16;
        v5Record(b, r);
        DecodeRun run;
        run.feed(b.bytes(), endpoint("192.0.2.7:2055"), 1700000000000000000ull);
        QCOMPARE(run.flows.size(), std::size_t(1));
        const FlowRecord& f = run.flows.front();
        QCOMPARE(f.type, FlowType::NetFlowV5);
        QCOMPARE(f.sampling_rate, std::uint64_t(1000));
        QCOMPARE(f.observation_domain_id, std::uint32_t((3 << 8) | 7));
        QCOMPARE(f.sequence_num, std::uint32_t(42));
        QCOMPARE(addr(f.sampler_address), QStringLiteral("192.0.2.7"));
        QCOMPARE(addr(f.src_addr), QStringLiteral("192.0.2.1"));
        QCOMPARE(addr(f.dst_addr), QStringLiteral("198.51.100.2"));
        QCOMPARE(addr(f.next_hop), QStringLiteral("10.0.0.1"));
        QCOMPARE(f.in_if, 11u);
        QCOMPARE(f.out_if, 12u);
        QCOMPARE(f.packets, std::uint64_t(5));
        QCOMPARE(f.bytes, std::uint64_t(4000));
        QCOMPARE(f.src_port, std::uint16_t(443));
        QCOMPARE(f.dst_port, std::uint16_t(51000));
        QCOMPARE(f.tcp_flags, std::uint16_t(0x12));
        QCOMPARE(f.proto, std::uint8_t(6));
        QCOMPARE(f.ip_tos, std::uint8_t(0xb8));
        QCOMPARE(f.src_as, 64500u);
        QCOMPARE(f.dst_as, 64501u);
        QCOMPARE(f.src_net, std::uint8_t(24));
        QCOMPARE(f.dst_net, std::uint8_t(16));
        QCOMPARE(f.etype, std::uint16_t(0x0800));
        QCOMPARE(f.time_received_ns, 1700000000000000000ull);
        // export = 1600000000.25 s; first 10 s, last 1 s before it (sysUptime 100 s).
        QCOMPARE(f.time_flow_start_ns, 1599999990250000000ull);
        QCOMPARE(f.time_flow_end_ns, 1599999999250000000ull);
        QCOMPARE(run.domain(endpoint("192.0.2.7:2055"), (3 << 8) | 7).samplingRate, std::uint64_t(1000));
    }

    void uptimeWrapAndFirstAfterUptime()
    {
        // sysUptime wrapped to 3381 ms; First was taken just before the wrap (0xFFFFFFFF), Last
        // 804 ms before export; a second record's First lies 500 ms after the header's uptime.
        PacketBuilder b = v5Header(2, 3381, 1430591888, 280328000, 0, 0, 0, 0);
        V5Record r;
        r.first = 0xffffffff;
        r.last = 2577;
        v5Record(b, r);
        r.first = 3881;
        r.last = 3881;
        v5Record(b, r);
        DecodeRun run;
        run.feed(b.bytes(), endpoint("192.0.2.7:2055"));
        QCOMPARE(run.flows.size(), std::size_t(2));
        QCOMPARE(run.flows[0].time_flow_start_ns, 1430591888280328000ull - 3382ull * 1'000'000);
        QCOMPARE(run.flows[0].time_flow_end_ns, 1430591888280328000ull - 804ull * 1'000'000);
        QCOMPARE(run.flows[1].time_flow_start_ns, 1430591888280328000ull + 500ull * 1'000'000);
    }

    void countVersusSize_data()
    {
        QTest::addColumn<int>("count");
        QTest::addColumn<int>("present");
        QTest::addColumn<int>("flows");
        QTest::addColumn<int>("badLength");
        QTest::addColumn<int>("countMismatch");
        QTest::newRow("exact") << 3 << 3 << 3 << 0 << 0;
        QTest::newRow("count above records") << 5 << 2 << 2 << 1 << 0;
        QTest::newRow("count zero, records present") << 0 << 2 << 0 << 0 << 1;
        QTest::newRow("count above 30") << 31 << 31 << 31 << 0 << 1;
    }
    void countVersusSize()
    {
        QFETCH(int, count);
        QFETCH(int, present);
        QFETCH(int, flows);
        QFETCH(int, badLength);
        QFETCH(int, countMismatch);
        PacketBuilder b = v5Header(std::uint16_t(count), 1000, 1600000000, 0, 0, 0, 0, 0);
        for (int i = 0; i < present; ++i)
            v5Record(b, V5Record{});
        DecodeRun run;
        run.feed(b.bytes(), endpoint("192.0.2.7:2055"));
        QCOMPARE(int(run.flows.size()), flows);
        QCOMPARE(int(run.anomaly(Anomaly::BadLength)), badLength);
        QCOMPARE(int(run.anomaly(Anomaly::CountMismatch)), countMismatch);
        // Records beyond the count are bytes the header does not account for.
        QCOMPARE(int(run.anomaly(Anomaly::TrailingBytes)), present > count ? 1 : 0);
    }

    void sequenceCountsFlows()
    {
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.7:2055");
        for (const auto& [seq, n] :
             {std::pair{100u, 2}, std::pair{102u, 3}, std::pair{110u, 1}, std::pair{50u, 1}}) {
            PacketBuilder b = v5Header(std::uint16_t(n), 1000, 1600000000, 0, seq, 0, 0, 0);
            for (int i = 0; i < n; ++i)
                v5Record(b, V5Record{});
            run.feed(b.bytes(), from);
        }
        const DomainStats s = run.domain(from, 0);
        QCOMPARE(s.datagrams, std::uint64_t(4));
        QCOMPARE(s.flows, std::uint64_t(7));
        QCOMPARE(s.sequenceGaps, std::uint64_t(1)); // 105 expected, 110 came: 5 flows lost
        QCOMPARE(s.sequenceLost, std::uint64_t(5));
        QCOMPARE(s.sequenceResets, std::uint64_t(1)); // 50 after 111: restart
    }

    void samplingOverride_data()
    {
        QTest::addColumn<int>("headerInterval");
        QTest::addColumn<int>("overrideRate");
        QTest::addColumn<bool>("force");
        QTest::addColumn<int>("expected");
        QTest::newRow("header only") << 100 << 0 << false << 100;
        QTest::newRow("default, header states a rate") << 100 << 512 << false << 100;
        QTest::newRow("default, header states none") << 0 << 512 << false << 512;
        QTest::newRow("forced over the header") << 100 << 512 << true << 512;
        QTest::newRow("forced, header states none") << 0 << 64 << true << 64;
    }
    void samplingOverride()
    {
        QFETCH(int, headerInterval);
        QFETCH(int, overrideRate);
        QFETCH(bool, force);
        QFETCH(int, expected);
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.7:2055");
        if (overrideRate)
            run.decoder.setSamplingOverride(from.address, std::uint64_t(overrideRate), force);
        // Another exporter's override must not apply.
        run.decoder.setSamplingOverride(*IpAddress::parse("192.0.2.99"), 7, true);
        PacketBuilder b = v5Header(1, 1000, 1600000000, 0, 0, 0, 0,
                                   std::uint16_t((2u << 14) | std::uint32_t(headerInterval)));
        v5Record(b, V5Record{});
        run.feed(b.bytes(), from);
        QCOMPARE(run.flows.size(), std::size_t(1));
        QCOMPARE(run.flows.front().sampling_rate, std::uint64_t(expected));
        QCOMPARE(run.flows.front().bytes, std::uint64_t(1000)); // raw, never scaled
    }

    void icmpTypeFromDestinationPort()
    {
        PacketBuilder b = v5Header(1, 1000, 1600000000, 0, 0, 0, 0, 0);
        V5Record r;
        r.proto = 1;
        r.srcPort = 0;
        r.dstPort = (3 << 8) | 13; // destination unreachable, administratively prohibited
        v5Record(b, r);
        DecodeRun run;
        run.feed(b.bytes(), endpoint("192.0.2.7:2055"));
        QCOMPARE(run.flows.front().icmp_type, std::uint8_t(3));
        QCOMPARE(run.flows.front().icmp_code, std::uint8_t(13));
        QCOMPARE(run.flows.front().dst_port, std::uint16_t((3 << 8) | 13));
    }
};

QTEST_GUILESS_MAIN(TestNetflowV5)
#include "tst_netflow_v5.moc"
