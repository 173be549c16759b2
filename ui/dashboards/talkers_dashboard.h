#pragma once

#include "ui/dashboards/dashboard.h"

namespace flowlens::ui {

class BarChart;
class PieChart;
class TopTableModel;

/// Top talkers: sources, destinations and conversations by the chosen metric (bars + table with
/// share), and a donut of the top sources (OpenObserve's "Top items").
class TalkersDashboard : public Dashboard
{
    Q_OBJECT

public:
    explicit TalkersDashboard(QWidget* parent = nullptr);

    bool buildRequest(const ViewContext& view, query::DashboardRequest& request) const override;
    void applyResult(const query::DashboardResult& result, const ViewContext& view) override;

    TopTableModel* sources() const { return m_sources; }
    TopTableModel* destinations() const { return m_destinations; }
    TopTableModel* conversations() const { return m_pairs; }
    PieChart* sourceDonut() const { return m_donut; }

private:
    BarChart* m_sourceBars;
    BarChart* m_destinationBars;
    BarChart* m_pairBars;
    PieChart* m_donut;
    TopTableModel* m_sources;
    TopTableModel* m_destinations;
    TopTableModel* m_pairs;
};

} // namespace flowlens::ui
