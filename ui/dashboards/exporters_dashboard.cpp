#include "exporters_dashboard.h"

#include "ui/format.h"
#include "ui/models/exporter_table_model.h"
#include "ui/widgets/chart_panel.h"
#include "ui/widgets/sparkline_delegate.h"
#include "ui/widgets/table_panel.h"
#include "ui/widgets/time_series_chart.h"

#include <QGridLayout>
#include <QHeaderView>
#include <QTableView>

namespace flowlens::ui {

using store::Dimension;

ExportersDashboard::ExportersDashboard(QWidget* parent)
    : Dashboard(QStringLiteral("exporters"), QStringLiteral("Exporters"), parent)
    , m_model(new ExporterTableModel(this))
    , m_chart(new TimeSeriesChart)
{
    TablePanel* table = addTable(QStringLiteral("Exporter health"), m_model, 0, 0);
    table->setKeyColumn(ExporterTableModel::ExporterColumn);
    // Exporter names are short; the table is wide: size the exporter column to its content.
    table->view()->horizontalHeader()->setSectionResizeMode(ExporterTableModel::ExporterColumn,
                                                            QHeaderView::ResizeToContents);
    table->view()->horizontalHeader()->setStretchLastSection(true);
    table->view()->setItemDelegateForColumn(ExporterTableModel::ActivityColumn,
                                            new SparklineDelegate(table->view()));
    table->view()->horizontalHeader()->setSectionResizeMode(ExporterTableModel::ActivityColumn,
                                                            QHeaderView::Fixed);
    table->view()->setColumnWidth(ExporterTableModel::ActivityColumn, 160);
    table->view()->verticalHeader()->setDefaultSectionSize(28);
    table->setSubtitle(
        QStringLiteral("Double-click an exporter to filter on its flows. Sequence loss counts what "
                       "the exporter numbered but never arrived."));
    addChart(QStringLiteral("Flows by exporter"), m_chart, 1, 0);
    grid()->setRowStretch(0, 1);
    grid()->setRowStretch(1, 1);
}

bool ExportersDashboard::buildRequest(const ViewContext&, query::DashboardRequest& request) const
{
    // Sparklines: every exporter; chart: the busiest. Both by flows, whatever the metric switch
    // says: exporter health is about flow records.
    query::SeriesSpec sparks;
    sparks.by = Dimension::Exporter;
    sparks.rankBy = store::Metric::Flows;
    sparks.topKeys = 200;
    query::SeriesSpec chart = sparks;
    chart.topKeys = 8;
    request.series = {sparks, chart};
    request.exporters = true;
    return true;
}

void ExportersDashboard::applyResult(const query::DashboardResult& result, const ViewContext& view)
{
    m_rows = result.exporters;
    m_activity.clear();
    if (!result.series.empty()) {
        const auto& s = result.series[0];
        for (std::size_t k = 0; k < s.keys.size(); ++k) {
            QList<double> values;
            values.reserve(s.bucketCount());
            for (const auto& c : s.values[k])
                values << double(c.flows);
            m_activity[QString::fromStdString(store::rollupKeyText(Dimension::Exporter, s.keys[k]))] = values;
        }
    }
    refreshModel();
    if (result.series.size() > 1 && !chartPanels().isEmpty()) {
        later([this, series = result.series[1], raw = view.state.raw, panel = chartPanels().front()] {
            m_chart->setSeries(series, MetricKind::Flows, raw);
            panel->setSubtitle(m_chart->unitText());
        });
    }
}

void ExportersDashboard::setCollectorSnapshot(const collect::CollectorSnapshot& snapshot)
{
    // Rates from two consecutive snapshots of the collector's own counters.
    const std::uint64_t now = snapshot.receiver.timeNs;
    std::map<QString, std::uint64_t> flows;
    for (const auto& e : query::exportersFromStats(snapshot.receiver.exporters))
        flows[ExporterTableModel::rowKey(e)] = e.flows;
    if (m_lastSnapshotNs && now > m_lastSnapshotNs) {
        const double seconds = double(now - m_lastSnapshotNs) / 1e9;
        m_rates.clear();
        for (const auto& [key, n] : flows) {
            const auto prev = m_lastFlows.find(key);
            m_rates[key] =
                prev != m_lastFlows.end() && n >= prev->second ? double(n - prev->second) / seconds : 0.0;
        }
        refreshModel();
    }
    m_lastFlows = std::move(flows);
    m_lastSnapshotNs = now;
}

void ExportersDashboard::refreshModel()
{
    m_model->setRows(m_rows, m_activity, m_rates);
}

} // namespace flowlens::ui
