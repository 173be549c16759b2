#pragma once

#include "ui/services/collector_controller.h"

#include <QWidget>

class QLabel;
class QPushButton;
class QTabWidget;
class QPlainTextEdit;

namespace flowlens::ui {

/// The empty state of a first start: where FlowLens listens, how to point a Cisco, Juniper,
/// MikroTik or Linux (softflowd) exporter at this machine, and a "Send demo traffic" button.
class WelcomePage : public QWidget
{
    Q_OBJECT

public:
    explicit WelcomePage(QWidget* parent = nullptr);

    /// `viewOnly`: opened with --no-listen (nothing is collected).
    void setCollectorStatus(const CollectorStatus& status, bool viewOnly);
    void setDemoState(bool running, const QString& text);
    /// Configuration text shown for an exporter ("Cisco IOS / IOS-XE", "Juniper", "MikroTik", "Linux
    /// (softflowd)").
    QString instructions(const QString& vendor) const;
    QString listeningText() const;
    QPushButton* demoButton() const { return m_demo; }

signals:
    void demoRequested();
    void demoStopRequested();
    void settingsRequested();

private:
    void rebuildInstructions();

    QLabel* m_listening;
    QLabel* m_demoStatus;
    QPushButton* m_demo;
    QPushButton* m_settings;
    QTabWidget* m_tabs;
    QString m_address; ///< this machine's address as exporters should use it
    quint16 m_netflowPort = 2055;
    quint16 m_ipfixPort = 4739;
    quint16 m_sflowPort = 6343;
    bool m_demoRunning = false;
};

} // namespace flowlens::ui
