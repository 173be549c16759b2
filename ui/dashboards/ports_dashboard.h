#pragma once

#include "ui/dashboards/dashboard.h"

namespace flowlens::ui {

class BarChart;
class PieChart;
class TimeSeriesChart;
class TopTableModel;

/// Ports & protocols: top destination and source ports with service names, protocols as a pie
/// and over time.
class PortsDashboard : public Dashboard
{
    Q_OBJECT

public:
    explicit PortsDashboard(QWidget* parent = nullptr);

    bool buildRequest(const ViewContext& view, query::DashboardRequest& request) const override;
    void applyResult(const query::DashboardResult& result, const ViewContext& view) override;

    TopTableModel* destinationPorts() const { return m_dstPorts; }
    TopTableModel* sourcePorts() const { return m_srcPorts; }
    PieChart* protocolPie() const { return m_pie; }
    TimeSeriesChart* protocolChart() const { return m_overTime; }
    const query::TopResult& protocols() const { return m_protocols; }

private:
    BarChart* m_dstBars;
    BarChart* m_srcBars;
    PieChart* m_pie;
    TimeSeriesChart* m_overTime;
    TopTableModel* m_dstPorts;
    TopTableModel* m_srcPorts;
    query::TopResult m_protocols;
};

} // namespace flowlens::ui
