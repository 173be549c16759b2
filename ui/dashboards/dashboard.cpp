#include "dashboard.h"

#include "ui/format.h"
#include "ui/models/top_table_model.h"
#include "ui/widgets/chart_panel.h"
#include "ui/widgets/chart_view.h"
#include "ui/widgets/table_panel.h"

#include <QGridLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QTimer>
#include <QVBoxLayout>

namespace flowlens::ui {

QStringList ViewContext::details() const
{
    QStringList d;
    d << QStringLiteral("Time: ") + range.text();
    d << QStringLiteral("Filter: ") +
             (state.filter.trimmed().isEmpty() ? QStringLiteral("none (all flows)") : state.filter.trimmed());
    return d;
}

Dashboard::Dashboard(const QString& id, const QString& title, QWidget* parent)
    : QWidget(parent)
    , m_id(id)
    , m_title(title)
    , m_titleLabel(new QLabel(title, this))
    , m_status(new QLabel(this))
    , m_scroll(new QScrollArea(this))
    , m_content(new QWidget)
    , m_grid(new QGridLayout(m_content))
{
    setObjectName(id);
    QFont f = m_titleLabel->font();
    f.setPointSizeF(f.pointSizeF() * 1.5);
    f.setBold(true);
    m_titleLabel->setFont(f);
    m_status->setForegroundRole(QPalette::PlaceholderText);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_grid->setContentsMargins(0, 0, 0, 0);
    m_grid->setSpacing(8);
    m_scroll->setWidget(m_content);
    m_scroll->setWidgetResizable(true);
    m_scroll->setFrameShape(QFrame::NoFrame);
    auto* header = new QHBoxLayout;
    header->addWidget(m_titleLabel);
    header->addSpacing(12);
    header->addWidget(m_status, 1, Qt::AlignBottom);
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(10, 8, 10, 8);
    layout->addLayout(header);
    layout->addWidget(m_scroll, 1);
}

bool Dashboard::buildRequest(const ViewContext&, query::DashboardRequest&) const
{
    return false;
}

void Dashboard::applyResult(const query::DashboardResult&, const ViewContext&)
{}

void Dashboard::applyReply(const query::DashboardReply& reply, const ViewContext& view)
{
    if (!reply.error.isEmpty()) {
        applyError(reply.error);
        return;
    }
    m_steps.clear();
    setPanelDetails(view);
    applyResult(reply.result, view);
    // The ranked value column repeats one of the counter columns unless the metric is bits/s.
    for (TablePanel* t : std::as_const(m_tables)) {
        auto* top = qobject_cast<TopTableModel*>(t->model());
        if (!top || t->view()->isColumnHidden(TopTableModel::ValueColumn))
            continue;
        const MetricKind m = top->metric();
        t->view()->setColumnHidden(TopTableModel::BytesColumn, m == MetricKind::Bytes);
        t->view()->setColumnHidden(TopTableModel::PacketsColumn, m == MetricKind::Packets);
        t->view()->setColumnHidden(TopTableModel::FlowsColumn, m == MetricKind::Flows);
    }
    setStatus(resultSummary(reply.result, reply.elapsedMs));
}

void Dashboard::applyError(const QString& error)
{
    setStatus(QStringLiteral("⚠ ") + error);
}

void Dashboard::viewChanged(const ViewContext&, bool)
{}

void Dashboard::setCollectorSnapshot(const collect::CollectorSnapshot&)
{}

void Dashboard::setBusy(bool busy)
{
    m_status->setText(busy ? m_statusText + QStringLiteral("  · updating…") : m_statusText);
}

QString Dashboard::statusText() const
{
    return m_statusText;
}

void Dashboard::later(std::function<void()> step)
{
    m_steps.push_back(std::move(step));
    scheduleStep();
}

void Dashboard::scheduleStep()
{
    if (m_stepScheduled || m_steps.empty())
        return;
    m_stepScheduled = true;
    // A zero timer runs after the paint the previous step asked for: one chart per turn.
    QTimer::singleShot(0, this, [this] {
        m_stepScheduled = false;
        if (m_steps.empty())
            return;
        auto step = std::move(m_steps.front());
        m_steps.pop_front();
        step();
        scheduleStep();
    });
}

void Dashboard::finishPendingUpdates()
{
    while (!m_steps.empty()) {
        auto step = std::move(m_steps.front());
        m_steps.pop_front();
        step();
    }
}

void Dashboard::setStatus(const QString& text)
{
    m_statusText = text;
    m_status->setText(text);
}

void Dashboard::registerPanel(Panel* panel)
{
    connect(panel, &Panel::message, this, &Dashboard::message);
    if (auto* chart = qobject_cast<ChartPanel*>(panel)) {
        m_charts << chart;
        connect(chart->chart(), &ChartView::drillRequested, this, &Dashboard::drillRequested);
    }
    if (auto* table = qobject_cast<TablePanel*>(panel)) {
        m_tables << table;
        connect(table, &TablePanel::drillRequested, this, &Dashboard::drillRequested);
    }
}

ChartPanel* Dashboard::addChart(const QString& title, ChartView* chart, int row, int column, int rowSpan,
                                int columnSpan)
{
    auto* panel = new ChartPanel(title, chart, m_content);
    registerPanel(panel);
    m_grid->addWidget(panel, row, column, rowSpan, columnSpan);
    return panel;
}

TablePanel* Dashboard::addTable(const QString& title, QAbstractItemModel* model, int row, int column,
                                int rowSpan, int columnSpan)
{
    auto* panel = new TablePanel(title, model, m_content);
    registerPanel(panel);
    m_grid->addWidget(panel, row, column, rowSpan, columnSpan);
    return panel;
}

std::pair<ChartPanel*, TablePanel*> Dashboard::addRanked(const QString& title, ChartView* chart,
                                                         QAbstractItemModel* model, int row, int column)
{
    auto* splitter = new QSplitter(Qt::Vertical, m_content);
    splitter->setChildrenCollapsible(false);
    auto* chartPanel = new ChartPanel(title, chart, splitter);
    auto* tablePanel = new TablePanel(title + QStringLiteral(" (table)"), model, splitter);
    splitter->addWidget(chartPanel);
    splitter->addWidget(tablePanel);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 1);
    registerPanel(chartPanel);
    registerPanel(tablePanel);
    m_grid->addWidget(splitter, row, column);
    return {chartPanel, tablePanel};
}

void Dashboard::setPanelDetails(const ViewContext& view)
{
    const QStringList details = view.details();
    for (ChartPanel* p : std::as_const(m_charts))
        p->setViewDetails(details);
    for (TablePanel* p : std::as_const(m_tables))
        p->setViewDetails(details);
}

QString Dashboard::resultSummary(const query::DashboardResult& result, double elapsedMs)
{
    QStringList parts;
    parts << QStringLiteral("%1 flows").arg(fmt::integer(result.total.flows));
    bool approximate = false;
    for (const auto& t : result.tops)
        approximate = approximate || !t.result.exact;
    for (const auto& s : result.series)
        approximate = approximate || !s.exact;
    parts << (result.scanned ? QStringLiteral("scanned (filter)") : QStringLiteral("per-minute rollups"));
    if (approximate)
        parts << QStringLiteral("top lists approximate (busy minutes kept their top 500 keys)");
    parts << QStringLiteral("%1 ms").arg(elapsedMs, 0, 'f', elapsedMs < 10 ? 1 : 0);
    return parts.join(QStringLiteral(" · "));
}

} // namespace flowlens::ui
