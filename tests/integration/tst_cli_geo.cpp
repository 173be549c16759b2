// flowlens-cli with GeoIP: import NetFlow v5 datagrams with --geoip/--networks, then top by country,
// AS, city and network, as CSV and as a table with the DB-IP attribution.
#include "support/cli_runner.h"
#include "support/mmdb_writer.h"
#include "support/test_paths.h"

#include "core/decode/ip_address.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;

namespace {

using Run = test::CliRun;
using test::runCli;

void put16(QByteArray& b, std::uint32_t v)
{
    b.append(char(v >> 8)).append(char(v));
}
void put32(QByteArray& b, std::uint32_t v)
{
    put16(b, v >> 16);
    put16(b, v & 0xffff);
}

struct V5Flow
{
    const char* src;
    const char* dst;
    std::uint32_t bytes;
};

/// One NetFlow v5 datagram (24-byte header, 48-byte records), one packet per flow.
QByteArray v5Datagram(const std::vector<V5Flow>& flows, std::uint32_t unixSecs)
{
    QByteArray b;
    put16(b, 5);
    put16(b, std::uint32_t(flows.size()));
    put32(b, 100000);   // sysUptime ms
    put32(b, unixSecs); // unix_secs
    put32(b, 0);        // unix_nsecs
    put32(b, 0);        // flow_sequence
    b.append(char(0)).append(char(0));
    put16(b, 0); // not sampled
    for (const V5Flow& f : flows) {
        put32(b, decode::IpAddress::parse(f.src)->v4());
        put32(b, decode::IpAddress::parse(f.dst)->v4());
        put32(b, 0); // next hop
        put16(b, 1); // input
        put16(b, 2); // output
        put32(b, 1); // packets
        put32(b, f.bytes);
        put32(b, 99000); // first
        put32(b, 99500); // last
        put16(b, 40000); // src port
        put16(b, 443);   // dst port
        b.append(char(0)).append(char(0x18)).append(char(6)).append(char(0));
        put16(b, 0); // src as (exporter: none)
        put16(b, 0); // dst as
        b.append(char(24)).append(char(24));
        put16(b, 0);
    }
    return b;
}

} // namespace

class TestCliGeo : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_db;

private slots:
    void initTestCase()
    {
        const QString city = QDir(test::geoDir()).filePath(QStringLiteral("GeoLite2-City-Test.mmdb"));
        if (!QFile::exists(city))
            QSKIP(qPrintable(QStringLiteral("GeoIP test databases not found in %1 (set FLOWLENS_GEO)")
                                 .arg(test::geoDir())));
        if (!QFile::exists(test::binaryDir() + QStringLiteral("/app/flowlens-cli")))
            QSKIP("flowlens-cli is not built");
        // Three datagrams: GB (Boxford) sources, an AS1221 (Telstra) source, a user network.
        const std::uint32_t t = 1'800'000'000;
        const QByteArray datagrams[] = {
            v5Datagram({{"2.125.160.216", "10.20.0.5", 1000},
                        {"2.125.160.217", "10.20.0.6", 1000},
                        {"2.125.160.218", "8.8.8.8", 1000}},
                       t),
            v5Datagram({{"1.128.0.1", "10.20.0.5", 500}, {"1.128.0.2", "2.125.160.216", 500}}, t + 1),
            v5Datagram({{"10.20.0.5", "81.2.69.160", 200}}, t + 2),
        };
        QStringList files;
        for (int i = 0; i < 3; ++i) {
            files << m_dir.filePath(QStringLiteral("d%1.bin").arg(i));
            QFile f(files.back());
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(datagrams[i]);
        }
        const QString networks = m_dir.filePath(QStringLiteral("networks.txt"));
        QFile n(networks);
        QVERIFY(n.open(QIODevice::WriteOnly));
        n.write("10.20.0.0/24,lab-servers,servers,lab\n");
        n.close();
        m_db = m_dir.filePath(QStringLiteral("geo.db"));
        const Run r =
            runCli(QStringList{QStringLiteral("import"), QStringLiteral("--raw"), QStringLiteral("--db"),
                               m_db, QStringLiteral("--geoip"), city, QStringLiteral("--geoip"),
                               QDir(test::geoDir()).filePath(QStringLiteral("GeoLite2-ASN-Test.mmdb")),
                               QStringLiteral("--networks"), networks} +
                   files);
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("GeoLite2-City")), qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("imported 6 flows")), qPrintable(r.err));
    }

    void topCsv_data()
    {
        QTest::addColumn<QString>("by");
        QTest::addColumn<QString>("csv");
        const QString h = QStringLiteral("rank,key,flows,packets,bytes\n");
        QTest::newRow("src-country") << QStringLiteral("src-country")
                                     << h + QStringLiteral("1,GB,3,3,3000\n2,unknown,3,3,1200\n");
        QTest::newRow("dst-country") << QStringLiteral("dst-country")
                                     << h + QStringLiteral("1,unknown,4,4,3500\n2,GB,2,2,700\n");
        QTest::newRow("src-as") << QStringLiteral("src-as")
                                << h + QStringLiteral("1,0,4,4,3200\n2,1221,2,2,1000\n");
        QTest::newRow("src-city") << QStringLiteral("src-city")
                                  << h + QStringLiteral(
                                             "1,\"Boxford, England, GB\",3,3,3000\n2,unknown,3,3,1200\n");
        QTest::newRow("dst-net") << QStringLiteral("dst-net")
                                 << h + QStringLiteral("1,lab-servers,3,3,2500\n2,unnamed,3,3,1700\n");
        QTest::newRow("src-net") << QStringLiteral("src-net")
                                 << h + QStringLiteral("1,unnamed,5,5,4000\n2,lab-servers,1,1,200\n");
    }
    void topCsv()
    {
        QFETCH(QString, by);
        QFETCH(QString, csv);
        const Run r = runCli({QStringLiteral("top"), QStringLiteral("--db"), m_db, QStringLiteral("--by"), by,
                              QStringLiteral("--format"), QStringLiteral("csv")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QCOMPARE(r.out, csv);
    }

    void filterByCountry()
    {
        const Run r =
            runCli({QStringLiteral("top"), QStringLiteral("--db"), m_db, QStringLiteral("--by"),
                    QStringLiteral("dst"), QStringLiteral("--filter"), QStringLiteral("src country GB"),
                    QStringLiteral("--format"), QStringLiteral("csv")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        // Ties rank by key (addresses in byte order).
        QCOMPARE(r.out,
                 QStringLiteral("rank,key,flows,packets,bytes\n1,8.8.8.8,1,1,1000\n2,10.20.0.5,1,1,1000\n"
                                "3,10.20.0.6,1,1,1000\n"));
    }

    void dbIpAttribution()
    {
        // A database in DB-IP's flat schema: the table output names its source as the licence asks.
        test::MmdbWriter w("dbip-city-ipv4");
        QVERIFY(w.insert("81.2.69.0/24",
                         test::MmdbValue::object({{"city", test::MmdbValue::string("London")},
                                                  {"country_code", test::MmdbValue::string("GB")},
                                                  {"state1", test::MmdbValue::string("England")},
                                                  {"latitude", test::MmdbValue::real32(51.5f)},
                                                  {"longitude", test::MmdbValue::real32(-0.12f)}})));
        const QString dbip = m_dir.filePath(QStringLiteral("dbip-city-ipv4.mmdb"));
        QVERIFY(w.writeTo(dbip));
        const QString db = m_dir.filePath(QStringLiteral("dbip.db"));
        const QString file = m_dir.filePath(QStringLiteral("london.bin"));
        QFile f(file);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(v5Datagram({{"81.2.69.10", "10.0.0.1", 700}}, 1'800'000'000));
        f.close();
        Run r = runCli({QStringLiteral("import"), QStringLiteral("--raw"), QStringLiteral("--db"), db,
                        QStringLiteral("--geoip"), dbip, file});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.err.contains(QStringLiteral("IP Geolocation by DB-IP")), qPrintable(r.err));
        r = runCli({QStringLiteral("top"), QStringLiteral("--db"), db, QStringLiteral("--by"),
                    QStringLiteral("src-city")});
        QVERIFY2(r.exitCode == 0, qPrintable(r.err));
        QVERIFY2(r.out.contains(QStringLiteral("London, England, GB")), qPrintable(r.out));
        QVERIFY2(r.out.contains(QStringLiteral("IP Geolocation by DB-IP")), qPrintable(r.out));
    }

    void badDatabaseIsAUsageError()
    {
        const Run r = runCli({QStringLiteral("import"), QStringLiteral("--raw"), QStringLiteral("--db"),
                              m_dir.filePath(QStringLiteral("x.db")), QStringLiteral("--geoip"),
                              m_dir.filePath(QStringLiteral("missing.mmdb")),
                              m_dir.filePath(QStringLiteral("d0.bin"))});
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains(QStringLiteral("missing.mmdb")), qPrintable(r.err));
    }
};

QTEST_GUILESS_MAIN(TestCliGeo)
#include "tst_cli_geo.moc"
