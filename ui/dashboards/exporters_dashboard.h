#pragma once

#include "ui/dashboards/dashboard.h"

#include <map>

namespace flowlens::ui {

class ExporterTableModel;
class TimeSeriesChart;

/// Exporters: health of every exporter stream (sequence loss, templates, sampling, rates) with a
/// sparkline of its flows, and the flows of the busiest exporters over time.
class ExportersDashboard : public Dashboard
{
    Q_OBJECT

public:
    explicit ExportersDashboard(QWidget* parent = nullptr);

    bool buildRequest(const ViewContext& view, query::DashboardRequest& request) const override;
    void applyResult(const query::DashboardResult& result, const ViewContext& view) override;
    void setCollectorSnapshot(const collect::CollectorSnapshot& snapshot) override;

    ExporterTableModel* model() const { return m_model; }
    TimeSeriesChart* chart() const { return m_chart; }

private:
    void refreshModel();

    ExporterTableModel* m_model;
    TimeSeriesChart* m_chart;
    std::vector<query::ExporterInfo> m_rows;
    std::map<QString, QList<double>> m_activity;
    std::map<QString, double> m_rates;
    std::map<QString, std::uint64_t> m_lastFlows;
    std::uint64_t m_lastSnapshotNs = 0;
};

} // namespace flowlens::ui
