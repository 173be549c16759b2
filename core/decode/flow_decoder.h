#pragma once

#include "anomaly.h"
#include "exporter_stats.h"
#include "flow_record.h"
#include "interface_counters.h"
#include "ip_address.h"
#include "packet_header.h"

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

/// Bounds on decoder state (past a bound the decoder drops and counts anomalies, never grows) and
/// the few decoding options.
struct DecoderLimits
{
    std::size_t maxDomains = 10000;           ///< exporter+domain entries tracked
    std::size_t maxTemplatesPerDomain = 4096; ///< v9/IPFIX templates + options templates
    std::size_t maxTemplateFields = 512;      ///< fields in one template record
    /// Data sets kept per domain while their template is unknown (decoded when it arrives). Sized
    /// for a minute of a busy exporter: templates are often refreshed only every minute or so.
    std::size_t maxPendingSets = 16384;
    std::size_t maxPendingBytes = 16u << 20;            ///< bytes of such sets per domain
    std::size_t maxPendingBytesTotal = 64u << 20;       ///< and across all domains
    std::uint64_t maxPendingAgeNs = 600'000'000'000ull; ///< older ones expire (10 minutes)
    /// RFC 5103 biflow records (reverse counters, PEN 29305): also emit the reverse direction
    /// as a flow of its own (addresses, ports, MACs, interfaces, AS and masks swapped), so that
    /// traffic totals include it. Off: one flow per record, reverse counters ignored.
    bool emitReverseFlows = true;
    /// Tunnel to look through in sampled packet headers (sFlow raw headers, IPFIX/v9 IEs 313/315):
    /// flows then describe the inner packets (see parsePacketHeader).
    Decapsulation decapsulation = Decapsulation::None;
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
    /// counters. Data sets that arrived before their template are kept (see DecoderLimits) and
    /// their records appended by the call that brings the template, with their own packet's
    /// context (sequence, export and receive times). Returns the number of records appended.
    std::size_t decode(std::span<const std::byte> datagram, const Endpoint& from, std::uint64_t receivedNs,
                       std::vector<FlowRecord>& out);
    /// As above; sFlow counter samples with interface counters are appended to `counters` when it
    /// is not null (they feed exporter health, not flows).
    std::size_t decode(std::span<const std::byte> datagram, const Endpoint& from, std::uint64_t receivedNs,
                       std::vector<FlowRecord>& out, std::vector<InterfaceCounters>* counters);

    /// Sampling rate to use for an exporter's flows. force: always use `rate`, whatever the exporter
    /// states; otherwise `rate` is a default used only when the exporter states none (v5 header 0,
    /// no options/IE rate, sFlow sample rate 0). The exporter is the datagram's source address; for
    /// sFlow also the agent address the datagram names (which wins when both have an override).
    /// A rate of 0 removes the override.
    void setSamplingOverride(const IpAddress& exporter, std::uint64_t rate, bool force);

    /// All v9/IPFIX templates, options-learned sampling rates and system init times, in a
    /// versioned binary form, so that a restarted collector can decode data at once.
    std::vector<std::byte> saveTemplates() const;
    /// Loads what saveTemplates() wrote (replacing state of the same exporter/domains). Checks
    /// every length and the limits; on malformed input returns false and changes nothing.
    bool loadTemplates(std::span<const std::byte> data);

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
