#pragma once

#include "ui/services/app_settings.h"

#include <QDialog>

class QDialogButtonBox;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTabWidget;
class QTableWidget;

namespace flowlens::ui {

class ForwardSettingsPage;
class SecretStore;

/// Collector endpoints, database location, retention and sampling overrides, and forwarding to
/// OpenObserve on a second tab. Apply validates (syntax here, ports and folders when the collector
/// restarts) and shows what went wrong.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    /// `sessionDatabase`: the file this session uses when it differs from the settings (--db).
    /// `secrets` (may be null): where the forwarding secret is kept, shown on the Forwarding tab.
    SettingsDialog(const AppSettings& settings, bool viewOnly, const QString& sessionDatabase = {},
                   const SecretStore* secrets = nullptr, QWidget* parent = nullptr);

    AppSettings settings() const;
    /// The outcome of an apply (from the collector restart).
    void setApplyResult(bool ok, const QString& error);
    QStringList problems() const { return m_problems; }
    ForwardSettingsPage* forwardPage() const { return m_forward; }
    /// Shows the Forwarding tab.
    void showForwarding();

signals:
    void applyRequested(const flowlens::ui::AppSettings& settings);

private:
    bool validateAndRequest();
    void addOverrideRow(const AppSettings::SamplingOverrideSetting& o);
    /// Lists the databases the current GeoIP settings would use: type, build date, coverage.
    void describeGeoip();

    QPlainTextEdit* m_endpoints;
    QLineEdit* m_database;
    QSpinBox* m_retention;
    QSpinBox* m_maxSize;
    QTableWidget* m_overrides;
    QLineEdit* m_allow = nullptr;
    QCheckBox* m_geoip;
    QLineEdit* m_geoipPaths;
    QLineEdit* m_networks;
    QLabel* m_geoipFound;
    QTabWidget* m_tabs;
    ForwardSettingsPage* m_forward;
    QLabel* m_status;
    QDialogButtonBox* m_buttons;
    QStringList m_problems;
    bool m_closeOnSuccess = false;
};

} // namespace flowlens::ui
