#include "geography_dashboard.h"

#include "ui/format.h"
#include "ui/models/top_table_model.h"
#include "ui/widgets/map_panel.h"
#include "ui/widgets/table_panel.h"
#include "ui/widgets/world_map.h"

#include "core/decode/flow_record.h"
#include "core/enrich/enricher.h"

#include <QComboBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>

namespace flowlens::ui {

using store::Dimension;

namespace {

constexpr int kCityRows = 200; // bubbles on the map; the tables show them all

} // namespace

GeographyDashboard::GeographyDashboard(QWidget* parent)
    : Dashboard(QStringLiteral("geography"), QStringLiteral("Geography"), parent)
    , m_map(new WorldMap)
    , m_srcCountries(new TopTableModel(Dimension::SrcCountry, this))
    , m_dstCountries(new TopTableModel(Dimension::DstCountry, this))
    , m_srcCities(new TopTableModel(Dimension::SrcCity, this))
    , m_dstCities(new TopTableModel(Dimension::DstCity, this))
    , m_srcAs(new TopTableModel(Dimension::SrcAs, this))
    , m_dstAs(new TopTableModel(Dimension::DstAs, this))
{
    m_mapPanel = new MapPanel(QStringLiteral("Traffic by country"), m_map, content());
    registerPanel(m_mapPanel);
    // "Colour by" sits above the map, inside its panel.
    auto* bar = new QWidget(m_mapPanel);
    auto* barLayout = new QHBoxLayout(bar);
    barLayout->setContentsMargins(0, 0, 0, 0);
    barLayout->addWidget(new QLabel(QStringLiteral("Colour by"), bar));
    m_sideBox = new QComboBox(bar);
    m_sideBox->addItems({QStringLiteral("Sources"), QStringLiteral("Destinations"), QStringLiteral("Both")});
    m_sideBox->setCurrentIndex(int(m_side));
    barLayout->addWidget(m_sideBox);
    barLayout->addStretch(1);
    m_mapPanel->setToolbar(bar);
    connect(m_sideBox, &QComboBox::currentIndexChanged, this, [this](int i) { setSide(Side(i)); });
    connect(m_map, &WorldMap::countryClicked, this, [this](const QString& code) {
        const QString prefix = m_side == Side::Sources        ? QStringLiteral("src ")
                               : m_side == Side::Destinations ? QStringLiteral("dst ")
                                                              : QString();
        emit drillRequested(prefix + QStringLiteral("country ") + code, DrillAction::Narrow);
    });
    grid()->addWidget(m_mapPanel, 0, 0, 1, 3);
    addTable(QStringLiteral("Top source countries"), m_srcCountries, 1, 0);
    addTable(QStringLiteral("Top source cities"), m_srcCities, 1, 1);
    addTable(QStringLiteral("Top source ASNs"), m_srcAs, 1, 2);
    addTable(QStringLiteral("Top destination countries"), m_dstCountries, 2, 0);
    addTable(QStringLiteral("Top destination cities"), m_dstCities, 2, 1);
    addTable(QStringLiteral("Top destination ASNs"), m_dstAs, 2, 2);
    grid()->setRowStretch(0, 5);
    grid()->setRowStretch(1, 2);
    grid()->setRowStretch(2, 2);
    for (int c = 0; c < 3; ++c)
        grid()->setColumnStretch(c, 1);
    m_map->setMinimumHeight(320);
    m_map->setEmptyText(setupHint());
}

QString GeographyDashboard::setupHint() const
{
    return QStringLiteral("No flow in this range has GeoIP data. Start the collector with a GeoIP database: "
                          "MaxMind GeoLite2 City/ASN or DB-IP's free city database (./dev.sh geoip) in "
                          "/usr/share/GeoIP, /var/lib/GeoIP or %1, or flowlens-cli collect --geoip FILE.")
        .arg(enrich::geoipDataFolder());
}

bool GeographyDashboard::buildRequest(const ViewContext& view, query::DashboardRequest& request) const
{
    const store::Metric metric = storeMetric(view.state.metric);
    request.tops = {{Dimension::SrcCountry, metric, 0},      {Dimension::DstCountry, metric, 0},
                    {Dimension::SrcCity, metric, kCityRows}, {Dimension::DstCity, metric, kCityRows},
                    {Dimension::SrcAs, metric, 25},          {Dimension::DstAs, metric, 25}};
    return true;
}

void GeographyDashboard::applyResult(const query::DashboardResult& result, const ViewContext& view)
{
    if (result.tops.size() < 6)
        return;
    m_result = result;
    m_metric = view.state.metric;
    m_raw = view.state.raw;
    m_seconds = view.range.seconds();
    m_dict = std::make_shared<const store::Dictionaries>(result.dictionaries);
    TopTableModel* models[] = {m_srcCountries, m_dstCountries, m_srcCities, m_dstCities, m_srcAs, m_dstAs};
    for (int i = 0; i < 6; ++i) {
        models[i]->setDictionaries(m_dict);
        models[i]->setResult(result.tops[std::size_t(i)].result, m_metric, m_raw, m_seconds);
    }
    const QString units = fmt::unitCaption(m_metric, m_raw, result.sampled);
    for (TablePanel* t : tablePanels())
        t->setSubtitle(units);
    m_mapPanel->setSubtitle(units);
    m_mapPanel->setViewDetails(view.details());
    const bool dbIp = m_dict->usesDbIp();
    m_map->setAttribution(dbIp ? QString::fromLatin1(enrich::kDbIpAttribution) : QString());
    updateMap();
}

void GeographyDashboard::setSide(Side side)
{
    m_side = side;
    if (m_sideBox->currentIndex() != int(side))
        m_sideBox->setCurrentIndex(int(side));
    updateMap();
}

void GeographyDashboard::updateMap()
{
    if (m_result.tops.size() < 6 || !m_dict)
        return;
    const bool src = m_side != Side::Destinations;
    const bool dst = m_side != Side::Sources;
    auto value = [&](const store::Counters& c) {
        return fmt::metricNumber(m_metric, c, m_raw, m_seconds);
    };

    QHash<QString, store::Counters> byCountry;
    bool located = false;
    for (int i = 0; i < 2; ++i) {
        if ((i == 0 && !src) || (i == 1 && !dst))
            continue;
        const Dimension d = i == 0 ? Dimension::SrcCountry : Dimension::DstCountry;
        for (const auto& row : m_result.tops[std::size_t(i)].result.rows) {
            const auto code = QString::fromStdString(
                decode::countryText(std::uint16_t(store::rollupKeyNumber(d, row.key))));
            if (code.isEmpty())
                continue;
            byCountry[code].add(row.counters);
            located = true;
        }
    }
    QHash<QString, double> values;
    QHash<QString, QString> texts;
    for (auto it = byCountry.cbegin(); it != byCountry.cend(); ++it) {
        values[it.key()] = value(it.value());
        texts[it.key()] = fmt::metricText(m_metric, values[it.key()]);
    }
    m_map->setCountryValues(values, texts);
    m_map->setLegendTitle(QStringLiteral("%1 by country")
                              .arg(m_side == Side::Sources        ? QStringLiteral("Sources")
                                   : m_side == Side::Destinations ? QStringLiteral("Destinations")
                                                                  : QStringLiteral("Traffic")));

    QHash<std::uint32_t, store::Counters> byCity;
    for (int i = 2; i < 4; ++i) {
        if ((i == 2 && !src) || (i == 3 && !dst))
            continue;
        const Dimension d = i == 2 ? Dimension::SrcCity : Dimension::DstCity;
        for (const auto& row : m_result.tops[std::size_t(i)].result.rows)
            if (const std::uint32_t id = store::rollupKeyNumber(d, row.key))
                byCity[id].add(row.counters);
    }
    QList<MapPoint> points;
    for (auto it = byCity.cbegin(); it != byCity.cend(); ++it) {
        const store::CityEntry* c = m_dict->city(it.key());
        if (!c || !c->hasLocation)
            continue;
        MapPoint p;
        p.name = QString::fromStdString(store::cityText(*c));
        p.latitude = c->latitude;
        p.longitude = c->longitude;
        p.value = value(it.value());
        p.valueText = fmt::metricText(m_metric, p.value);
        points.append(p);
    }
    std::sort(points.begin(), points.end(),
              [](const MapPoint& a, const MapPoint& b) { return a.value > b.value; });
    m_map->setPoints(points);
    m_map->setEmptyText(located || !points.isEmpty() ? QString() : setupHint());
}

} // namespace flowlens::ui
