#pragma once

#include "core/alert/alert_event.h"
#include "core/collect/collector_snapshot.h"
#include "core/collect/packed_flows.h"
#include "core/enrich/enricher.h"
#include "core/forward/forward_config.h"
#include "core/store/flow_writer.h"
#include "core/util/result.h"

#include <memory>
#include <optional>
#include <vector>

#include <QElapsedTimer>
#include <QObject>

class QTimer;

namespace flowlens::enrich {
class SharedDictionaries;
}
namespace flowlens::alert {
class AlertForwarder;
class AlertMonitor;
} // namespace flowlens::alert

namespace flowlens::collect {

class FlowQueue;

/// Owns the FlowWriter on the writer thread: drains the queue, commits once a second, stores the
/// exporter health. While commits fail (disk full, read-only) it stops draining, so the bounded
/// queue fills and the receiver counts drops, and it retries every second until space returns.
class WriterWorker : public QObject
{
    Q_OBJECT

public:
    /// `enrich`: GeoIP enrichment of every flow before it is stored (none when unset); new
    /// dictionary rows are also published to `dictionaries` (may be null).
    WriterWorker(FlowQueue& queue, QString databasePath, store::WriterOptions options,
                 std::optional<enrich::EnrichConfig> enrich = std::nullopt,
                 std::shared_ptr<enrich::SharedDictionaries> dictionaries = {});
    ~WriterWorker() override;

    /// Forward alerts to OpenObserve too (a stream of their own); call before open().
    void setAlertForwarding(const forward::ForwardConfig& flows) { m_alertForward = flows; }
    /// Opens the database (call in the writer thread).
    Result<void> open();
    /// Drains the queue, stores `finalExporters`, commits and finalises every open minute.
    Result<store::WriterStats> finish(const ReceiverSnapshot& finalReceiver);

    /// Templates a previous run stored, for the decoder to start with (empty when none).
    std::vector<std::byte> savedTemplates();
    store::WriterStats stats() const;
    QString lastError() const { return m_lastError; }
    /// Set by open() when the previous run did not stop cleanly.
    QString uncleanShutdownNotice() const { return m_uncleanShutdown; }
    /// The alert rules' state as of the last commit (or finish()).
    alert::AlertSnapshot alertSnapshot() const { return m_alertSnapshot; }

public slots:
    void drain();
    void storeReceiverSnapshot(const flowlens::collect::ReceiverSnapshot& snapshot);

signals:
    void committed(const flowlens::store::WriterStats& stats, const QString& error);
    /// After every commit: alerts firing now and the latest transitions.
    void alertsUpdated(const flowlens::alert::AlertSnapshot& snapshot);

private:
    void commit();
    /// Stores queued flows until `budget` flows are done or the queue is empty; true when flows remain.
    bool drainUpTo(std::size_t budget);
    void updateAlerts(bool finishing);

    FlowQueue& m_queue;
    QString m_path;
    store::WriterOptions m_options;
    std::optional<enrich::EnrichConfig> m_enrich;
    std::shared_ptr<enrich::SharedDictionaries> m_dictionaries;
    std::unique_ptr<store::FlowWriter> m_writer;
    std::vector<PackedFlows> m_taken;
    std::vector<decode::FlowRecord> m_slice; ///< the flows being stored, unpacked
    QTimer* m_commitTimer = nullptr;
    QElapsedTimer m_sinceCommit; ///< a drain commits when a second has passed (the timer waits behind it)
    QString m_lastError;
    QString m_uncleanShutdown;
    std::uint64_t m_droppedLogged = 0;
    std::uint64_t m_datagramsDroppedLogged = 0;
    std::unique_ptr<alert::AlertMonitor> m_alerts; ///< evaluates alert rules on every flow stored
    alert::AlertSnapshot m_alertSnapshot;
    std::optional<forward::ForwardConfig> m_alertForward;
    std::unique_ptr<alert::AlertForwarder> m_alertForwarder;
};

} // namespace flowlens::collect
