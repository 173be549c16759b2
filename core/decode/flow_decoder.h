#pragma once

#include "anomaly.h"
#include "exporter_stats.h"
#include "flow_record.h"
#include "ip_address.h"

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

namespace flowlens::decode {

enum class Protocol : std::uint8_t
{
    Unknown,
    NetFlowV5,
    NetFlowV9,
    Ipfix,
    SFlowV5,
};

/// Looks at the first bytes only: NetFlow v5/v9 and IPFIX by their 16-bit version, sFlow by its
/// 32-bit version 5.
Protocol detectProtocol(std::span<const std::byte> datagram);

/// Bounds on decoder state; past a bound the decoder drops and counts (anomalies), never grows.
struct DecoderLimits
{
    std::size_t maxDomains = 10000;           ///< exporter+domain entries tracked
    std::size_t maxTemplatesPerDomain = 4096; ///< v9/IPFIX templates + options templates
    std::size_t maxTemplateFields = 512;      ///< fields in one template record
};

/// Stateful decoder for all supported protocols. Holds the template caches (keyed by exporter
/// address+port, observation domain/source id and template id), options-learned values and
/// per-exporter health counters. Not thread-safe: one instance per receiving thread.
class FlowDecoder
{
public:
    explicit FlowDecoder(DecoderLimits limits = {});
    ~FlowDecoder();
    FlowDecoder(const FlowDecoder&) = delete;
    FlowDecoder& operator=(const FlowDecoder&) = delete;

    /// Decodes one UDP payload from `from`, received at `receivedNs` (UTC ns), appending the flows
    /// it holds to `out`. Never throws, never reads outside `datagram`; problems become anomaly
    /// counters. Returns the number of records appended.
    std::size_t decode(std::span<const std::byte> datagram, const Endpoint& from, std::uint64_t receivedNs,
                       std::vector<FlowRecord>& out);

    /// Visits every exporter/domain's counters.
    void forEachDomain(const std::function<void(const DomainKey&, const DomainStats&)>& visit) const;
    /// Anomalies that cannot be attributed to an exporter/domain (e.g. unknown protocol).
    const AnomalyCounters& unattributedAnomalies() const;
    std::uint64_t datagrams() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace flowlens::decode
