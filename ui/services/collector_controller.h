#pragma once

#include "core/collect/collector.h"

#include <optional>
#include <vector>

#include <QMetaType>
#include <QObject>

class QThread;

namespace flowlens::ui {

/// Where the collector stands, for the status bar, the empty state and the Settings dialog.
struct CollectorStatus
{
    bool running = false;
    QString databasePath;
    std::vector<collect::EndpointState> endpoints;
    QString error; ///< why the last start or restart failed (empty when it worked)
};

/// Runs the Collector on its own thread ("flowlens-control"): starting it opens the database and
/// binds sockets, and stopping it commits, so neither may happen on the GUI thread. Every call
/// returns at once; results come back as signals.
class CollectorController : public QObject
{
    Q_OBJECT

public:
    explicit CollectorController(QObject* parent = nullptr);
    ~CollectorController() override;

    /// Starts collecting with `config`, or restarts with it when running. When that fails (a port
    /// in use, an unwritable folder) a running collector keeps (or goes back to) the configuration
    /// that worked, and the status and applied() name the error.
    void apply(const collect::CollectorConfig& config);
    void stop();
    void setSamplingOverrides(const std::vector<collect::SamplingOverride>& overrides);
    /// Starts, changes or (nullopt) stops forwarding on the running collector without restarting
    /// it; the outcome comes as forwardApplied(). Later restarts by apply() keep it.
    void setForward(const std::optional<forward::ForwardConfig>& config);

    const CollectorStatus& status() const { return m_status; }

signals:
    void statusChanged(const flowlens::ui::CollectorStatus& status);
    /// The outcome of apply().
    void applied(bool ok, const QString& error);
    /// The outcome of setForward().
    void forwardApplied(bool ok, const QString& error);
    void snapshotReady(const flowlens::collect::CollectorSnapshot& snapshot);

private:
    QThread* m_thread;
    QObject* m_worker; ///< lives in m_thread; owns the Collector
    collect::Collector* m_collector = nullptr;
    CollectorStatus m_status;
    collect::CollectorConfig m_active; ///< the configuration that last started successfully
    bool m_haveActive = false;
};

} // namespace flowlens::ui

Q_DECLARE_METATYPE(flowlens::ui::CollectorStatus)
