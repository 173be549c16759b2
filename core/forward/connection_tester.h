#pragma once

#include "core/forward/forward_config.h"

#include <QMetaType>
#include <QObject>
#include <QString>

namespace flowlens::forward {

class IngestClient;

/// Result of "Test connection": reachability (GET /healthz, no credentials) and credentials
/// (POST of an empty array with them) are checked separately, so the user knows which failed.
struct ConnectionTestResult
{
    bool reachable = false;
    QString reachError; ///< why /healthz failed; empty when reachable
    bool credentialsOk = false;
    QString credentialsError; ///< why the credential check failed, or that it was not run
    bool verifyTls = true;

    bool ok() const { return reachable && credentialsOk; }
    /// One or two lines for a dialog or the CLI.
    QString summary() const;
};

/// Runs the two checks asynchronously on the thread it lives on (safe on the GUI thread: nothing
/// blocks) and emits finished() once. Bounded by the configuration's request timeout per check.
class ConnectionTester : public QObject
{
    Q_OBJECT

public:
    explicit ConnectionTester(QObject* parent = nullptr);
    ~ConnectionTester() override;

    /// Starts the checks; a test already running is cancelled.
    void start(const ForwardConfig& config);

signals:
    void finished(const flowlens::forward::ConnectionTestResult& result);

private:
    void checkCredentials();

    ForwardConfig m_config;
    IngestClient* m_client = nullptr;
    ConnectionTestResult m_result;
};

} // namespace flowlens::forward

Q_DECLARE_METATYPE(flowlens::forward::ConnectionTestResult)
