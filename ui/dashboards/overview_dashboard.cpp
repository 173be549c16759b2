#include "overview_dashboard.h"

#include "ui/format.h"
#include "ui/models/top_table_model.h"
#include "ui/widgets/bar_chart.h"
#include "ui/widgets/chart_panel.h"
#include "ui/widgets/table_panel.h"
#include "ui/widgets/tile.h"
#include "ui/widgets/time_series_chart.h"

#include <QGridLayout>
#include <QHBoxLayout>
#include <QTableView>

namespace flowlens::ui {

using store::Dimension;

namespace {
enum TopIndex
{
    PairsBytes,
    PairsPackets,
    Sources,
    Destinations,
    Exporters
};
}

OverviewDashboard::OverviewDashboard(QWidget* parent)
    : Dashboard(QStringLiteral("overview"), QStringLiteral("Overview"), parent)
    , m_traffic(new Tile(QStringLiteral("Traffic"), content()))
    , m_flows(new Tile(QStringLiteral("Flows"), content()))
    , m_rate(new Tile(QStringLiteral("Flows/s"), content()))
    , m_exporters(new Tile(QStringLiteral("Exporters"), content()))
    , m_drops(new Tile(QStringLiteral("Drops"), content()))
    , m_protocols(new TimeSeriesChart)
    , m_sourceBars(new BarChart)
    , m_destinationBars(new BarChart)
    , m_pairsBytes(new TopTableModel(Dimension::Pair, this))
    , m_pairsPackets(new TopTableModel(Dimension::Pair, this))
{
    auto* tiles = new QHBoxLayout;
    for (Tile* t : {m_traffic, m_flows, m_rate, m_exporters, m_drops})
        tiles->addWidget(t);
    grid()->addLayout(tiles, 0, 0, 1, 2);
    m_protocolPanel = addChart(QStringLiteral("Traffic by protocol"), m_protocols, 1, 0, 1, 2);
    m_protocols->setMinimumHeight(240);
    auto* bytes = addTable(QStringLiteral("Most chatty pairs by bytes"), m_pairsBytes, 2, 0);
    auto* packets = addTable(QStringLiteral("Most chatty pairs by packets"), m_pairsPackets, 2, 1);
    for (TablePanel* t : {bytes, packets}) {
        t->view()->hideColumn(TopTableModel::ValueColumn);
        t->view()->hideColumn(TopTableModel::ShareColumn);
    }
    m_sourcePanel = addChart(QStringLiteral("Top sources"), m_sourceBars, 3, 0);
    m_destinationPanel = addChart(QStringLiteral("Top destinations"), m_destinationBars, 3, 1);
    grid()->setRowStretch(1, 3);
    grid()->setRowStretch(2, 2);
    grid()->setRowStretch(3, 3);
}

bool OverviewDashboard::buildRequest(const ViewContext& view, query::DashboardRequest& request) const
{
    const store::Metric metric = storeMetric(view.state.metric);
    request.tops = {{Dimension::Pair, store::Metric::Bytes, 10},
                    {Dimension::Pair, store::Metric::Packets, 10},
                    {Dimension::Src, metric, 10},
                    {Dimension::Dst, metric, 10},
                    {Dimension::Exporter, store::Metric::Flows, 0}};
    query::SeriesSpec protocols;
    protocols.by = Dimension::Proto;
    protocols.rankBy = metric;
    protocols.topKeys = 7;
    request.series = {protocols};
    request.exporters = true;
    return true;
}

void OverviewDashboard::applyResult(const query::DashboardResult& result, const ViewContext& view)
{
    const MetricKind metric = view.state.metric;
    const bool raw = view.state.raw;
    const double seconds = view.range.seconds();
    const double bytes = double(raw ? result.total.bytes : result.total.scaledBytes);
    m_traffic->setValue(
        fmt::bytes(bytes),
        seconds > 0 ? QStringLiteral("average %1").arg(fmt::bitsPerSecond(8 * bytes / seconds)) : QString());
    m_flows->setValue(
        fmt::integer(result.total.flows),
        QStringLiteral("%1 packets")
            .arg(fmt::compact(double(raw ? result.total.packets : result.total.scaledPackets))));
    if (!m_collecting)
        m_rate->setValue(seconds > 0 ? fmt::compact(double(result.total.flows) / seconds)
                                     : QStringLiteral("–"),
                         QStringLiteral("average over the range"));
    if (result.tops.size() > Exporters) {
        const auto& ex = result.tops[Exporters].result;
        m_exporters->setValue(QString::number(ex.keys), QStringLiteral("sent flows in this range"));
    }
    m_sequenceLost = 0;
    for (const auto& e : result.exporters)
        m_sequenceLost += e.sequenceLost;
    updateDropsTile();

    const QString units = fmt::unitCaption(metric, raw, result.sampled);
    if (result.tops.size() > Destinations) {
        m_pairsBytes->setResult(result.tops[PairsBytes].result, MetricKind::Bytes, raw, seconds);
        m_pairsPackets->setResult(result.tops[PairsPackets].result, MetricKind::Packets, raw, seconds);
    }
    // Charts are the expensive part: one per event-loop turn.
    if (!result.series.empty()) {
        later([this, series = result.series[0], metric, raw, units] {
            m_protocols->setSeries(series, metric, raw);
            m_protocolPanel->setSubtitle(m_protocols->unitText() + QStringLiteral(" · ") + units);
        });
    }
    if (result.tops.size() > Destinations) {
        auto approx = [](const query::TopResult& r) {
            return r.exact ? QString() : QStringLiteral(" · approximate");
        };
        later([this, top = result.tops[Sources].result, metric, raw, seconds, units, approx] {
            m_sourceBars->setEntries(Dimension::Src, top.rows, metric, raw, seconds);
            m_sourcePanel->setSubtitle(m_sourceBars->unitText() + QStringLiteral(" · ") + units +
                                       approx(top));
        });
        later([this, top = result.tops[Destinations].result, metric, raw, seconds, units, approx] {
            m_destinationBars->setEntries(Dimension::Dst, top.rows, metric, raw, seconds);
            m_destinationPanel->setSubtitle(m_destinationBars->unitText() + QStringLiteral(" · ") + units +
                                            approx(top));
        });
    }
    // The two pair tables rank by a fixed metric whatever the metric switch shows.
    const QList<TablePanel*> tables = tablePanels();
    const MetricKind tableMetric[2] = {MetricKind::Bytes, MetricKind::Packets};
    for (int i = 0; i < tables.size(); ++i)
        tables[i]->setSubtitle(i < 2 ? QStringLiteral("ranked by ") +
                                           fmt::unitCaption(tableMetric[i], raw, result.sampled)
                                     : units);
}

void OverviewDashboard::setCollectorSnapshot(const collect::CollectorSnapshot& snapshot)
{
    m_collecting = true;

    m_collectorDrops = snapshot.receiver.flowsDropped;
    m_kernelDrops = snapshot.receiver.datagramsDropped;
    m_rate->setValue(
        fmt::compact(snapshot.flowsPerSecond),
        QStringLiteral("decoded now (%1 datagrams/s)").arg(fmt::compact(snapshot.datagramsPerSecond)));
    updateDropsTile();
}

void OverviewDashboard::updateDropsTile()
{
    QString detail =
        QStringLiteral("sequence loss reported by exporters: %1").arg(fmt::integer(m_sequenceLost));
    if (m_collecting) {
        QString kernel;
        if (m_kernelDrops > 0) {
            kernel = QStringLiteral("and %1 datagrams by the kernel (receive buffer full); ")
                         .arg(fmt::integer(m_kernelDrops));
            // Exporters see those as gaps in their sequence numbers too.
            detail = QStringLiteral("sequence loss reported by exporters (it includes those datagrams): %1")
                         .arg(fmt::integer(m_sequenceLost));
        }
        m_drops->setValue(fmt::integer(m_collectorDrops),
                          QStringLiteral("flows dropped by the collector (queue full); ") + kernel + detail);
        m_drops->setAlert(m_collectorDrops > 0 || m_kernelDrops > 0 || m_sequenceLost > 0);
    } else {
        m_drops->setValue(fmt::integer(m_sequenceLost),
                          QStringLiteral("lost in transit (exporter sequence numbers); not collecting"));
        m_drops->setAlert(m_sequenceLost > 0);
    }
}

} // namespace flowlens::ui
