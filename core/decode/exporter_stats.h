#pragma once

#include "anomaly.h"
#include "flow_record.h"
#include "ip_address.h"

#include <cstdint>

namespace flowlens::decode {

/// An exporter's flow stream: datagram source plus observation domain (IPFIX domain id, v9 source
/// id, v5 engine type/id, sFlow sub-agent id).
struct DomainKey
{
    Endpoint exporter;
    std::uint32_t domain = 0;

    friend bool operator==(const DomainKey&, const DomainKey&) = default;
    friend bool operator<(const DomainKey& a, const DomainKey& b)
    {
        return a.exporter < b.exporter || (a.exporter == b.exporter && a.domain < b.domain);
    }
};

struct DomainKeyHash
{
    std::size_t operator()(const DomainKey& k) const noexcept
    {
        return EndpointHash{}(k.exporter) ^ (std::size_t(k.domain) * 0xC2B2AE3D27D4EB4Full);
    }
};

/// Health counters of one exporter/domain, owned by the decoder (receiver thread) and copied out
/// as snapshots. All counters only grow.
struct DomainStats
{
    FlowType type = FlowType::Unknown;
    std::uint16_t version = 0;
    std::uint64_t firstSeenNs = 0;
    std::uint64_t lastSeenNs = 0;
    std::uint64_t datagrams = 0;
    std::uint64_t bytes = 0;          ///< UDP payload bytes received
    std::uint64_t flows = 0;          ///< flow records produced
    std::uint64_t optionsRecords = 0; ///< v9/IPFIX options data records consumed
    std::uint64_t missingTemplateSets = 0;
    std::uint64_t missingTemplateBytes = 0;
    std::uint64_t templatesLearned = 0;   ///< template records accepted (incl. refreshes)
    std::uint64_t templatesChanged = 0;   ///< redefinitions with a different layout
    std::uint64_t templatesWithdrawn = 0; ///< IPFIX withdrawals
    std::uint32_t templatesActive = 0;    ///< templates currently known for this domain
    std::uint64_t samplingRate = 0;       ///< last sampling rate seen/learned (0 = none)
    std::uint64_t pendingExpired = 0;     ///< data sets kept for a missing template, then dropped
    std::uint32_t pendingSets = 0;        ///< data sets now waiting for their template
    /// Sequence accounting. Units: flows for v5 and IPFIX, datagrams for v9 and sFlow.
    bool sequenceKnown = false;
    std::uint64_t nextSequence = 0;
    std::uint64_t sequenceGaps = 0;     ///< times the sequence jumped forward
    std::uint64_t sequenceLost = 0;     ///< units missing across forward jumps
    std::uint64_t sequenceResets = 0;   ///< backward jumps / restarts (never counted as loss)
    std::uint64_t sequenceExpected = 0; ///< units the exporter says it sent since first seen
    AnomalyCounters anomalies{};
    // sFlow: samples by kind, per agent + sub-agent.
    std::uint64_t sflowFlowSamples = 0;      ///< flow samples (formats 1 and 3), decoded or not
    std::uint64_t sflowCounterSamples = 0;   ///< counter samples (formats 2 and 4)
    std::uint64_t sflowDiscardedPackets = 0; ///< discarded-packet samples (format 5): one dropped packet each
    std::uint64_t sflowUnknownSamples = 0;   ///< samples of other formats/enterprises, skipped by length

    std::uint64_t anomalyTotal() const
    {
        std::uint64_t n = 0;
        for (auto v : anomalies)
            n += v;
        return n;
    }
    /// Loss in percent of what the exporter numbered (0 when unknown).
    double lossPercent() const
    {
        return sequenceExpected ? 100.0 * double(sequenceLost) / double(sequenceExpected) : 0.0;
    }
};

} // namespace flowlens::decode
