#pragma once

#include "ui/dashboards/dashboard.h"

namespace flowlens::ui {

class BarChart;
class Tile;
class TimeSeriesChart;
class TopTableModel;

/// Overview / Activity: headline tiles, traffic over time by protocol, the most chatty pairs by
/// bytes and by packets, top sources and destinations (OpenObserve's "Activity" dashboard).
class OverviewDashboard : public Dashboard
{
    Q_OBJECT

public:
    explicit OverviewDashboard(QWidget* parent = nullptr);

    bool buildRequest(const ViewContext& view, query::DashboardRequest& request) const override;
    void applyResult(const query::DashboardResult& result, const ViewContext& view) override;
    void setCollectorSnapshot(const collect::CollectorSnapshot& snapshot) override;

    TopTableModel* chattyByBytes() const { return m_pairsBytes; }
    TopTableModel* chattyByPackets() const { return m_pairsPackets; }
    BarChart* sourceBars() const { return m_sourceBars; }
    BarChart* destinationBars() const { return m_destinationBars; }
    TimeSeriesChart* protocolChart() const { return m_protocols; }
    Tile* trafficTile() const { return m_traffic; }
    Tile* flowsTile() const { return m_flows; }
    Tile* rateTile() const { return m_rate; }
    Tile* exportersTile() const { return m_exporters; }
    Tile* dropsTile() const { return m_drops; }

private:
    void updateDropsTile();

    Tile* m_traffic;
    Tile* m_flows;
    Tile* m_rate;
    Tile* m_exporters;
    Tile* m_drops;
    TimeSeriesChart* m_protocols;
    BarChart* m_sourceBars;
    BarChart* m_destinationBars;
    TopTableModel* m_pairsBytes;
    TopTableModel* m_pairsPackets;
    ChartPanel* m_protocolPanel = nullptr;
    ChartPanel* m_sourcePanel = nullptr;
    ChartPanel* m_destinationPanel = nullptr;
    bool m_collecting = false;
    std::uint64_t m_collectorDrops = 0;
    std::uint64_t m_kernelDrops = 0; ///< datagrams, receive buffer full
    std::uint64_t m_sequenceLost = 0;
};

} // namespace flowlens::ui
