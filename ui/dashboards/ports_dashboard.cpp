#include "ports_dashboard.h"

#include "ui/format.h"
#include "ui/models/top_table_model.h"
#include "ui/widgets/bar_chart.h"
#include "ui/widgets/chart_panel.h"
#include "ui/widgets/pie_chart.h"
#include "ui/widgets/table_panel.h"
#include "ui/widgets/time_series_chart.h"

#include <QGridLayout>

namespace flowlens::ui {

using store::Dimension;

PortsDashboard::PortsDashboard(QWidget* parent)
    : Dashboard(QStringLiteral("ports"), QStringLiteral("Ports & protocols"), parent)
    , m_dstBars(new BarChart)
    , m_srcBars(new BarChart)
    , m_pie(new PieChart(false))
    , m_overTime(new TimeSeriesChart)
    , m_dstPorts(new TopTableModel(Dimension::DstPort, this))
    , m_srcPorts(new TopTableModel(Dimension::SrcPort, this))
{
    addRanked(QStringLiteral("Top destination ports"), m_dstBars, m_dstPorts, 0, 0);
    addRanked(QStringLiteral("Top source ports"), m_srcBars, m_srcPorts, 0, 1);
    addChart(QStringLiteral("Protocols"), m_pie, 1, 0);
    addChart(QStringLiteral("Protocols over time"), m_overTime, 1, 1);
    grid()->setRowStretch(0, 3);
    grid()->setRowStretch(1, 2);
    grid()->setColumnStretch(0, 1);
    grid()->setColumnStretch(1, 1);
}

bool PortsDashboard::buildRequest(const ViewContext& view, query::DashboardRequest& request) const
{
    const store::Metric metric = storeMetric(view.state.metric);
    request.tops = {
        {Dimension::DstPort, metric, 15}, {Dimension::SrcPort, metric, 15}, {Dimension::Proto, metric, 0}};
    query::SeriesSpec s;
    s.by = Dimension::Proto;
    s.rankBy = metric;
    s.topKeys = 7;
    request.series = {s};
    return true;
}

void PortsDashboard::applyResult(const query::DashboardResult& result, const ViewContext& view)
{
    if (result.tops.size() < 3)
        return;
    const MetricKind metric = view.state.metric;
    const bool raw = view.state.raw;
    const double seconds = view.range.seconds();
    const QString units = fmt::unitCaption(metric, raw, result.sampled);
    m_dstPorts->setResult(result.tops[0].result, metric, raw, seconds);
    m_srcPorts->setResult(result.tops[1].result, metric, raw, seconds);
    m_protocols = result.tops[2].result;
    auto approx = [](const query::TopResult& r) {
        return r.exact ? QString() : QStringLiteral(" · approximate");
    };
    const QList<ChartPanel*> charts = chartPanels();
    if (charts.size() >= 4) {
        // Charts are the expensive part: one per event-loop turn.
        later([=, this, top = result.tops[0].result, panel = charts[0]] {
            m_dstBars->setEntries(Dimension::DstPort, top.rows, metric, raw, seconds);
            panel->setSubtitle(m_dstBars->unitText() + QStringLiteral(" · ") + units + approx(top));
        });
        later([=, this, top = result.tops[1].result, panel = charts[1]] {
            m_srcBars->setEntries(Dimension::SrcPort, top.rows, metric, raw, seconds);
            panel->setSubtitle(m_srcBars->unitText() + QStringLiteral(" · ") + units + approx(top));
        });
        later([=, this, total = result.total, panel = charts[2]] {
            m_pie->setEntries(Dimension::Proto, m_protocols.rows, total, metric, raw);
            panel->setSubtitle(QStringLiteral("share of %1 · ").arg(m_pie->unitText()) + units);
        });
        if (!result.series.empty()) {
            later([=, this, series = result.series[0], panel = charts[3]] {
                m_overTime->setSeries(series, metric, raw);
                panel->setSubtitle(m_overTime->unitText() + QStringLiteral(" · ") + units);
            });
        }
    }
    for (TablePanel* t : tablePanels())
        t->setSubtitle(units);
}

} // namespace flowlens::ui
