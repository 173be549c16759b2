#include "alerts_dashboard.h"

#include "ui/dialogs/alert_rule_dialog.h"
#include "ui/models/alert_event_model.h"
#include "ui/models/alert_rule_model.h"
#include "ui/widgets/alert_chart.h"
#include "ui/widgets/chart_panel.h"
#include "ui/widgets/table_panel.h"

#include <QDateTime>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPointer>
#include <QPushButton>
#include <QTableView>

namespace flowlens::ui {

namespace {

std::uint64_t wallNs()
{
    return std::uint64_t(QDateTime::currentMSecsSinceEpoch()) * 1000000ull;
}

} // namespace

AlertsDashboard::AlertsDashboard(AlertService* service, QWidget* parent)
    : Dashboard(QStringLiteral("alerts"), QStringLiteral("Alerts"), parent)
    , m_service(service)
    , m_rules(new AlertRuleModel(this))
    , m_events(new AlertEventModel(this))
    , m_chart(new AlertChart)
    , m_add(new QPushButton(QStringLiteral("New rule…"), this))
    , m_remove(new QPushButton(QStringLiteral("Remove rule"), this))
    , m_toggle(new QPushButton(QStringLiteral("Turn off"), this))
    , m_showFlows(new QPushButton(QStringLiteral("Show flows"), this))
    , m_note(new QLabel(this))
{
    auto* bar = new QWidget(this);
    auto* row = new QHBoxLayout(bar);
    row->setContentsMargins(0, 0, 0, 0);
    m_note->setWordWrap(true);
    m_note->setText(QStringLiteral(
        "Rules are checked every second on the flows as they arrive (here and in flowlens-cli collect). A "
        "fixed threshold fires when the metric crosses it; a learned baseline fires on a spike: a second "
        "far above the metric's recent average (a moving average over about five minutes, plus N times its "
        "usual deviation)."));
    m_showFlows->setToolTip(QStringLiteral("Open the Flows view on the flows behind the selected alert"));
    row->addWidget(m_note, 1);
    row->addWidget(m_add);
    row->addWidget(m_toggle);
    row->addWidget(m_remove);
    row->addWidget(m_showFlows);
    grid()->addWidget(bar, 0, 0, 1, 2);

    m_rulePanel = addTable(QStringLiteral("Rules"), m_rules, 1, 0);
    m_rulePanel->setKeyColumn(-1);
    m_rulePanel->view()->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_rulePanel->view()->setSelectionMode(QAbstractItemView::SingleSelection);
    m_rulePanel->view()->horizontalHeader()->setStretchLastSection(true);
    addChart(QStringLiteral("Triggering metric"), m_chart, 1, 1);
    m_historyPanel = addTable(QStringLiteral("Alert history"), m_events, 2, 0, 1, 2);
    m_historyPanel->setKeyColumn(-1);
    m_historyPanel->setSubtitle(QStringLiteral("Newest first. Select an alert to chart it; double-click or "
                                               "\"Show flows\" for the flows behind it."));
    m_historyPanel->view()->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_historyPanel->view()->setSelectionMode(QAbstractItemView::SingleSelection);
    m_historyPanel->view()->horizontalHeader()->setStretchLastSection(true);
    grid()->setRowStretch(1, 1);
    grid()->setRowStretch(2, 1);
    grid()->setColumnStretch(0, 1);
    grid()->setColumnStretch(1, 1);

    connect(m_service, &AlertService::loaded, this, &AlertsDashboard::onLoaded);
    connect(m_service, &AlertService::ruleChanged, this, [this](bool ok, const QString& error) {
        emit message(
            ok ? QStringLiteral("Alert rules saved; a running collector applies them within a second.")
               : QStringLiteral("Alert rule not saved: %1").arg(error));
    });
    connect(m_add, &QPushButton::clicked, this, &AlertsDashboard::openAddDialog);
    connect(m_remove, &QPushButton::clicked, this, &AlertsDashboard::removeSelectedRule);
    connect(m_toggle, &QPushButton::clicked, this, &AlertsDashboard::toggleSelectedRule);
    connect(m_showFlows, &QPushButton::clicked, this, &AlertsDashboard::showFlowsOfSelected);
    connect(m_rulePanel->view()->selectionModel(), &QItemSelectionModel::selectionChanged, this,
            &AlertsDashboard::updateButtons);
    connect(m_historyPanel->view()->selectionModel(), &QItemSelectionModel::selectionChanged, this, [this] {
        const alert::AlertEvent* e = m_events->event(selectedEventRow());
        m_selectedId = e ? e->id : 0;
        updateChart();
        updateButtons();
    });
    connect(m_historyPanel->view(), &QTableView::doubleClicked, this, [this] { showFlowsOfSelected(); });
    updateButtons();
}

void AlertsDashboard::viewChanged(const ViewContext& view, bool)
{
    m_currentFilter = view.state.filter;
    m_service->refresh();
}

void AlertsDashboard::setCollectorSnapshot(const collect::CollectorSnapshot& snapshot)
{
    m_snapshot = snapshot.alerts;
    std::map<QString, int> firing;
    for (const auto& e : m_snapshot.active)
        ++firing[e.rule];
    m_rules->setFiring(firing);
    // A new or resolved alert: reload the history (cheap; at most once a second).
    QString recent;
    for (const auto& e : m_snapshot.recent)
        recent += QStringLiteral("%1:%2:%3 ").arg(e.serial).arg(e.id).arg(e.resolvedNs);
    if (recent != m_lastRecent) {
        m_lastRecent = recent;
        m_service->refresh();
    }
    // The charted alert still firing: follow its live samples.
    const alert::AlertEvent* selected = selectedAlert();
    if (selected && selected->active())
        updateChart();
}

void AlertsDashboard::onLoaded(const AlertsData& data)
{
    const alert::AlertRule* selectedRule = m_rules->rule(selectedRuleRow());
    const QString ruleName = selectedRule ? selectedRule->name : QString();
    m_rules->setRules(data.rules);
    for (int r = 0; r < m_rules->rowCount(); ++r)
        if (m_rules->rule(r)->name == ruleName)
            m_rulePanel->view()->selectRow(r);
    m_events->setEvents(data.events, wallNs());
    if (m_selectedId == 0 && !data.events.empty())
        m_selectedId = data.events.front().id; // the newest alert, until the user picks one
    const int row = m_events->rowOf(m_selectedId);
    if (row >= 0) {
        const QSignalBlocker block(m_historyPanel->view()->selectionModel());
        m_historyPanel->view()->selectRow(row);
    }
    m_rulePanel->setSubtitle(
        data.error.isEmpty()
            ? QStringLiteral("%1 rule(s)").arg(data.rules.size())
            : QStringLiteral("<span style='color:#d03b3b'>%1</span>").arg(data.error.toHtmlEscaped()));
    setStatus(data.rules.empty() ? QStringLiteral("No alert rules yet: add one with \"New rule…\" or "
                                                  "flowlens-cli alert add.")
                                 : QStringLiteral("%1 rule(s), %2 alert(s) in the history, %3 firing now")
                                       .arg(data.rules.size())
                                       .arg(data.events.size())
                                       .arg(m_snapshot.active.size()));
    updateChart();
    updateButtons();
}

const alert::AlertEvent* AlertsDashboard::selectedAlert() const
{
    for (const auto& e : m_snapshot.active)
        if (m_selectedId != 0 && e.id == m_selectedId)
            return &e; // live samples, fresher than the stored ones
    const int row = m_events->rowOf(m_selectedId);
    return m_events->event(row);
}

void AlertsDashboard::selectAlert(qint64 id)
{
    m_selectedId = id;
    const int row = m_events->rowOf(id);
    if (row >= 0)
        m_historyPanel->view()->selectRow(row);
    updateChart();
    updateButtons();
}

void AlertsDashboard::updateChart()
{
    const alert::AlertEvent* e = selectedAlert();
    if (!e) {
        m_chart->clear();
        if (!chartPanels().isEmpty())
            chartPanels().front()->setSubtitle({});
        return;
    }
    m_chart->setAlert(*e);
    if (!chartPanels().isEmpty())
        chartPanels().front()->setSubtitle(
            QStringLiteral("%1 · %2 per second · dashed: %3")
                .arg(e->key.isEmpty() ? e->rule : e->rule + QStringLiteral(" [") + e->key + QLatin1Char(']'),
                     alert::metricName(e->metric),
                     e->expression.contains(QStringLiteral("baseline"))
                         ? QStringLiteral("learned baseline line")
                         : QStringLiteral("threshold")));
}

int AlertsDashboard::selectedRuleRow() const
{
    const auto rows = m_rulePanel->view()->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.front().row();
}

int AlertsDashboard::selectedEventRow() const
{
    const auto rows = m_historyPanel->view()->selectionModel()->selectedRows();
    return rows.isEmpty() ? -1 : rows.front().row();
}

void AlertsDashboard::updateButtons()
{
    const alert::AlertRule* r = m_rules->rule(selectedRuleRow());
    m_remove->setEnabled(r != nullptr);
    m_toggle->setEnabled(r != nullptr);
    m_toggle->setText(r && !r->enabled ? QStringLiteral("Turn on") : QStringLiteral("Turn off"));
    m_showFlows->setEnabled(selectedAlert() != nullptr);
}

void AlertsDashboard::openAddDialog()
{
    QPointer<AlertRuleDialog> dialog = new AlertRuleDialog(m_currentFilter, this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    connect(dialog, &QDialog::accepted, this, [this, dialog] {
        if (dialog)
            m_service->addRule(dialog->rule());
    });
    dialog->open();
}

void AlertsDashboard::removeSelectedRule()
{
    if (const alert::AlertRule* r = m_rules->rule(selectedRuleRow()))
        m_service->removeRule(r->name);
}

void AlertsDashboard::toggleSelectedRule()
{
    if (const alert::AlertRule* r = m_rules->rule(selectedRuleRow()))
        m_service->setEnabled(r->name, !r->enabled);
}

void AlertsDashboard::showFlowsOfSelected()
{
    const alert::AlertEvent* e = selectedAlert();
    if (!e)
        return;
    // From a little before the condition began (context) to its end, or now while it fires.
    const std::uint64_t since = e->startedNs > 60'000'000'000ull ? e->startedNs - 60'000'000'000ull : 0;
    emit showFlowsRequested(e->flowFilter(), since, e->flowsUntilNs(wallNs()));
}

} // namespace flowlens::ui
