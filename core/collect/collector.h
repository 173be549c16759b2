#pragma once

#include "core/collect/allowlist.h"
#include "core/collect/collector_snapshot.h"
#include "core/decode/flow_decoder.h"
#include "core/enrich/enricher.h"
#include "core/forward/forward_config.h"
#include "core/store/flow_writer.h"
#include "core/util/result.h"

#include <memory>
#include <optional>
#include <vector>

#include <QObject>
#include <QString>

class QThread;

namespace flowlens::forward {
class FieldEnricher;
class Forwarder;
} // namespace flowlens::forward

namespace flowlens::collect {

class FlowQueue;
class UdpReceiver;
class WriterWorker;

/// A sampling rate for one exporter: `force` replaces what the exporter states; otherwise it is the
/// default for an exporter that samples without saying so.
struct SamplingOverride
{
    decode::IpAddress exporter;
    std::uint64_t rate = 1;
    bool force = false;
};

struct CollectorConfig
{
    QString databasePath;
    std::vector<decode::Endpoint> endpoints; ///< empty: defaultEndpoints()
    store::WriterOptions writer;
    decode::DecoderLimits decoder;
    std::size_t queueCapacityFlows = 262144; ///< flows waiting for the writer before drops
    int receiveBufferBytes = 32 * 1024 * 1024;
    std::vector<SamplingOverride> samplingOverrides;
    /// Exporters allowed to send (empty = any); datagrams from others are counted and dropped.
    std::vector<Cidr> allow;
    /// Forward every stored flow to OpenObserve (core/forward) while collecting; none when unset.
    std::optional<forward::ForwardConfig> forward;
    /// Adds fields to every forwarded record; when null and `enrich` is set, the GeoIP fields
    /// (enrich::GeoFieldEnricher) are added.
    std::shared_ptr<const forward::FieldEnricher> forwardEnricher;
    /// GeoIP / address class / user network enrichment in the writer thread; none when unset.
    std::optional<enrich::EnrichConfig> enrich;
};

/// 0.0.0.0 and [::] on 2055 (NetFlow), 4739 (IPFIX) and 6343 (sFlow).
std::vector<decode::Endpoint> defaultEndpoints();

/// The headless collector: a receiver thread (UDP, decoding) and a writer thread (SQLite), joined
/// by a bounded queue. Used by `flowlens-cli collect` and by the GUI. Emits a snapshot about once
/// a second on the thread that owns it.
class Collector : public QObject
{
    Q_OBJECT

public:
    explicit Collector(QObject* parent = nullptr);
    ~Collector() override;

    /// Opens the database and binds the endpoints. Errors name what failed and what to do.
    Result<std::vector<EndpointState>> start(const CollectorConfig& config);
    /// Reads what the sockets still hold, stores everything, closes the database. Safe to call twice.
    Result<store::WriterStats> stop();
    bool isRunning() const { return m_running; }
    /// Replaces the sampling overrides while running (takes effect for the next datagram).
    void setSamplingOverrides(const std::vector<SamplingOverride>& overrides);
    CollectorSnapshot lastSnapshot() const { return m_last; }
    /// The forwarder while running with CollectorConfig::forward (e.g. to change its settings), else null.
    forward::Forwarder* forwarder() const { return m_forwarder.get(); }
    /// Starts, reconfigures or (with nullopt) stops forwarding while running, without touching the
    /// receiver or the writer. Stopping flushes for at most the old config's shutdownGraceMs. Fails
    /// when not running (forwarding starts with start()) or when the config is invalid.
    Result<void> setForward(const std::optional<forward::ForwardConfig>& config);

signals:
    void snapshotReady(const flowlens::collect::CollectorSnapshot& snapshot);

private:
    void onReceiverSnapshot(const ReceiverSnapshot& snapshot);
    void onWriterCommitted(const store::WriterStats& stats, const QString& error);
    void shutdownThreads();
    Result<void> startForwarder(const forward::ForwardConfig& config);

    std::unique_ptr<FlowQueue> m_queue;
    QThread* m_receiverThread = nullptr;
    QThread* m_writerThread = nullptr;
    UdpReceiver* m_receiver = nullptr;
    WriterWorker* m_writer = nullptr;
    bool m_running = false;
    CollectorSnapshot m_last;
    std::uint64_t m_prevFlows = 0;
    std::uint64_t m_prevDatagrams = 0;
    std::uint64_t m_prevTimeNs = 0;
    std::vector<SamplingOverride> m_overrides;
    std::unique_ptr<forward::Forwarder> m_forwarder;
    QString m_databasePath;
    std::shared_ptr<const forward::FieldEnricher> m_forwardEnricher;
};

} // namespace flowlens::collect
