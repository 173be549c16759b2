// The world map and the Geography dashboard: countries drawn in the colour their traffic maps to,
// bubbles, hit testing and clicks, zoom, GeoJSON, panel exports, the dashboard fed from an
// enriched database, and `flowlens --export geography`.
#include "ui/dashboards/geography_dashboard.h"
#include "ui/export/headless_export.h"
#include "ui/models/top_table_model.h"
#include "ui/widgets/map_panel.h"
#include "ui/widgets/world_map.h"

#include "core/enrich/enricher.h"
#include "core/query/query_service.h"
#include "core/store/flow_writer.h"
#include "support/test_paths.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPainter>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace flowlens;

namespace {

constexpr std::uint64_t kBase = 1'800'000'000ull * 1'000'000'000ull;

QImage renderMap(const ui::WorldMap& map, QSize size)
{
    QImage image(size, QImage::Format_ARGB32);
    image.fill(Qt::white);
    QPainter p(&image);
    map.paintMap(p, QRectF(QPointF(0, 0), QSizeF(size)));
    p.end();
    return image;
}

/// Whether two colours are the same within antialiasing / rounding noise.
bool close(QColor a, QColor b)
{
    return std::abs(a.red() - b.red()) <= 2 && std::abs(a.green() - b.green()) <= 2 &&
           std::abs(a.blue() - b.blue()) <= 2;
}

decode::FlowRecord flow(std::uint64_t t, const char* src, const char* dst, std::uint64_t bytes)
{
    decode::FlowRecord r;
    r.time_received_ns = t;
    r.src_addr = *decode::IpAddress::parse(src);
    r.dst_addr = *decode::IpAddress::parse(dst);
    r.sampler_address = *decode::IpAddress::parse("192.0.2.1");
    r.proto = 6;
    r.bytes = bytes;
    r.packets = 1;
    r.type = decode::FlowType::NetFlowV5;
    return r;
}

} // namespace

class TestWorldMap : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;

    /// A database enriched with MaxMind's test City and ASN databases (empty string when missing).
    QString enrichedDatabase()
    {
        const QString city = QDir(test::geoDir()).filePath(QStringLiteral("GeoLite2-City-Test.mmdb"));
        if (!QFile::exists(city))
            return {};
        const QString path = m_dir.filePath(QStringLiteral("geo.db"));
        if (QFile::exists(path))
            return path;
        auto w = store::FlowWriter::open(path);
        if (!w)
            return {};
        enrich::EnrichConfig c;
        c.searchDefaultFolders = false;
        c.geoipPaths = {city, QDir(test::geoDir()).filePath(QStringLiteral("GeoLite2-ASN-Test.mmdb"))};
        auto e = enrich::Enricher::create(c);
        if (!e || !(*w)->setEnricher(std::move(*e)))
            return {};
        std::vector<decode::FlowRecord> flows;
        for (int i = 0; i < 120; ++i) // a minute of traffic from Boxford (GB) and Telstra (AU)
            flows.push_back(flow(kBase + std::uint64_t(i) * 500'000'000ull,
                                 i % 3 ? "2.125.160.216" : "1.128.0.1", "10.0.0.1", 1000));
        (*w)->enrichAndAdd(flows);
        if (!(*w)->close())
            return {};
        return path;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    void loadsCountryOutlines()
    {
        const auto& countries = ui::worldCountries();
        QVERIFY(countries.size() > 170);
        int withCode = 0;
        for (const auto& c : countries)
            withCode += c.code.isEmpty() ? 0 : 1;
        QVERIFY(withCode > 170);
        const auto gb = std::find_if(countries.begin(), countries.end(),
                                     [](const ui::MapCountry& c) { return c.code == QLatin1String("GB"); });
        QVERIFY(gb != countries.end());
        QCOMPARE(gb->name, QStringLiteral("United Kingdom"));
        QVERIFY(!gb->rings.isEmpty());
    }

    void countryInTheColourOfItsTraffic_data()
    {
        QTest::addColumn<QString>("code");
        QTest::addColumn<double>("longitude");
        QTest::addColumn<double>("latitude");
        QTest::addColumn<double>("value");
        // A point well inside each country (England's midlands, central France, Brazil, Australia).
        QTest::newRow("GB") << QStringLiteral("GB") << -1.5 << 52.6 << 1000.0;
        QTest::newRow("FR") << QStringLiteral("FR") << 2.5 << 46.8 << 250.0;
        QTest::newRow("BR") << QStringLiteral("BR") << -50.0 << -10.0 << 40.0;
        QTest::newRow("AU") << QStringLiteral("AU") << 134.0 << -25.0 << 5.0;
    }
    void countryInTheColourOfItsTraffic()
    {
        QFETCH(QString, code);
        QFETCH(double, longitude);
        QFETCH(double, latitude);
        QFETCH(double, value);
        ui::WorldMap map;
        map.resize(1200, 600);
        map.setCountryValues({{QStringLiteral("GB"), 1000.0},
                              {QStringLiteral("FR"), 250.0},
                              {QStringLiteral("BR"), 40.0},
                              {QStringLiteral("AU"), 5.0}});
        const QImage image = renderMap(map, map.size());
        const QPoint at = map.project(longitude, latitude, QRectF(map.rect())).toPoint();
        const QColor expected = map.colorFor(value);
        QVERIFY2(close(image.pixelColor(at), expected),
                 qPrintable(QStringLiteral("%1 at %2,%3 is %4, expected %5")
                                .arg(code)
                                .arg(at.x())
                                .arg(at.y())
                                .arg(image.pixelColor(at).name(), expected.name())));
        QCOMPARE(map.countryAt(at), code);
        // More traffic, a darker blue.
        QVERIFY(map.colorFor(1000).lightness() < map.colorFor(250).lightness());
        QVERIFY(map.colorFor(250).lightness() < map.colorFor(5).lightness());
    }

    void countryWithoutTrafficIsPlainLand()
    {
        ui::WorldMap map;
        map.resize(1200, 600);
        map.setCountryValues({{QStringLiteral("GB"), 1000.0}});
        const QImage image = renderMap(map, map.size());
        const QPoint germany = map.project(10.0, 51.0, QRectF(map.rect())).toPoint();
        const QPoint england = map.project(-1.5, 52.6, QRectF(map.rect())).toPoint();
        QVERIFY(!close(image.pixelColor(germany), image.pixelColor(england)));
        QVERIFY(close(image.pixelColor(germany), map.palette().color(QPalette::Window).darker(112)));
        const QPoint atlantic = map.project(-35.0, 35.0, QRectF(map.rect())).toPoint();
        QVERIFY(close(image.pixelColor(atlantic), map.palette().color(QPalette::Base)));
        QVERIFY(map.countryAt(atlantic).isEmpty());
    }

    void bubblesAndArcs()
    {
        ui::WorldMap map;
        map.resize(1200, 600);
        ui::MapPoint london{QStringLiteral("London, England, GB"), 51.5, -0.12, 500, QStringLiteral("500 B")};
        ui::MapPoint sydney{QStringLiteral("Sydney, NSW, AU"), -33.87, 151.21, 100, QStringLiteral("100 B")};
        map.setPoints({london, sydney});
        map.setArcs({{london, sydney, 100}});
        const QImage image = renderMap(map, map.size());
        const QColor bubble = image.pixelColor(map.project(-0.12, 51.5, QRectF(map.rect())).toPoint());
        QVERIFY2(bubble.red() > bubble.blue() + 60, qPrintable(bubble.name())); // orange, not land grey
        const QJsonDocument doc = QJsonDocument::fromJson(map.geoJson());
        QCOMPARE(doc[QStringLiteral("type")].toString(), QStringLiteral("FeatureCollection"));
        const QJsonArray features = doc[QStringLiteral("features")].toArray();
        QCOMPARE(features.size(), 3);
        const QJsonObject first = features[0].toObject();
        QCOMPARE(first[QStringLiteral("geometry")][QStringLiteral("type")].toString(),
                 QStringLiteral("Point"));
        QCOMPARE(first[QStringLiteral("geometry")][QStringLiteral("coordinates")].toArray()[0].toDouble(),
                 -0.12);
        QCOMPARE(first[QStringLiteral("properties")][QStringLiteral("name")].toString(), london.name);
        QCOMPARE(features[2].toObject()[QStringLiteral("geometry")][QStringLiteral("type")].toString(),
                 QStringLiteral("LineString"));
    }

    void clickEmitsIsoCodeAndZoomKeepsThePoint()
    {
        ui::WorldMap map;
        map.resize(1000, 500);
        map.show();
        QVERIFY(QTest::qWaitForWindowExposed(&map));
        QSignalSpy clicked(&map, &ui::WorldMap::countryClicked);
        const QPoint france = map.project(2.5, 46.8, QRectF(map.rect())).toPoint();
        QTest::mouseClick(&map, Qt::LeftButton, {}, france);
        QCOMPARE(clicked.size(), 1);
        QCOMPARE(clicked[0][0].toString(), QStringLiteral("FR"));
        map.setZoom(6, QPointF(2.5, 46.8));
        const QPointF centre = map.project(2.5, 46.8, QRectF(map.rect()));
        QCOMPARE(centre, QRectF(map.rect()).center());
        QCOMPARE(map.countryAt(QRectF(map.rect()).center()), QStringLiteral("FR"));
        QTest::mouseDClick(&map, Qt::LeftButton, {}, QPoint(10, 10));
        QCOMPARE(map.zoom(), 1.0);
    }

    void panelExportsMapAndGeoJson()
    {
        auto* map = new ui::WorldMap;
        ui::MapPanel panel(QStringLiteral("Traffic by country"), map);
        panel.resize(900, 500);
        map->setCountryValues({{QStringLiteral("GB"), 10.0}});
        map->setPoints({{QStringLiteral("London, England, GB"), 51.5, -0.12, 10, QStringLiteral("10 B")}});
        map->setAttribution(QString::fromLatin1(enrich::kDbIpAttribution));
        panel.setViewDetails({QStringLiteral("Filter: proto tcp")});
        ui::ExportOptions o;
        o.format = ui::ExportFormat::Svg;
        o.size = QSize(900, 560);
        const QByteArray svg = panel.render(o);
        QVERIFY(svg.contains("<svg"));
        QVERIFY(svg.contains("Traffic by country"));
        QVERIFY(svg.contains("Filter: proto tcp"));
        QVERIFY(svg.contains("IP Geolocation by DB-IP"));
        o.format = ui::ExportFormat::Png;
        const QImage png = QImage::fromData(panel.render(o), "PNG");
        QCOMPARE(png.size(), QSize(900, 560));
        o.format = ui::ExportFormat::Pdf;
        QVERIFY(panel.render(o).startsWith("%PDF"));
        const QString path = m_dir.filePath(QStringLiteral("points.geojson"));
        QSignalSpy saved(&panel, &ui::Panel::message);
        panel.exportGeoJson(path);
        QVERIFY(saved.wait(10000));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(f.readAll().contains("London, England, GB"));
    }

    void dashboardFromEnrichedDatabase()
    {
        const QString db = enrichedDatabase();
        if (db.isEmpty())
            QSKIP("GeoIP test databases not found (set FLOWLENS_GEO)");
        query::QueryService service(db, 1);
        ui::GeographyDashboard d;
        d.resize(1400, 1000);
        ui::ViewContext view;
        view.range.sinceNs = kBase;
        view.range.untilNs = kBase + 60'000'000'000ull;
        view.range.nowNs = view.range.untilNs;
        query::DashboardRequest req;
        QVERIFY(d.buildRequest(view, req));
        req.sinceNs = view.range.sinceNs;
        req.untilNs = view.range.untilNs;
        req.nowNs = view.range.nowNs;
        QSignalSpy ready(&service, &query::QueryService::dashboardReady);
        service.requestDashboard(d.id(), req);
        QVERIFY(ready.wait(20000));
        d.applyReply(ready[0][0].value<query::DashboardReply>(), view);
        d.finishPendingUpdates();
        QCOMPARE(d.sourceCountries()->rowCount(), 2);
        QCOMPARE(d.sourceCountries()
                     ->data(d.sourceCountries()->index(0, ui::TopTableModel::KeyColumn), Qt::DisplayRole)
                     .toString(),
                 QStringLiteral("United Kingdom (GB)"));
        QCOMPARE(d.sourceCities()
                     ->data(d.sourceCities()->index(0, ui::TopTableModel::KeyColumn), Qt::DisplayRole)
                     .toString(),
                 QStringLiteral("Boxford, England, GB"));
        QCOMPARE(d.sourceAsns()
                     ->data(d.sourceAsns()->index(1, ui::TopTableModel::KeyColumn), Qt::DisplayRole)
                     .toString(),
                 QStringLiteral("AS1221 Telstra Pty Ltd"));
        d.setSide(ui::GeographyDashboard::Side::Sources);
        QCOMPARE(d.map()->countryValues().value(QStringLiteral("GB")), 80000.0); // 80 flows of 1000 bytes
        QCOMPARE(d.map()->points().size(), 1);
        QCOMPARE(d.map()->points()[0].name, QStringLiteral("Boxford, England, GB"));
        // Both sides: the destinations are private (no country), so the map is the same.
        d.setSide(ui::GeographyDashboard::Side::Destinations);
        QVERIFY(d.map()->countryValues().isEmpty());
        // A click on Britain narrows the filter to it.
        QSignalSpy drill(&d, &ui::Dashboard::drillRequested);
        d.setSide(ui::GeographyDashboard::Side::Sources);
        emit d.map()->countryClicked(QStringLiteral("GB"));
        QCOMPARE(drill.size(), 1);
        QCOMPARE(drill[0][0].toString(), QStringLiteral("src country GB"));
        // The map on screen: Britain in the colour of its traffic (Boxford's bubble covers the
        // middle of England, so the bubbles are left out of this picture).
        d.map()->setPoints({});
        const QImage image = renderMap(*d.map(), QSize(1200, 600));
        const QPoint england = d.map()->project(-1.5, 52.6, QRectF(0, 0, 1200, 600)).toPoint();
        QVERIFY(close(image.pixelColor(england), d.map()->colorFor(80000.0)));
    }

    void headlessExportRendersTheMap()
    {
        const QString db = enrichedDatabase();
        if (db.isEmpty())
            QSKIP("GeoIP test databases not found (set FLOWLENS_GEO)");
        ui::HeadlessExportOptions o;
        o.databasePath = db;
        o.dashboard = QStringLiteral("geography");
        o.output = m_dir.filePath(QStringLiteral("geography.svg"));
        QCOMPARE(ui::runHeadlessExport(o), 0);
        QFile f(o.output);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray svg = f.readAll();
        QVERIFY(svg.contains("Traffic by country"));
        QVERIFY(svg.contains("Boxford, England, GB"));
        QVERIFY(svg.contains("Telstra Pty Ltd"));
        o.output = m_dir.filePath(QStringLiteral("geography.png"));
        QCOMPARE(ui::runHeadlessExport(o), 0);
        QVERIFY(!QImage(o.output).isNull());
    }
};

QTEST_MAIN(TestWorldMap)
#include "tst_world_map.moc"
