#pragma once

#include "ui/services/app_settings.h"

#include <QDialog>

class QDialogButtonBox;
class QCheckBox;
class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QSpinBox;
class QTableWidget;

namespace flowlens::ui {

/// Collector endpoints, database location, retention and sampling overrides. Apply validates
/// (syntax here, ports and folders when the collector restarts) and shows what went wrong.
class SettingsDialog : public QDialog
{
    Q_OBJECT

public:
    /// `sessionDatabase`: the file this session uses when it differs from the settings (--db).
    SettingsDialog(const AppSettings& settings, bool viewOnly, const QString& sessionDatabase = {},
                   QWidget* parent = nullptr);

    AppSettings settings() const;
    /// The outcome of an apply (from the collector restart).
    void setApplyResult(bool ok, const QString& error);
    QStringList problems() const { return m_problems; }

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
    QCheckBox* m_geoip;
    QLineEdit* m_geoipPaths;
    QLineEdit* m_networks;
    QLabel* m_geoipFound;
    QLabel* m_status;
    QDialogButtonBox* m_buttons;
    QStringList m_problems;
    bool m_closeOnSuccess = false;
};

} // namespace flowlens::ui
