#include "talkers_dashboard.h"

#include "ui/format.h"
#include "ui/models/top_table_model.h"
#include "ui/widgets/bar_chart.h"
#include "ui/widgets/chart_panel.h"
#include "ui/widgets/pie_chart.h"
#include "ui/widgets/table_panel.h"

#include <QGridLayout>

namespace flowlens::ui {

using store::Dimension;

namespace {
constexpr int kTop = 20;
}

TalkersDashboard::TalkersDashboard(QWidget* parent)
    : Dashboard(QStringLiteral("talkers"), QStringLiteral("Top talkers"), parent)
    , m_sourceBars(new BarChart)
    , m_destinationBars(new BarChart)
    , m_pairBars(new BarChart)
    , m_donut(new PieChart(true))
    , m_sources(new TopTableModel(Dimension::Src, this))
    , m_destinations(new TopTableModel(Dimension::Dst, this))
    , m_pairs(new TopTableModel(Dimension::Pair, this))
{
    addRanked(QStringLiteral("Top sources"), m_sourceBars, m_sources, 0, 0);
    addRanked(QStringLiteral("Top destinations"), m_destinationBars, m_destinations, 0, 1);
    addRanked(QStringLiteral("Top conversations"), m_pairBars, m_pairs, 1, 0);
    addChart(QStringLiteral("Share of top sources"), m_donut, 1, 1);
    grid()->setRowStretch(0, 1);
    grid()->setRowStretch(1, 1);
    grid()->setColumnStretch(0, 1);
    grid()->setColumnStretch(1, 1);
}

bool TalkersDashboard::buildRequest(const ViewContext& view, query::DashboardRequest& request) const
{
    const store::Metric metric = storeMetric(view.state.metric);
    request.tops = {
        {Dimension::Src, metric, kTop}, {Dimension::Dst, metric, kTop}, {Dimension::Pair, metric, kTop}};
    return true;
}

void TalkersDashboard::applyResult(const query::DashboardResult& result, const ViewContext& view)
{
    if (result.tops.size() < 3)
        return;
    const MetricKind metric = view.state.metric;
    const bool raw = view.state.raw;
    const double seconds = view.range.seconds();
    const QString units = fmt::unitCaption(metric, raw, result.sampled);
    m_sources->setResult(result.tops[0].result, metric, raw, seconds);
    m_destinations->setResult(result.tops[1].result, metric, raw, seconds);
    m_pairs->setResult(result.tops[2].result, metric, raw, seconds);
    auto approx = [](const query::TopResult& r) {
        return r.exact ? QString() : QStringLiteral(" · approximate");
    };
    // Charts are the expensive part: one per event-loop turn.
    const QList<ChartPanel*> charts = chartPanels();
    BarChart* bars[] = {m_sourceBars, m_destinationBars, m_pairBars};
    const Dimension dims[] = {Dimension::Src, Dimension::Dst, Dimension::Pair};
    for (int i = 0; i < 3 && i < charts.size(); ++i) {
        later([=, this, top = result.tops[std::size_t(i)].result, panel = charts[i]] {
            bars[i]->setEntries(dims[i], top.rows, metric, raw, seconds);
            panel->setSubtitle(bars[i]->unitText() + QStringLiteral(" · ") + units + approx(top));
        });
    }
    if (charts.size() > 3) {
        later([=, this, top = result.tops[0].result, total = result.total, panel = charts[3]] {
            m_donut->setEntries(Dimension::Src, top.rows, total, metric, raw);
            panel->setSubtitle(m_donut->unitText() + QStringLiteral(" · ") + units + approx(top));
        });
    }
    const QList<TablePanel*> tables = tablePanels();
    for (int i = 0; i < tables.size() && i < 3; ++i)
        tables[i]->setSubtitle(
            QStringLiteral("%1 · share of all %2 · %3%4 distinct")
                .arg(units, metricKindName(metric),
                     result.tops[std::size_t(i)].result.keysAtLeast ? QStringLiteral("at least ") : QString())
                .arg(fmt::integer(result.tops[std::size_t(i)].result.keys)) +
            approx(result.tops[std::size_t(i)].result));
}

} // namespace flowlens::ui
