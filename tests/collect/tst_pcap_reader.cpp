#include "core/collect/pcap_reader.h"
#include "support/test_paths.h"

#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;

class TestPcapReader : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        if (!QDir(test::vectorsDir()).exists())
            QSKIP("oracle vectors not found; set FLOWLENS_VECTORS");
    }

    void readsCaptures_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("datagrams");
        QTest::addColumn<QString>("firstFrom");
        QTest::addColumn<int>("firstPayloadBytes");
        // Frame counts and payload sizes as tshark 4.0.17 shows them (TSHARK_CHECK.json).
        QTest::newRow("scapy v9, two exporters")
            << QStringLiteral("scapy/netflowv9.pcap") << 5 << QString() << -1;
        QTest::newRow("scapy ipfix") << QStringLiteral("scapy/ipfix.pcap") << 3 << QString() << 116;
        QTest::newRow("pmacct v9 40 frames")
            << QStringLiteral("pmacct/101-NFv9-CISCO-cust_primitives/traffic-00.pcap") << 40 << QString()
            << -1;
        QTest::newRow("akvorado v9 data+templates")
            << QStringLiteral("akvorado/netflow/data+templates.pcap") << 1 << QString() << -1;
    }

    void readsCaptures()
    {
        QFETCH(QString, file);
        QFETCH(int, datagrams);
        QFETCH(int, firstPayloadBytes);
        auto all = collect::PcapReader::readAll(test::vectorsDir() + QLatin1Char('/') + file);
        QVERIFY2(all.has_value(), all ? "" : qPrintable(all.error()));
        QCOMPARE(int(all->size()), datagrams);
        QVERIFY(!all->front().payload.empty());
        QVERIFY(!all->front().from.address.isZero());
        QVERIFY(all->front().timeNs > 1'000'000'000ull * 1'000'000'000ull);
        if (firstPayloadBytes >= 0)
            QCOMPARE(int(all->front().payload.size()), firstPayloadBytes);
    }

    void pmacctBgpFramesAreSkippedNotUdp()
    {
        // 500-*: BGP over TCP mixed with IPFIX over UDP; only the UDP frames come out.
        auto reader = collect::PcapReader::open(
            test::vectorsDir() + QStringLiteral("/pmacct/500-IPFIXv10-BGP-CISCO-SRv6/traffic-00.pcap"));
        QVERIFY(reader.has_value());
        collect::CapturedDatagram d;
        int udp = 0;
        while (reader->next(d))
            ++udp;
        QCOMPARE(int(reader->framesRead()), 43);
        QVERIFY(udp > 0);
        QCOMPARE(udp + int(reader->framesSkipped()), 43);
    }

    void missingFileIsAClearError()
    {
        auto r = collect::PcapReader::open(QStringLiteral("/nonexistent/capture.pcap"));
        QVERIFY(!r.has_value());
        QVERIFY(r.error().contains(QStringLiteral("/nonexistent/capture.pcap")));
    }

    void garbageFileIsAClearError()
    {
        QTemporaryDir dir;
        QFile f(dir.filePath(QStringLiteral("junk.pcap")));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a capture file at all");
        f.close();
        auto r = collect::PcapReader::open(f.fileName());
        QVERIFY(!r.has_value());
        QVERIFY(!r.error().isEmpty());
    }

    void vlanTaggedEthernetFrame()
    {
        // Ethernet + 802.1Q + IPv4 + UDP 40000 -> 2055 with a 4-byte payload.
        const std::uint8_t frame[] = {
            0,    1,    2, 3, 4,    5,    6,    7,    8, 9,  10, 11, 0x81, 0x00, 0x00, 0x64, 0x08,
            0x00, 0x45, 0, 0, 32,   0,    0,    0x40, 0, 64, 17, 0,  0,    192,  0,    2,    1,
            192,  0,    2, 2, 0x9c, 0x40, 0x08, 0x07, 0, 12, 0,  0,  0xde, 0xad, 0xbe, 0xef};
        collect::CapturedDatagram d;
        QVERIFY(collect::parseUdpFrame(1, frame, sizeof frame, d));
        QCOMPARE(QString::fromStdString(d.from.toString()), QStringLiteral("192.0.2.1:40000"));
        QCOMPARE(d.to.port, std::uint16_t(2055));
        QCOMPARE(int(d.payload.size()), 4);
        QVERIFY(!collect::parseUdpFrame(1, frame, 20, d));
    }
};

QTEST_GUILESS_MAIN(TestPcapReader)
#include "tst_pcap_reader.moc"
