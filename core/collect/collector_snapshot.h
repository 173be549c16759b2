#pragma once

#include "core/alert/alert_event.h"
#include "core/decode/anomaly.h"
#include "core/decode/exporter_stats.h"
#include "core/decode/interface_counters.h"
#include "core/forward/forward_status.h"
#include "core/store/flow_writer.h"

#include <cstdint>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include <QMetaType>
#include <QString>

namespace flowlens::collect {

/// A UDP endpoint the collector was asked to listen on, and what came of it.
struct EndpointState
{
    decode::Endpoint endpoint;
    bool listening = false;
    QString error;              ///< why it is not listening
    int receiveBufferBytes = 0; ///< what the kernel granted
};

/// What the receiver thread reports, at most once a second.
struct ReceiverSnapshot
{
    std::uint64_t timeNs = 0;
    std::vector<EndpointState> endpoints;
    std::uint64_t datagrams = 0;
    std::uint64_t bytes = 0;
    std::uint64_t truncatedDatagrams = 0; ///< larger than the receive buffer
    std::uint64_t flowsDecoded = 0;
    std::uint64_t flowsDropped = 0; ///< queue full: the writer could not keep up
    /// Dropped by the kernel, socket receive buffer full: while the queue is full the receiver
    /// stops reading, so beyond a short burst this is where an overload is counted (in datagrams:
    /// their flows were never decoded).
    std::uint64_t datagramsDropped = 0;
    std::uint64_t datagramsNotAllowed = 0; ///< from sources outside the allowlist, dropped
    /// Sources refused by the allowlist (the first 64 seen) and how many datagrams each sent.
    std::vector<std::pair<decode::Endpoint, std::uint64_t>> refusedSources;
    std::vector<std::pair<decode::DomainKey, decode::DomainStats>> exporters;
    decode::AnomalyCounters unattributed{};
    /// sFlow interface counters received since the previous snapshot (latest per interface).
    std::vector<decode::InterfaceCounters> interfaces;
    /// The decoder's templates and learned sampling rates, when they changed since the previous snapshot.
    std::shared_ptr<const std::vector<std::byte>> templates;
};

/// The collector's state as the UI and CLI show it.
struct CollectorSnapshot
{
    ReceiverSnapshot receiver;
    store::WriterStats writer;
    QString writerError;     ///< last commit error, empty when healthy
    QString uncleanShutdown; ///< the previous run did not stop cleanly (what may be missing)
    std::size_t queueDepth = 0;
    double flowsPerSecond = 0; ///< decoded, over the last interval
    double datagramsPerSecond = 0;
    /// Forwarding to OpenObserve (sent/s, delivered, backlog, last error, state); none when off.
    std::optional<forward::ForwardStatus> forward;
    /// Alert rules: alerts firing now and the latest that fired or resolved (core/alert).
    alert::AlertSnapshot alerts;
};

} // namespace flowlens::collect

Q_DECLARE_METATYPE(flowlens::collect::ReceiverSnapshot)
Q_DECLARE_METATYPE(flowlens::collect::CollectorSnapshot)
Q_DECLARE_METATYPE(flowlens::store::WriterStats)
