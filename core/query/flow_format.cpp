#include "flow_format.h"

#include "core/decode/address_class.h"

#include <charconv>

namespace flowlens::query {

using decode::FlowRecord;

namespace {

enum class Render
{
    Number,
    Address,
    Mac,
    Proto,
    Etype,
    Type,
    SrcNet,
    DstNet,
    List,
    EmptyList, ///< goflow2 list fields FlowLens does not decode (mpls_ttl, mpls_ip)
    Country,   ///< packed ISO code as "GB" ("" when unknown)
    AddrClass, ///< "public", "private", ... ("" when not enriched)
};

struct Column
{
    const char* name;
    Render render;
    decode::FlowField field;
};

using F = decode::FlowField;

const Column kColumns[] = {
    {"type", Render::Type, F::Type},
    {"time_received_ns", Render::Number, F::TimeReceived},
    {"sequence_num", Render::Number, F::SequenceNum},
    {"sampling_rate", Render::Number, F::SamplingRate},
    {"sampler_address", Render::Address, F::SamplerAddress},
    {"time_flow_start_ns", Render::Number, F::TimeFlowStart},
    {"time_flow_end_ns", Render::Number, F::TimeFlowEnd},
    {"bytes", Render::Number, F::Bytes},
    {"packets", Render::Number, F::Packets},
    {"src_addr", Render::Address, F::SrcAddr},
    {"dst_addr", Render::Address, F::DstAddr},
    {"etype", Render::Etype, F::Etype},
    {"proto", Render::Proto, F::Proto},
    {"src_port", Render::Number, F::SrcPort},
    {"dst_port", Render::Number, F::DstPort},
    {"in_if", Render::Number, F::InIf},
    {"out_if", Render::Number, F::OutIf},
    {"src_mac", Render::Mac, F::SrcMac},
    {"dst_mac", Render::Mac, F::DstMac},
    {"src_vlan", Render::Number, F::SrcVlan},
    {"dst_vlan", Render::Number, F::DstVlan},
    {"vlan_id", Render::Number, F::VlanId},
    {"ip_tos", Render::Number, F::IpTos},
    {"forwarding_status", Render::Number, F::ForwardingStatus},
    {"ip_ttl", Render::Number, F::IpTtl},
    {"ip_flags", Render::Number, F::IpFlags},
    {"tcp_flags", Render::Number, F::TcpFlags},
    {"icmp_type", Render::Number, F::IcmpType},
    {"icmp_code", Render::Number, F::IcmpCode},
    {"ipv6_flow_label", Render::Number, F::Ipv6FlowLabel},
    {"fragment_id", Render::Number, F::FragmentId},
    {"fragment_offset", Render::Number, F::FragmentOffset},
    {"src_as", Render::Number, F::SrcAs},
    {"dst_as", Render::Number, F::DstAs},
    {"next_hop", Render::Address, F::NextHop},
    {"next_hop_as", Render::Number, F::NextHopAs},
    {"src_net", Render::SrcNet, F::SrcNet},
    {"dst_net", Render::DstNet, F::DstNet},
    {"bgp_next_hop", Render::Address, F::BgpNextHop},
    {"bgp_communities", Render::List, F::BgpCommunities},
    {"as_path", Render::List, F::AsPath},
    {"mpls_ttl", Render::EmptyList, F::MplsLabel},
    {"mpls_label", Render::List, F::MplsLabel},
    {"mpls_ip", Render::EmptyList, F::MplsLabel},
    {"observation_domain_id", Render::Number, F::ObservationDomainId},
    {"observation_point_id", Render::Number, F::ObservationPointId},
    {"flow_direction", Render::Number, F::FlowDirection},
    {"ingress_vrf_id", Render::Number, F::IngressVrfId},
    {"egress_vrf_id", Render::Number, F::EgressVrfId},
    {"post_nat_src_addr", Render::Address, F::PostNatSrcAddr},
    {"post_nat_dst_addr", Render::Address, F::PostNatDstAddr},
    {"post_nat_src_port", Render::Number, F::PostNatSrcPort},
    {"post_nat_dst_port", Render::Number, F::PostNatDstPort},
    {"nat_event", Render::Number, F::NatEvent},
    // GeoIP enrichment (core/enrich): cities and networks are ids into the store's dictionaries.
    {"src_country", Render::Country, F::SrcCountry},
    {"dst_country", Render::Country, F::DstCountry},
    {"src_city_id", Render::Number, F::SrcCity},
    {"dst_city_id", Render::Number, F::DstCity},
    {"src_lookup_as", Render::Number, F::SrcLookupAs},
    {"dst_lookup_as", Render::Number, F::DstLookupAs},
    {"src_addr_class", Render::AddrClass, F::SrcAddrClass},
    {"dst_addr_class", Render::AddrClass, F::DstAddrClass},
    {"src_net_name_id", Render::Number, F::SrcNetName},
    {"dst_net_name_id", Render::Number, F::DstNetName},
};

void appendNumber(std::string& out, std::uint64_t v)
{
    char buf[24];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    (void)ec;
    out.append(buf, end);
}

const std::uint32_t* listOf(const FlowRecord& r, decode::FlowField f, int& count)
{
    switch (f) {
    case F::MplsLabel:
        count = std::min<int>(r.mpls_label_count, decode::kMaxMplsLabels);
        return r.mpls_label.data();
    case F::AsPath:
        count = std::min<int>(r.as_path_count, decode::kMaxAsPath);
        return r.as_path.data();
    case F::BgpCommunities:
        count = std::min<int>(r.bgp_communities_count, decode::kMaxCommunities);
        return r.bgp_communities.data();
    default:
        count = 0;
        return nullptr;
    }
}

/// Text of one value; lists use `sep` between elements and `open`/`close` around them.
void appendValue(std::string& out, const FlowRecord& r, const Column& c, bool json)
{
    auto quoted = [&](const std::string& s) {
        if (json) {
            out.push_back('"');
            out.append(s);
            out.push_back('"');
        } else {
            out.append(s);
        }
    };
    switch (c.render) {
    case Render::Number:
        appendNumber(out, decode::fieldValue(r, c.field));
        break;
    case Render::Address: {
        const auto& info = decode::fieldInfo(c.field);
        const auto* addr =
            reinterpret_cast<const decode::IpAddress*>(reinterpret_cast<const char*>(&r) + info.offset);
        quoted(addr->toString());
        break;
    }
    case Render::Mac:
        quoted(decode::macToString(decode::fieldValue(r, c.field)));
        break;
    case Render::Proto:
        quoted(decode::protoName(r.proto));
        break;
    case Render::Etype:
        quoted(decode::etypeName(r.etype));
        break;
    case Render::Type:
        quoted(std::string(decode::flowTypeName(r.type)));
        break;
    case Render::SrcNet:
        quoted(networkText(r.src_addr, r.src_net));
        break;
    case Render::DstNet:
        quoted(networkText(r.dst_addr, r.dst_net));
        break;
    case Render::Country:
        quoted(decode::countryText(std::uint16_t(decode::fieldValue(r, c.field))));
        break;
    case Render::AddrClass:
        quoted(std::string(decode::addressClassName(decode::AddressClass(decode::fieldValue(r, c.field)))));
        break;
    case Render::List:
    case Render::EmptyList: {
        int count = 0;
        const std::uint32_t* values = c.render == Render::List ? listOf(r, c.field, count) : nullptr;
        if (json)
            out.push_back('[');
        for (int i = 0; i < count; ++i) {
            if (i)
                out.push_back(json ? ',' : ';');
            appendNumber(out, values[i]);
        }
        if (json)
            out.push_back(']');
        break;
    }
    }
}

} // namespace

const std::vector<std::string>& flowOutputFields()
{
    static const std::vector<std::string> names = [] {
        std::vector<std::string> v;
        for (const Column& c : kColumns)
            v.emplace_back(c.name);
        return v;
    }();
    return names;
}

std::string networkText(const decode::IpAddress& addr, int prefixLength)
{
    if (addr.isZero())
        return {};
    return addr.masked(prefixLength).toString() + "/" + std::to_string(prefixLength);
}

void appendFlowJson(std::string& out, const FlowRecord& r)
{
    out.push_back('{');
    appendFlowJsonMembers(out, r);
    out.push_back('}');
}

void appendFlowJsonMembers(std::string& out, const FlowRecord& r)
{
    bool first = true;
    for (const Column& c : kColumns) {
        if (!first)
            out.push_back(',');
        first = false;
        out.push_back('"');
        out.append(c.name);
        out.append("\":");
        appendValue(out, r, c, true);
    }
}

std::string flowCsvHeader()
{
    std::string h;
    for (const Column& c : kColumns) {
        if (!h.empty())
            h.push_back(',');
        h.append(c.name);
    }
    return h;
}

void appendFlowCsv(std::string& out, const FlowRecord& r)
{
    bool first = true;
    for (const Column& c : kColumns) {
        if (!first)
            out.push_back(',');
        first = false;
        appendValue(out, r, c, false);
    }
}

} // namespace flowlens::query
