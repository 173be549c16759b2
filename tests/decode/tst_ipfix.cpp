// IPFIX conformance: every IPFIX vector with expected values, plus targeted unit cases.
#include "decode/oracle_support.h"
#include "decode/packet_builder.h"

#include "core/decode/ie_registry.h"

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
        if (!na.isEmpty()) {
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

    // ---------------------------------------------------------------------------- unit cases

    void ieRegistry()
    {
        QCOMPARE(QString::fromLatin1(ieName(0, 1).data(), int(ieName(0, 1).size())),
                 QStringLiteral("octetDeltaCount"));
        QCOMPARE(QString::fromLatin1(ieName(kReversePen, 2).data(), int(ieName(kReversePen, 2).size())),
                 QStringLiteral("reversePacketDeltaCount"));
        QVERIFY(ieName(0, 9999).empty());
        QVERIFY(ieName(6871, 1).empty()); // enterprise IEs not mapped here are skipped by length
        QCOMPARE(ieAction(0, 8), FieldAction::SrcAddrV4);
        QCOMPARE(ieAction(0, 282), FieldAction::PostNatDstV6);
        QCOMPARE(ieAction(0, 40001), FieldAction::PostNatSrcV4); // Cisco ASA NSEL in v9
        QCOMPARE(ieAction(9, 12235), FieldAction::Skip);
        // Fallbacks: octetDeltaCount beats octetTotalCount; the skipped one costs no step.
        const FieldSpec fields[] = {{85, 8, 0}, {1, 4, 0}, {8, 4, 0}};
        const CompiledLayout layout = compileLayout(fields, 0);
        QCOMPARE(layout.fixedLength, 16u);
        QCOMPARE(layout.steps.size(), std::size_t(2));
        QCOMPARE(layout.steps[0].action, FieldAction::Bytes);
        QCOMPARE(layout.steps[0].offset, std::uint16_t(8));
        // An address field with an impossible length is ignored and counted.
        const FieldSpec bad[] = {{8, 3, 0}};
        QCOMPARE(compileLayout(bad, 0).badFields, 1u);
    }

    void withdrawal()
    {
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.6:4739");
        PacketBuilder t;
        t.ipfixHeader(1600000000, 0, 5)
            .beginSet(2)
            .templateRecord(256, {{8, 4}})
            .templateRecord(257, {{12, 4}})
            .endSet();
        t.beginSet(3).u16(258).u16(2).u16(1).u16(302).u16(4).u16(34).u16(4).endSet();
        run.feed(t.finishIpfix(), from);
        QCOMPARE(run.domain(from, 5).templatesActive, std::uint32_t(3));
        PacketBuilder w;
        w.ipfixHeader(1600000001, 0, 5).beginSet(2).u16(256).u16(0).endSet();
        run.feed(w.finishIpfix(), from);
        DomainStats s = run.domain(from, 5);
        QCOMPARE(s.templatesWithdrawn, std::uint64_t(1));
        QCOMPARE(s.templatesActive, std::uint32_t(2));
        PacketBuilder d;
        d.ipfixHeader(1600000002, 0, 5).beginSet(256).ipv4(10, 0, 0, 1).endSet();
        run.feed(d.finishIpfix(), from);
        QCOMPARE(run.flows.size(), std::size_t(0));
        QCOMPARE(run.anomaly(Anomaly::MissingTemplate), std::uint64_t(1));
        // "Withdraw all" of each kind: id 2 in a template set, id 3 in an options template set.
        PacketBuilder all;
        all.ipfixHeader(1600000003, 0, 5)
            .beginSet(2)
            .u16(2)
            .u16(0)
            .endSet()
            .beginSet(3)
            .u16(3)
            .u16(0)
            .endSet();
        run.feed(all.finishIpfix(), from);
        s = run.domain(from, 5);
        QCOMPARE(s.templatesWithdrawn, std::uint64_t(3));
        QCOMPARE(s.templatesActive, std::uint32_t(0));
        QCOMPARE(run.anomalies() - run.anomaly(Anomaly::MissingTemplate), std::uint64_t(0));
    }

    void variableLengthEnterpriseAndPadding()
    {
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.6:4739");
        PacketBuilder b;
        b.ipfixHeader(1600000000, 10, 1).beginSet(2);
        // 82 interfaceName (varlen), PEN 9 IE 12235 (4 bytes), 210 paddingOctets (3), 8, 83 (varlen), 12.
        b.u16(300).u16(6).u16(82).u16(0xffff).u16(0x8000 | 12235).u16(4).u32(9).u16(210).u16(3);
        b.u16(8).u16(4).u16(83).u16(0xffff).u16(12).u16(4);
        b.endSet();
        b.beginSet(300);
        b.u8(3).text("ge0").u32(0xdeadbeef).zeros(3).ipv4(10, 9, 9, 1).u8(0).ipv4(10, 9, 9, 2); // 1-byte form
        b.u8(255)
            .u16(300)
            .text(std::string(300, 'x'))
            .u32(1)
            .zeros(3)
            .ipv4(10, 9, 9, 3)
            .u8(255)
            .u16(0)
            .ipv4(10, 9, 9, 4);
        b.endSet(4);
        run.feed(b.finishIpfix(), from);
        QCOMPARE(run.flows.size(), std::size_t(2));
        QCOMPARE(addr(run.flows[0].src_addr), QStringLiteral("10.9.9.1"));
        QCOMPARE(addr(run.flows[0].dst_addr), QStringLiteral("10.9.9.2"));
        QCOMPARE(addr(run.flows[1].src_addr), QStringLiteral("10.9.9.3"));
        QCOMPARE(addr(run.flows[1].dst_addr), QStringLiteral("10.9.9.4"));
        QCOMPARE(run.anomalies(), std::uint64_t(0));
        // Sequence: 2 data records in message 10; the next message continues at 12.
        PacketBuilder n;
        n.ipfixHeader(1600000001, 12, 1);
        run.feed(n.finishIpfix(), from);
        QCOMPARE(run.domain(from, 1).sequenceGaps, std::uint64_t(0));
    }

    void timeForms_data()
    {
        QTest::addColumn<QList<int>>("types");
        QTest::addColumn<QList<qulonglong>>("values");
        QTest::addColumn<qulonglong>("startNs");
        QTest::addColumn<qulonglong>("endNs");
        const qulonglong exportNs = 1600000000ull * 1'000'000'000;
        // NTP: seconds since 1900 (2208988800 s before 1970) and a 2^-32 s fraction.
        const qulonglong ntpSecs = 1600000000ull + 2208988800ull;
        QTest::newRow("seconds 150/151") << QList<int>{150, 151} << QList<qulonglong>{1599999990, 1599999995}
                                         << 1599999990ull * 1'000'000'000 << 1599999995ull * 1'000'000'000;
        QTest::newRow("milliseconds 152/153")
            << QList<int>{152, 153} << QList<qulonglong>{1599999990123, 1599999995456}
            << 1599999990123ull * 1'000'000 << 1599999995456ull * 1'000'000;
        QTest::newRow("NTP microseconds 154/155")
            << QList<int>{154, 155}
            << QList<qulonglong>{(ntpSecs << 32) | 0x80000000u, (ntpSecs << 32) | 0x40000000u}
            << exportNs + 500'000'000 << exportNs + 250'000'000;
        QTest::newRow("NTP nanoseconds 156/157")
            << QList<int>{156, 157} << QList<qulonglong>{(ntpSecs << 32), (ntpSecs << 32) | 1u} << exportNs
            << exportNs; // 2^-32 s rounds down to 0 ns
        QTest::newRow("delta microseconds 158/159")
            << QList<int>{158, 159} << QList<qulonglong>{3'000'000, 1'500} << exportNs - 3'000'000'000ull
            << exportNs - 1'500'000ull;
        QTest::newRow("start + duration 152/161")
            << QList<int>{152, 161} << QList<qulonglong>{1599999990000, 2500} << 1599999990000ull * 1'000'000
            << 1599999992500ull * 1'000'000;
        QTest::newRow("ms beats seconds 150/152")
            << QList<int>{150, 152} << QList<qulonglong>{1599999990, 1599999990777}
            << 1599999990777ull * 1'000'000 << 1599999990777ull * 1'000'000;
    }
    void timeForms()
    {
        QFETCH(QList<int>, types);
        QFETCH(QList<qulonglong>, values);
        QFETCH(qulonglong, startNs);
        QFETCH(qulonglong, endNs);
        PacketBuilder b;
        b.ipfixHeader(1600000000, 0, 1)
            .beginSet(2)
            .u16(256)
            .u16(std::uint16_t(types.size() + 1))
            .u16(8)
            .u16(4);
        for (int t : types)
            b.u16(std::uint16_t(t)).u16(8);
        b.endSet().beginSet(256).ipv4(10, 0, 0, 1);
        for (qulonglong v : values)
            b.u64(v);
        b.endSet();
        DecodeRun run;
        run.feed(b.finishIpfix(), endpoint("192.0.2.6:4739"));
        QCOMPARE(run.flows.size(), std::size_t(1));
        QCOMPARE(qulonglong(run.flows.front().time_flow_start_ns), startNs);
        QCOMPARE(qulonglong(run.flows.front().time_flow_end_ns), endNs);
    }

    // flowStart/EndSysUpTime (22/21) need systemInitTimeMilliseconds (160) from options data;
    // without it the flow falls back to the receive time.
    void sysUptimeWithSystemInit()
    {
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.6:4739");
        PacketBuilder t;
        t.ipfixHeader(1600000000, 0, 1).beginSet(2).templateRecord(256, {{8, 4}, {22, 4}, {21, 4}}).endSet();
        t.beginSet(256).ipv4(10, 0, 0, 1).u32(1000).u32(2000).endSet();
        run.feed(t.finishIpfix(), from);
        QCOMPARE(run.flows.back().time_flow_start_ns, kReceivedNs);
        PacketBuilder o;
        o.ipfixHeader(1600000001, 1, 1)
            .beginSet(3)
            .u16(257)
            .u16(2)
            .u16(1)
            .u16(144)
            .u16(4)
            .u16(160)
            .u16(8)
            .endSet();
        o.beginSet(257).u32(1).u64(1599990000000ull).endSet();
        o.beginSet(256).ipv4(10, 0, 0, 2).u32(1000).u32(2000).endSet();
        run.feed(o.finishIpfix(), from);
        QCOMPARE(run.flows.back().time_flow_start_ns, 1599990001000ull * 1'000'000);
        QCOMPARE(run.flows.back().time_flow_end_ns, 1599990002000ull * 1'000'000);
        QCOMPARE(run.optionsRecords(), std::uint64_t(1));
    }

    void samplingOptions_data()
    {
        QTest::addColumn<QList<int>>("types");
        QTest::addColumn<QList<int>>("lengths");
        QTest::addColumn<QList<qulonglong>>("values");
        QTest::addColumn<qulonglong>("rate");
        QTest::newRow("samplingInterval 34")
            << QList<int>{302, 34} << QList<int>{4, 4} << QList<qulonglong>{7, 512} << 512ull;
        QTest::newRow("samplerRandomInterval 50")
            << QList<int>{48, 50} << QList<int>{2, 4} << QList<qulonglong>{7, 1000} << 1000ull;
        QTest::newRow("305/306 interval and space")
            << QList<int>{302, 305, 306} << QList<int>{4, 4, 4} << QList<qulonglong>{7, 1, 999} << 1000ull;
        QTest::newRow("309/310 size and population")
            << QList<int>{302, 305, 309, 310} << QList<int>{4, 4, 4, 4} << QList<qulonglong>{7, 1, 1, 256}
            << 256ull;
    }
    void samplingOptions()
    {
        QFETCH(QList<int>, types);
        QFETCH(QList<int>, lengths);
        QFETCH(QList<qulonglong>, values);
        QFETCH(qulonglong, rate);
        PacketBuilder b;
        b.ipfixHeader(1600000000, 0, 1).beginSet(3).u16(256).u16(std::uint16_t(types.size())).u16(1);
        for (int i = 0; i < types.size(); ++i)
            b.u16(std::uint16_t(types[i])).u16(std::uint16_t(lengths[i]));
        b.endSet().beginSet(256);
        for (int i = 0; i < values.size(); ++i) {
            if (lengths[i] == 2)
                b.u16(std::uint32_t(values[i]));
            else
                b.u32(std::uint32_t(values[i]));
        }
        b.endSet();
        // Data records: one naming selector 7 (302), one naming none.
        b.beginSet(2).templateRecord(258, {{8, 4}, {302, 4}}).templateRecord(259, {{8, 4}}).endSet();
        b.beginSet(258).ipv4(10, 0, 0, 1).u32(7).endSet().beginSet(259).ipv4(10, 0, 0, 2).endSet();
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.6:4739");
        run.feed(b.finishIpfix(), from);
        QCOMPARE(run.flows.size(), std::size_t(2));
        QCOMPARE(qulonglong(run.flows[0].sampling_rate), rate);
        QCOMPARE(qulonglong(run.flows[1].sampling_rate), rate); // the only rate learned
        QCOMPARE(qulonglong(run.domain(from, 1).samplingRate), rate);
    }

    void perRecordSamplingInterval()
    {
        PacketBuilder b;
        b.ipfixHeader(1600000000, 0, 1).beginSet(2).templateRecord(256, {{8, 4}, {34, 2}}).endSet();
        b.beginSet(256).ipv4(10, 0, 0, 1).u16(64).ipv4(10, 0, 0, 2).u16(128).endSet();
        DecodeRun run;
        run.feed(b.finishIpfix(), endpoint("192.0.2.6:4739"));
        QCOMPARE(run.flows.size(), std::size_t(2));
        QCOMPARE(run.flows[0].sampling_rate, std::uint64_t(64));
        QCOMPARE(run.flows[1].sampling_rate, std::uint64_t(128));
    }

    // Without a template the record count of a message is unknown: resynchronise, no false gap.
    void sequenceResyncAfterMissingTemplate()
    {
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.6:4739");
        PacketBuilder a;
        a.ipfixHeader(1600000000, 100, 1).beginSet(2).templateRecord(256, {{8, 4}}).endSet();
        a.beginSet(256).ipv4(10, 0, 0, 1).ipv4(10, 0, 0, 2).endSet();
        run.feed(a.finishIpfix(), from); // 100 + 2 records
        PacketBuilder b;
        b.ipfixHeader(1600000001, 102, 1).beginSet(999).zeros(3).u8(1).zeros(8).endSet();
        run.feed(b.finishIpfix(), from); // 102 + unknown
        PacketBuilder c;
        c.ipfixHeader(1600000002, 110, 1).beginSet(256).ipv4(10, 0, 0, 3).endSet();
        run.feed(c.finishIpfix(), from); // 110: must not count 8 lost
        PacketBuilder d;
        d.ipfixHeader(1600000003, 115, 1).beginSet(256).ipv4(10, 0, 0, 4).endSet();
        run.feed(d.finishIpfix(), from); // 111 expected: 4 lost
        const DomainStats s = run.domain(from, 1);
        QCOMPARE(s.sequenceGaps, std::uint64_t(1));
        QCOMPARE(s.sequenceLost, std::uint64_t(4));
        QCOMPARE(s.missingTemplateSets, std::uint64_t(1));
    }

    void biflowReverseRecords()
    {
        PacketBuilder b;
        b.ipfixHeader(1600000000, 0, 1).beginSet(2);
        b.u16(256).u16(8).u16(8).u16(4).u16(12).u16(4).u16(7).u16(2).u16(11).u16(2).u16(1).u16(4).u16(2).u16(
            4);
        b.u16(0x8000 | 1).u16(4).u32(29305).u16(0x8000 | 2).u16(4).u32(29305).endSet();
        b.beginSet(256).ipv4(10, 0, 0, 1).ipv4(10, 0, 0, 2).u16(5000).u16(80).u32(100).u32(2).u32(900).u32(3);
        b.ipv4(10, 0, 0, 3).ipv4(10, 0, 0, 4).u16(5001).u16(53).u32(60).u32(1).u32(0).u32(0).endSet();
        for (const bool emitReverse : {true, false}) {
            DecoderLimits limits;
            limits.emitReverseFlows = emitReverse;
            DecodeRun run(limits);
            run.feed(b.finishIpfix(), endpoint("192.0.2.6:4739"));
            QCOMPARE(run.flows.size(), std::size_t(emitReverse ? 3 : 2));
            if (!emitReverse)
                continue;
            const FlowRecord& rev = run.flows[1];
            QCOMPARE(addr(rev.src_addr), QStringLiteral("10.0.0.2"));
            QCOMPARE(addr(rev.dst_addr), QStringLiteral("10.0.0.1"));
            QCOMPARE(rev.src_port, std::uint16_t(80));
            QCOMPARE(rev.bytes, std::uint64_t(900));
            QCOMPARE(rev.packets, std::uint64_t(3));
            QCOMPARE(run.domain(endpoint("192.0.2.6:4739"), 1).flows, std::uint64_t(3));
        }
    }

    // saveTemplates -> a new decoder -> loadTemplates -> data decodes at once, with the learned
    // sampling rate and system init time; bad blobs are refused without changing anything.
    void saveAndLoadTemplates()
    {
        const Endpoint from = endpoint("192.0.2.6:4739");
        FlowDecoder first;
        std::vector<FlowRecord> out;
        PacketBuilder t;
        t.ipfixHeader(1600000000, 0, 1)
            .beginSet(2)
            .templateRecord(256, {{8, 4}, {22, 4}, {82, 0xffff}})
            .endSet();
        t.beginSet(3).u16(257).u16(3).u16(1).u16(302).u16(4).u16(34).u16(4).u16(160).u16(8).endSet();
        t.beginSet(257).u32(0).u32(100).u64(1599990000000ull).endSet();
        first.decode(t.finishIpfix(), from, kReceivedNs, out);
        PacketBuilder v9;
        v9.v9Header(1, 5000, 1600000000, 1, 4).beginSet(0).templateRecord(300, {{12, 4}}).endSet();
        first.decode(v9.bytes(), endpoint("192.0.2.7:2055"), kReceivedNs, out);
        const std::vector<std::byte> blob = first.saveTemplates();
        QVERIFY(blob.size() > 16);

        PacketBuilder d;
        d.ipfixHeader(1600000001, 1, 1).beginSet(256).ipv4(10, 0, 0, 1).u32(5000).u8(2).text("ab").endSet();
        const auto data = d.finishIpfix();
        {
            DecodeRun fresh;
            fresh.feed(data, from);
            QCOMPARE(fresh.flows.size(), std::size_t(0)); // kept pending: no template yet
        }
        DecodeRun restarted;
        QVERIFY(restarted.decoder.loadTemplates(blob));
        restarted.feed(data, from);
        QCOMPARE(restarted.flows.size(), std::size_t(1));
        QCOMPARE(addr(restarted.flows[0].src_addr), QStringLiteral("10.0.0.1"));
        QCOMPARE(restarted.flows[0].sampling_rate, std::uint64_t(100));
        QCOMPARE(restarted.flows[0].time_flow_start_ns, 1599990005000ull * 1'000'000);
        PacketBuilder v9data;
        v9data.v9Header(1, 5000, 1600000000, 2, 4).beginSet(300).ipv4(10, 0, 0, 9).endSet();
        restarted.feed(v9data.bytes(), endpoint("192.0.2.7:2055"));
        QCOMPARE(restarted.flows.size(), std::size_t(2));
        QCOMPARE(addr(restarted.flows[1].dst_addr), QStringLiteral("10.0.0.9"));
        // Saving again gives the same bytes (state round-trips).
        QCOMPARE(restarted.decoder.saveTemplates().size(), blob.size());

        // Every truncation, a wrong version and trailing junk are refused and change nothing.
        for (std::size_t n = 0; n < blob.size(); ++n) {
            FlowDecoder d2;
            QVERIFY(!d2.loadTemplates(std::span<const std::byte>(blob.data(), n)));
            QCOMPARE(d2.saveTemplates().size(), std::size_t(10)); // magic, version, 0 domains
        }
        std::vector<std::byte> wrongVersion = blob;
        wrongVersion[5] = std::byte{99};
        FlowDecoder d3;
        QVERIFY(!d3.loadTemplates(wrongVersion));
        std::vector<std::byte> junk = blob;
        junk.push_back(std::byte{1});
        QVERIFY(!d3.loadTemplates(junk));
        DecoderLimits tight;
        tight.maxTemplatesPerDomain = 0;
        FlowDecoder d4(tight);
        QVERIFY(!d4.loadTemplates(blob));
    }

    // IE 315 dataLinkFrameSection as the only flow information (Juniper/Cisco packet sampling): the
    // frame fills the record, bytes is its IP length, packets 1.
    void dataLinkFrameSection()
    {
        // 00:11:22:33:44:55 <- 66:77:88:99:aa:bb, 802.1Q 231, IPv4 10.0.0.1 -> 10.0.0.2 TTL 64 id 0x1234,
        // UDP 1234 -> 53; total length 48, cut after the UDP header.
        const QByteArray frame =
            QByteArray::fromHex("00112233445566778899aabb810000e70800450000301234400040110000"
                                "0a0000010a00000204d20035001c0000");
        PacketBuilder b;
        b.ipfixHeader(1600000000, 0, 1).beginSet(2);
        b.templateRecord(384, {{10, 4}, {61, 1}, {312, 2}, {315, 0xffff}}).endSet();
        b.beginSet(384).u32(582).u8(0).u16(66).u8(std::uint32_t(frame.size()));
        for (char ch : frame)
            b.u8(static_cast<unsigned char>(ch));
        b.endSet();
        DecodeRun run;
        run.feed(b.finishIpfix(), endpoint("192.0.2.6:4739"));
        QCOMPARE(run.flows.size(), std::size_t(1));
        const FlowRecord& r = run.flows[0];
        QCOMPARE(r.in_if, 582u);
        QCOMPARE(addr(r.src_addr), QStringLiteral("10.0.0.1"));
        QCOMPARE(addr(r.dst_addr), QStringLiteral("10.0.0.2"));
        QCOMPARE(r.src_port, std::uint16_t(1234));
        QCOMPARE(r.dst_port, std::uint16_t(53));
        QCOMPARE(int(r.proto), 17);
        QCOMPARE(int(r.ip_ttl), 64);
        QCOMPARE(r.fragment_id, 0x1234u);
        QCOMPARE(int(r.ip_flags), 2);
        QCOMPARE(int(r.etype), 0x0800);
        QCOMPARE(r.src_mac, 0x66778899aabbull);
        QCOMPARE(r.dst_mac, 0x001122334455ull);
        QCOMPARE(int(r.vlan_id), 231);
        QCOMPARE(int(r.src_vlan), 231);
        QCOMPARE(int(r.dst_vlan), 231);
        QCOMPARE(r.bytes, std::uint64_t(48));
        QCOMPARE(r.packets, std::uint64_t(1));
        QCOMPARE(run.anomalies(), std::uint64_t(0));
    }

    // The record's own IEs win over the section: addresses, ports, counters and VLAN from IEs stay,
    // the rest comes from the (fixed-length) section.
    void packetSectionDoesNotOverrideIes()
    {
        const QByteArray frame =
            QByteArray::fromHex("00112233445566778899aabb810000e70800450000301234400040110000"
                                "0a0000010a00000204d20035001c0000");
        PacketBuilder b;
        b.ipfixHeader(1600000000, 0, 1).beginSet(2);
        b.templateRecord(385, {{8, 4}, {7, 2}, {58, 2}, {1, 4}, {2, 4}, {315, std::uint16_t(frame.size())}})
            .endSet();
        b.beginSet(385).ipv4(192, 0, 2, 9).u16(999).u16(42).u32(5000).u32(7);
        for (char ch : frame)
            b.u8(static_cast<unsigned char>(ch));
        b.endSet();
        DecodeRun run;
        run.feed(b.finishIpfix(), endpoint("192.0.2.6:4739"));
        QCOMPARE(run.flows.size(), std::size_t(1));
        const FlowRecord& r = run.flows[0];
        QCOMPARE(addr(r.src_addr), QStringLiteral("192.0.2.9"));
        QCOMPARE(addr(r.dst_addr), QStringLiteral("10.0.0.2"));
        QCOMPARE(r.src_port, std::uint16_t(999));
        QCOMPARE(r.dst_port, std::uint16_t(53));
        QCOMPARE(int(r.src_vlan), 42);
        QCOMPARE(int(r.dst_vlan), 0);
        QCOMPARE(r.bytes, std::uint64_t(5000));
        QCOMPARE(r.packets, std::uint64_t(7));
        QCOMPARE(int(r.proto), 17);
        QCOMPARE(r.src_mac, 0x66778899aabbull);
    }

    // IE 313 ipHeaderPacketSection (IPv6 here) in NetFlow v9, and a non-IP frame whose size comes from
    // dataLinkFrameSize (IE 312).
    void ipHeaderSectionAndNonIpFrames()
    {
        const QByteArray v6tcp = QByteArray::fromHex("6001234500140640"
                                                     "20010db8000000000000000000000001"
                                                     "20010db8000000000000000000000002"
                                                     "c35001bb00000001000000005012ffff00000000");
        PacketBuilder v9;
        v9.v9Header(2, 5000, 1600000000, 1, 3).beginSet(0).templateRecord(300, {{10, 4}, {313, 60}}).endSet();
        v9.beginSet(300).u32(3);
        for (char ch : v6tcp)
            v9.u8(static_cast<unsigned char>(ch));
        v9.endSet(4);
        DecodeRun run;
        run.feed(v9.bytes(), endpoint("192.0.2.7:2055"));
        QCOMPARE(run.flows.size(), std::size_t(1));
        const FlowRecord& r = run.flows[0];
        QCOMPARE(addr(r.src_addr), QStringLiteral("2001:db8::1"));
        QCOMPARE(addr(r.dst_addr), QStringLiteral("2001:db8::2"));
        QCOMPARE(int(r.etype), 0x86DD);
        QCOMPARE(int(r.proto), 6);
        QCOMPARE(r.src_port, std::uint16_t(50000));
        QCOMPARE(r.dst_port, std::uint16_t(443));
        QCOMPARE(int(r.tcp_flags), 0x12);
        QCOMPARE(r.ipv6_flow_label, 0x12345u);
        QCOMPARE(r.bytes, std::uint64_t(60));
        QCOMPARE(r.packets, std::uint64_t(1));

        const QByteArray arp = QByteArray::fromHex(
            "ffffffffffff66778899aabb0806000108000604000166778899aabb0a0000010000000000000a000002");
        PacketBuilder b;
        b.ipfixHeader(1600000000, 0, 1).beginSet(2).templateRecord(386, {{312, 2}, {315, 0xffff}}).endSet();
        b.beginSet(386).u16(60).u8(std::uint32_t(arp.size()));
        for (char ch : arp)
            b.u8(static_cast<unsigned char>(ch));
        b.endSet();
        DecodeRun frames;
        frames.feed(b.finishIpfix(), endpoint("192.0.2.6:4739"));
        QCOMPARE(frames.flows.size(), std::size_t(1));
        QCOMPARE(int(frames.flows[0].etype), 0x0806);
        QCOMPARE(frames.flows[0].bytes, std::uint64_t(60));
        QCOMPARE(frames.flows[0].packets, std::uint64_t(1));
        QCOMPARE(frames.flows[0].dst_mac, 0xffffffffffffull);
        QVERIFY(frames.flows[0].src_addr.isZero());
    }

    // Juniper commonPropertiesId (PEN 2636, IE 137) type 2 is the forwarding exception code: 0 means
    // forwarded (64), anything else dropped (128); a forwardingStatus IE in the record wins.
    void juniperExceptionCode_data()
    {
        QTest::addColumn<int>("code");
        QTest::addColumn<int>("forwardingStatusIe"); // -1: none in the template
        QTest::addColumn<int>("expected");
        QTest::newRow("exception 195") << 195 << -1 << 128;
        QTest::newRow("no exception") << 0 << -1 << 64;
        QTest::newRow("forwardingStatus IE wins") << 195 << 66 << 66;
    }
    void juniperExceptionCode()
    {
        QFETCH(int, code);
        QFETCH(int, forwardingStatusIe);
        PacketBuilder b;
        b.ipfixHeader(1600000000, 0, 1).beginSet(2);
        const bool withIe = forwardingStatusIe >= 0;
        b.u16(387).u16(withIe ? 4 : 3);
        // forwarding class (type 1, 4 bytes), exception code (type 2, 2 bytes), then IPv4 source.
        b.u16(0x8000 | 137).u16(4).u32(2636).u16(0x8000 | 137).u16(2).u32(2636).u16(8).u16(4);
        if (withIe)
            b.u16(89).u16(1);
        b.endSet().beginSet(387).u32(0x04000000).u16(0x0800 | std::uint32_t(code)).ipv4(10, 0, 0, 1);
        if (withIe)
            b.u8(std::uint32_t(forwardingStatusIe));
        b.endSet();
        DecodeRun run;
        run.feed(b.finishIpfix(), endpoint("192.0.2.6:4739"));
        QCOMPARE(run.flows.size(), std::size_t(1));
        QTEST(int(run.flows[0].forwarding_status), "expected");
    }
};

QTEST_GUILESS_MAIN(TestIpfix)
#include "tst_ipfix.moc"
