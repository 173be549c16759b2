#pragma once

#include "ui/dashboards/dashboard.h"

#include "core/store/dictionary.h"

#include <memory>

class QComboBox;

namespace flowlens::ui {

class MapPanel;
class TopTableModel;
class WorldMap;

/// Geography, like OpenObserve's NetFlow "Geography" dashboard: a world map (countries coloured by
/// the chosen metric for sources, destinations or both, city bubbles) beside tables of top source
/// and destination countries, cities and ASNs. Data comes from the GeoIP enrichment the collector
/// stores with every flow; clicking a country narrows the filter to it.
class GeographyDashboard : public Dashboard
{
    Q_OBJECT

public:
    enum class Side
    {
        Sources,
        Destinations,
        Both,
    };

    explicit GeographyDashboard(QWidget* parent = nullptr);

    bool buildRequest(const ViewContext& view, query::DashboardRequest& request) const override;
    void applyResult(const query::DashboardResult& result, const ViewContext& view) override;

    void setSide(Side side);
    Side side() const { return m_side; }
    WorldMap* map() const { return m_map; }
    MapPanel* mapPanel() const { return m_mapPanel; }
    TopTableModel* sourceCountries() const { return m_srcCountries; }
    TopTableModel* destinationCountries() const { return m_dstCountries; }
    TopTableModel* sourceCities() const { return m_srcCities; }
    TopTableModel* destinationCities() const { return m_dstCities; }
    TopTableModel* sourceAsns() const { return m_srcAs; }
    TopTableModel* destinationAsns() const { return m_dstAs; }
    /// Shown when no stored flow has GeoIP data: how to set it up.
    QString setupHint() const;

private:
    void updateMap();

    WorldMap* m_map;
    MapPanel* m_mapPanel;
    QComboBox* m_sideBox;
    TopTableModel* m_srcCountries;
    TopTableModel* m_dstCountries;
    TopTableModel* m_srcCities;
    TopTableModel* m_dstCities;
    TopTableModel* m_srcAs;
    TopTableModel* m_dstAs;
    Side m_side = Side::Both;
    query::DashboardResult m_result;
    std::shared_ptr<const store::Dictionaries> m_dict;
    MetricKind m_metric = MetricKind::Bytes;
    bool m_raw = false;
    double m_seconds = 0;
};

} // namespace flowlens::ui
