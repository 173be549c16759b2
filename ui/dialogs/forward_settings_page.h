#pragma once

#include "ui/services/app_settings.h"

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QThread;

namespace flowlens::forward {
class ConnectionTester;
struct ConnectionTestResult;
} // namespace flowlens::forward

namespace flowlens::ui {

class SecretStore;

/// The "Forwarding" tab of the Settings dialog: where and how flows go to OpenObserve, where the
/// secret is kept (with a warning when that is a file), and "Test connection", which checks
/// /healthz and the credentials separately on a worker thread and says which failed.
class ForwardSettingsPage : public QWidget
{
    Q_OBJECT

public:
    /// `secrets` (may be null) only tells where the secret is kept; the dialog's owner stores it.
    ForwardSettingsPage(const AppSettings::ForwardSettings& settings, const SecretStore* secrets,
                        QWidget* parent = nullptr);
    ~ForwardSettingsPage() override;

    AppSettings::ForwardSettings settings() const;
    /// Checks the settings and the connection with what the page holds (enabled or not).
    void testConnection();
    bool isTesting() const;

    /// Text shown for the last test, one label per check (tests read them).
    QString reachabilityText() const;
    QString credentialsText() const;
    QString storageWarning() const;

signals:
    void testFinished(bool ok);

private:
    void updateStorageNote();
    void updateTlsWarning();
    void showResult(const forward::ConnectionTestResult& result);

    const SecretStore* m_secrets;
    QCheckBox* m_enabled;
    QLineEdit* m_url;
    QLineEdit* m_org;
    QLineEdit* m_stream;
    QLineEdit* m_user;
    QLineEdit* m_secret;
    QLabel* m_storage;
    QCheckBox* m_gzip;
    QSpinBox* m_batch;
    QCheckBox* m_verifyTls;
    QLabel* m_tlsWarning;
    QLineEdit* m_caFile;
    QSpinBox* m_window;
    QComboBox* m_expired;
    QComboBox* m_startAt;
    QPushButton* m_test;
    QLabel* m_reach;
    QLabel* m_credentials;
    QThread* m_testThread;
    forward::ConnectionTester* m_tester; ///< lives in m_testThread
};

} // namespace flowlens::ui
