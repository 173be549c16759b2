#include "ie_registry.h"

#include "byte_reader.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace flowlens::decode {

namespace {

// Several IEs can fill the same FlowRecord member. Each such IE belongs to a "slot"; when a
// template carries more than one IE of a slot, the one with the lowest rank wins and the others
// are skipped. Fallback orders (first present wins):
//   bytes    : octetDeltaCount(1), postOctetDeltaCount/OUT_BYTES(23), octetTotalCount(85),
//              NSEL initiatorOctets(231)
//   packets  : packetDeltaCount(2), postPacketDeltaCount/OUT_PKTS(24), packetTotalCount(86),
//              NSEL initiatorPackets(298)
//   reverse  : RFC 5103 reverseOctetDeltaCount(29305/1) then reverseOctetTotalCount(29305/85),
//              same for packets (29305/2, 29305/86)
//   in_if    : ingressInterface(10), ingressPhysicalInterface(252); out_if: 14, then 253
//   src_mac  : sourceMacAddress(56), postSourceMacAddress(81); dst_mac: 80, then 57
//   ip_ttl   : ipTTL(192), minimumTTL(52)
//   ip_tos   : ipClassOfService(5), ipDiffServCodePoint(195) shifted into the TOS byte
//   ports    : 7/11, then udp (180/181), then tcp (182/183)
//   icmp     : icmpTypeCodeIPv4(32), icmpTypeCodeIPv6(139) (176-179 fill type/code directly)
//   times    : the most precise absolute form: flowStart/End Nanoseconds (156/157), Microseconds
//              (154/155), Milliseconds (152/153), Seconds (150/151); for the end, then
//              observationTimeMilliseconds (323, NSEL event time). Deltas (158/159), then
//              sysUptime-relative (22/21) are used only when no absolute form is present.
//   dst_vlan : postVlanId(59), postDot1qVlanId(254). src_vlan is vlanId(58), vlan_id is
//              dot1qVlanId(243); each falls back to the other (see finalizeRecord).
// Addresses (IPv4 and IPv6 forms), next hops and masks are not ranked: templates that carry both
// forms fill one per record and leave the other zero, so a zero value never overwrites a set one.
enum Slot : std::uint8_t
{
    NoSlot,
    SlotBytes,
    SlotPackets,
    SlotRevBytes,
    SlotRevPackets,
    SlotInIf,
    SlotOutIf,
    SlotSrcMac,
    SlotDstMac,
    SlotTtl,
    SlotTos,
    SlotSrcPort,
    SlotDstPort,
    SlotIcmp,
    SlotStart,
    SlotEnd,
    SlotDstVlan,
    SlotCount_
};

enum class Shape : std::uint8_t
{
    Unsigned, ///< 1..8 bytes
    V4,       ///< 4 bytes
    V6,       ///< 16 bytes
    Mac,      ///< 6 bytes
    Mpls,     ///< 3 bytes or more (label stack entry)
    Ntp,      ///< 8 bytes
    Section,  ///< packet bytes, any length
    None,
};

struct Mapping
{
    std::uint16_t id;
    FieldAction action;
    Slot slot;
    std::uint8_t rank;
    std::uint8_t param;
    const char* name;
};

constexpr Mapping kIana[] = {
    {1, FieldAction::Bytes, SlotBytes, 0, 0, "octetDeltaCount"},
    {2, FieldAction::Packets, SlotPackets, 0, 0, "packetDeltaCount"},
    {4, FieldAction::Proto, NoSlot, 0, 0, "protocolIdentifier"},
    {5, FieldAction::Tos, SlotTos, 0, 0, "ipClassOfService"},
    {6, FieldAction::TcpFlags, NoSlot, 0, 0, "tcpControlBits"},
    {7, FieldAction::SrcPort, SlotSrcPort, 0, 0, "sourceTransportPort"},
    {8, FieldAction::SrcAddrV4, NoSlot, 0, 0, "sourceIPv4Address"},
    {9, FieldAction::SrcMask, NoSlot, 0, 0, "sourceIPv4PrefixLength"},
    {10, FieldAction::InIf, SlotInIf, 0, 0, "ingressInterface"},
    {11, FieldAction::DstPort, SlotDstPort, 0, 0, "destinationTransportPort"},
    {12, FieldAction::DstAddrV4, NoSlot, 0, 0, "destinationIPv4Address"},
    {13, FieldAction::DstMask, NoSlot, 0, 0, "destinationIPv4PrefixLength"},
    {14, FieldAction::OutIf, SlotOutIf, 0, 0, "egressInterface"},
    {15, FieldAction::NextHopV4, NoSlot, 0, 0, "ipNextHopIPv4Address"},
    {16, FieldAction::SrcAs, NoSlot, 0, 0, "bgpSourceAsNumber"},
    {17, FieldAction::DstAs, NoSlot, 0, 0, "bgpDestinationAsNumber"},
    {18, FieldAction::BgpNextHopV4, NoSlot, 0, 0, "bgpNextHopIPv4Address"},
    {21, FieldAction::EndUptime, NoSlot, 0, 0, "flowEndSysUpTime"},
    {22, FieldAction::StartUptime, NoSlot, 0, 0, "flowStartSysUpTime"},
    {23, FieldAction::Bytes, SlotBytes, 1, 0, "postOctetDeltaCount"},
    {24, FieldAction::Packets, SlotPackets, 1, 0, "postPacketDeltaCount"},
    {27, FieldAction::SrcAddrV6, NoSlot, 0, 0, "sourceIPv6Address"},
    {28, FieldAction::DstAddrV6, NoSlot, 0, 0, "destinationIPv6Address"},
    {29, FieldAction::SrcMask, NoSlot, 0, 0, "sourceIPv6PrefixLength"},
    {30, FieldAction::DstMask, NoSlot, 0, 0, "destinationIPv6PrefixLength"},
    {31, FieldAction::FlowLabel, NoSlot, 0, 0, "flowLabelIPv6"},
    {32, FieldAction::IcmpTypeCode, SlotIcmp, 0, 0, "icmpTypeCodeIPv4"},
    {34, FieldAction::SamplingInterval, NoSlot, 0, 0, "samplingInterval"},
    {35, FieldAction::Skip, NoSlot, 0, 0, "samplingAlgorithm"},
    {48, FieldAction::SamplerId, NoSlot, 0, 0, "samplerId"},
    {49, FieldAction::Skip, NoSlot, 0, 0, "samplerMode"},
    {50, FieldAction::SamplerRandomInterval, NoSlot, 0, 0, "samplerRandomInterval"},
    {52, FieldAction::Ttl, SlotTtl, 1, 0, "minimumTTL"},
    {54, FieldAction::FragmentId, NoSlot, 0, 0, "fragmentIdentification"},
    {56, FieldAction::SrcMac, SlotSrcMac, 0, 0, "sourceMacAddress"},
    {57, FieldAction::DstMac, SlotDstMac, 1, 0, "postDestinationMacAddress"},
    {58, FieldAction::SrcVlan, NoSlot, 0, 0, "vlanId"},
    {59, FieldAction::DstVlan, SlotDstVlan, 0, 0, "postVlanId"},
    {60, FieldAction::IpVersion, NoSlot, 0, 0, "ipVersion"},
    {61, FieldAction::Direction, NoSlot, 0, 0, "flowDirection"},
    {62, FieldAction::NextHopV6, NoSlot, 0, 0, "ipNextHopIPv6Address"},
    {63, FieldAction::BgpNextHopV6, NoSlot, 0, 0, "bgpNextHopIPv6Address"},
    {70, FieldAction::MplsLabel, NoSlot, 0, 0, "mplsTopLabelStackSection"},
    {71, FieldAction::MplsLabel, NoSlot, 0, 1, "mplsLabelStackSection2"},
    {72, FieldAction::MplsLabel, NoSlot, 0, 2, "mplsLabelStackSection3"},
    {73, FieldAction::MplsLabel, NoSlot, 0, 3, "mplsLabelStackSection4"},
    {74, FieldAction::Skip, NoSlot, 0, 0, "mplsLabelStackSection5"},
    {75, FieldAction::Skip, NoSlot, 0, 0, "mplsLabelStackSection6"},
    {76, FieldAction::Skip, NoSlot, 0, 0, "mplsLabelStackSection7"},
    {77, FieldAction::Skip, NoSlot, 0, 0, "mplsLabelStackSection8"},
    {78, FieldAction::Skip, NoSlot, 0, 0, "mplsLabelStackSection9"},
    {79, FieldAction::Skip, NoSlot, 0, 0, "mplsLabelStackSection10"},
    {80, FieldAction::DstMac, SlotDstMac, 0, 0, "destinationMacAddress"},
    {81, FieldAction::SrcMac, SlotSrcMac, 1, 0, "postSourceMacAddress"},
    {85, FieldAction::Bytes, SlotBytes, 2, 0, "octetTotalCount"},
    {86, FieldAction::Packets, SlotPackets, 2, 0, "packetTotalCount"},
    {88, FieldAction::FragmentOffset, NoSlot, 0, 0, "fragmentOffset"},
    {89, FieldAction::ForwardingStatus, NoSlot, 0, 0, "forwardingStatus"},
    {128, FieldAction::NextHopAs, NoSlot, 0, 0, "bgpNextAdjacentAsNumber"},
    {136, FieldAction::Skip, NoSlot, 0, 0, "flowEndReason"},
    {138, FieldAction::ObservationPoint, NoSlot, 0, 0, "observationPointId"},
    {139, FieldAction::IcmpTypeCode, SlotIcmp, 1, 0, "icmpTypeCodeIPv6"},
    {150, FieldAction::StartSeconds, SlotStart, 3, 0, "flowStartSeconds"},
    {151, FieldAction::EndSeconds, SlotEnd, 3, 0, "flowEndSeconds"},
    {152, FieldAction::StartMillis, SlotStart, 2, 0, "flowStartMilliseconds"},
    {153, FieldAction::EndMillis, SlotEnd, 2, 0, "flowEndMilliseconds"},
    {154, FieldAction::StartNtpMicros, SlotStart, 1, 0, "flowStartMicroseconds"},
    {155, FieldAction::EndNtpMicros, SlotEnd, 1, 0, "flowEndMicroseconds"},
    {156, FieldAction::StartNtpNanos, SlotStart, 0, 0, "flowStartNanoseconds"},
    {157, FieldAction::EndNtpNanos, SlotEnd, 0, 0, "flowEndNanoseconds"},
    {158, FieldAction::StartDeltaMicros, NoSlot, 0, 0, "flowStartDeltaMicroseconds"},
    {159, FieldAction::EndDeltaMicros, NoSlot, 0, 0, "flowEndDeltaMicroseconds"},
    {160, FieldAction::SystemInitMillis, NoSlot, 0, 0, "systemInitTimeMilliseconds"},
    {161, FieldAction::DurationMillis, NoSlot, 0, 0, "flowDurationMilliseconds"},
    {162, FieldAction::DurationMicros, NoSlot, 0, 0, "flowDurationMicroseconds"},
    {176, FieldAction::IcmpType, NoSlot, 0, 0, "icmpTypeIPv4"},
    {177, FieldAction::IcmpCode, NoSlot, 0, 0, "icmpCodeIPv4"},
    {178, FieldAction::IcmpType, NoSlot, 0, 0, "icmpTypeIPv6"},
    {179, FieldAction::IcmpCode, NoSlot, 0, 0, "icmpCodeIPv6"},
    {180, FieldAction::SrcPort, SlotSrcPort, 1, 0, "udpSourcePort"},
    {181, FieldAction::DstPort, SlotDstPort, 1, 0, "udpDestinationPort"},
    {182, FieldAction::SrcPort, SlotSrcPort, 2, 0, "tcpSourcePort"},
    {183, FieldAction::DstPort, SlotDstPort, 2, 0, "tcpDestinationPort"},
    {192, FieldAction::Ttl, SlotTtl, 0, 0, "ipTTL"},
    {195, FieldAction::Dscp, SlotTos, 1, 0, "ipDiffServCodePoint"},
    {197, FieldAction::IpFlags, NoSlot, 0, 0, "fragmentFlags"},
    {210, FieldAction::Skip, NoSlot, 0, 0, "paddingOctets"},
    {225, FieldAction::PostNatSrcV4, NoSlot, 0, 0, "postNATSourceIPv4Address"},
    {226, FieldAction::PostNatDstV4, NoSlot, 0, 0, "postNATDestinationIPv4Address"},
    {227, FieldAction::PostNatSrcPort, NoSlot, 0, 0, "postNAPTSourceTransportPort"},
    {228, FieldAction::PostNatDstPort, NoSlot, 0, 0, "postNAPTDestinationTransportPort"},
    {230, FieldAction::NatEvent, NoSlot, 0, 0, "natEvent"},
    {231, FieldAction::Bytes, SlotBytes, 3, 0, "initiatorOctets"},
    {232, FieldAction::Skip, NoSlot, 0, 0, "responderOctets"},
    {234, FieldAction::IngressVrf, NoSlot, 0, 0, "ingressVRFID"},
    {235, FieldAction::EgressVrf, NoSlot, 0, 0, "egressVRFID"},
    {243, FieldAction::VlanId, NoSlot, 0, 0, "dot1qVlanId"},
    {252, FieldAction::InIf, SlotInIf, 1, 0, "ingressPhysicalInterface"},
    {253, FieldAction::OutIf, SlotOutIf, 1, 0, "egressPhysicalInterface"},
    {254, FieldAction::DstVlan, SlotDstVlan, 1, 0, "postDot1qVlanId"},
    {256, FieldAction::EtherType, NoSlot, 0, 0, "ethernetType"},
    {281, FieldAction::PostNatSrcV6, NoSlot, 0, 0, "postNATSourceIPv6Address"},
    {282, FieldAction::PostNatDstV6, NoSlot, 0, 0, "postNATDestinationIPv6Address"},
    {298, FieldAction::Packets, SlotPackets, 3, 0, "initiatorPackets"},
    {299, FieldAction::Skip, NoSlot, 0, 0, "responderPackets"},
    {302, FieldAction::SelectorId, NoSlot, 0, 0, "selectorId"},
    {304, FieldAction::Skip, NoSlot, 0, 0, "selectorAlgorithm"},
    {305, FieldAction::SamplingPacketInterval, NoSlot, 0, 0, "samplingPacketInterval"},
    {306, FieldAction::SamplingPacketSpace, NoSlot, 0, 0, "samplingPacketSpace"},
    {309, FieldAction::SamplingSize, NoSlot, 0, 0, "samplingSize"},
    {310, FieldAction::SamplingPopulation, NoSlot, 0, 0, "samplingPopulation"},
    {312, FieldAction::DataLinkFrameSize, NoSlot, 0, 0, "dataLinkFrameSize"},
    {313, FieldAction::IpHeaderSection, NoSlot, 0, 0, "ipHeaderPacketSection"},
    {315, FieldAction::DataLinkSection, NoSlot, 0, 0, "dataLinkFrameSection"},
    {323, FieldAction::EndMillis, SlotEnd, 4, 0, "observationTimeMilliseconds"},
};

// RFC 5103 reverse elements (PEN 29305, same numbers as the forward IEs).
constexpr Mapping kReverse[] = {
    {1, FieldAction::ReverseBytes, SlotRevBytes, 0, 0, "reverseOctetDeltaCount"},
    {2, FieldAction::ReversePackets, SlotRevPackets, 0, 0, "reversePacketDeltaCount"},
    {85, FieldAction::ReverseBytes, SlotRevBytes, 1, 0, "reverseOctetTotalCount"},
    {86, FieldAction::ReversePackets, SlotRevPackets, 1, 0, "reversePacketTotalCount"},
};

// Juniper inline monitoring / resiliency interface: six commonPropertiesId fields, each tagged by its
// top 6 bits (1 forwarding class, 2 forwarding exception code, 3 next hop, 4 egress, 5 and 6 ingress).
constexpr Mapping kJuniper[] = {
    {137, FieldAction::JuniperCpid, NoSlot, 0, 0, "commonPropertiesId"},
};

// Cisco ASA NSEL (v9 only) numbers its translated addresses/ports outside the IANA range.
constexpr Mapping kNsel[] = {
    {40001, FieldAction::PostNatSrcV4, NoSlot, 0, 0, "NF_F_XLATE_SRC_ADDR_IPV4"},
    {40002, FieldAction::PostNatDstV4, NoSlot, 0, 0, "NF_F_XLATE_DST_ADDR_IPV4"},
    {40003, FieldAction::PostNatSrcPort, NoSlot, 0, 0, "NF_F_XLATE_SRC_PORT"},
    {40004, FieldAction::PostNatDstPort, NoSlot, 0, 0, "NF_F_XLATE_DST_PORT"},
};

constexpr std::size_t kMaxIanaId = 400;

// Dense lookup from IANA id to the kIana entry (index + 1; 0 = unmapped), built once.
struct IanaIndex
{
    std::array<std::uint16_t, kMaxIanaId> index{};
    constexpr IanaIndex()
    {
        for (std::size_t i = 0; i < std::size(kIana); ++i)
            index[kIana[i].id] = static_cast<std::uint16_t>(i + 1);
    }
};
constexpr IanaIndex kIanaIndex;

const Mapping* findMapping(std::uint32_t pen, std::uint16_t id)
{
    if (pen == 0) {
        if (id >= kMaxIanaId) {
            for (const auto& m : kNsel)
                if (m.id == id)
                    return &m;
            return nullptr;
        }
        if (kIanaIndex.index[id] == 0)
            return nullptr;
        return &kIana[kIanaIndex.index[id] - 1];
    }
    if (pen == kReversePen) {
        for (const auto& m : kReverse)
            if (m.id == id)
                return &m;
    }
    if (pen == kJuniperPen) {
        for (const auto& m : kJuniper)
            if (m.id == id)
                return &m;
    }
    return nullptr;
}

Shape shapeOf(FieldAction a)
{
    switch (a) {
    case FieldAction::SrcAddrV4:
    case FieldAction::DstAddrV4:
    case FieldAction::NextHopV4:
    case FieldAction::BgpNextHopV4:
    case FieldAction::PostNatSrcV4:
    case FieldAction::PostNatDstV4:
        return Shape::V4;
    case FieldAction::SrcAddrV6:
    case FieldAction::DstAddrV6:
    case FieldAction::NextHopV6:
    case FieldAction::BgpNextHopV6:
    case FieldAction::PostNatSrcV6:
    case FieldAction::PostNatDstV6:
        return Shape::V6;
    case FieldAction::SrcMac:
    case FieldAction::DstMac:
        return Shape::Mac;
    case FieldAction::MplsLabel:
        return Shape::Mpls;
    case FieldAction::StartNtpMicros:
    case FieldAction::EndNtpMicros:
    case FieldAction::StartNtpNanos:
    case FieldAction::EndNtpNanos:
        return Shape::Ntp;
    case FieldAction::IpHeaderSection:
    case FieldAction::DataLinkSection:
        return Shape::Section;
    case FieldAction::Skip:
    case FieldAction::Count_:
        return Shape::None;
    default:
        return Shape::Unsigned;
    }
}

bool lengthFits(FieldAction a, std::size_t length)
{
    switch (shapeOf(a)) {
    case Shape::Unsigned:
        return length >= 1 && length <= 8;
    case Shape::V4:
        return length == 4;
    case Shape::V6:
        return length == 16;
    case Shape::Mac:
        return length == 6;
    case Shape::Mpls:
        return length >= 3;
    case Shape::Ntp:
        return length == 8;
    case Shape::Section:
        return length >= 1;
    case Shape::None:
        return true;
    }
    return false;
}

// Seconds between the NTP era (1900) and the Unix epoch.
constexpr std::uint64_t kNtpToUnixSeconds = 2208988800ull;

// RFC 7011 6.1.9/6.1.10. For microseconds the low 11 fraction bits SHOULD be zero; exporters
// that set them anyway get them used (as tshark does) rather than silently dropped.
std::uint64_t ntpToUnixNs(std::uint64_t ntp)
{
    const std::uint64_t seconds = ntp >> 32;
    const std::uint64_t fraction = ntp & 0xffffffffull;
    if (seconds < kNtpToUnixSeconds)
        return 0;
    return (seconds - kNtpToUnixSeconds) * 1'000'000'000ull + ((fraction * 1'000'000'000ull) >> 32);
}

bool allZero(const std::uint8_t* p, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        if (p[i])
            return false;
    return true;
}

void setV4(IpAddress& target, const std::uint8_t* p)
{
    // A zero field next to a non-zero one of the other family must not erase it.
    if (allZero(p, 4) && !target.isZero())
        return;
    target = IpAddress::fromV4Bytes(p);
}

void setV6(IpAddress& target, const std::uint8_t* p)
{
    if (allZero(p, 16) && !target.isZero())
        return;
    target = IpAddress::fromV6Bytes(p);
}

std::uint64_t loadMac(const std::uint8_t* p)
{
    return (std::uint64_t(p[0]) << 40) | (std::uint64_t(p[1]) << 32) | (std::uint64_t(p[2]) << 24) |
           (std::uint64_t(p[3]) << 16) | (std::uint64_t(p[4]) << 8) | std::uint64_t(p[5]);
}

inline void apply(FieldAction action, std::uint8_t param, const std::uint8_t* p, std::size_t len,
                  FlowRecord& r, RecordScratch& s)
{
    switch (action) {
    case FieldAction::Skip:
    case FieldAction::Count_:
        return;
    case FieldAction::Bytes:
        r.bytes = loadBeUint(p, len);
        s.have |= RecordScratch::HaveBytes;
        return;
    case FieldAction::Packets:
        r.packets = loadBeUint(p, len);
        s.have |= RecordScratch::HavePackets;
        return;
    case FieldAction::ReverseBytes:
        s.reverseBytes = loadBeUint(p, len);
        s.have |= RecordScratch::HaveReverse;
        return;
    case FieldAction::ReversePackets:
        s.reversePackets = loadBeUint(p, len);
        s.have |= RecordScratch::HaveReverse;
        return;
    case FieldAction::SrcAddrV4:
        setV4(r.src_addr, p);
        return;
    case FieldAction::DstAddrV4:
        setV4(r.dst_addr, p);
        return;
    case FieldAction::SrcAddrV6:
        setV6(r.src_addr, p);
        return;
    case FieldAction::DstAddrV6:
        setV6(r.dst_addr, p);
        return;
    case FieldAction::NextHopV4:
        setV4(r.next_hop, p);
        return;
    case FieldAction::NextHopV6:
        setV6(r.next_hop, p);
        return;
    case FieldAction::BgpNextHopV4:
        setV4(r.bgp_next_hop, p);
        return;
    case FieldAction::BgpNextHopV6:
        setV6(r.bgp_next_hop, p);
        return;
    case FieldAction::PostNatSrcV4:
        setV4(r.post_nat_src_addr, p);
        return;
    case FieldAction::PostNatDstV4:
        setV4(r.post_nat_dst_addr, p);
        return;
    case FieldAction::PostNatSrcV6:
        setV6(r.post_nat_src_addr, p);
        return;
    case FieldAction::PostNatDstV6:
        setV6(r.post_nat_dst_addr, p);
        return;
    case FieldAction::Proto:
        r.proto = static_cast<std::uint8_t>(loadBeUint(p, len));
        return;
    case FieldAction::Tos:
        r.ip_tos = static_cast<std::uint8_t>(loadBeUint(p, len));
        return;
    case FieldAction::Dscp:
        r.ip_tos = static_cast<std::uint8_t>(loadBeUint(p, len) << 2);
        return;
    case FieldAction::TcpFlags:
        r.tcp_flags = static_cast<std::uint16_t>(loadBeUint(p, len));
        return;
    case FieldAction::SrcPort:
        r.src_port = static_cast<std::uint16_t>(loadBeUint(p, len));
        return;
    case FieldAction::DstPort:
        r.dst_port = static_cast<std::uint16_t>(loadBeUint(p, len));
        return;
    case FieldAction::PostNatSrcPort:
        r.post_nat_src_port = static_cast<std::uint16_t>(loadBeUint(p, len));
        return;
    case FieldAction::PostNatDstPort:
        r.post_nat_dst_port = static_cast<std::uint16_t>(loadBeUint(p, len));
        return;
    case FieldAction::InIf:
        r.in_if = static_cast<std::uint32_t>(loadBeUint(p, len));
        return;
    case FieldAction::OutIf:
        r.out_if = static_cast<std::uint32_t>(loadBeUint(p, len));
        return;
    case FieldAction::SrcAs:
        r.src_as = static_cast<std::uint32_t>(loadBeUint(p, len));
        return;
    case FieldAction::DstAs:
        r.dst_as = static_cast<std::uint32_t>(loadBeUint(p, len));
        return;
    case FieldAction::NextHopAs:
        r.next_hop_as = static_cast<std::uint32_t>(loadBeUint(p, len));
        return;
    case FieldAction::SrcMask: {
        const auto v = static_cast<std::uint8_t>(loadBeUint(p, len));
        if (v || !r.src_net)
            r.src_net = v;
        return;
    }
    case FieldAction::DstMask: {
        const auto v = static_cast<std::uint8_t>(loadBeUint(p, len));
        if (v || !r.dst_net)
            r.dst_net = v;
        return;
    }
    case FieldAction::SrcMac:
        r.src_mac = loadMac(p);
        return;
    case FieldAction::DstMac:
        r.dst_mac = loadMac(p);
        return;
    case FieldAction::SrcVlan:
        r.src_vlan = static_cast<std::uint16_t>(loadBeUint(p, len) & 0x0fff);
        return;
    case FieldAction::DstVlan:
        r.dst_vlan = static_cast<std::uint16_t>(loadBeUint(p, len) & 0x0fff);
        return;
    case FieldAction::VlanId:
        r.vlan_id = static_cast<std::uint16_t>(loadBeUint(p, len) & 0x0fff);
        return;
    case FieldAction::FlowLabel:
        r.ipv6_flow_label = static_cast<std::uint32_t>(loadBeUint(p, len) & 0xfffff);
        return;
    case FieldAction::IcmpTypeCode: {
        const auto v = loadBeUint(p, len);
        s.have |= RecordScratch::HaveIcmp;
        r.icmp_type = static_cast<std::uint8_t>(v >> 8);
        r.icmp_code = static_cast<std::uint8_t>(v);
        return;
    }
    case FieldAction::IcmpType:
        s.have |= RecordScratch::HaveIcmp;
        r.icmp_type = static_cast<std::uint8_t>(loadBeUint(p, len));
        return;
    case FieldAction::IcmpCode:
        s.have |= RecordScratch::HaveIcmp;
        r.icmp_code = static_cast<std::uint8_t>(loadBeUint(p, len));
        return;
    case FieldAction::Ttl:
        r.ip_ttl = static_cast<std::uint8_t>(loadBeUint(p, len));
        return;
    case FieldAction::FragmentId:
        r.fragment_id = static_cast<std::uint32_t>(loadBeUint(p, len));
        return;
    case FieldAction::FragmentOffset:
        r.fragment_offset = static_cast<std::uint16_t>(loadBeUint(p, len));
        return;
    case FieldAction::IpFlags:
        r.ip_flags = static_cast<std::uint8_t>(loadBeUint(p, len));
        return;
    case FieldAction::ForwardingStatus:
        // RFC 7270: unsigned8, formerly unsigned32; either way the status is the low octet.
        r.forwarding_status = static_cast<std::uint8_t>(loadBeUint(p, len));
        s.have |= RecordScratch::HaveForwardingStatus;
        return;
    case FieldAction::Direction:
        r.flow_direction = static_cast<std::uint8_t>(loadBeUint(p, len));
        return;
    case FieldAction::IngressVrf:
        r.ingress_vrf_id = static_cast<std::uint32_t>(loadBeUint(p, len));
        return;
    case FieldAction::EgressVrf:
        r.egress_vrf_id = static_cast<std::uint32_t>(loadBeUint(p, len));
        return;
    case FieldAction::ObservationPoint:
        r.observation_point_id = static_cast<std::uint32_t>(loadBeUint(p, len));
        return;
    case FieldAction::IpVersion:
        s.ipVersion = static_cast<std::uint8_t>(loadBeUint(p, len));
        return;
    case FieldAction::EtherType:
        r.etype = static_cast<std::uint16_t>(loadBeUint(p, len));
        return;
    case FieldAction::MplsLabel: {
        if (param >= kMaxMplsLabels)
            return;
        const std::uint32_t entry = (std::uint32_t(p[0]) << 16) | (std::uint32_t(p[1]) << 8) | p[2];
        r.mpls_label[param] = entry >> 4;
        if (entry != 0)
            s.mplsPresent |= static_cast<std::uint8_t>(1u << param);
        if ((entry & 1u) && param < s.mplsBottom)
            s.mplsBottom = param;
        return;
    }
    case FieldAction::NatEvent:
        r.nat_event = static_cast<std::uint8_t>(loadBeUint(p, len));
        return;
    case FieldAction::SamplingInterval:
        s.samplingInterval = loadBeUint(p, len);
        return;
    case FieldAction::SamplerRandomInterval:
        s.randomInterval = loadBeUint(p, len);
        return;
    case FieldAction::SamplerId:
    case FieldAction::SelectorId:
        s.selectorId = static_cast<std::uint32_t>(loadBeUint(p, len));
        s.have |= RecordScratch::HaveSelector;
        return;
    case FieldAction::SamplingPacketInterval:
        s.packetInterval = loadBeUint(p, len);
        return;
    case FieldAction::SamplingPacketSpace:
        s.packetSpace = loadBeUint(p, len);
        return;
    case FieldAction::SamplingSize:
        s.samplingSize = loadBeUint(p, len);
        return;
    case FieldAction::SamplingPopulation:
        s.samplingPopulation = loadBeUint(p, len);
        return;
    case FieldAction::StartSeconds:
        s.startNs = loadBeUint(p, len) * 1'000'000'000ull;
        s.have |= RecordScratch::HaveStartAbs;
        return;
    case FieldAction::EndSeconds:
        s.endNs = loadBeUint(p, len) * 1'000'000'000ull;
        s.have |= RecordScratch::HaveEndAbs;
        return;
    case FieldAction::StartMillis:
        s.startNs = loadBeUint(p, len) * 1'000'000ull;
        s.have |= RecordScratch::HaveStartAbs;
        return;
    case FieldAction::EndMillis:
        s.endNs = loadBeUint(p, len) * 1'000'000ull;
        s.have |= RecordScratch::HaveEndAbs;
        return;
    case FieldAction::StartNtpMicros:
        s.startNs = ntpToUnixNs(loadBe64(p));
        s.have |= RecordScratch::HaveStartAbs;
        return;
    case FieldAction::EndNtpMicros:
        s.endNs = ntpToUnixNs(loadBe64(p));
        s.have |= RecordScratch::HaveEndAbs;
        return;
    case FieldAction::StartNtpNanos:
        s.startNs = ntpToUnixNs(loadBe64(p));
        s.have |= RecordScratch::HaveStartAbs;
        return;
    case FieldAction::EndNtpNanos:
        s.endNs = ntpToUnixNs(loadBe64(p));
        s.have |= RecordScratch::HaveEndAbs;
        return;
    case FieldAction::StartDeltaMicros:
        s.startDeltaUs = loadBeUint(p, len);
        s.have |= RecordScratch::HaveStartDelta;
        return;
    case FieldAction::EndDeltaMicros:
        s.endDeltaUs = loadBeUint(p, len);
        s.have |= RecordScratch::HaveEndDelta;
        return;
    case FieldAction::StartUptime:
        s.startUptimeMs = static_cast<std::uint32_t>(loadBeUint(p, len));
        s.have |= RecordScratch::HaveStartUptime;
        return;
    case FieldAction::EndUptime:
        s.endUptimeMs = static_cast<std::uint32_t>(loadBeUint(p, len));
        s.have |= RecordScratch::HaveEndUptime;
        return;
    case FieldAction::SystemInitMillis:
        s.systemInitMs = loadBeUint(p, len);
        s.have |= RecordScratch::HaveSystemInit;
        return;
    case FieldAction::DurationMillis:
        s.durationUs = loadBeUint(p, len) * 1000ull;
        s.have |= RecordScratch::HaveDuration;
        return;
    case FieldAction::DurationMicros:
        s.durationUs = loadBeUint(p, len);
        s.have |= RecordScratch::HaveDuration;
        return;
    case FieldAction::IpHeaderSection:
    case FieldAction::DataLinkSection:
        s.section = p;
        s.sectionLength = static_cast<std::uint16_t>(len);
        s.sectionProtocol =
            action == FieldAction::DataLinkSection ? HeaderProtocol::Ethernet : HeaderProtocol::Ipv4;
        return;
    case FieldAction::DataLinkFrameSize:
        s.frameSize = loadBeUint(p, len);
        return;
    case FieldAction::JuniperCpid:
        // Type 2 (the top 6 bits) in 2 bytes is the forwarding exception code: 0 forwarded, anything
        // else an exception (a drop whose reason code is platform specific), as akvorado reads it.
        if (len == 2 && (p[0] >> 2) == 2) {
            s.juniperStatus = (loadBe16(p) & 0x03ff) ? 128 : 64; // RFC 7270: dropped / forwarded, unknown
            s.have |= RecordScratch::HaveJuniperStatus;
        }
        return;
    }
}

// Which SectionField an IE's action fills (0: none a packet section could also fill).
std::uint32_t sectionFieldOf(FieldAction a)
{
    switch (a) {
    case FieldAction::SrcMac:
        return SectionSrcMac;
    case FieldAction::DstMac:
        return SectionDstMac;
    case FieldAction::SrcVlan:
    case FieldAction::DstVlan:
    case FieldAction::VlanId:
        return SectionVlan;
    case FieldAction::EtherType:
    case FieldAction::IpVersion:
        return SectionEtype;
    case FieldAction::MplsLabel:
        return SectionMpls;
    case FieldAction::SrcAddrV4:
    case FieldAction::SrcAddrV6:
        return SectionSrcAddr;
    case FieldAction::DstAddrV4:
    case FieldAction::DstAddrV6:
        return SectionDstAddr;
    case FieldAction::Tos:
    case FieldAction::Dscp:
        return SectionTos;
    case FieldAction::Ttl:
        return SectionTtl;
    case FieldAction::IpFlags:
        return SectionIpFlags;
    case FieldAction::FragmentId:
        return SectionFragmentId;
    case FieldAction::FragmentOffset:
        return SectionFragmentOffset;
    case FieldAction::FlowLabel:
        return SectionFlowLabel;
    case FieldAction::Proto:
        return SectionProto;
    case FieldAction::SrcPort:
        return SectionSrcPort;
    case FieldAction::DstPort:
        return SectionDstPort;
    case FieldAction::TcpFlags:
        return SectionTcpFlags;
    case FieldAction::IcmpTypeCode:
    case FieldAction::IcmpType:
    case FieldAction::IcmpCode:
        return SectionIcmp;
    case FieldAction::Bytes:
        return SectionBytes;
    case FieldAction::Packets:
        return SectionPackets;
    default:
        return 0;
    }
}

} // namespace

std::uint64_t RecordScratch::statedRate() const
{
    if (samplingInterval)
        return samplingInterval;
    if (randomInterval)
        return randomInterval;
    // 305/306: `interval` packets taken, then `space` packets skipped. 305 alone states no rate
    // (Cisco sends 305 = 1 next to 309/310 for random n-out-of-N sampling).
    if (packetInterval && packetSpace)
        return (packetInterval + packetSpace) / packetInterval;
    if (samplingSize && samplingPopulation)
        return samplingPopulation / samplingSize;
    return 0;
}

FieldAction ieAction(std::uint32_t pen, std::uint16_t id)
{
    const Mapping* m = findMapping(pen, id);
    return m ? m->action : FieldAction::Skip;
}

std::string_view ieName(std::uint32_t pen, std::uint16_t id)
{
    const Mapping* m = findMapping(pen, id);
    return m ? std::string_view(m->name) : std::string_view();
}

CompiledLayout compileLayout(std::span<const FieldSpec> fields, std::size_t v9ScopeFields)
{
    CompiledLayout out;
    out.steps.reserve(fields.size());

    // Pass 1: raw actions, length checks and the best rank per slot.
    std::array<std::uint8_t, SlotCount_> bestRank;
    bestRank.fill(0xff);
    // A template may repeat an IE (e.g. Huawei: outer then inner addresses and ports); like
    // decoders that assign in order, the last occurrence of the best-ranked IE wins.
    std::array<std::size_t, SlotCount_> winner;
    winner.fill(SIZE_MAX);
    struct Pending
    {
        const Mapping* mapping;
        FieldAction action;
    };
    std::vector<Pending> raw(fields.size(), Pending{nullptr, FieldAction::Skip});
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const FieldSpec& f = fields[i];
        if (f.length == kVariableLength)
            out.variable = true;
        if (i < v9ScopeFields)
            continue; // v9 scope types (System, Interface, ...) are not IE numbers
        const Mapping* m = findMapping(f.pen, f.id);
        if (!m || m->action == FieldAction::Skip || f.length == 0)
            continue;
        if (f.length != kVariableLength && !lengthFits(m->action, f.length)) {
            ++out.badFields;
            continue;
        }
        raw[i] = Pending{m, m->action};
        if (m->slot != NoSlot && m->rank <= bestRank[m->slot]) {
            bestRank[m->slot] = m->rank;
            winner[m->slot] = i;
        }
    }

    // Pass 2: steps; the losers of a slot become skips.
    std::uint32_t offset = 0;
    std::uint32_t minLength = 0;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const FieldSpec& f = fields[i];
        FieldAction action = raw[i].action;
        std::uint8_t param = 0;
        if (raw[i].mapping) {
            const Mapping& m = *raw[i].mapping;
            param = m.param;
            if (m.slot != NoSlot && winner[m.slot] != i)
                action = FieldAction::Skip;
            if (action == FieldAction::ReverseBytes || action == FieldAction::ReversePackets)
                out.hasReverse = true;
            if (action >= FieldAction::SamplingInterval && action <= FieldAction::SamplingPopulation)
                out.hasSampling = true;
            if (action == FieldAction::IpHeaderSection || action == FieldAction::DataLinkSection)
                out.hasPacketSection = true;
            out.sectionFieldsByIe |= sectionFieldOf(action);
        }
        const bool var = f.length == kVariableLength;
        minLength += var ? 1 : f.length;
        if (out.variable) {
            out.steps.push_back(Step{0, f.length, action, param});
        } else {
            if (action != FieldAction::Skip)
                out.steps.push_back(Step{static_cast<std::uint16_t>(offset), f.length, action, param});
            offset += f.length;
        }
    }
    out.fixedLength = out.variable ? 0 : offset;
    out.minLength = minLength;
    return out;
}

std::size_t decodeRecord(const CompiledLayout& layout, const std::uint8_t* p, std::size_t available,
                         FlowRecord& rec, RecordScratch& scratch)
{
    if (!layout.variable) {
        if (available < layout.fixedLength || layout.fixedLength == 0)
            return 0;
        for (const Step& s : layout.steps)
            apply(s.action, s.param, p + s.offset, s.length, rec, scratch);
        return layout.fixedLength;
    }
    std::size_t pos = 0;
    for (const Step& s : layout.steps) {
        std::size_t len = s.length;
        if (s.length == kVariableLength) {
            // RFC 7011 7: one length octet, or 255 followed by a 16-bit length.
            if (pos >= available)
                return 0;
            len = p[pos++];
            if (len == 255) {
                if (available - pos < 2)
                    return 0;
                len = loadBe16(p + pos);
                pos += 2;
            }
            if (len > available - pos)
                return 0;
            if (s.action != FieldAction::Skip && len > 0 && lengthFits(s.action, len))
                apply(s.action, s.param, p + pos, len, rec, scratch);
        } else {
            if (len > available - pos)
                return 0;
            apply(s.action, s.param, p + pos, len, rec, scratch);
        }
        pos += len;
    }
    return pos == 0 ? 0 : pos;
}

std::uint64_t uptimeToUnixNs(std::uint64_t exportNs, std::uint32_t sysUptimeMs, std::uint32_t instantMs)
{
    const auto before = static_cast<std::int32_t>(sysUptimeMs - instantMs);
    const std::int64_t ns = static_cast<std::int64_t>(exportNs) - std::int64_t(before) * 1'000'000;
    return ns < 0 ? 0 : static_cast<std::uint64_t>(ns);
}

void applyPacketSection(FlowRecord& rec, RecordScratch& s, const CompiledLayout& layout, Decapsulation decap)
{
    if (!s.section)
        return;
    FlowRecord h;
    const std::uint32_t ipLength = parsePacketHeader(
        {reinterpret_cast<const std::byte*>(s.section), s.sectionLength}, s.sectionProtocol, h, decap);
    s.section = nullptr; // points into the set being decoded
    const std::uint32_t byIe = layout.sectionFieldsByIe;
    const auto take = [byIe](std::uint32_t field) {
        return (byIe & field) == 0;
    };
    if (take(SectionSrcMac))
        rec.src_mac = h.src_mac;
    if (take(SectionDstMac))
        rec.dst_mac = h.dst_mac;
    if (take(SectionVlan) && h.vlan_id) {
        rec.vlan_id = h.vlan_id;
        rec.src_vlan = h.vlan_id;
        rec.dst_vlan = h.vlan_id;
    }
    if (take(SectionEtype))
        rec.etype = h.etype;
    if (take(SectionMpls) && h.mpls_label_count) {
        rec.mpls_label = h.mpls_label;
        rec.mpls_label_count = h.mpls_label_count;
    }
    if (take(SectionSrcAddr))
        rec.src_addr = h.src_addr;
    if (take(SectionDstAddr))
        rec.dst_addr = h.dst_addr;
    if (take(SectionTos))
        rec.ip_tos = h.ip_tos;
    if (take(SectionTtl))
        rec.ip_ttl = h.ip_ttl;
    if (take(SectionIpFlags))
        rec.ip_flags = h.ip_flags;
    if (take(SectionFragmentId))
        rec.fragment_id = h.fragment_id;
    if (take(SectionFragmentOffset))
        rec.fragment_offset = h.fragment_offset;
    if (take(SectionFlowLabel))
        rec.ipv6_flow_label = h.ipv6_flow_label;
    if (take(SectionProto))
        rec.proto = h.proto;
    if (take(SectionSrcPort))
        rec.src_port = h.src_port;
    if (take(SectionDstPort))
        rec.dst_port = h.dst_port;
    if (take(SectionTcpFlags))
        rec.tcp_flags = h.tcp_flags;
    if (take(SectionIcmp) && (h.proto == 1 || h.proto == 58) && (h.icmp_type || h.icmp_code)) {
        rec.icmp_type = h.icmp_type;
        rec.icmp_code = h.icmp_code;
        s.have |= RecordScratch::HaveIcmp; // the header said it: no guessing from dst_port
    }
    if (take(SectionBytes))
        rec.bytes = ipLength ? ipLength : s.frameSize;
    if (take(SectionPackets))
        rec.packets = 1;
}

void finalizeRecord(FlowRecord& rec, const RecordScratch& s, const TimeContext& t)
{
    const std::uint64_t exportNs = std::uint64_t(t.exportSeconds) * 1'000'000'000ull;
    bool haveStart = false;
    bool haveEnd = false;
    std::uint64_t start = 0;
    std::uint64_t end = 0;

    auto fromUptime = [&](std::uint32_t instant, std::uint64_t& out) {
        if (t.hasUptime) {
            out = uptimeToUnixNs(exportNs, t.sysUptimeMs, instant);
            return true;
        }
        // systemInitTimeMilliseconds: the record's own (Huawei sends it in data records), else
        // the one learned from options data.
        if (s.have & RecordScratch::HaveSystemInit) {
            out = (s.systemInitMs + instant) * 1'000'000ull;
            return true;
        }
        if (t.hasSystemInit) {
            out = (t.systemInitMs + instant) * 1'000'000ull;
            return true;
        }
        return false;
    };

    if (s.have & RecordScratch::HaveStartAbs) {
        start = s.startNs;
        haveStart = true;
    } else if (s.have & RecordScratch::HaveStartDelta) {
        start = exportNs - std::min<std::uint64_t>(exportNs, s.startDeltaUs * 1000ull);
        haveStart = true;
    } else if (s.have & RecordScratch::HaveStartUptime) {
        haveStart = fromUptime(s.startUptimeMs, start);
    }
    if (s.have & RecordScratch::HaveEndAbs) {
        end = s.endNs;
        haveEnd = true;
    } else if (s.have & RecordScratch::HaveEndDelta) {
        end = exportNs - std::min<std::uint64_t>(exportNs, s.endDeltaUs * 1000ull);
        haveEnd = true;
    } else if (s.have & RecordScratch::HaveEndUptime) {
        haveEnd = fromUptime(s.endUptimeMs, end);
    }
    if (s.have & RecordScratch::HaveDuration) {
        if (haveStart && !haveEnd) {
            end = start + s.durationUs * 1000ull;
            haveEnd = true;
        } else if (haveEnd && !haveStart) {
            start = end - std::min<std::uint64_t>(end, s.durationUs * 1000ull);
            haveStart = true;
        }
    }
    if (!haveStart && !haveEnd) {
        start = end = rec.time_received_ns;
    } else if (!haveStart) {
        start = end;
    } else if (!haveEnd) {
        end = start;
    }
    rec.time_flow_start_ns = start;
    rec.time_flow_end_ns = end;

    if (rec.etype == 0) {
        if (s.ipVersion == 4)
            rec.etype = 0x0800;
        else if (s.ipVersion == 6)
            rec.etype = 0x86dd;
        else if (!rec.src_addr.isZero())
            rec.etype = rec.src_addr.isV4() ? 0x0800 : 0x86dd;
        else if (!rec.dst_addr.isZero())
            rec.etype = rec.dst_addr.isV4() ? 0x0800 : 0x86dd;
    }

    if (!rec.vlan_id)
        rec.vlan_id = rec.src_vlan;
    else if (!rec.src_vlan)
        rec.src_vlan = rec.vlan_id;

    // Many exporters carry ICMP type/code in the destination port (type << 8 | code) instead
    // of an ICMP IE; dst_port stays as sent.
    if ((rec.proto == 1 || rec.proto == 58) && !(s.have & RecordScratch::HaveIcmp) && rec.dst_port) {
        rec.icmp_type = static_cast<std::uint8_t>(rec.dst_port >> 8);
        rec.icmp_code = static_cast<std::uint8_t>(rec.dst_port);
    }

    if ((s.have & RecordScratch::HaveJuniperStatus) && !(s.have & RecordScratch::HaveForwardingStatus))
        rec.forwarding_status = s.juniperStatus;

    if (s.mplsBottom != 0xff) {
        rec.mpls_label_count = static_cast<std::uint8_t>(s.mplsBottom + 1);
    } else if (s.mplsPresent) {
        int top = 0;
        for (int i = 0; i < kMaxMplsLabels; ++i)
            if (s.mplsPresent & (1u << i))
                top = i + 1;
        rec.mpls_label_count = static_cast<std::uint8_t>(top);
    }
}

} // namespace flowlens::decode
