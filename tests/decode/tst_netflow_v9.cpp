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
        if (!na.isEmpty() && (!r.problems.isEmpty() || r.checked == 0)) {
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
};

QTEST_GUILESS_MAIN(TestNetflowV9)
#include "tst_netflow_v9.moc"
