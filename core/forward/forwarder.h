#pragma once

#include "core/forward/forward_config.h"
#include "core/forward/forward_status.h"
#include "core/forward/record_encoder.h"
#include "core/util/result.h"

#include <memory>

#include <QObject>

class QThread;

namespace flowlens::forward {

class ForwarderWorker;

/// Forwards every flow stored in a FlowLens database to OpenObserve, from a worker on its own
/// thread ("flowlens-forwarder"). The outbox is a cursor in the database itself, so flows survive
/// the server being down and the process being closed or killed; a new Forwarder on the same
/// database and cursor name resumes where the last delivered batch ended. Used by
/// collect::Collector; a GUI drives it through start/setConfig/stop and statusChanged().
class Forwarder : public QObject
{
    Q_OBJECT

public:
    explicit Forwarder(QObject* parent = nullptr);
    ~Forwarder() override;

    /// Validates `config`, opens the outbox in `databasePath` (schema 3 or newer; migrates older
    /// files) and starts sending. `enricher` adds fields to every record (GeoIP), may be null.
    Result<void> start(const QString& databasePath, const ForwardConfig& config,
                       std::shared_ptr<const FieldEnricher> enricher = {});
    /// Flushes for at most config.shutdownGraceMs while the server answers, then cancels what is
    /// on the wire and stops; never waits on an unreachable server. Returns the final status.
    ForwardStatus stop();
    bool isRunning() const { return m_thread != nullptr; }

    /// Replaces the settings while running (e.g. corrected credentials); resumes a paused forwarder.
    Result<void> setConfig(const ForwardConfig& config);
    /// Tells the forwarder that flows were committed (the store is also polled).
    void notifyStored();
    /// Latest status (about once a second while running; the final one after stop()).
    ForwardStatus lastStatus() const { return m_last; }

signals:
    void statusChanged(const flowlens::forward::ForwardStatus& status);

private:
    void onStatus(const ForwardStatus& status);

    QThread* m_thread = nullptr;
    ForwarderWorker* m_worker = nullptr;
    ForwardConfig m_config;
    ForwardStatus m_last;
};

} // namespace flowlens::forward
