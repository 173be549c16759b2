#include "alert_notifier.h"

#include "ui/format.h"

#include <QIcon>
#include <QSystemTrayIcon>

namespace flowlens::ui {

namespace {

/// Identity of an alert across snapshots: its row id once stored, else the engine's number.
QString alertKey(const alert::AlertEvent& e)
{
    return e.id > 0 ? QStringLiteral("id%1").arg(e.id) : QStringLiteral("serial%1").arg(e.serial);
}

} // namespace

AlertNotifier::AlertNotifier(QObject* parent)
    : QObject(parent)
{}

AlertNotifier::~AlertNotifier() = default;

void AlertNotifier::setTrayEnabled(bool enabled)
{
    if (!enabled || !QSystemTrayIcon::isSystemTrayAvailable()) {
        delete m_tray;
        m_tray = nullptr;
        return;
    }
    if (m_tray)
        return;
    m_tray = new QSystemTrayIcon(QIcon(QStringLiteral(":/icons/flowlens.svg")), this);
    m_tray->setToolTip(QStringLiteral("FlowLens"));
    connect(m_tray, &QSystemTrayIcon::messageClicked, this, [this] { emit showRequested(m_lastId); });
    connect(m_tray, &QSystemTrayIcon::activated, this, [this](QSystemTrayIcon::ActivationReason reason) {
        if (reason == QSystemTrayIcon::Trigger)
            emit showRequested(m_lastId);
    });
    m_tray->show();
}

void AlertNotifier::setSnapshot(const alert::AlertSnapshot& snapshot)
{
    // Oldest first, so that several alerts in one snapshot notify in the order they fired.
    for (auto it = snapshot.recent.rbegin(); it != snapshot.recent.rend(); ++it) {
        const alert::AlertEvent& e = *it;
        const QString key = alertKey(e);
        if (m_seen.contains(key))
            continue;
        m_seen.insert(key);
        m_lastId = e.id;
        m_lastTitle = QStringLiteral("FlowLens alert: %1").arg(e.rule);
        m_lastMessage =
            e.summary() + QLatin1Char('\n') +
            (e.active() ? QStringLiteral("Firing since %1").arg(fmt::time(e.firedNs))
                        : QStringLiteral("Fired at %1, already resolved").arg(fmt::time(e.firedNs)));
        ++m_notified;
        if (m_tray)
            m_tray->showMessage(m_lastTitle, m_lastMessage, QSystemTrayIcon::Warning, 10000);
        emit alertFired(e);
    }
    const int firing = int(snapshot.active.size());
    if (m_tray)
        m_tray->setToolTip(firing ? QStringLiteral("FlowLens: %1 alert(s) firing").arg(firing)
                                  : QStringLiteral("FlowLens"));
    if (firing != m_firing) {
        m_firing = firing;
        emit firingChanged(firing);
    }
}

} // namespace flowlens::ui
