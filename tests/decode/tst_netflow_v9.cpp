// NetFlow v9 conformance: every v9 vector with expected values, plus targeted unit cases.
#include "decode/oracle_support.h"
#include "decode/packet_builder.h"

using namespace flowlens;
using namespace flowlens::decode;
using namespace flowlens::test;

namespace {

// Expected values that the oracles get wrong, with the evidence.
constexpr KnownDeviation kDeviations[] = {
    {"*", "first_switched: logstash 1 s late",
     "logstash-codec-netflow converts v9 uptimes with whole seconds of (sysUptime - first) and then adds "
     "(1000 - remaining ms): always 1 s late. The exact value is unix_secs - (sysUptime - first) ms, e.g. "
     "valid01: 1444331070 s - (45076 - 1216) ms = 1444331026.140 (logstash: .027.140)."},
    {"*", "last_switched: logstash 1 s late",
     "same logstash v9 uptime conversion error as first_switched (1 s late)"},
    {"Netflow-9-invalid-01", "events",
     "header Count = 2 but the packet holds 6 well-formed FlowSets (templates 1024/2048, options template "
     "256, "
     "options data, data 2048 and 1024). beats drops the whole packet; tshark stops after Count records; RFC "
     "3954 "
     "makes Count informational, so this decoder decodes every FlowSet (2 flows + 1 options record) and "
     "counts "
     "count_mismatch. logstash (Netflow_9_invalid_01) only asserts that it does not fail."},
};

SourceTally g_tally;

} // namespace

class TestNetflowV9 : public QObject
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
        for (const QString& c : logstashContexts(9))
            QTest::newRow(qPrintable(c)) << c;
    }
    void logstash()
    {
        QFETCH(QString, context);
        const RowResult r = runLogstash(context, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("logstash-codec-netflow (v9)"));
    }

    void akvorado_data()
    {
        QTest::addColumn<QJsonObject>("test");
        for (const auto& [name, test] : akvoradoTests(9))
            QTest::newRow(qPrintable(name)) << test;
    }
    void akvorado()
    {
        QFETCH(QJsonObject, test);
        const RowResult r = runAkvorado(test, QTest::currentDataTag(), kDeviations);
        const QString na = akvoradoNotApplicable(test);
        if (!na.isEmpty()) {
            g_tally.add(QStringLiteral("akvorado (v9)"));
            g_tally.notApplicable(QStringLiteral("akvorado (v9)"));
            QSKIP(qPrintable(na));
        }
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("akvorado (v9)"));
    }

    void telegraf_data()
    {
        QTest::addColumn<QString>("caseName");
        for (const QString& c : telegrafCases(9))
            QTest::newRow(qPrintable(c)) << c;
    }
    void telegraf()
    {
        QFETCH(QString, caseName);
        const RowResult r = runTelegraf(caseName, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("telegraf (v9)"));
    }

    void netflowParser_data()
    {
        QTest::addColumn<QJsonObject>("test");
        for (const auto& [name, test] : snapshotTests(9))
            QTest::newRow(qPrintable(name)) << test;
    }
    void netflowParser()
    {
        QFETCH(QJsonObject, test);
        const RowResult r = runSnapshot(test, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("netflow_parser_rs (v9)"));
    }

    void pmacct_data()
    {
        QTest::addColumn<QString>("test");
        QTest::addColumn<QString>("golden");
        for (const auto& [test, golden] : pmacctGoldens(9))
            QTest::newRow(qPrintable(test + QLatin1Char('/') + golden)) << test << golden;
    }
    void pmacct()
    {
        QFETCH(QString, test);
        QFETCH(QString, golden);
        const RowResult r = runPmacct(test, golden, QTest::currentDataTag(), kDeviations);
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("pmacct (v9)"));
    }

    // goflow2: template 260 then the data packet (truncated to 89 bytes as in the upstream test,
    // and whole); every value of the asserted record, read from expected.json.
    void goflow2_data()
    {
        QTest::addColumn<QString>("data");
        QTest::newRow("template260 + data260_truncated89")
            << QStringLiteral("nfv9_goflow2_data260_truncated89.bin");
        QTest::newRow("template260 + data260_full") << QStringLiteral("nfv9_goflow2_data260_full.bin");
    }
    void goflow2()
    {
        QFETCH(QString, data);
        const QJsonObject vectors = readJsonObject(vectorPath(QStringLiteral("goflow2/expected.json")))
                                        .value(QLatin1String("vectors"))
                                        .toObject();
        const QJsonObject tpl = vectors.value(QLatin1String("nfv9_goflow2_template260.bin")).toObject();
        // Both data packets carry the truncated packet's header and first record.
        const QJsonObject asserted = vectors.value(QLatin1String("nfv9_goflow2_data260_truncated89.bin"))
                                         .toObject()
                                         .value(QLatin1String("asserted"))
                                         .toObject();
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.1:2055");
        QVERIFY(run.feedFile(vectorPath(QStringLiteral("goflow2/nfv9_goflow2_template260.bin")), from));
        QVERIFY(run.feedFile(vectorPath(QStringLiteral("goflow2/") + data), from));
        FieldChecker c;
        const auto stats =
            run.domain(from, std::uint32_t(jsonU64(asserted.value(QLatin1String("SourceId")))));
        c.compare(QStringLiteral("template learned"), stats.templatesActive,
                  tpl.value(QLatin1String("asserted")).toObject().value(QLatin1String("Count")).toInt());
        const QJsonObject set = asserted.value(QLatin1String("FlowSets")).toArray().at(0).toObject();
        const bool truncated = data.contains(QLatin1String("truncated"));
        // Truncated: only the records that are there (1); whole: the header's Count.
        c.compare(QStringLiteral("records"), run.flows.size(),
                  truncated ? jsonU64(set.value(QLatin1String("Records_count")))
                            : jsonU64(asserted.value(QLatin1String("Count"))));
        if (truncated)
            c.compare(QStringLiteral("bad_set_length"), run.anomaly(Anomaly::BadSetLength), 1);
        if (run.flows.empty())
            QFAIL("no record decoded");
        const FlowRecord& r = run.flows.front();
        c.compare(QStringLiteral("SequenceNumber"), r.sequence_num,
                  jsonU64(asserted.value(QLatin1String("SequenceNumber"))));
        c.compare(QStringLiteral("SourceId"), r.observation_domain_id,
                  jsonU64(asserted.value(QLatin1String("SourceId"))));
        const std::uint64_t uptime = jsonU64(asserted.value(QLatin1String("SystemUptime")));
        const std::uint64_t unixSecs = jsonU64(asserted.value(QLatin1String("UnixSeconds")));
        for (const auto& v : set.value(QLatin1String("Records"))
                                 .toArray()
                                 .at(0)
                                 .toObject()
                                 .value(QLatin1String("Values"))
                                 .toArray()) {
            const QJsonObject o = v.toObject();
            const int type = o.value(QLatin1String("Type")).toInt();
            const QString where = QStringLiteral("IE %1").arg(type);
            if (const IpAddress* a = ieAddress(r, type))
                c.compare(where, addr(*a), o.value(QLatin1String("ipv4")).toString());
            else if (const auto n = ieNumber(r, type))
                c.compare(where, *n, jsonU64(o.value(QLatin1String("int"))));
            else if (type == 22 || type == 21)
                c.compare(where, type == 22 ? r.time_flow_start_ns : r.time_flow_end_ns,
                          unixSecs * 1'000'000'000ull -
                              (uptime - jsonU64(o.value(QLatin1String("int")))) * 1'000'000ull);
        }
        RowResult result;
        result.checked = c.checked();
        result.problems = c.unexplained(QTest::currentDataTag(), kDeviations);
        result.summary =
            QStringLiteral("%1 flows; anomalies: %2").arg(run.flows.size()).arg(run.anomalySummary());
        FLOWLENS_CHECK_ROW(result, g_tally, QStringLiteral("goflow2 (v9)"));
    }

    // scapy: netflowv9.pcap (two exporters, sampler options) and the built datagrams.
    void scapyPcap()
    {
        const QJsonObject e = readJsonObject(vectorPath(QStringLiteral("scapy/expected.json")))
                                  .value(QLatin1String("vectors"))
                                  .toObject()
                                  .value(QLatin1String("netflowv9.pcap"))
                                  .toObject()
                                  .value(QLatin1String("asserted"))
                                  .toObject();
        const auto datagrams = readDatagrams(vectorPath(QStringLiteral("scapy/netflowv9.pcap")), Endpoint{});
        QCOMPARE(int(datagrams.size()), e.value(QLatin1String("a[4]")).isObject() ? 5 : 0);
        DecodeRun run;
        for (const auto& d : datagrams)
            run.feed(d.payload, d.from);
        FieldChecker c;
        const QJsonObject a3 = e.value(QLatin1String("a[3]")).toObject();
        const auto& in3 = run.inputs[3];
        c.compare(QStringLiteral("a[3] records"), in3.flows,
                  jsonU64(a3.value(QLatin1String("data flowset records count"))));
        for (auto it = a3.begin(); it != a3.end(); ++it) {
            static const QRegularExpression re(QStringLiteral("^records\\[(\\d+)\\]\\.(\\w+)$"));
            const auto m = re.match(it.key());
            if (!m.hasMatch() || m.captured(1).toUInt() >= in3.flows)
                continue;
            const FlowRecord& r = run.flows[in3.firstFlow + m.captured(1).toUInt()];
            const QString f = m.captured(2);
            if (f == QLatin1String("IPV4_SRC_ADDR"))
                c.compare(it.key(), addr(r.src_addr), it.value().toString());
            else if (f == QLatin1String("IPV4_DST_ADDR"))
                c.compare(it.key(), addr(r.dst_addr), it.value().toString());
            else if (f == QLatin1String("IPV4_NEXT_HOP"))
                c.compare(it.key(), addr(r.next_hop), it.value().toString());
            else if (f == QLatin1String("IP_PROTOCOL_VERSION"))
                c.compare(it.key(), r.etype, jsonU64(it.value()) == 4 ? 0x0800 : 0x86dd);
        }
        // a[4]: the sampler options record of the second exporter: SAMPLING_INTERVAL 12.
        const QJsonObject a4 = e.value(QLatin1String("a[4]")).toObject();
        const auto& d4 = datagrams[4];
        const std::uint32_t source = (std::uint32_t(std::uint8_t(d4.payload[16])) << 24) |
                                     (std::uint32_t(std::uint8_t(d4.payload[17])) << 16) |
                                     (std::uint32_t(std::uint8_t(d4.payload[18])) << 8) |
                                     std::uint8_t(d4.payload[19]);
        c.compare(QStringLiteral("a[4] options records"), run.inputs[4].optionsRecords, 1);
        c.compare(QStringLiteral("a[4] SAMPLING_INTERVAL"), run.domain(d4.from, source).samplingRate,
                  jsonU64(a4.value(QLatin1String("records[1].SAMPLING_INTERVAL"))));
        RowResult result;
        result.checked = c.checked();
        result.problems = c.unexplained("scapyPcap", kDeviations);
        result.summary =
            QStringLiteral("%1 flows; anomalies: %2").arg(run.flows.size()).arg(run.anomalySummary());
        FLOWLENS_CHECK_ROW(result, g_tally, QStringLiteral("scapy (v9)"));
    }

    void scapyDatagrams_data()
    {
        QTest::addColumn<QString>("file");
        for (const char* f : {"nfv9_scapy_multiple_flowsets.bin", "nfv9_scapy_build_and_dissection.bin",
                              "nfv9_scapy_advanced_build.bin", "nfv9_scapy_padding_GH2257.bin",
                              "nfv9_scapy_complete_example.bin"})
            QTest::newRow(f) << QString::fromLatin1(f);
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
        QVERIFY(run.feedFile(vectorPath(QStringLiteral("scapy/") + file), endpoint("192.0.2.1:2055")));
        FieldChecker c;
        QJsonObject values = v.value(QLatin1String("asserted")).toObject();
        const QJsonObject after = v.value(QLatin1String("asserted_after_redissection")).toObject();
        for (auto it = after.begin(); it != after.end(); ++it)
            values.insert(it.key(), it.value());
        // Built datagrams: the build parameters are the expected record values.
        const QJsonArray built = v.value(QLatin1String("build_parameters"))
                                     .toObject()
                                     .value(QLatin1String("data templateID 256 records"))
                                     .toArray();
        for (int i = 0; i < built.size(); ++i) {
            const QJsonObject b = built.at(i).toObject();
            for (auto it = b.begin(); it != b.end(); ++it)
                values.insert(QStringLiteral("records[%1].%2").arg(i).arg(it.key()), it.value());
        }
        if (values.contains(QLatin1String("records count")))
            c.compare(QStringLiteral("records count"), run.flows.size(),
                      jsonU64(values.value(QLatin1String("records count"))));
        static const QRegularExpression re(QStringLiteral("^records\\[(\\d+)\\]\\.(\\w+)$"));
        for (auto it = values.begin(); it != values.end(); ++it) {
            const auto m = re.match(it.key());
            if (!m.hasMatch())
                continue;
            if (m.captured(1).toUInt() >= run.flows.size()) {
                c.fail(it.key() + QStringLiteral(": record not decoded"));
                continue;
            }
            const FlowRecord& r = run.flows[m.captured(1).toUInt()];
            const QString f = m.captured(2);
            if (f == QLatin1String("IPV4_SRC_ADDR"))
                c.compare(it.key(), addr(r.src_addr), it.value().toString());
            else if (f == QLatin1String("IPV4_DST_ADDR"))
                c.compare(it.key(), addr(r.dst_addr), it.value().toString());
            else if (f == QLatin1String("IPV4_NEXT_HOP"))
                c.compare(it.key(), addr(r.next_hop), it.value().toString());
            else if (f == QLatin1String("IP_PROTOCOL_VERSION"))
                c.compare(it.key(), r.etype, jsonU64(it.value()) == 4 ? 0x0800 : 0x86dd);
            else if (f == QLatin1String("PROTOCOL"))
                c.compare(it.key(), r.proto, jsonU64(it.value()));
            else if (f == QLatin1String("IN_BYTES"))
                c.compare(it.key(), r.bytes, jsonU64(it.value()));
            else if (f == QLatin1String("IN_PKTS"))
                c.compare(it.key(), r.packets, jsonU64(it.value()));
            else if (f == QLatin1String("OUTPUT_SNMP"))
                c.compare(it.key(), r.out_if, jsonU64(it.value()));
        }
        // Structure-only vectors: the templates (incl. zero-length scope fields and set padding)
        // must be accepted without a template anomaly; complete_example's header count (12) must
        // match the records found.
        c.compare(QStringLiteral("malformed_template"), run.anomaly(Anomaly::MalformedTemplate), 0);
        if (values.contains(QLatin1String("count")))
            c.compare(QStringLiteral("count_mismatch"), run.anomaly(Anomaly::CountMismatch), 0);
        if (file.contains(QLatin1String("GH2257")))
            c.compare(QStringLiteral("data set 257 without template"), run.anomaly(Anomaly::MissingTemplate),
                      1);
        RowResult result;
        result.checked = c.checked();
        result.problems = c.unexplained(QTest::currentDataTag(), kDeviations);
        result.summary = QStringLiteral("%1 flows + %2 options records; anomalies: %3")
                             .arg(run.flows.size())
                             .arg(run.optionsRecords())
                             .arg(run.anomalySummary());
        FLOWLENS_CHECK_ROW(result, g_tally, QStringLiteral("scapy (v9)"));
    }

    // scapy FRAGMENTs: a FlowSet without its packet; wrapped in a v9 header (and, for data
    // FlowSets, preceded by the template the expected file names).
    void scapyFragments_data()
    {
        QTest::addColumn<QString>("file");
        QTest::newRow("int_fields") << QStringLiteral("nfv9_scapy_int_fields_dataflowset_FRAGMENT.bin");
        QTest::newRow("dscp") << QStringLiteral("nfv9_scapy_dscp_dataflowset_FRAGMENT.bin");
        QTest::newRow("options_template")
            << QStringLiteral("nfv9_scapy_options_template_flowset_FRAGMENT.bin");
    }
    void scapyFragments()
    {
        QFETCH(QString, file);
        const QJsonObject v = readJsonObject(vectorPath(QStringLiteral("scapy/expected.json")))
                                  .value(QLatin1String("vectors"))
                                  .toObject()
                                  .value(file)
                                  .toObject();
        const QByteArray fragment = readFile(vectorPath(QStringLiteral("scapy/") + file));
        QVERIFY(!fragment.isEmpty());
        PacketBuilder b;
        b.v9Header(0, 1000, 1600000000, 1, 0);
        const QJsonObject tpl = v.value(QLatin1String("template_used")).toObject();
        if (!tpl.isEmpty()) {
            b.beginSet(0).u16(tpl.value(QLatin1String("templateID")).toInt());
            const QJsonArray fields = tpl.value(QLatin1String("fields")).toArray();
            b.u16(fields.size());
            static const QRegularExpression num(QStringLiteral("\\((\\d+)\\)"));
            for (const auto& f : fields)
                b.u16(num.match(f.toArray().at(0).toString()).captured(1).toUInt())
                    .u16(f.toArray().at(1).toInt());
            b.endSet();
        }
        for (char ch : fragment)
            b.u8(static_cast<unsigned char>(ch));
        DecodeRun run;
        run.feed(b.bytes(), endpoint("192.0.2.1:2055"));
        FieldChecker c;
        c.compare(QStringLiteral("template anomalies"),
                  run.anomaly(Anomaly::MalformedTemplate) + run.anomaly(Anomaly::BadFieldLength), 0);
        const QJsonObject asserted = v.value(QLatin1String("asserted")).toObject();
        if (file.contains(QLatin1String("options_template"))) {
            c.compare(QStringLiteral("templates learned"),
                      run.domain(endpoint("192.0.2.1:2055"), 0).templatesLearned, 1);
        } else if (run.flows.size() != 1) {
            c.fail(QStringLiteral("expected one record, got %1").arg(run.flows.size()));
        } else {
            const FlowRecord& r = run.flows.front();
            if (asserted.contains(QLatin1String("IN_BYTES")))
                c.compare(QStringLiteral("IN_BYTES"), r.bytes,
                          jsonU64(asserted.value(QLatin1String("IN_BYTES"))));
            if (asserted.contains(QLatin1String("IN_PKTS")))
                c.compare(QStringLiteral("IN_PKTS"), r.packets,
                          jsonU64(asserted.value(QLatin1String("IN_PKTS"))));
            if (asserted.contains(QLatin1String("IPV4_SRC_ADDR")))
                c.compare(QStringLiteral("IPV4_SRC_ADDR"), addr(r.src_addr),
                          asserted.value(QLatin1String("IPV4_SRC_ADDR")).toString());
            const QJsonObject build = v.value(QLatin1String("build_parameters")).toObject();
            if (build.contains(QLatin1String("IP_DSCP")))
                c.compare(QStringLiteral("IP_DSCP (as TOS)"), r.ip_tos,
                          jsonU64(build.value(QLatin1String("IP_DSCP"))) << 2);
        }
        RowResult result;
        result.checked = c.checked();
        result.problems = c.unexplained(QTest::currentDataTag(), kDeviations);
        result.summary =
            QStringLiteral("%1 flows; anomalies: %2").arg(run.flows.size()).arg(run.anomalySummary());
        FLOWLENS_CHECK_ROW(result, g_tally, QStringLiteral("scapy (v9)"));
    }

    // elastic beats: the ASA golden subset (14 events, IANA snake_case names) and the two
    // zero-event goldens.
    void beatsAsa()
    {
        const QJsonObject golden = readJsonObject(
            vectorPath(QStringLiteral("elastic-beats-goldens/Netflow-9-Cisco-ASA.beats-golden.subset.json")));
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.1:4444");
        for (const char* f : {"netflow9_test_cisco_asa_1_tpl.dat", "netflow9_test_cisco_asa_1_data.dat"})
            QVERIFY(run.feedFile(logstashDir() + QStringLiteral("/dat/") + QLatin1String(f), from));
        FieldChecker c;
        const QJsonArray events = golden.value(QLatin1String("events_in_golden_order")).toArray();
        c.compare(QStringLiteral("event count"), run.flows.size(),
                  jsonU64(golden.value(QLatin1String("expected_event_count"))));
        for (int i = 0; i < events.size() && i < int(run.flows.size()); ++i) {
            const QJsonObject nf = events.at(i).toObject().value(QLatin1String("netflow")).toObject();
            const FlowRecord& r = run.flows[std::size_t(i)];
            const QString w = QStringLiteral("event %1: ").arg(i);
            for (auto it = nf.begin(); it != nf.end(); ++it) {
                const QString k = it.key();
                if (k == QLatin1String("source_ipv4_address"))
                    c.compare(w + k, addr(r.src_addr), it.value().toString());
                else if (k == QLatin1String("destination_ipv4_address"))
                    c.compare(w + k, addr(r.dst_addr), it.value().toString());
                else if (k == QLatin1String("source_transport_port"))
                    c.compare(w + k, r.src_port, jsonU64(it.value()));
                else if (k == QLatin1String("destination_transport_port"))
                    c.compare(w + k, r.dst_port, jsonU64(it.value()));
                else if (k == QLatin1String("ingress_interface"))
                    c.compare(w + k, r.in_if, jsonU64(it.value()));
                else if (k == QLatin1String("egress_interface"))
                    c.compare(w + k, r.out_if, jsonU64(it.value()));
                else if (k == QLatin1String("protocol_identifier"))
                    c.compare(w + k, r.proto, jsonU64(it.value()));
                else if (k == QLatin1String("icmp_type_ipv4"))
                    c.compare(w + k, r.icmp_type, jsonU64(it.value()));
                else if (k == QLatin1String("icmp_code_ipv4"))
                    c.compare(w + k, r.icmp_code, jsonU64(it.value()));
                else if (k == QLatin1String("octet_total_count"))
                    c.compare(w + k, r.bytes, jsonU64(it.value()));
                else if (k == QLatin1String("flow_start_milliseconds"))
                    compareIso(c, w + k, r.time_flow_start_ns, it.value().toString());
                else if (k == QLatin1String("observation_time_milliseconds"))
                    compareIso(c, w + k, r.time_flow_end_ns, it.value().toString());
                else if (k == QLatin1String("exporter")) {
                    const QJsonObject ex = it.value().toObject();
                    c.compare(w + QStringLiteral("exporter.source_id"), r.observation_domain_id,
                              jsonU64(ex.value(QLatin1String("source_id"))));
                    c.compare(w + QStringLiteral("exporter.address"),
                              QString::fromStdString(Endpoint{r.sampler_address, 4444}.toString()),
                              ex.value(QLatin1String("address")).toString());
                }
            }
        }
        RowResult result;
        result.checked = c.checked();
        result.problems = c.unexplained("beatsAsa", kDeviations);
        result.summary =
            QStringLiteral("%1 flows; anomalies: %2").arg(run.flows.size()).arg(run.anomalySummary());
        FLOWLENS_CHECK_ROW(result, g_tally, QStringLiteral("elastic-beats-goldens (v9)"));
    }

    void beatsZeroEvents_data()
    {
        QTest::addColumn<QString>("golden");
        QTest::addColumn<QStringList>("inputs");
        QTest::newRow("Netflow-9-Cisco-WLC-8500-release-8.2")
            << QStringLiteral("Netflow-9-Cisco-WLC-8500-release-8.2.golden.json")
            << QStringList{QStringLiteral("netflow9_test_cisco_wlc_8510_tpl_262.dat")};
        QTest::newRow("Netflow-9-invalid-01") << QStringLiteral("Netflow-9-invalid-01.golden.json")
                                              << QStringList{QStringLiteral("netflow9_test_invalid01.dat")};
    }
    void beatsZeroEvents()
    {
        QFETCH(QString, golden);
        QFETCH(QStringList, inputs);
        const QJsonObject g = readJsonObject(vectorPath(QStringLiteral("elastic-beats-goldens/") + golden));
        QVERIFY(g.contains(QLatin1String("test_name")));
        DecodeRun run;
        for (const QString& f : inputs)
            QVERIFY(run.feedFile(logstashDir() + QStringLiteral("/dat/") + f, endpoint("192.0.2.1:4444")));
        FieldChecker c;
        c.compare(QStringLiteral("events"), run.flows.size(),
                  std::uint64_t(g.value(QLatin1String("events")).toArray().size()));
        RowResult result;
        result.checked = c.checked();
        result.problems = c.unexplained(QTest::currentDataTag(), kDeviations);
        result.summary =
            QStringLiteral("%1 flows; anomalies: %2").arg(run.flows.size()).arg(run.anomalySummary());
        FLOWLENS_CHECK_ROW(result, g_tally, QStringLiteral("elastic-beats-goldens (v9)"));
    }

    // ---------------------------------------------------------------------------- unit cases

    void templateRedefinition()
    {
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.5:2055");
        const auto send = [&](std::initializer_list<std::pair<std::uint16_t, std::uint16_t>> fields,
                              std::uint32_t seq) {
            PacketBuilder b;
            b.v9Header(1, 1000, 1600000000, seq, 9).beginSet(0).templateRecord(300, fields).endSet();
            run.feed(b.bytes(), from);
        };
        send({{8, 4}, {12, 4}}, 1);
        send({{8, 4}, {12, 4}}, 2);    // refresh
        send({{27, 16}, {28, 16}}, 3); // redefinition
        DomainStats s = run.domain(from, 9);
        QCOMPARE(s.templatesLearned, std::uint64_t(3));
        QCOMPARE(s.templatesChanged, std::uint64_t(1));
        QCOMPARE(s.templatesActive, std::uint32_t(1));
        // Data now decodes with the new (IPv6) layout.
        PacketBuilder d;
        d.v9Header(1, 1000, 1600000000, 4, 9).beginSet(300);
        d.u32(0x20010db8).zeros(11).u8(1).u32(0x20010db8).zeros(11).u8(2).endSet();
        run.feed(d.bytes(), from);
        QCOMPARE(run.flows.size(), std::size_t(1));
        QCOMPARE(addr(run.flows.front().src_addr), QStringLiteral("2001:db8::1"));
        QCOMPARE(run.flows.front().etype, std::uint16_t(0x86dd));
        // v9 sequence numbers count export packets: 1..4 without a gap.
        s = run.domain(from, 9);
        QCOMPARE(s.sequenceGaps, std::uint64_t(0));
        QCOMPARE(s.sequenceExpected, std::uint64_t(4));
    }

    void fieldMapping()
    {
        // One v9 template carrying most mapped IEs, including MPLS, NAT, VRF and v6 fields.
        PacketBuilder b;
        b.v9Header(2, 60000, 1600000000, 1, 1);
        b.beginSet(0).templateRecord(
            400, {{8, 4},   {12, 4},  {7, 2},   {11, 2},  {4, 1},   {5, 1},   {6, 1},  {10, 4}, {14, 4},
                  {16, 4},  {17, 4},  {9, 1},   {13, 1},  {15, 4},  {18, 4},  {1, 8},  {2, 8},  {22, 4},
                  {21, 4},  {56, 6},  {80, 6},  {58, 2},  {59, 2},  {31, 4},  {32, 2}, {52, 1}, {54, 4},
                  {88, 2},  {89, 1},  {61, 1},  {234, 4}, {235, 4}, {138, 4}, {70, 3}, {71, 3}, {72, 3},
                  {225, 4}, {226, 4}, {227, 2}, {228, 2}, {230, 1}, {128, 4}, {197, 1}});
        b.endSet();
        b.beginSet(400);
        b.ipv4(10, 1, 1, 1).ipv4(10, 2, 2, 2).u16(1234).u16(53).u8(17).u8(0x28).u8(0);
        b.u32(7).u32(8).u32(65001).u32(65002).u8(24).u8(16).ipv4(192, 0, 2, 254).ipv4(198, 51, 100, 1);
        b.u64(123456789012ull).u64(1000).u32(50000).u32(59000);
        b.u8(0x00)
            .u8(0x11)
            .u8(0x22)
            .u8(0x33)
            .u8(0x44)
            .u8(0x55)
            .u8(0x66)
            .u8(0x77)
            .u8(0x88)
            .u8(0x99)
            .u8(0xaa)
            .u8(0xbb);
        b.u16(100).u16(200).u32(0xabcde).u16(0).u8(64).u32(4242).u16(185).u8(0x42).u8(1);
        b.u32(5).u32(6).u32(77);
        b.u24((16000u << 4)).u24((17000u << 4)).u24((18000u << 4) | 1); // three labels, S bit on the last
        b.ipv4(203, 0, 113, 5).ipv4(203, 0, 113, 6).u16(40000).u16(8053).u8(1).u32(65003).u8(2);
        b.endSet();
        DecodeRun run;
        run.feed(b.bytes(), endpoint("192.0.2.5:2055"));
        QCOMPARE(run.flows.size(), std::size_t(1));
        QCOMPARE(run.anomalies(), std::uint64_t(0));
        const FlowRecord& f = run.flows.front();
        QCOMPARE(addr(f.src_addr), QStringLiteral("10.1.1.1"));
        QCOMPARE(addr(f.dst_addr), QStringLiteral("10.2.2.2"));
        QCOMPARE(f.src_port, std::uint16_t(1234));
        QCOMPARE(f.dst_port, std::uint16_t(53));
        QCOMPARE(f.proto, std::uint8_t(17));
        QCOMPARE(f.ip_tos, std::uint8_t(0x28));
        QCOMPARE(f.in_if, 7u);
        QCOMPARE(f.out_if, 8u);
        QCOMPARE(f.src_as, 65001u);
        QCOMPARE(f.dst_as, 65002u);
        QCOMPARE(f.src_net, std::uint8_t(24));
        QCOMPARE(f.dst_net, std::uint8_t(16));
        QCOMPARE(addr(f.next_hop), QStringLiteral("192.0.2.254"));
        QCOMPARE(addr(f.bgp_next_hop), QStringLiteral("198.51.100.1"));
        QCOMPARE(f.bytes, std::uint64_t(123456789012ull));
        QCOMPARE(f.packets, std::uint64_t(1000));
        QCOMPARE(f.time_flow_start_ns, 1600000000ull * 1'000'000'000 - 10'000'000'000ull);
        QCOMPARE(f.time_flow_end_ns, 1600000000ull * 1'000'000'000 - 1'000'000'000ull);
        QCOMPARE(mac(f.src_mac), QStringLiteral("00:11:22:33:44:55"));
        QCOMPARE(mac(f.dst_mac), QStringLiteral("66:77:88:99:aa:bb"));
        QCOMPARE(f.src_vlan, std::uint16_t(100));
        QCOMPARE(f.dst_vlan, std::uint16_t(200));
        QCOMPARE(f.vlan_id, std::uint16_t(100));
        QCOMPARE(f.ipv6_flow_label, 0xabcdeu);
        QCOMPARE(f.ip_ttl, std::uint8_t(64));
        QCOMPARE(f.fragment_id, 4242u);
        QCOMPARE(f.fragment_offset, std::uint16_t(185));
        QCOMPARE(f.forwarding_status, std::uint8_t(0x42));
        QCOMPARE(f.flow_direction, std::uint8_t(1));
        QCOMPARE(f.ingress_vrf_id, 5u);
        QCOMPARE(f.egress_vrf_id, 6u);
        QCOMPARE(f.observation_point_id, 77u);
        QCOMPARE(f.mpls_label_count, std::uint8_t(3));
        QCOMPARE(f.mpls_label[0], 16000u);
        QCOMPARE(f.mpls_label[1], 17000u);
        QCOMPARE(f.mpls_label[2], 18000u);
        QCOMPARE(addr(f.post_nat_src_addr), QStringLiteral("203.0.113.5"));
        QCOMPARE(addr(f.post_nat_dst_addr), QStringLiteral("203.0.113.6"));
        QCOMPARE(f.post_nat_src_port, std::uint16_t(40000));
        QCOMPARE(f.post_nat_dst_port, std::uint16_t(8053));
        QCOMPARE(f.nat_event, std::uint8_t(1));
        QCOMPARE(f.next_hop_as, 65003u);
        QCOMPARE(f.ip_flags, std::uint8_t(2));
        QCOMPARE(f.etype, std::uint16_t(0x0800));
        QCOMPARE(f.observation_domain_id, 1u);
    }

    // Options data name sampler ids and rates; data records pick theirs by FLOW_SAMPLER_ID (48).
    void optionsSamplingBySamplerId()
    {
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.5:2055");
        PacketBuilder b;
        b.v9Header(6, 1000, 1600000000, 1, 3);
        // Options template 256: scope System (4 bytes); FLOW_SAMPLER_ID/1, SAMPLING_INTERVAL/4.
        b.beginSet(1).u16(256).u16(4).u16(8).u16(1).u16(4).u16(48).u16(1).u16(34).u16(4).endSet(4);
        b.beginSet(256).u32(0).u8(1).u32(100).u32(0).u8(2).u32(4000).endSet(4);
        b.beginSet(0).templateRecord(257, {{8, 4}, {48, 1}}).endSet();
        b.beginSet(257).ipv4(10, 0, 0, 1).u8(1).ipv4(10, 0, 0, 2).u8(2).ipv4(10, 0, 0, 3).u8(9).endSet(4);
        run.feed(b.bytes(), from);
        QCOMPARE(run.flows.size(), std::size_t(3));
        QCOMPARE(run.optionsRecords(), std::uint64_t(2));
        QCOMPARE(run.flows[0].sampling_rate, std::uint64_t(100));
        QCOMPARE(run.flows[1].sampling_rate, std::uint64_t(4000));
        QCOMPARE(run.flows[2].sampling_rate, std::uint64_t(0));          // unknown sampler, two learned
        QCOMPARE(run.anomaly(Anomaly::CountMismatch), std::uint64_t(1)); // 2 templates + 5 records != 6
        // Forcing a rate wins over what the exporter states.
        run.decoder.setSamplingOverride(from.address, 10, true);
        run.feed(b.bytes(), from);
        QCOMPARE(run.flows.back().sampling_rate, std::uint64_t(10));
        QCOMPARE(run.flows[run.flows.size() - 3].sampling_rate, std::uint64_t(10));
    }

    // Data sets before their template are kept and decoded, in arrival order, when it comes.
    void templateAfterData()
    {
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.5:2055");
        for (std::uint32_t i = 0; i < 3; ++i) {
            PacketBuilder d;
            d.v9Header(1, 1000 + i, 1600000000 + i, i, 0)
                .beginSet(500)
                .ipv4(10, 0, 0, std::uint8_t(i + 1))
                .u16(80)
                .endSet(4);
            run.feed(d.bytes(), from);
        }
        DomainStats s = run.domain(from, 0);
        QCOMPARE(run.flows.size(), std::size_t(0));
        QCOMPARE(s.pendingSets, std::uint32_t(3));
        QCOMPARE(s.missingTemplateSets, std::uint64_t(3));
        PacketBuilder t;
        t.v9Header(1, 2000, 1600000010, 3, 0).beginSet(0).templateRecord(500, {{8, 4}, {11, 2}}).endSet();
        run.feed(t.bytes(), from);
        QCOMPARE(run.flows.size(), std::size_t(3));
        for (std::size_t i = 0; i < 3; ++i) {
            QCOMPARE(addr(run.flows[i].src_addr), QStringLiteral("10.0.0.%1").arg(i + 1));
            // Each keeps its own packet's context (sequence number, receive time).
            QCOMPARE(run.flows[i].sequence_num, std::uint32_t(i));
        }
        s = run.domain(from, 0);
        QCOMPARE(s.pendingSets, std::uint32_t(0));
        QCOMPARE(s.pendingExpired, std::uint64_t(0));
        QCOMPARE(s.flows, std::uint64_t(3));
    }

    void pendingBounds()
    {
        DecoderLimits limits;
        limits.maxPendingSets = 2;
        limits.maxPendingBytes = 1024;
        limits.maxPendingAgeNs = 60'000'000'000ull;
        DecodeRun run(limits);
        const Endpoint from = endpoint("192.0.2.5:2055");
        const auto data = [&](std::uint16_t id, std::size_t bytes, std::uint64_t at) {
            PacketBuilder d;
            d.v9Header(1, 1000, 1600000000, 0, 0).beginSet(id).zeros(bytes).u8(1).endSet(4);
            run.feed(d.bytes(), from, at);
        };
        data(600, 8, kReceivedNs);
        data(601, 8, kReceivedNs + 1);
        data(602, 8, kReceivedNs + 2); // count bound: the oldest (600) goes
        DomainStats s = run.domain(from, 0);
        QCOMPARE(s.pendingSets, std::uint32_t(2));
        QCOMPARE(s.pendingExpired, std::uint64_t(1));
        data(603, 2000, kReceivedNs + 3); // larger than the byte bound: not kept
        s = run.domain(from, 0);
        QCOMPARE(s.pendingExpired, std::uint64_t(2));
        data(604, 8, kReceivedNs + 61'000'000'000ull); // 601 and 602 are now too old
        s = run.domain(from, 0);
        QCOMPARE(s.pendingExpired, std::uint64_t(4));
        QCOMPARE(s.pendingSets, std::uint32_t(1));
    }

    void samplingRateFromScapyStyleOptionsIsPerDomain()
    {
        // Two source ids of one exporter keep separate templates and learned rates.
        DecodeRun run;
        const Endpoint from = endpoint("192.0.2.5:2055");
        for (std::uint32_t source : {1u, 2u}) {
            PacketBuilder b;
            b.v9Header(3, 1000, 1600000000, 1, source);
            b.beginSet(1).u16(256).u16(4).u16(4).u16(1).u16(4).u16(34).u16(4).endSet(4);
            b.beginSet(256).u32(0).u32(source * 10).endSet(4);
            b.beginSet(0).templateRecord(257, {{8, 4}}).endSet();
            b.beginSet(257).ipv4(10, 0, 0, std::uint8_t(source)).endSet(4);
            run.feed(b.bytes(), from);
        }
        QCOMPARE(run.flows.size(), std::size_t(2));
        QCOMPARE(run.flows[0].sampling_rate, std::uint64_t(10));
        QCOMPARE(run.flows[1].sampling_rate, std::uint64_t(20));
        QCOMPARE(run.domain(from, 1).samplingRate, std::uint64_t(10));
        QCOMPARE(run.domain(from, 2).samplingRate, std::uint64_t(20));
    }
};

QTEST_GUILESS_MAIN(TestNetflowV9)
#include "tst_netflow_v9.moc"
