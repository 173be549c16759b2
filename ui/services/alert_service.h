#pragma once

#include "core/alert/alert_event.h"
#include "core/alert/alert_rule.h"

#include <memory>
#include <vector>

#include <QMetaType>
#include <QObject>
#include <QString>

class QThread;

namespace flowlens::ui {

/// What the Alerts view shows from the database: every rule and the latest alerts.
struct AlertsData
{
    std::vector<alert::AlertRule> rules;
    std::vector<alert::AlertEvent> events; ///< newest first, with their samples
    QString error;                         ///< empty when the database was read
};

/// Reads and edits the alert rules and history of the database on its own thread
/// ("flowlens-alerts"), so that no SQL runs on the GUI thread. Every call returns at once; results
/// arrive as signals on the GUI thread. The collector picks up rule changes within a second.
class AlertService : public QObject
{
    Q_OBJECT

public:
    explicit AlertService(const QString& databasePath, QObject* parent = nullptr);
    ~AlertService() override;

    void setDatabasePath(const QString& path);
    QString databasePath() const { return m_path; }
    /// Reloads rules and the latest `historyLimit` alerts; emits loaded().
    void refresh();
    void addRule(const alert::AlertRule& rule);
    void removeRule(const QString& name);
    void setEnabled(const QString& name, bool enabled);

    /// The last data loaded.
    const AlertsData& data() const { return m_data; }
    void setHistoryLimit(int limit) { m_historyLimit = limit; }

signals:
    void loaded(const flowlens::ui::AlertsData& data);
    /// The outcome of addRule(), removeRule() or setEnabled(); a refresh follows.
    void ruleChanged(bool ok, const QString& error);

private:
    struct State;
    QThread* m_thread;
    QObject* m_context; ///< lives in m_thread; queued work runs there
    std::shared_ptr<State> m_state;
    QString m_path;
    AlertsData m_data;
    int m_historyLimit = 200;
};

} // namespace flowlens::ui

Q_DECLARE_METATYPE(flowlens::ui::AlertsData)
