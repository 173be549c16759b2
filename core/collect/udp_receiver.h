#pragma once

#include "core/collect/allowlist.h"
#include "core/collect/collector_snapshot.h"
#include "core/decode/flow_decoder.h"
#include "core/util/result.h"

#include <memory>
#include <vector>

#include <QObject>

class QSocketNotifier;
class QTimer;

namespace flowlens::collect {

class FlowQueue;

/// Receives export datagrams on any number of UDP sockets (recvmmsg in batches, large SO_RCVBUF),
/// decodes them and hands flow batches to the FlowQueue. Lives on the receiver thread; create it,
/// move it there, then call bindAll() in that thread. Never blocks on the writer.
class UdpReceiver : public QObject
{
    Q_OBJECT

public:
    UdpReceiver(FlowQueue& queue, decode::DecoderLimits limits, int receiveBufferBytes);
    ~UdpReceiver() override;

    /// Binds every endpoint; the states say which listen and why others do not. The call fails
    /// only when none could be bound. `optionalV6`: IPv6 endpoints may fail for lack of IPv6
    /// support without it being an error (default endpoints).
    Result<std::vector<EndpointState>> bindAll(const std::vector<decode::Endpoint>& endpoints,
                                               bool optionalV6);
    /// Exporters allowed to send (set before bindAll; empty = any).
    void setAllowlist(Allowlist allow) { m_allow = std::move(allow); }
    /// Per-exporter sampling rate override (see FlowDecoder).
    decode::FlowDecoder& decoder() { return *m_decoder; }

    /// Reads whatever the kernel still holds, hands it over without dropping, closes the sockets
    /// and returns the final snapshot.
    ReceiverSnapshot drainAndClose();
    ReceiverSnapshot snapshot();

signals:
    void flowsAvailable();
    void snapshotReady(const flowlens::collect::ReceiverSnapshot& snapshot);

private:
    struct Socket;
    void readSocket(Socket& socket, int maxRounds);
    /// Returns false when the queue refused the flows (they are counted as dropped).
    bool handOver(bool unbounded);
    /// Stops reading the sockets until the queue has room again (see resumeWhenRoom()).
    void pause();
    void resumeWhenRoom();
    void emitSnapshot();

    FlowQueue& m_queue;
    std::unique_ptr<decode::FlowDecoder> m_decoder;
    int m_receiveBufferBytes;
    std::vector<std::unique_ptr<Socket>> m_sockets;
    std::vector<EndpointState> m_states;
    std::vector<decode::FlowRecord> m_batch;
    std::vector<decode::InterfaceCounters> m_counters;
    std::uint64_t m_templateSignature = 0;
    std::vector<std::byte> m_buffer;
    QTimer* m_snapshotTimer = nullptr;
    QTimer* m_resumeTimer = nullptr; ///< while paused: checks the queue for room every millisecond
    bool m_paused = false;
    /// The most flows one read (kRecvBatch datagrams) decoded so far: the room a read needs.
    std::size_t m_flowsPerRound = 0;
    std::uint64_t m_closedSocketDrops = 0; ///< kernel drops of sockets already closed
    std::uint64_t m_datagrams = 0;
    std::uint64_t m_bytes = 0;
    std::uint64_t m_truncated = 0;
    std::uint64_t m_flows = 0;
    bool m_closing = false;
    Allowlist m_allow;
    std::uint64_t m_notAllowed = 0;
    std::vector<std::pair<decode::Endpoint, std::uint64_t>> m_refused;
};

} // namespace flowlens::collect
