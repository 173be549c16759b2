#pragma once

#include "ui/dashboards/dashboard.h"
#include "ui/services/alert_service.h"

#include "core/alert/alert_event.h"

class QLabel;
class QPushButton;

namespace flowlens::ui {

class AlertChart;
class AlertEventModel;
class AlertRuleModel;
class AlertService;

/// Alerts: the rules (add, remove, switch on/off), the history of alerts they fired, and a chart
/// of the selected alert's metric with the line it crossed. "Show flows" opens the Flows view on
/// the flows behind an alert (its filter and key, over its time span).
class AlertsDashboard : public Dashboard
{
    Q_OBJECT

public:
    AlertsDashboard(AlertService* service, QWidget* parent = nullptr);

    void viewChanged(const ViewContext& view, bool liveTick) override;
    void setCollectorSnapshot(const collect::CollectorSnapshot& snapshot) override;

    AlertRuleModel* ruleModel() const { return m_rules; }
    AlertEventModel* eventModel() const { return m_events; }
    AlertChart* alertChart() const { return m_chart; }
    TablePanel* rulePanel() const { return m_rulePanel; }
    TablePanel* historyPanel() const { return m_historyPanel; }
    QPushButton* addButton() const { return m_add; }
    QPushButton* removeButton() const { return m_remove; }
    QPushButton* toggleButton() const { return m_toggle; }
    QPushButton* showFlowsButton() const { return m_showFlows; }

    /// Selects the alert with this id in the history (when shown) and charts it.
    void selectAlert(qint64 id);
    /// The alert charted now (null when none).
    const alert::AlertEvent* selectedAlert() const;
    /// Emits showFlowsRequested() for the selected alert.
    void showFlowsOfSelected();
    /// The filter bar's text, offered as the filter of a new rule.
    void setCurrentFilter(const QString& filter) { m_currentFilter = filter; }

signals:
    /// Open the Flows view on `filter` over [sinceNs, untilNs].
    void showFlowsRequested(const QString& filter, quint64 sinceNs, quint64 untilNs);

private:
    void onLoaded(const AlertsData& data);
    void openAddDialog();
    void removeSelectedRule();
    void toggleSelectedRule();
    void updateChart();
    void updateButtons();
    int selectedRuleRow() const;
    int selectedEventRow() const;

    AlertService* m_service;
    AlertRuleModel* m_rules;
    AlertEventModel* m_events;
    AlertChart* m_chart;
    TablePanel* m_rulePanel = nullptr;
    TablePanel* m_historyPanel = nullptr;
    QPushButton* m_add;
    QPushButton* m_remove;
    QPushButton* m_toggle;
    QPushButton* m_showFlows;
    QLabel* m_note;
    alert::AlertSnapshot m_snapshot;
    std::vector<alert::AlertEvent> m_shown; ///< history with live samples merged in
    qint64 m_selectedId = 0;
    QString m_currentFilter;
    QString m_lastRecent; ///< transitions seen in the last snapshot (a change triggers a reload)
};

} // namespace flowlens::ui
