#pragma once

#include "anomaly.h"
#include "exporter_stats.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <unordered_map>

namespace flowlens::decode {

/// Bounded table of per exporter/domain health counters, shared by the protocol decoders of one
/// FlowDecoder. Past the bound, new exporters are not tracked: get() returns nullptr and the caller
/// counts Anomaly::ExporterLimit in unattributed() and drops the datagram.
class DomainRegistry
{
public:
    explicit DomainRegistry(std::size_t maxDomains);

    /// Finds or creates the entry; updates type/version/first/last seen. nullptr when full.
    DomainStats* get(const Endpoint& exporter, std::uint32_t domain, FlowType type, std::uint16_t version,
                     std::uint64_t nowNs);
    /// Finds without creating.
    DomainStats* find(const Endpoint& exporter, std::uint32_t domain);

    void forEach(const std::function<void(const DomainKey&, const DomainStats&)>& visit) const;
    std::size_t size() const { return m_domains.size(); }

    AnomalyCounters& unattributed() { return m_unattributed; }
    const AnomalyCounters& unattributed() const { return m_unattributed; }

private:
    std::size_t m_maxDomains;
    std::unordered_map<DomainKey, DomainStats, DomainKeyHash> m_domains;
    AnomalyCounters m_unattributed{};
};

/// Sequence accounting shared by all protocols. `sequence` is the header's number, `units` what
/// this datagram adds to it (flows for v5/IPFIX data records, 1 for v9/sFlow datagrams). Numbers
/// are modulo 2^32. A forward jump counts a gap and the units lost; a backward jump (exporter
/// restart, reordering, or an exporter that numbers wrongly) counts a reset. Data is never dropped.
void accountSequence(DomainStats& stats, std::uint32_t sequence, std::uint32_t units);

} // namespace flowlens::decode
