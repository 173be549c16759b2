#include "template_fields.h"

#include <algorithm>
#include <array>
#include <numeric>

namespace flowlens::gen {

namespace {

// Information element ids (RFC 3954 names in comments where they differ from IANA's).
enum Ie : std::uint16_t
{
    OctetDeltaCount = 1,
    PacketDeltaCount = 2,
    ProtocolIdentifier = 4,
    IpClassOfService = 5,
    TcpControlBits = 6,
    SourceTransportPort = 7,
    SourceIpv4Address = 8,
    SourceIpv4PrefixLength = 9,
    IngressInterface = 10,
    DestinationTransportPort = 11,
    DestinationIpv4Address = 12,
    DestinationIpv4PrefixLength = 13,
    EgressInterface = 14,
    IpNextHopIpv4Address = 15,
    BgpSourceAsNumber = 16,
    BgpDestinationAsNumber = 17,
    FlowEndSysUpTime = 21,   // LAST_SWITCHED
    FlowStartSysUpTime = 22, // FIRST_SWITCHED
    SourceIpv6Address = 27,
    DestinationIpv6Address = 28,
    SourceIpv6PrefixLength = 29,
    DestinationIpv6PrefixLength = 30,
    FlowLabelIpv6 = 31,
    IcmpTypeCodeIpv4 = 32,
    FlowDirection = 61,
    IpNextHopIpv6Address = 62,
    IcmpTypeCodeIpv6 = 139,
    FlowStartMilliseconds = 152,
    FlowEndMilliseconds = 153,
};

// Addresses and interfaces first, counters, times, then the one-byte fields: both templates end
// on a 4-byte boundary in v9 so data FlowSets need no padding.
constexpr std::array<TemplateField, 20> kV9Ipv4{{
    {SourceIpv4Address, 4},
    {DestinationIpv4Address, 4},
    {IpNextHopIpv4Address, 4},
    {IngressInterface, 4},
    {EgressInterface, 4},
    {PacketDeltaCount, 8},
    {OctetDeltaCount, 8},
    {FlowStartSysUpTime, 4},
    {FlowEndSysUpTime, 4},
    {SourceTransportPort, 2},
    {DestinationTransportPort, 2},
    {BgpSourceAsNumber, 4},
    {BgpDestinationAsNumber, 4},
    {IcmpTypeCodeIpv4, 2},
    {TcpControlBits, 1},
    {ProtocolIdentifier, 1},
    {IpClassOfService, 1},
    {SourceIpv4PrefixLength, 1},
    {DestinationIpv4PrefixLength, 1},
    {FlowDirection, 1},
}};

constexpr std::array<TemplateField, 21> kV9Ipv6{{
    {SourceIpv6Address, 16},
    {DestinationIpv6Address, 16},
    {IpNextHopIpv6Address, 16},
    {IngressInterface, 4},
    {EgressInterface, 4},
    {PacketDeltaCount, 8},
    {OctetDeltaCount, 8},
    {FlowStartSysUpTime, 4},
    {FlowEndSysUpTime, 4},
    {SourceTransportPort, 2},
    {DestinationTransportPort, 2},
    {BgpSourceAsNumber, 4},
    {BgpDestinationAsNumber, 4},
    {FlowLabelIpv6, 4},
    {IcmpTypeCodeIpv6, 2},
    {TcpControlBits, 1},
    {ProtocolIdentifier, 1},
    {IpClassOfService, 1},
    {SourceIpv6PrefixLength, 1},
    {DestinationIpv6PrefixLength, 1},
    {FlowDirection, 1},
}};

constexpr std::array<TemplateField, 20> kIpfixIpv4{{
    {SourceIpv4Address, 4},
    {DestinationIpv4Address, 4},
    {IpNextHopIpv4Address, 4},
    {IngressInterface, 4},
    {EgressInterface, 4},
    {PacketDeltaCount, 8},
    {OctetDeltaCount, 8},
    {FlowStartMilliseconds, 8},
    {FlowEndMilliseconds, 8},
    {SourceTransportPort, 2},
    {DestinationTransportPort, 2},
    {BgpSourceAsNumber, 4},
    {BgpDestinationAsNumber, 4},
    {IcmpTypeCodeIpv4, 2},
    {TcpControlBits, 2},
    {ProtocolIdentifier, 1},
    {IpClassOfService, 1},
    {SourceIpv4PrefixLength, 1},
    {DestinationIpv4PrefixLength, 1},
    {FlowDirection, 1},
}};

constexpr std::array<TemplateField, 21> kIpfixIpv6{{
    {SourceIpv6Address, 16},
    {DestinationIpv6Address, 16},
    {IpNextHopIpv6Address, 16},
    {IngressInterface, 4},
    {EgressInterface, 4},
    {PacketDeltaCount, 8},
    {OctetDeltaCount, 8},
    {FlowStartMilliseconds, 8},
    {FlowEndMilliseconds, 8},
    {SourceTransportPort, 2},
    {DestinationTransportPort, 2},
    {BgpSourceAsNumber, 4},
    {BgpDestinationAsNumber, 4},
    {FlowLabelIpv6, 4},
    {IcmpTypeCodeIpv6, 2},
    {TcpControlBits, 2},
    {ProtocolIdentifier, 1},
    {IpClassOfService, 1},
    {SourceIpv6PrefixLength, 1},
    {DestinationIpv6PrefixLength, 1},
    {FlowDirection, 1},
}};

void writeUnsigned(ByteWriter& w, std::uint64_t v, std::uint16_t length)
{
    for (int i = length - 1; i >= 0; --i)
        w.put8(i >= 8 ? 0 : std::uint8_t(v >> (8 * i)));
}

std::uint32_t uptimeMs(std::uint64_t timeNs, std::uint64_t bootMs)
{
    const std::uint64_t ms = timeNs / 1'000'000;
    return std::uint32_t(ms > bootMs ? ms - bootMs : 0); // wraps like a real 32-bit uptime
}

} // namespace

std::span<const TemplateField> v9Ipv4Template()
{
    return kV9Ipv4;
}
std::span<const TemplateField> v9Ipv6Template()
{
    return kV9Ipv6;
}
std::span<const TemplateField> ipfixIpv4Template()
{
    return kIpfixIpv4;
}
std::span<const TemplateField> ipfixIpv6Template()
{
    return kIpfixIpv6;
}

std::size_t recordLength(std::span<const TemplateField> fields)
{
    return std::accumulate(fields.begin(), fields.end(), std::size_t(0),
                           [](std::size_t sum, const TemplateField& f) { return sum + f.length; });
}

std::optional<std::size_t> fieldOffset(std::span<const TemplateField> fields, std::uint16_t id)
{
    std::size_t offset = 0;
    for (const TemplateField& f : fields) {
        if (f.id == id)
            return offset;
        offset += f.length;
    }
    return std::nullopt;
}

void writeTemplateField(ByteWriter& w, TemplateField field, const decode::FlowRecord& r, std::uint64_t bootMs)
{
    const auto icmp = std::uint16_t((r.icmp_type << 8) | r.icmp_code);
    switch (field.id) {
    case OctetDeltaCount:
        return writeUnsigned(w, r.bytes, field.length);
    case PacketDeltaCount:
        return writeUnsigned(w, r.packets, field.length);
    case ProtocolIdentifier:
        return writeUnsigned(w, r.proto, field.length);
    case IpClassOfService:
        return writeUnsigned(w, r.ip_tos, field.length);
    case TcpControlBits:
        return writeUnsigned(w, r.tcp_flags, field.length);
    case SourceTransportPort:
        return writeUnsigned(w, r.src_port, field.length);
    case DestinationTransportPort:
        return writeUnsigned(w, r.dst_port, field.length);
    case SourceIpv4Address:
        return w.putBytes(r.src_addr.bytes.data() + 12, 4);
    case DestinationIpv4Address:
        return w.putBytes(r.dst_addr.bytes.data() + 12, 4);
    case IpNextHopIpv4Address:
        return w.putBytes(r.next_hop.bytes.data() + 12, 4);
    case SourceIpv6Address:
        return w.putBytes(r.src_addr.bytes.data(), 16);
    case DestinationIpv6Address:
        return w.putBytes(r.dst_addr.bytes.data(), 16);
    case IpNextHopIpv6Address:
        return w.putBytes(r.next_hop.bytes.data(), 16);
    case SourceIpv4PrefixLength:
    case SourceIpv6PrefixLength:
        return writeUnsigned(w, r.src_net, field.length);
    case DestinationIpv4PrefixLength:
    case DestinationIpv6PrefixLength:
        return writeUnsigned(w, r.dst_net, field.length);
    case IngressInterface:
        return writeUnsigned(w, r.in_if, field.length);
    case EgressInterface:
        return writeUnsigned(w, r.out_if, field.length);
    case BgpSourceAsNumber:
        return writeUnsigned(w, r.src_as, field.length);
    case BgpDestinationAsNumber:
        return writeUnsigned(w, r.dst_as, field.length);
    case FlowStartSysUpTime:
        return writeUnsigned(w, uptimeMs(r.time_flow_start_ns, bootMs), field.length);
    case FlowEndSysUpTime:
        return writeUnsigned(w, uptimeMs(r.time_flow_end_ns, bootMs), field.length);
    case FlowStartMilliseconds:
        return writeUnsigned(w, r.time_flow_start_ns / 1'000'000, field.length);
    case FlowEndMilliseconds:
        return writeUnsigned(w, r.time_flow_end_ns / 1'000'000, field.length);
    case FlowLabelIpv6:
        return writeUnsigned(w, r.ipv6_flow_label & 0xfffff, field.length);
    case IcmpTypeCodeIpv4:
    case IcmpTypeCodeIpv6:
        return writeUnsigned(w, icmp, field.length);
    case FlowDirection:
        return writeUnsigned(w, r.flow_direction, field.length);
    default:
        return w.putZeros(field.length);
    }
}

} // namespace flowlens::gen
