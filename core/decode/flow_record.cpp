#include "flow_record.h"

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <type_traits>

namespace flowlens::decode {

static_assert(std::is_trivially_copyable_v<FlowRecord>);
static_assert(std::is_standard_layout_v<FlowRecord>);

namespace {

#define FL_FIELD(enumName, member, kind)                                                                     \
    FieldInfo                                                                                                \
    {                                                                                                        \
        FlowField::enumName, #member, FieldKind::kind,                                                       \
            static_cast<std::uint16_t>(offsetof(FlowRecord, member)),                                        \
            static_cast<std::uint16_t>(sizeof(FlowRecord::member)), FlowField::Count_                        \
    }
#define FL_ARRAY(enumName, member, countEnum)                                                                \
    FieldInfo                                                                                                \
    {                                                                                                        \
        FlowField::enumName, #member, FieldKind::Array32,                                                    \
            static_cast<std::uint16_t>(offsetof(FlowRecord, member)),                                        \
            static_cast<std::uint16_t>(sizeof(FlowRecord::member)), FlowField::countEnum                     \
    }

const std::array<FieldInfo, kFlowFieldCount> kFields{{
    FL_FIELD(TimeReceived, time_received_ns, TimeNs),
    FL_FIELD(TimeFlowStart, time_flow_start_ns, TimeNs),
    FL_FIELD(TimeFlowEnd, time_flow_end_ns, TimeNs),
    FL_FIELD(Bytes, bytes, Unsigned),
    FL_FIELD(Packets, packets, Unsigned),
    FL_FIELD(SamplingRate, sampling_rate, Unsigned),
    FL_FIELD(SrcMac, src_mac, Mac),
    FL_FIELD(DstMac, dst_mac, Mac),
    FL_FIELD(SamplerAddress, sampler_address, Address),
    FL_FIELD(SrcAddr, src_addr, Address),
    FL_FIELD(DstAddr, dst_addr, Address),
    FL_FIELD(NextHop, next_hop, Address),
    FL_FIELD(BgpNextHop, bgp_next_hop, Address),
    FL_FIELD(PostNatSrcAddr, post_nat_src_addr, Address),
    FL_FIELD(PostNatDstAddr, post_nat_dst_addr, Address),
    FL_FIELD(SequenceNum, sequence_num, Unsigned),
    FL_FIELD(ObservationDomainId, observation_domain_id, Unsigned),
    FL_FIELD(ObservationPointId, observation_point_id, Unsigned),
    FL_FIELD(InIf, in_if, Unsigned),
    FL_FIELD(OutIf, out_if, Unsigned),
    FL_FIELD(SrcAs, src_as, Unsigned),
    FL_FIELD(DstAs, dst_as, Unsigned),
    FL_FIELD(NextHopAs, next_hop_as, Unsigned),
    FL_FIELD(Ipv6FlowLabel, ipv6_flow_label, Unsigned),
    FL_FIELD(FragmentId, fragment_id, Unsigned),
    FL_FIELD(IngressVrfId, ingress_vrf_id, Unsigned),
    FL_FIELD(EgressVrfId, egress_vrf_id, Unsigned),
    FL_ARRAY(MplsLabel, mpls_label, MplsLabelCount),
    FL_ARRAY(AsPath, as_path, AsPathCount),
    FL_ARRAY(BgpCommunities, bgp_communities, BgpCommunitiesCount),
    FL_FIELD(Etype, etype, Unsigned),
    FL_FIELD(SrcPort, src_port, Unsigned),
    FL_FIELD(DstPort, dst_port, Unsigned),
    FL_FIELD(PostNatSrcPort, post_nat_src_port, Unsigned),
    FL_FIELD(PostNatDstPort, post_nat_dst_port, Unsigned),
    FL_FIELD(SrcVlan, src_vlan, Unsigned),
    FL_FIELD(DstVlan, dst_vlan, Unsigned),
    FL_FIELD(VlanId, vlan_id, Unsigned),
    FL_FIELD(FragmentOffset, fragment_offset, Unsigned),
    FL_FIELD(TcpFlags, tcp_flags, Unsigned),
    FL_FIELD(Proto, proto, Unsigned),
    FL_FIELD(IpTos, ip_tos, Unsigned),
    FL_FIELD(IpTtl, ip_ttl, Unsigned),
    FL_FIELD(IpFlags, ip_flags, Unsigned),
    FL_FIELD(ForwardingStatus, forwarding_status, Unsigned),
    FL_FIELD(IcmpType, icmp_type, Unsigned),
    FL_FIELD(IcmpCode, icmp_code, Unsigned),
    FL_FIELD(SrcNet, src_net, Unsigned),
    FL_FIELD(DstNet, dst_net, Unsigned),
    FL_FIELD(FlowDirection, flow_direction, Unsigned),
    FL_FIELD(NatEvent, nat_event, Unsigned),
    FL_FIELD(MplsLabelCount, mpls_label_count, Unsigned),
    FL_FIELD(AsPathCount, as_path_count, Unsigned),
    FL_FIELD(BgpCommunitiesCount, bgp_communities_count, Unsigned),
    FL_FIELD(Type, type, Enum),
    FL_FIELD(SrcCountry, src_country, Unsigned),
    FL_FIELD(DstCountry, dst_country, Unsigned),
    FL_FIELD(SrcNetName, src_net_name, Unsigned),
    FL_FIELD(DstNetName, dst_net_name, Unsigned),
    FL_FIELD(SrcAddrClass, src_addr_class, Unsigned),
    FL_FIELD(DstAddrClass, dst_addr_class, Unsigned),
    FL_FIELD(SrcCity, src_city, Unsigned),
    FL_FIELD(DstCity, dst_city, Unsigned),
    FL_FIELD(SrcLookupAs, src_lookup_as, Unsigned),
    FL_FIELD(DstLookupAs, dst_lookup_as, Unsigned),
}};

#undef FL_FIELD
#undef FL_ARRAY

struct ProtoEntry
{
    std::uint8_t number;
    const char* name;
};

// IANA protocol keywords; the first five are spelled as goflow2 spells them.
constexpr ProtoEntry kProtos[] = {
    {1, "ICMP"},      {6, "TCP"},          {17, "UDP"},       {58, "ICMPv6"}, {132, "SCTP"}, {0, "HOPOPT"},
    {2, "IGMP"},      {4, "IPv4"},         {8, "EGP"},        {9, "IGP"},     {27, "RDP"},   {33, "DCCP"},
    {41, "IPv6"},     {43, "IPv6-Route"},  {44, "IPv6-Frag"}, {46, "RSVP"},   {47, "GRE"},   {50, "ESP"},
    {51, "AH"},       {59, "IPv6-NoNxt"},  {60, "IPv6-Opts"}, {88, "EIGRP"},  {89, "OSPF"},  {94, "IPIP"},
    {97, "ETHERIP"},  {103, "PIM"},        {108, "IPComp"},   {112, "VRRP"},  {115, "L2TP"}, {124, "ISIS"},
    {136, "UDPLite"}, {137, "MPLS-in-IP"}, {143, "Ethernet"},
};

bool iequals(std::string_view a, std::string_view b)
{
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

} // namespace

std::string_view flowTypeName(FlowType t)
{
    switch (t) {
    case FlowType::SFlow5:
        return "SFLOW_5";
    case FlowType::NetFlowV5:
        return "NETFLOW_V5";
    case FlowType::NetFlowV9:
        return "NETFLOW_V9";
    case FlowType::Ipfix:
        return "IPFIX";
    case FlowType::Unknown:
        break;
    }
    return "FLOWUNKNOWN";
}

std::span<const FieldInfo> flowFields()
{
    return kFields;
}

const FieldInfo& fieldInfo(FlowField f)
{
    return kFields[static_cast<std::size_t>(f)];
}

const FieldInfo* findField(std::string_view name)
{
    for (const auto& f : kFields)
        if (f.name == name)
            return &f;
    return nullptr;
}

std::uint64_t fieldValue(const FlowRecord& r, FlowField f)
{
    const FieldInfo& info = fieldInfo(f);
    const auto* p = reinterpret_cast<const unsigned char*>(&r) + info.offset;
    switch (info.size) {
    case 1: {
        std::uint8_t v;
        std::memcpy(&v, p, 1);
        return v;
    }
    case 2: {
        std::uint16_t v;
        std::memcpy(&v, p, 2);
        return v;
    }
    case 4: {
        std::uint32_t v;
        std::memcpy(&v, p, 4);
        return v;
    }
    case 8: {
        std::uint64_t v;
        std::memcpy(&v, p, 8);
        return v;
    }
    default:
        return 0;
    }
}

std::string protoName(std::uint8_t proto)
{
    for (const auto& e : kProtos)
        if (e.number == proto)
            return e.name;
    return std::to_string(proto);
}

int protoNumber(std::string_view name)
{
    for (const auto& e : kProtos)
        if (iequals(name, e.name))
            return e.number;
    if (iequals(name, "icmp6") || iequals(name, "ipv6-icmp"))
        return 58;
    return -1;
}

std::string etypeName(std::uint16_t etype)
{
    switch (etype) {
    case 0x0800:
        return "IPv4";
    case 0x86dd:
        return "IPv6";
    case 0x0806:
        return "ARP";
    case 0:
        return "";
    default:
        break;
    }
    char buf[8];
    std::snprintf(buf, sizeof buf, "0x%04x", etype);
    return buf;
}

std::string macToString(std::uint64_t mac)
{
    char buf[18];
    std::snprintf(buf, sizeof buf, "%02x:%02x:%02x:%02x:%02x:%02x", unsigned(mac >> 40) & 0xff,
                  unsigned(mac >> 32) & 0xff, unsigned(mac >> 24) & 0xff, unsigned(mac >> 16) & 0xff,
                  unsigned(mac >> 8) & 0xff, unsigned(mac) & 0xff);
    return buf;
}

std::uint16_t packCountry(std::string_view code)
{
    if (code.size() != 2)
        return 0;
    const auto upper = [](char c) {
        return c >= 'a' && c <= 'z' ? char(c - 'a' + 'A') : c;
    };
    const char a = upper(code[0]), b = upper(code[1]);
    if (a < 'A' || a > 'Z' || b < 'A' || b > 'Z')
        return 0;
    return std::uint16_t((std::uint16_t(a) << 8) | std::uint16_t(b));
}

std::string countryText(std::uint16_t packed)
{
    if (packed == 0)
        return {};
    return std::string{char(packed >> 8), char(packed & 0xff)};
}

} // namespace flowlens::decode
