#pragma once

#include "ip_address.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace flowlens::decode {

/// Same numbering as goflow2's FlowMessage.FlowType.
enum class FlowType : std::uint8_t
{
    Unknown = 0,
    SFlow5 = 1,
    NetFlowV5 = 2,
    NetFlowV9 = 3,
    Ipfix = 4,
};

std::string_view flowTypeName(FlowType t); ///< "SFLOW_5", "NETFLOW_V5", "NETFLOW_V9", "IPFIX"

inline constexpr int kMaxMplsLabels = 4;
inline constexpr int kMaxAsPath = 8;
inline constexpr int kMaxCommunities = 4;

/// One flow as decoded from any protocol. Field names and meanings follow goflow2's JSON
/// (https://github.com/netsampler/goflow2 docs/protocols.md). Counters are raw, as the exporter sent
/// them; sampling_rate sits beside them (0 = not known, treat as 1). Times are UTC nanoseconds.
/// Plain data: trivially copyable, standard layout, so columns can be read by offset.
struct FlowRecord
{
    std::uint64_t time_received_ns = 0;
    std::uint64_t time_flow_start_ns = 0;
    std::uint64_t time_flow_end_ns = 0;
    std::uint64_t bytes = 0;
    std::uint64_t packets = 0;
    std::uint64_t sampling_rate = 0;
    std::uint64_t src_mac = 0; ///< 48 bits in the low bytes
    std::uint64_t dst_mac = 0;

    IpAddress sampler_address;
    IpAddress src_addr;
    IpAddress dst_addr;
    IpAddress next_hop;
    IpAddress bgp_next_hop;
    IpAddress post_nat_src_addr; ///< IE 225 / 281
    IpAddress post_nat_dst_addr; ///< IE 226 / 282

    std::uint32_t sequence_num = 0;
    std::uint32_t observation_domain_id =
        0; ///< IPFIX domain, v9 source id, v5 engine type<<8|id, sFlow sub-agent
    std::uint32_t observation_point_id = 0;
    std::uint32_t in_if = 0;
    std::uint32_t out_if = 0;
    std::uint32_t src_as = 0;
    std::uint32_t dst_as = 0;
    std::uint32_t next_hop_as = 0;
    std::uint32_t ipv6_flow_label = 0;
    std::uint32_t fragment_id = 0;
    std::uint32_t ingress_vrf_id = 0;
    std::uint32_t egress_vrf_id = 0;
    std::array<std::uint32_t, kMaxMplsLabels> mpls_label{}; ///< 20-bit labels, top of stack first
    std::array<std::uint32_t, kMaxAsPath> as_path{};        ///< sFlow extended gateway, first hops
    std::array<std::uint32_t, kMaxCommunities> bgp_communities{};

    std::uint16_t etype = 0;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint16_t post_nat_src_port = 0; ///< IE 227
    std::uint16_t post_nat_dst_port = 0; ///< IE 228
    std::uint16_t src_vlan = 0;
    std::uint16_t dst_vlan = 0;
    std::uint16_t vlan_id = 0;
    std::uint16_t fragment_offset = 0;
    std::uint16_t tcp_flags = 0;

    std::uint8_t proto = 0;
    std::uint8_t ip_tos = 0;
    std::uint8_t ip_ttl = 0;
    std::uint8_t ip_flags = 0;
    std::uint8_t forwarding_status = 0;
    std::uint8_t icmp_type = 0;
    std::uint8_t icmp_code = 0;
    std::uint8_t src_net = 0; ///< prefix length of the source network
    std::uint8_t dst_net = 0;
    std::uint8_t flow_direction = 0; ///< IE 61: 0 ingress, 1 egress
    std::uint8_t nat_event = 0;      ///< IE 230
    std::uint8_t mpls_label_count = 0;
    std::uint8_t as_path_count = 0;
    std::uint8_t bgp_communities_count = 0;
    FlowType type = FlowType::Unknown;
    std::uint8_t reserved_ = 0;

    // Enrichment (core/enrich), filled in by the writer at ingest; zero when not enriched.
    std::uint16_t src_country = 0; ///< ISO 3166-1 alpha-2, first letter in the high byte ('G'<<8|'B')
    std::uint16_t dst_country = 0;
    std::uint16_t src_net_name = 0; ///< id of the user-defined network holding src_addr (0 = none)
    std::uint16_t dst_net_name = 0;
    std::uint8_t src_addr_class = 0; ///< AddressClass (address_class.h) of src_addr; 0 = not classified
    std::uint8_t dst_addr_class = 0;
    std::uint32_t src_city = 0; ///< id in the store's city dictionary (0 = unknown)
    std::uint32_t dst_city = 0;
    std::uint32_t src_lookup_as = 0; ///< AS looked up from src_addr (src_as stays as the exporter sent it)
    std::uint32_t dst_lookup_as = 0;

    /// Sampling-scaled counters (rate 0 counts as 1).
    std::uint64_t scaledBytes() const { return bytes * (sampling_rate ? sampling_rate : 1); }
    std::uint64_t scaledPackets() const { return packets * (sampling_rate ? sampling_rate : 1); }
};

/// Every FlowRecord field, in the order of the store's columns. Appending is fine; reordering or
/// renumbering breaks stored data (the store keys columns by these numbers).
enum class FlowField : std::uint8_t
{
    TimeReceived,
    TimeFlowStart,
    TimeFlowEnd,
    Bytes,
    Packets,
    SamplingRate,
    SrcMac,
    DstMac,
    SamplerAddress,
    SrcAddr,
    DstAddr,
    NextHop,
    BgpNextHop,
    PostNatSrcAddr,
    PostNatDstAddr,
    SequenceNum,
    ObservationDomainId,
    ObservationPointId,
    InIf,
    OutIf,
    SrcAs,
    DstAs,
    NextHopAs,
    Ipv6FlowLabel,
    FragmentId,
    IngressVrfId,
    EgressVrfId,
    MplsLabel,
    AsPath,
    BgpCommunities,
    Etype,
    SrcPort,
    DstPort,
    PostNatSrcPort,
    PostNatDstPort,
    SrcVlan,
    DstVlan,
    VlanId,
    FragmentOffset,
    TcpFlags,
    Proto,
    IpTos,
    IpTtl,
    IpFlags,
    ForwardingStatus,
    IcmpType,
    IcmpCode,
    SrcNet,
    DstNet,
    FlowDirection,
    NatEvent,
    MplsLabelCount,
    AsPathCount,
    BgpCommunitiesCount,
    Type,
    SrcCountry,
    DstCountry,
    SrcNetName,
    DstNetName,
    SrcAddrClass,
    DstAddrClass,
    SrcCity,
    DstCity,
    SrcLookupAs,
    DstLookupAs,
    Count_
};

inline constexpr int kFlowFieldCount = static_cast<int>(FlowField::Count_);

enum class FieldKind : std::uint8_t
{
    Unsigned, ///< integer of `size` bytes (1, 2, 4, 8)
    Address,  ///< IpAddress
    Mac,      ///< uint64 holding 48 bits
    TimeNs,   ///< uint64 nanoseconds since the epoch
    Array32,  ///< fixed array of uint32 with a companion count field
    Enum,     ///< FlowType
};

struct FieldInfo
{
    FlowField field;
    std::string_view name; ///< goflow2 JSON name
    FieldKind kind;
    std::uint16_t offset; ///< byte offset in FlowRecord
    std::uint16_t size;   ///< bytes in FlowRecord
    FlowField countField; ///< for Array32: the field holding the element count
};

/// The registry, indexed by FlowField.
std::span<const FieldInfo> flowFields();
const FieldInfo& fieldInfo(FlowField f);
/// Looks a field up by its goflow2 name; nullptr when unknown.
const FieldInfo* findField(std::string_view name);

/// Reads any Unsigned/Mac/TimeNs/Enum field widened to 64 bits.
std::uint64_t fieldValue(const FlowRecord& r, FlowField f);

/// Names used in goflow2's JSON: "TCP", "UDP", "ICMP", ... ; numbers for unnamed protocols.
std::string protoName(std::uint8_t proto);
/// Inverse of protoName for the names users type ("tcp", "udp", "icmp", "gre", ...).
int protoNumber(std::string_view name);
std::string etypeName(std::uint16_t etype); ///< "IPv4", "IPv6", "ARP", else hex "0x8847"
std::string macToString(std::uint64_t mac); ///< "aa:bb:cc:dd:ee:ff"

/// Two ISO letters packed as in FlowRecord::src_country ("GB" -> 'G' << 8 | 'B'); 0 when not two letters.
std::uint16_t packCountry(std::string_view code);
/// "GB" from a packed code; "" for 0.
std::string countryText(std::uint16_t packed);

} // namespace flowlens::decode
