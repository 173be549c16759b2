// IPFIX conformance: every IPFIX vector with expected values, plus targeted unit cases.
#include "decode/oracle_support.h"
#include "decode/packet_builder.h"

using namespace flowlens;
using namespace flowlens::decode;
using namespace flowlens::test;

namespace {

// Expected values that the oracles get wrong, with the evidence.
constexpr KnownDeviation kDeviations[] = {
    {"it_parses_0_length_fields_ipfix", "flow count",
     "template 256 = sourceIPv4Address/4, destinationIPv4Address/4, IE 65/length 0, then one 8-byte data "
     "record: netflow_parser drops the whole message (flowsets: []), tshark decodes [Data-Template:256] "
     "[Data:256] like this decoder (1 flow 1.2.3.4 -> 1.2.3.4); a zero-length field carries no value "
     "(logstash "
     "decodes the v9 equivalent, Netflow_9_template_with_0_length_fields, to 10 events)."},
    {"it_parses_ipfix_with_v9_options_template_packet", "flow count",
     "the message holds a NetFlow v9-style options template set (set id 1, not used in IPFIX: RFC 7011 "
     "3.3.2) "
     "for 1256 whose scope length (1) is not a multiple of 4, a data set 1256, template 258 and one data "
     "record "
     "258. netflow_parser returns nothing (flowsets: []); tshark decodes [Data-Template:258] [Data:258] as "
     "this "
     "decoder does (1 flow 70.70.1.1:12345 -> 120.120.1.1:32777); set 1 counts bad_set_id, its template "
     "malformed_template."},
    {"112-IPFIXv10-CISCO-options-map-reassignment/output-flow-00.json", "[169.254.0.1 169.254.0.0 ",
     "the capture holds two transport sessions of the exporter 2001:db8:90::1 (UDP source ports 61853 and "
     "65156); template 347 comes only in the first, its data only in the second. Templates are scoped to the "
     "transport session (RFC 7011 8; keyed here by exporter address and port), so these BGP flows stay "
     "undecoded "
     "(kept pending); pmacct keys templates by exporter address alone and decodes them. With one port the "
     "same "
     "9 flows decode to the golden's values."},
};

SourceTally g_tally;

} // namespace

class TestIpfix : public QObject
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
        for (const QString& c : logstashContexts(10))
            QTest::newRow(qPrintable(c)) << c;
    }
    void logstash()
    {
        QFETCH(QString, context);
        const RowResult r = runLogstash(context, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("logstash-codec-netflow (ipfix)"));
    }

    void akvorado_data()
    {
        QTest::addColumn<QJsonObject>("test");
        for (const auto& [name, test] : akvoradoTests(10))
            QTest::newRow(qPrintable(name)) << test;
    }
    void akvorado()
    {
        QFETCH(QJsonObject, test);
        const RowResult r = runAkvorado(test, QTest::currentDataTag(), kDeviations);
        const QString na = akvoradoNotApplicable(test);
        if (!na.isEmpty() && (!r.problems.isEmpty() || r.checked == 0)) {
            g_tally.add(QStringLiteral("akvorado (ipfix)"));
            g_tally.notApplicable(QStringLiteral("akvorado (ipfix)"));
            QSKIP(qPrintable(na));
        }
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("akvorado (ipfix)"));
    }

    void telegraf_data()
    {
        QTest::addColumn<QString>("caseName");
        for (const QString& c : telegrafCases(10))
            QTest::newRow(qPrintable(c)) << c;
    }
    void telegraf()
    {
        QFETCH(QString, caseName);
        const RowResult r = runTelegraf(caseName, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("telegraf (ipfix)"));
    }

    void netflowParser_data()
    {
        QTest::addColumn<QJsonObject>("test");
        for (const auto& [name, test] : snapshotTests(10))
            QTest::newRow(qPrintable(name)) << test;
    }
    void netflowParser()
    {
        QFETCH(QJsonObject, test);
        const RowResult r = runSnapshot(test, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("netflow_parser_rs (ipfix)"));
    }

    void pmacct_data()
    {
        QTest::addColumn<QString>("test");
        QTest::addColumn<QString>("golden");
        for (const auto& [test, golden] : pmacctGoldens(10))
            QTest::newRow(qPrintable(test + QLatin1Char('/') + golden)) << test << golden;
    }
    void pmacct()
    {
        QFETCH(QString, test);
        QFETCH(QString, golden);
        const RowResult r = runPmacct(test, golden, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("pmacct (ipfix)"));
    }

    // scapy ipfix.pcap: template 307, options template 308, one data record.
    void scapyPcap()
    {
        const QJsonObject a2 = readJsonObject(vectorPath(QStringLiteral("scapy/expected.json")))
                                   .value(QLatin1String("vectors"))
                                   .toObject()
                                   .value(QLatin1String("ipfix.pcap"))
                                   .toObject()
                                   .value(QLatin1String("asserted"))
                                   .toObject()
                                   .value(QLatin1String("a[2]"))
                                   .toObject();
        DecodeRun run;
        QVERIFY(run.feedFile(vectorPath(QStringLiteral("scapy/ipfix.pcap")), Endpoint{}));
        FieldChecker c;
        c.compare(QStringLiteral("a[2] records"), run.inputs.at(2).flows,
                  jsonU64(a2.value(QLatin1String("records count"))));
        if (!run.flows.empty()) {
            c.compare(QStringLiteral("IPV4_SRC_ADDR"), addr(run.flows.front().src_addr),
                      a2.value(QLatin1String("records[0].IPV4_SRC_ADDR")).toString());
            c.compare(QStringLiteral("flowStartMilliseconds"),
                      run.flows.front().time_flow_start_ns / 1'000'000,
                      jsonU64(a2.value(QLatin1String("records[0].flowStartMilliseconds"))));
        }
        c.compare(QStringLiteral("template anomalies"), run.anomaly(Anomaly::MalformedTemplate), 0);
        RowResult result;
        result.checked = c.checked();
        result.problems = c.unexplained("scapyPcap", kDeviations);
        result.summary =
            QStringLiteral("%1 flows; anomalies: %2").arg(run.flows.size()).arg(run.anomalySummary());
        FLOWLENS_CHECK_ROW(result, g_tally, QStringLiteral("scapy (ipfix)"));
    }

    void scapyDatagrams_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("ipfix_scapy_no_padding_GH3101") << QStringLiteral("ipfix_scapy_no_padding_GH3101.bin");
        QTest::newRow("ipfix_scapy_build") << QStringLiteral("ipfix_scapy_build.bin");
    }
    void scapyDatagrams()
    {
        QFETCH(QString, file);
        const QJsonObject v = readJsonObject(vectorPath(QStringLiteral("scapy/expected.json")))
                                  .value(QLatin1String("vectors"))
                                  .toObject()
                                  .value(file)
                                  .toObject();
        DecodeRun run;
        QVERIFY(run.feedFile(vectorPath(QStringLiteral("scapy/") + file), endpoint("192.0.2.1:4739")));
        FieldChecker c;
        // GH3101: the same values asserted for both unpadded data sets; build: the build parameters.
        QList<QJsonObject> records;
        const QJsonObject sets = v.value(QLatin1String("asserted"))
                                     .toObject()
                                     .value(QLatin1String("data sets 1 and 2"))
                                     .toObject();
        if (!sets.isEmpty()) {
            QJsonObject r;
            for (auto it = sets.begin(); it != sets.end(); ++it)
                if (it.key().startsWith(QLatin1String("records[0].")))
                    r.insert(it.key().mid(11), it.value());
            records << r << r;
        }
        for (const auto& b : v.value(QLatin1String("build_parameters"))
                                 .toObject()
                                 .value(QLatin1String("data templateID 256 records"))
                                 .toArray())
            records << b.toObject();
        c.compare(QStringLiteral("records"), run.flows.size(), std::uint64_t(records.size()));
        for (int i = 0; i < records.size() && i < int(run.flows.size()); ++i) {
            const FlowRecord& r = run.flows[std::size_t(i)];
            const QJsonObject& e = records[i];
            const QString w = QStringLiteral("record %1: ").arg(i);
            for (auto it = e.begin(); it != e.end(); ++it) {
                if (it.key() == QLatin1String("IPV4_SRC_ADDR"))
                    c.compare(w + it.key(), addr(r.src_addr), it.value().toString());
                else if (it.key() == QLatin1String("IPV4_DST_ADDR"))
                    c.compare(w + it.key(), addr(r.dst_addr), it.value().toString());
                else if (it.key() == QLatin1String("PROTOCOL"))
                    c.compare(w + it.key(), r.proto, jsonU64(it.value()));
                else if (it.key() == QLatin1String("IN_PKTS"))
                    c.compare(w + it.key(), r.packets, jsonU64(it.value()));
                else if (it.key() == QLatin1String("IN_BYTES"))
                    c.compare(w + it.key(), r.bytes, jsonU64(it.value()));
            }
        }
        // Both have a message length 2 bytes short of the datagram: zero fill, not garbage.
        c.compare(QStringLiteral("trailing_bytes"), run.anomaly(Anomaly::TrailingBytes), 0);
        RowResult result;
        result.checked = c.checked();
        result.problems = c.unexplained(QTest::currentDataTag(), kDeviations);
        result.summary =
            QStringLiteral("%1 flows; anomalies: %2").arg(run.flows.size()).arg(run.anomalySummary());
        FLOWLENS_CHECK_ROW(result, g_tally, QStringLiteral("scapy (ipfix)"));
    }

    // The enterprise template record FRAGMENT, wrapped in a message and a template set, then a
    // data record of the asserted total length (124 bytes) must decode to exactly one flow.
    void scapyEnterpriseTemplate()
    {
        const QByteArray record =
            readFile(vectorPath(QStringLiteral("scapy/ipfix_scapy_enterprise_template_record_FRAGMENT.bin")));
        QVERIFY(record.size() > 4);
        const QJsonObject asserted =
            readJsonObject(vectorPath(QStringLiteral("scapy/expected.json")))
                .value(QLatin1String("vectors"))
                .toObject()
                .value(QLatin1String("ipfix_scapy_enterprise_template_record_FRAGMENT.bin"))
                .toObject()
                .value(QLatin1String("asserted"))
                .toObject();
        const int total = asserted.value(QLatin1String("sum of fieldLength over all fields")).toInt();
        const std::uint16_t id = (std::uint8_t(record[0]) << 8) | std::uint8_t(record[1]);
        PacketBuilder b;
        b.ipfixHeader(1600000000, 0, 1).beginSet(2);
        for (char ch : record)
            b.u8(static_cast<unsigned char>(ch));
        b.endSet().beginSet(id).zeros(std::size_t(total)).endSet();
        DecodeRun run;
        run.feed(b.finishIpfix(), endpoint("192.0.2.1:4739"));
        FieldChecker c;
        c.compare(QStringLiteral("records of sum(fieldLength) bytes"), run.flows.size(), 1);
        c.compare(QStringLiteral("anomalies"), run.anomalies(), 0);
        RowResult result;
        result.checked = c.checked();
        result.problems = c.unexplained("scapyEnterpriseTemplate", kDeviations);
        result.summary =
            QStringLiteral("%1 flows; anomalies: %2").arg(run.flows.size()).arg(run.anomalySummary());
        FLOWLENS_CHECK_ROW(result, g_tally, QStringLiteral("scapy (ipfix)"));
    }

    // vflow: template, options template, a multi-set message, data without templates, and the
    // IPv4/IPv6 data templates.
    void vflow()
    {
        const QJsonObject v = readJsonObject(vectorPath(QStringLiteral("vflow/expected.json")))
                                  .value(QLatin1String("vectors"))
                                  .toObject();
        const Endpoint from = endpoint("127.0.0.1:4739");
        FieldChecker c;
        {
            DecodeRun run;
            QVERIFY(run.feedFile(vectorPath(QStringLiteral("vflow/ipfix_vflow_tpl.bin")), from));
            QVERIFY(run.feedFile(vectorPath(QStringLiteral("vflow/ipfix_vflow_optsTpl.bin")), from));
            c.compare(QStringLiteral("tpl/optsTpl: templates learned, no anomaly"), run.anomalies(), 0);
            QVERIFY(run.feedFile(vectorPath(QStringLiteral("vflow/ipfix_vflow_multiMessage.bin")), from));
            const QJsonObject mm = v.value(QLatin1String("ipfix_vflow_multiMessage.bin"))
                                       .toObject()
                                       .value(QLatin1String("asserted"))
                                       .toObject();
            const QJsonArray ids =
                mm.value(QLatin1String("template cache set ids after decode (sorted)")).toArray();
            const auto& in = run.inputs.back();
            c.compare(QStringLiteral("multiMessage: data records"), in.flows + in.optionsRecords,
                      jsonU64(mm.value(QLatin1String("len(DataSets)"))));
            const QByteArray mmBytes =
                readFile(vectorPath(QStringLiteral("vflow/ipfix_vflow_multiMessage.bin")));
            const std::uint32_t mmDomain = (std::uint32_t(std::uint8_t(mmBytes[12])) << 24) |
                                           (std::uint32_t(std::uint8_t(mmBytes[13])) << 16) |
                                           (std::uint32_t(std::uint8_t(mmBytes[14])) << 8) |
                                           std::uint8_t(mmBytes[15]);
            // The message's broken options template (tshark: malformed) is the one vflow does not
            // cache either: its list has 10 ids for 11 template records.
            c.compare(QStringLiteral("multiMessage: templates cached"),
                      run.domain(from, mmDomain).templatesActive, std::uint64_t(ids.size()));
        }
        {
            DecodeRun run;
            QVERIFY(run.feedFile(vectorPath(QStringLiteral("vflow/ipfix_vflow_unknownDatasetMessage.bin")),
                                 from));
            const QString err = v.value(QLatin1String("ipfix_vflow_unknownDatasetMessage.bin"))
                                    .toObject()
                                    .value(QLatin1String("asserted"))
                                    .toObject()
                                    .value(QLatin1String("error"))
                                    .toString();
            c.compare(QStringLiteral("unknownDataset: records"), run.flows.size(), 0);
            c.compare(QStringLiteral("unknownDataset: missing template sets"),
                      run.anomaly(Anomaly::MissingTemplate),
                      std::uint64_t(err.count(QLatin1String("unknown ipfix template"))));
            c.compare(QStringLiteral("unknownDataset: bad length (header says 1366)"),
                      run.anomaly(Anomaly::BadLength), 1);
        }
        {
            DecodeRun run;
            QVERIFY(
                run.feedFile(vectorPath(QStringLiteral("vflow/ipfix_vflow_DecodeDataTpl_0_tpl.bin")), from));
            QVERIFY(run.feedFile(vectorPath(QStringLiteral("vflow/ipfix_vflow_DecodeDataTpl_1_payload.bin")),
                                 from));
            // expected.json notes: data sets 1024 (2 records), 2048 (1 IPv6 record
            // fe80::1f0c:7220:b25e:ccbd -> ff02::fb port 5353), 1024.
            c.compare(QStringLiteral("DecodeDataTpl: anomalies"), run.anomalies(), 0);
            bool sawV6 = false;
            for (const FlowRecord& r : run.flows)
                sawV6 |= addr(r.src_addr) == QLatin1String("fe80::1f0c:7220:b25e:ccbd") &&
                         addr(r.dst_addr) == QLatin1String("ff02::fb") && r.dst_port == 5353 &&
                         r.etype == 0x86dd;
            c.compare(QStringLiteral("DecodeDataTpl: IPv6 record"), sawV6 ? 1 : 0, 1);
            c.compare(QStringLiteral("DecodeDataTpl: records"), run.flows.size(), 4);
        }
        RowResult result;
        result.checked = c.checked();
        result.problems = c.unexplained("vflow", kDeviations);
        FLOWLENS_CHECK_ROW(result, g_tally, QStringLiteral("vflow (ipfix)"));
    }
};

QTEST_GUILESS_MAIN(TestIpfix)
#include "tst_ipfix.moc"
