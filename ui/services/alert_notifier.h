#pragma once

#include "core/alert/alert_event.h"

#include <QObject>
#include <QSet>
#include <QString>

class QSystemTrayIcon;

namespace flowlens::ui {

/// Turns the collector's alert snapshots into a desktop notification per alert that fires (a
/// system-tray message, when the desktop has a tray) and the count of alerts firing now (the badge
/// on the Alerts entry and in the status bar).
class AlertNotifier : public QObject
{
    Q_OBJECT

public:
    explicit AlertNotifier(QObject* parent = nullptr);
    ~AlertNotifier() override;

    /// Shows the tray icon when `enabled` and the desktop has a system tray.
    void setTrayEnabled(bool enabled);
    QSystemTrayIcon* trayIcon() const { return m_tray; }

    /// Applies a snapshot (about once a second): notifies alerts not seen before.
    void setSnapshot(const alert::AlertSnapshot& snapshot);
    int firingCount() const { return m_firing; }
    /// Title and text of the last notification (also when no tray could show it).
    QString lastTitle() const { return m_lastTitle; }
    QString lastMessage() const { return m_lastMessage; }
    int notificationCount() const { return m_notified; }

signals:
    void firingChanged(int count);
    void alertFired(const flowlens::alert::AlertEvent& event);
    /// The user clicked the notification or the tray icon: show the Alerts view (at this alert).
    void showRequested(qint64 alertId);

private:
    QSystemTrayIcon* m_tray = nullptr;
    QSet<QString> m_seen;
    int m_firing = 0;
    int m_notified = 0;
    qint64 m_lastId = 0;
    QString m_lastTitle;
    QString m_lastMessage;
};

} // namespace flowlens::ui
