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
        if (!na.isEmpty() && (!r.problems.isEmpty() || r.checked == 0)) {
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
};

QTEST_GUILESS_MAIN(TestNetflowV5)
#include "tst_netflow_v5.moc"
