#pragma once

#include "domain_registry.h"
#include "flow_record.h"
#include "interface_counters.h"
#include "ip_address.h"
#include "packet_header.h"
#include "sampling_overrides.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace flowlens::decode {

namespace detail {
class SFlowReader;
}

/// sFlow v5 datagram decoder (sflow.org/sflow_version_5.txt). Stateless apart from the per agent +
/// sub-agent health counters it keeps in the shared DomainRegistry; not thread-safe (one per receiving
/// thread, like FlowDecoder). No heap allocation per sample beyond growing the caller's vectors.
///
/// Each flow sample (format 1 or expanded 3) becomes one FlowRecord with goflow2's mapping:
/// sampler_address = agent address, observation_domain_id = sub-agent id, sequence_num = datagram
/// sequence, sampling_rate = the sample's rate (or the configured override, see
/// FlowDecoder::setSamplingOverride), packets = 1, bytes = frame length of the sampled
/// packet (from the raw-header record, else the sampled-Ethernet length, else the sampled IPv4/IPv6
/// length), all times = receivedNs; header fields via parsePacketHeader (vlan_id = innermost tag),
/// src/dst_vlan from extended switch, next_hop and masks from extended router, bgp_next_hop, AS path,
/// communities and src/dst/next-hop AS from extended gateway, post-NAT fields from extended NAT.
/// in_if/out_if hold ifIndexes only: "the device itself" (0x3FFFFFFF) and "multiple interfaces" give 0,
/// a discard output gives 0 and forwarding_status 128-139 (RFC 7270 reason). flow_direction is 1 when
/// the data source is not the input interface (sampled on egress).
/// Counter samples (2, 4) with generic interface counters become InterfaceCounters; discarded-packet
/// samples (5) are counted. A broken record ends its sample (BadSample): the flow keeps what was read.
class SFlowDecoder
{
public:
    /// `domains` (and `overrides` when not null) must outlive the decoder; stats are kept per (agent
    /// address : UDP source port, sub-agent id). Overrides are looked up by agent address, then by
    /// the datagram's source address. `decap` applies to raw packet headers: with it, bytes is the
    /// inner IP length of decapsulated packets (their frame length counts the tunnel).
    explicit SFlowDecoder(DomainRegistry& domains, const SamplingOverrides* overrides = nullptr,
                          Decapsulation decap = Decapsulation::None);

    /// Decodes one UDP payload starting at the sFlow version word. Appends one FlowRecord per flow
    /// sample to `out` and, when `counters` is not null, one InterfaceCounters per counter sample that
    /// holds generic interface counters. Never throws, never reads outside `datagram`; malformed input
    /// becomes anomalies on the agent's DomainStats (or unattributed ones when the datagram header is
    /// unreadable). Returns the number of flow records appended.
    std::size_t decode(std::span<const std::byte> datagram, const Endpoint& from, std::uint64_t receivedNs,
                       std::vector<FlowRecord>& out, std::vector<InterfaceCounters>* counters);

private:
    struct Datagram;
    /// Unusable: the sample's fixed fields are short, nothing is kept. Malformed: a record inside is
    /// broken; what was read before it is kept.
    enum class SampleStatus
    {
        Ok,
        Malformed,
        Unusable,
    };

    SampleStatus decodeFlowSample(detail::SFlowReader& sample, bool expanded, const Datagram& dg,
                                  DomainStats& stats, FlowRecord& r);
    /// The override for this datagram's agent (else its source address), nullptr when none.
    const SamplingOverride* overrideFor(const Datagram& dg) const;
    SampleStatus decodeCounterSample(detail::SFlowReader& sample, bool expanded, const Datagram& dg,
                                     InterfaceCounters& c, bool& hasGeneric);
    SampleStatus decodeDiscardSample(detail::SFlowReader& sample);

    DomainRegistry& m_domains;
    const SamplingOverrides* m_overrides;
    Decapsulation m_decap;
};

} // namespace flowlens::decode
