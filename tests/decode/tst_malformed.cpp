// Malformed, truncated and hostile input: the decoder must count anomalies and never crash,
// loop forever or read out of bounds (run under FLOWLENS_SANITIZE to check the last).
#include "decode/oracle_support.h"
#include "decode/packet_builder.h"

#include <random>

using namespace flowlens;
using namespace flowlens::decode;
using namespace flowlens::test;

namespace {

// Anomalies that mean "the datagram as a whole could not be decoded".
std::uint64_t datagramErrors(const DecodeRun& run)
{
    return run.anomaly(Anomaly::UnknownProtocol) + run.anomaly(Anomaly::TruncatedHeader) +
           run.anomaly(Anomaly::BadLength) + run.anomaly(Anomaly::BadSetLength) +
           run.anomaly(Anomaly::CountMismatch);
}

// netflow_parser's "packets" is the number of parsed export packets; where it rejects a whole
// packet whose records are partly there, this decoder decodes what is there (brief: "decode the
// records that are really there").
constexpr KnownDeviation kDeviations[] = {
    {"test_v5_count_exceeds_data.bin", "records",
     "header count 30 but one 48-byte record present: netflow_parser rejects the packet (0 packets, error); "
     "this decoder decodes the record that is there and counts bad_length (error: yes)."},
};

SourceTally g_tally;

std::vector<std::vector<std::byte>> allVectorPayloads()
{
    std::vector<std::vector<std::byte>> out;
    QDirIterator it(vectorsDir(),
                    {QStringLiteral("*.bin"), QStringLiteral("*.dat"), QStringLiteral("*.pcap")}, QDir::Files,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (path.contains(QLatin1String("sflow")) || path.contains(QLatin1String("rawheader")))
            continue;
        for (auto& d : readDatagrams(path, endpoint("192.0.2.1:2055")))
            out.push_back(std::move(d.payload));
    }
    return out;
}

} // namespace

class TestMalformed : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!QDir(vectorsDir()).exists())
            QSKIP("oracle vectors not found; set FLOWLENS_VECTORS to shared/oracle/vectors");
    }
    void cleanupTestCase() { g_tally.print(); }

    // netflow_parser_rs malformed/expected.json: error -> anomalies and no flows; no error -> no
    // datagram-level anomaly.
    void netflowParserMalformed_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QJsonObject>("expected");
        const QJsonObject vectors =
            readJsonObject(vectorPath(QStringLiteral("netflow_parser_rs/malformed/expected.json")))
                .value(QLatin1String("vectors"))
                .toObject();
        for (auto it = vectors.begin(); it != vectors.end(); ++it)
            QTest::newRow(qPrintable(it.key()))
                << it.key() << it.value().toObject().value(QLatin1String("expected")).toObject();
    }
    void netflowParserMalformed()
    {
        QFETCH(QString, file);
        QFETCH(QJsonObject, expected);
        DecodeRun run;
        QVERIFY(run.feedFile(vectorPath(QStringLiteral("netflow_parser_rs/malformed/") + file),
                             endpoint("192.0.2.1:2055")));
        FieldChecker c;
        if (expected.contains(QLatin1String("error")))
            c.compare(QStringLiteral("error"),
                      QString::fromLatin1(expected.value(QLatin1String("error")).toBool()
                                              ? (run.anomalies() > 0 ? "yes" : "no")
                                              : (datagramErrors(run) > 0 ? "yes" : "no")),
                      QString::fromLatin1(expected.value(QLatin1String("error")).toBool() ? "yes" : "no"));
        if (expected.contains(QLatin1String("packets")))
            c.compare(QStringLiteral("records"), run.flows.size(),
                      jsonU64(expected.value(QLatin1String("packets"))));
        if (expected.value(QLatin1String("no_crash")).toBool())
            c.compare(QStringLiteral("decoded without crash; IPFIX only"), run.flows.size(), 0);
        if (file.contains(QLatin1String("template_withdrawal")))
            c.compare(QStringLiteral("anomalies"), run.anomalies(), 0);
        RowResult r;
        r.checked = c.checked();
        r.problems = c.unexplained(QTest::currentDataTag(), kDeviations);
        r.summary = QStringLiteral("%1 flows; anomalies: %2").arg(run.flows.size()).arg(run.anomalySummary());
        FLOWLENS_CHECK_ROW(r, g_tally, QStringLiteral("netflow_parser_rs malformed"));
    }

    // logstash's invalid datagrams: accepted, records that are there decoded, anomalies counted.
    void logstashInvalid_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("flows");
        QTest::addColumn<int>("anomaly");
        // v5: count 55582 / 163 in the header, 30 records (1464 bytes) present.
        QTest::newRow("netflow5_test_invalid01")
            << QStringLiteral("netflow5_test_invalid01.dat") << 30 << int(Anomaly::BadLength);
        QTest::newRow("netflow5_test_invalid02")
            << QStringLiteral("netflow5_test_invalid02.dat") << 30 << int(Anomaly::BadLength);
        // v9: header count 2, six FlowSets (incl. an options template of length 22).
        QTest::newRow("netflow9_test_invalid01")
            << QStringLiteral("netflow9_test_invalid01.dat") << 2 << int(Anomaly::CountMismatch);
    }
    void logstashInvalid()
    {
        QFETCH(QString, file);
        QFETCH(int, flows);
        QFETCH(int, anomaly);
        DecodeRun run;
        QVERIFY(run.feedFile(logstashDir() + QStringLiteral("/dat/") + file, endpoint("192.0.2.1:2055")));
        QCOMPARE(int(run.flows.size()), flows);
        QCOMPARE(run.anomaly(static_cast<Anomaly>(anomaly)), std::uint64_t(1));
        g_tally.add(QStringLiteral("logstash invalid"));
        g_tally.pass(QStringLiteral("logstash invalid"));
    }

    // Every vector truncated at every length up to 160 bytes and at a sample of longer ones, and
    // with random byte flips: the decoder must survive, and never emit more records than fit.
    void truncationsAndMutations()
    {
        const auto payloads = allVectorPayloads();
        QVERIFY(payloads.size() > 100);
        std::mt19937 rng(20241128);
        // Without pending sets every record comes from the datagram just decoded.
        DecoderLimits limits;
        limits.maxPendingSets = 0;
        FlowDecoder decoder(limits);
        std::vector<FlowRecord> out;
        std::uint64_t datagrams = 0;
        for (const auto& p : payloads) {
            for (std::size_t n = 0; n <= p.size(); n += (n < 160 ? 1 : 37)) {
                out.clear();
                decoder.decode(std::span<const std::byte>(p.data(), n), endpoint("192.0.2.9:2055"),
                               kReceivedNs, out);
                // No record can be smaller than 1 byte of its datagram (biflows double at most).
                QVERIFY(out.size() <= 2 * n);
                ++datagrams;
            }
            for (int round = 0; round < 20; ++round) {
                std::vector<std::byte> m = p;
                const int flips = 1 + int(rng() % 8);
                for (int f = 0; f < flips && !m.empty(); ++f)
                    m[rng() % m.size()] = std::byte(rng() & 0xff);
                out.clear();
                decoder.decode(m, endpoint("192.0.2.10:2055"), kReceivedNs, out);
                QVERIFY(out.size() <= 2 * m.size());
                ++datagrams;
            }
        }
        QCOMPARE(decoder.datagrams(), datagrams);
        qInfo("%llu mutated/truncated datagrams decoded without a crash",
              static_cast<unsigned long long>(datagrams));
    }

    // Garbage-learned templates and pending sets (default limits) must survive being decoded
    // later, saved and loaded.
    void mutationsWithPendingAndPersistence()
    {
        const auto payloads = allVectorPayloads();
        std::mt19937 rng(7);
        FlowDecoder decoder;
        std::vector<FlowRecord> out;
        for (int round = 0; round < 4; ++round) {
            for (const auto& p : payloads) {
                std::vector<std::byte> m = p;
                for (int f = 0; f < 3 && !m.empty(); ++f)
                    m[rng() % m.size()] = std::byte(rng() & 0xff);
                out.clear();
                decoder.decode(m, endpoint("192.0.2.11:2055"),
                               kReceivedNs + std::uint64_t(round) * 1'000'000'000, out);
            }
        }
        const auto blob = decoder.saveTemplates();
        FlowDecoder restored;
        QVERIFY(restored.loadTemplates(blob));
        QCOMPARE(restored.saveTemplates().size(), blob.size());
    }

    void emptyAndTiny_data()
    {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<int>("anomaly");
        QTest::newRow("empty") << QByteArray() << int(Anomaly::TruncatedHeader);
        QTest::newRow("one byte") << QByteArray("\x00", 1) << int(Anomaly::TruncatedHeader);
        QTest::newRow("v9 version only") << QByteArray("\x00\x09", 2) << int(Anomaly::TruncatedHeader);
        QTest::newRow("ipfix 15 bytes")
            << QByteArray(15, '\0').replace(0, 2, QByteArray("\x00\x0a", 2)) << int(Anomaly::TruncatedHeader);
        QTest::newRow("version 7") << QByteArray("\x00\x07\x00\x00\x00\x00\x00\x00", 8)
                                   << int(Anomaly::UnknownProtocol);
    }
    void emptyAndTiny()
    {
        QFETCH(QByteArray, bytes);
        QFETCH(int, anomaly);
        FlowDecoder d;
        std::vector<FlowRecord> out;
        QCOMPARE(d.decode(toBytes(bytes), endpoint("192.0.2.1:2055"), kReceivedNs, out), std::size_t(0));
        QCOMPARE(d.unattributedAnomalies()[std::size_t(anomaly)], std::uint64_t(1));
    }

    // A template whose records are 0 bytes long must be refused, not loop over its data set.
    void zeroLengthTemplateDoesNotLoop()
    {
        PacketBuilder b;
        b.v9Header(2, 1000, 1600000000, 1, 7);
        b.beginSet(0).templateRecord(300, {{1, 0}, {2, 0}}).endSet();
        b.beginSet(300).zeros(64).endSet();
        DecodeRun run;
        run.feed(b.bytes(), endpoint("192.0.2.1:2055"));
        QCOMPARE(run.flows.size(), std::size_t(0));
        QCOMPARE(run.anomaly(Anomaly::MalformedTemplate), std::uint64_t(1));
        QCOMPARE(run.anomaly(Anomaly::MissingTemplate), std::uint64_t(1));

        // IPFIX: a template made only of variable-length fields whose values are all empty.
        PacketBuilder i;
        i.ipfixHeader(1600000000, 0, 1);
        i.beginSet(2).templateRecord(301, {{82, 0xffff}, {83, 0xffff}}).endSet();
        i.beginSet(301).u8(0).u8(0).u8(0).u8(0).u8(1).u8('x').u8(0).u8(0).endSet();
        DecodeRun ipfix;
        ipfix.feed(i.finishIpfix(), endpoint("192.0.2.1:4739"));
        // (0,0), (0,0) are padding-like zero records at the end; the middle one has a value.
        QVERIFY(ipfix.flows.size() <= 3);
    }

    void hostileLengths()
    {
        // Set length 0, set length past the datagram, field count past the set, varlen past the
        // record, options scope count larger than the field count.
        PacketBuilder a;
        a.v9Header(1, 0, 0, 0, 0).u16(256).u16(0).zeros(8).u8(1);
        PacketBuilder b;
        b.v9Header(1, 0, 0, 0, 0).u16(0).u16(9999).u16(256).u16(1);
        PacketBuilder c;
        c.ipfixHeader(0, 0, 0).beginSet(2).u16(256).u16(60000).u16(1).u16(4).endSet();
        PacketBuilder d;
        d.ipfixHeader(0, 0, 0).beginSet(2).templateRecord(256, {{82, 0xffff}}).endSet();
        d.beginSet(256).u8(255).u16(5000).text("abc").endSet();
        PacketBuilder e;
        e.ipfixHeader(0, 0, 0).beginSet(3).u16(256).u16(1).u16(2).u16(8).u16(4).endSet();
        const std::vector<std::pair<std::vector<std::byte>, Anomaly>> cases = {
            {a.bytes(), Anomaly::BadSetLength},
            {b.bytes(), Anomaly::BadSetLength},
            {c.finishIpfix(), Anomaly::MalformedTemplate},
            {d.finishIpfix(), Anomaly::BadVariableLength},
            {e.finishIpfix(), Anomaly::MalformedTemplate},
        };
        for (const auto& [bytes, anomaly] : cases) {
            DecodeRun run;
            run.feed(bytes, endpoint("192.0.2.1:2055"));
            QCOMPARE(run.flows.size(), std::size_t(0));
            QVERIFY2(run.anomaly(anomaly) >= 1, qPrintable(run.anomalySummary()));
        }
    }

    // Zero fill after the last set is not an anomaly; anything else is TrailingBytes.
    void trailingBytes()
    {
        for (const bool garbage : {false, true}) {
            PacketBuilder b;
            b.v9Header(2, 1000, 1600000000, 1, 0);
            b.beginSet(0).templateRecord(256, {{8, 4}, {12, 4}}).endSet();
            b.beginSet(256).ipv4(10, 0, 0, 1).ipv4(10, 0, 0, 2).endSet();
            b.zeros(40);
            if (garbage)
                b.u8(0x42).u8(0x42);
            DecodeRun run;
            run.feed(b.bytes(), endpoint("192.0.2.1:2055"));
            QCOMPARE(run.flows.size(), std::size_t(1));
            QCOMPARE(run.anomaly(Anomaly::TrailingBytes), std::uint64_t(garbage ? 1 : 0));
        }
    }

    void limits()
    {
        DecoderLimits limits;
        limits.maxDomains = 2;
        limits.maxTemplatesPerDomain = 3;
        limits.maxTemplateFields = 4;
        DecodeRun run(limits);
        PacketBuilder b;
        b.ipfixHeader(1600000000, 0, 1).beginSet(2);
        for (std::uint16_t id = 256; id < 262; ++id)
            b.templateRecord(id, {{8, 4}});
        b.templateRecord(270, {{8, 4}, {12, 4}, {7, 2}, {11, 2}, {4, 1}});
        b.endSet();
        run.feed(b.finishIpfix(), endpoint("192.0.2.1:4739"));
        const DomainStats s = run.domain(endpoint("192.0.2.1:4739"), 1);
        QCOMPARE(s.templatesActive, std::uint32_t(3));
        QCOMPARE(s.anomalies[std::size_t(Anomaly::TemplateLimit)], std::uint64_t(3 + 1));
        // Third domain: dropped and counted where it cannot be attributed.
        for (std::uint32_t domain : {2u, 3u}) {
            PacketBuilder p;
            p.ipfixHeader(1600000000, 0, domain);
            run.feed(p.finishIpfix(), endpoint("192.0.2.1:4739"));
        }
        QCOMPARE(run.decoder.unattributedAnomalies()[std::size_t(Anomaly::ExporterLimit)], std::uint64_t(1));
    }
};

QTEST_GUILESS_MAIN(TestMalformed)
#include "tst_malformed.moc"
