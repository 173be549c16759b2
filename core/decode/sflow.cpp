#include "sflow.h"

#include "packet_header.h"
#include "sflow_reader.h"

#include <algorithm>
#include <bit>
#include <cstring>

namespace flowlens::decode {

using detail::SFlowReader;

namespace {

constexpr std::uint32_t kVersion5 = 5;

// Sample formats, enterprise 0 (sFlow v5 and sflow.org/sflow_drops.txt).
constexpr std::uint32_t kFlowSample = 1;
constexpr std::uint32_t kCounterSample = 2;
constexpr std::uint32_t kExpandedFlowSample = 3;
constexpr std::uint32_t kExpandedCounterSample = 4;
constexpr std::uint32_t kDiscardedPacket = 5;

// Flow record formats, enterprise 0.
constexpr std::uint32_t kRawPacketHeader = 1;
constexpr std::uint32_t kSampledEthernet = 2;
constexpr std::uint32_t kSampledIpv4 = 3;
constexpr std::uint32_t kSampledIpv6 = 4;
constexpr std::uint32_t kExtendedSwitch = 1001;
constexpr std::uint32_t kExtendedRouter = 1002;
constexpr std::uint32_t kExtendedGateway = 1003;
constexpr std::uint32_t kExtendedNat = 1007;
constexpr std::uint32_t kExtendedNatPort = 1020;

// Counter record formats, enterprise 0.
constexpr std::uint32_t kGenericInterfaceCounters = 1;
constexpr std::uint32_t kEthernetInterfaceCounters = 2;
constexpr std::uint32_t kPortName = 1005;
constexpr std::size_t kGenericInterfaceCountersSize = 88;
constexpr std::size_t kEthernetInterfaceCountersSize = 52;

// Interface encoding: 2 format bits + 30 value bits. Format 0 value 0x3FFFFFFF means "the device
// itself" (locally originated or terminated), which is no interface.
constexpr std::uint32_t kInterfaceFormatIndex = 0;
constexpr std::uint32_t kInterfaceFormatDiscard = 1;
constexpr std::uint32_t kInterfaceFormatMultiple = 2;
constexpr std::uint32_t kInterfaceLocal = 0x3FFFFFFF;

constexpr std::uint16_t kEtypeIpv4 = 0x0800;
constexpr std::uint16_t kEtypeIpv6 = 0x86DD;

enum class AddressRead
{
    Ok,
    Truncated,
    BadType,
};

// sFlow `address`: type 1 IPv4 (4 bytes), 2 IPv6 (16 bytes), 0 unknown (no bytes).
AddressRead readAddress(SFlowReader& rd, IpAddress& out)
{
    std::uint32_t type = 0;
    std::span<const std::byte> raw;
    if (!rd.u32(type))
        return AddressRead::Truncated;
    switch (type) {
    case 0:
        out = IpAddress{};
        return AddressRead::Ok;
    case 1:
        if (!rd.bytes(4, raw))
            return AddressRead::Truncated;
        out = IpAddress::fromV4Bytes(reinterpret_cast<const std::uint8_t*>(raw.data()));
        return AddressRead::Ok;
    case 2:
        if (!rd.bytes(16, raw))
            return AddressRead::Truncated;
        out = IpAddress::fromV6Bytes(reinterpret_cast<const std::uint8_t*>(raw.data()));
        return AddressRead::Ok;
    default:
        return AddressRead::BadType;
    }
}

void count(DomainStats& stats, Anomaly a)
{
    ++stats.anomalies[static_cast<std::size_t>(a)];
}

void count(AnomalyCounters& counters, Anomaly a)
{
    ++counters[static_cast<std::size_t>(a)];
}

bool allZero(std::span<const std::byte> bytes)
{
    return std::all_of(bytes.begin(), bytes.end(), [](std::byte b) { return b == std::byte{0}; });
}

// Only format 0 carries an ifIndex; discards and "multiple interfaces" carry a reason or a count.
std::uint32_t interfaceIndex(std::uint32_t format, std::uint32_t value)
{
    return format == kInterfaceFormatIndex && value != kInterfaceLocal ? value : 0;
}

// sFlow discard reasons (ICMP unreachable codes 0-255, then 256+) as IPFIX forwardingStatus
// (RFC 7270 4.12): 128 dropped/unknown, 129 ACL deny, 130 ACL drop, 131 unroutable, 133 fragmentation
// needed and DF set, 137 bad TTL, 138 policer, 139 WRED.
std::uint8_t forwardingStatusForDiscard(std::uint32_t reason)
{
    switch (reason) {
    case 0: // net unreachable
    case 1: // host unreachable
    case 5: // source route failed
    case 6: // destination network unknown
    case 7: // destination host unknown
        return 131;
    case 4:   // fragmentation needed and DF set
    case 262: // packet too big for a protocol that does not fragment
        return 133;
    case 9:  // destination network administratively prohibited
    case 10: // destination host administratively prohibited
    case 13: // communication administratively prohibited
        return 129;
    case 257: // TTL exceeded
        return 137;
    case 258: // ACL
        return 130;
    case 260: // RED
        return 139;
    case 261: // traffic shaping / rate limiting
        return 138;
    default:
        return 128;
    }
}

// Extended router masks are prefix lengths, but some agents send netmasks (0xFFFFFF80); accept those,
// and drop values that are neither rather than storing garbage.
std::uint8_t prefixLength(std::uint32_t value)
{
    if (value <= 128)
        return static_cast<std::uint8_t>(value);
    const std::uint32_t host = ~value;
    if ((host & (host + 1)) == 0)
        return static_cast<std::uint8_t>(std::popcount(value));
    return 0;
}

std::uint64_t macFromXdr(std::span<const std::byte> eight)
{
    std::uint64_t mac = 0;
    for (std::size_t i = 0; i < 6; ++i)
        mac = (mac << 8) | std::to_integer<std::uint64_t>(eight[i]);
    return mac;
}

// Which record set r.bytes so far: the sampled frame length beats the sampled-Ethernet length, which
// beats the IP length of a sampled IPv4/IPv6 record, whatever the record order.
enum class BytesSource
{
    None,
    IpRecord,
    EthernetRecord,
    RawHeader,
};

bool decodeExtendedGateway(SFlowReader& rec, FlowRecord& r)
{
    IpAddress nextHop;
    std::uint32_t routerAs = 0;
    std::uint32_t srcAs = 0;
    std::uint32_t srcPeerAs = 0;
    std::uint32_t segments = 0;
    if (readAddress(rec, nextHop) != AddressRead::Ok || !rec.u32(routerAs) || !rec.u32(srcAs) ||
        !rec.u32(srcPeerAs) || !rec.u32(segments))
        return false;
    std::uint32_t pathLength = 0;
    std::uint32_t firstAs = 0;
    std::uint32_t lastAs = 0;
    for (std::uint32_t s = 0; s < segments; ++s) {
        std::uint32_t type = 0;
        std::uint32_t n = 0;
        if (!rec.u32(type) || !rec.u32(n))
            return false;
        for (std::uint32_t i = 0; i < n; ++i) {
            std::uint32_t as = 0;
            if (!rec.u32(as))
                return false;
            if (pathLength == 0)
                firstAs = as;
            if (pathLength < std::uint32_t(kMaxAsPath))
                r.as_path[pathLength] = as;
            lastAs = as;
            ++pathLength;
        }
    }
    std::uint32_t communities = 0;
    if (!rec.u32(communities))
        return false;
    for (std::uint32_t i = 0; i < communities; ++i) {
        std::uint32_t community = 0;
        if (!rec.u32(community))
            return false;
        if (i < std::uint32_t(kMaxCommunities))
            r.bgp_communities[i] = community;
    }
    // local_pref follows; nothing in FlowRecord holds it.

    r.bgp_next_hop = nextHop;
    r.as_path_count = static_cast<std::uint8_t>(std::min<std::uint32_t>(pathLength, kMaxAsPath));
    r.bgp_communities_count =
        static_cast<std::uint8_t>(std::min<std::uint32_t>(communities, kMaxCommunities));
    // goflow2: destination AS is the end of the path (the router's own AS when the path is empty, i.e.
    // the destination is local to it), next-hop AS the start; the source AS falls back to the router's.
    r.dst_as = pathLength > 0 ? lastAs : routerAs;
    r.next_hop_as = pathLength > 0 ? firstAs : 0;
    r.src_as = srcAs > 0 ? srcAs : routerAs;
    return true;
}

} // namespace

struct SFlowDecoder::Datagram
{
    IpAddress agent;
    IpAddress source; ///< the datagram's source address
    std::uint32_t subAgentId = 0;
    std::uint32_t sequence = 0;
    std::uint32_t uptimeMs = 0;
    std::uint64_t receivedNs = 0;
};

SFlowDecoder::SFlowDecoder(DomainRegistry& domains, const SamplingOverrides* overrides, Decapsulation decap)
    : m_domains(domains)
    , m_overrides(overrides)
    , m_decap(decap)
{}

const SamplingOverride* SFlowDecoder::overrideFor(const Datagram& dg) const
{
    if (!m_overrides)
        return nullptr;
    if (const SamplingOverride* o = m_overrides->find(dg.agent))
        return o;
    return m_overrides->find(dg.source);
}

std::size_t SFlowDecoder::decode(std::span<const std::byte> datagram, const Endpoint& from,
                                 std::uint64_t receivedNs, std::vector<FlowRecord>& out,
                                 std::vector<InterfaceCounters>* counters)
{
    SFlowReader rd(datagram);
    std::uint32_t version = 0;
    if (!rd.u32(version)) {
        count(m_domains.unattributed(), Anomaly::TruncatedHeader);
        return 0;
    }
    if (version != kVersion5) {
        count(m_domains.unattributed(), Anomaly::UnknownProtocol);
        return 0;
    }
    Datagram dg;
    dg.receivedNs = receivedNs;
    dg.source = from.address;
    switch (readAddress(rd, dg.agent)) {
    case AddressRead::Ok:
        break;
    case AddressRead::Truncated:
        count(m_domains.unattributed(), Anomaly::TruncatedHeader);
        return 0;
    case AddressRead::BadType:
        count(m_domains.unattributed(), Anomaly::BadSample);
        return 0;
    }
    std::uint32_t sampleCount = 0;
    if (!rd.u32(dg.subAgentId) || !rd.u32(dg.sequence) || !rd.u32(dg.uptimeMs) || !rd.u32(sampleCount)) {
        count(m_domains.unattributed(), Anomaly::TruncatedHeader);
        return 0;
    }
    // The agent address names the device (it often differs from the datagram's source address); an agent
    // that does not know its address is named by the source.
    if (dg.agent.isZero())
        dg.agent = from.address;

    DomainStats* stats =
        m_domains.get(Endpoint{dg.agent, from.port}, dg.subAgentId, FlowType::SFlow5, kVersion5, receivedNs);
    if (!stats) {
        count(m_domains.unattributed(), Anomaly::ExporterLimit);
        return 0;
    }
    ++stats->datagrams;
    stats->bytes += datagram.size();
    accountSequence(*stats, dg.sequence, 1);

    const std::size_t before = out.size();
    bool readToEnd = true;
    for (std::uint32_t i = 0; i < sampleCount; ++i) {
        if (rd.remaining() == 0) {
            count(*stats, Anomaly::CountMismatch);
            break;
        }
        std::uint32_t format = 0;
        std::uint32_t length = 0;
        SFlowReader body;
        if (!rd.u32(format) || !rd.u32(length)) {
            count(*stats, Anomaly::TruncatedRecord);
            readToEnd = false;
            break;
        }
        if (!rd.sub(length, body)) {
            // A sample cut by the end of the datagram: decode what arrived, the reads inside stop at the cut.
            count(*stats, Anomaly::TruncatedRecord);
            rd.sub(rd.remaining(), body);
        }
        if ((format >> 12) != 0) {
            ++stats->sflowUnknownSamples;
            continue;
        }
        switch (format & 0xFFF) {
        case kFlowSample:
        case kExpandedFlowSample: {
            ++stats->sflowFlowSamples;
            FlowRecord& r = out.emplace_back();
            const SampleStatus status =
                decodeFlowSample(body, (format & 0xFFF) == kExpandedFlowSample, dg, *stats, r);
            if (status != SampleStatus::Ok)
                count(*stats, Anomaly::BadSample);
            if (status == SampleStatus::Unusable)
                out.pop_back();
            break;
        }
        case kCounterSample:
        case kExpandedCounterSample: {
            ++stats->sflowCounterSamples;
            InterfaceCounters c;
            bool hasGeneric = false;
            const SampleStatus status =
                decodeCounterSample(body, (format & 0xFFF) == kExpandedCounterSample, dg, c, hasGeneric);
            if (status != SampleStatus::Ok)
                count(*stats, Anomaly::BadSample);
            if (status != SampleStatus::Unusable && hasGeneric && counters)
                counters->push_back(c);
            break;
        }
        case kDiscardedPacket:
            ++stats->sflowDiscardedPackets;
            if (decodeDiscardSample(body) != SampleStatus::Ok)
                count(*stats, Anomaly::BadSample);
            break;
        default:
            ++stats->sflowUnknownSamples;
            break;
        }
    }
    if (readToEnd && rd.remaining() > 0 && !allZero(rd.rest()))
        count(*stats, Anomaly::TrailingBytes);

    const std::size_t produced = out.size() - before;
    stats->flows += produced;
    return produced;
}

SFlowDecoder::SampleStatus SFlowDecoder::decodeFlowSample(SFlowReader& s, bool expanded, const Datagram& dg,
                                                          DomainStats& stats, FlowRecord& r)
{
    std::uint32_t sequence = 0;
    std::uint32_t sourceType = 0;
    std::uint32_t sourceIndex = 0;
    std::uint32_t rate = 0;
    std::uint32_t pool = 0;
    std::uint32_t drops = 0;
    std::uint32_t inFormat = 0;
    std::uint32_t inValue = 0;
    std::uint32_t outFormat = 0;
    std::uint32_t outValue = 0;
    std::uint32_t recordCount = 0;
    if (expanded) {
        if (!s.u32(sequence) || !s.u32(sourceType) || !s.u32(sourceIndex) || !s.u32(rate) || !s.u32(pool) ||
            !s.u32(drops) || !s.u32(inFormat) || !s.u32(inValue) || !s.u32(outFormat) || !s.u32(outValue) ||
            !s.u32(recordCount))
            return SampleStatus::Unusable;
    } else {
        std::uint32_t sourceId = 0;
        std::uint32_t input = 0;
        std::uint32_t output = 0;
        if (!s.u32(sequence) || !s.u32(sourceId) || !s.u32(rate) || !s.u32(pool) || !s.u32(drops) ||
            !s.u32(input) || !s.u32(output) || !s.u32(recordCount))
            return SampleStatus::Unusable;
        sourceType = sourceId >> 24;
        sourceIndex = sourceId & 0x00FFFFFF;
        inFormat = input >> 30;
        inValue = input & 0x3FFFFFFF;
        outFormat = output >> 30;
        outValue = output & 0x3FFFFFFF;
    }

    r.type = FlowType::SFlow5;
    r.time_received_ns = dg.receivedNs;
    r.time_flow_start_ns = dg.receivedNs;
    r.time_flow_end_ns = dg.receivedNs;
    r.sampler_address = dg.agent;
    r.observation_domain_id = dg.subAgentId;
    r.sequence_num = dg.sequence;
    const SamplingOverride* ovr = overrideFor(dg);
    r.sampling_rate = ovr ? ovr->apply(rate) : rate;
    r.packets = 1;
    r.in_if = interfaceIndex(inFormat, inValue);
    r.out_if = interfaceIndex(outFormat, outValue);
    if (outFormat == kInterfaceFormatDiscard)
        r.forwarding_status = forwardingStatusForDiscard(outValue);
    // The data source is where the packet was sampled: not its input interface means it was sampled on
    // the way out (as Telegraf reads it). Only ifIndex data sources can be compared.
    if (sourceType == 0 && inFormat == kInterfaceFormatIndex && sourceIndex != inValue &&
        ((outFormat == kInterfaceFormatIndex && sourceIndex == outValue) ||
         outFormat == kInterfaceFormatMultiple))
        r.flow_direction = 1;
    stats.samplingRate = r.sampling_rate;

    BytesSource bytesSource = BytesSource::None;
    for (std::uint32_t i = 0; i < recordCount; ++i) {
        std::uint32_t format = 0;
        std::uint32_t length = 0;
        SFlowReader rec;
        if (!s.u32(format) || !s.u32(length) || !s.sub(length, rec))
            return SampleStatus::Malformed;
        if ((format >> 12) != 0)
            continue;
        switch (format & 0xFFF) {
        case kRawPacketHeader: {
            std::uint32_t protocol = 0;
            std::uint32_t frameLength = 0;
            std::uint32_t stripped = 0;
            std::span<const std::byte> header;
            if (!rec.u32(protocol) || !rec.u32(frameLength) || !rec.u32(stripped) || !rec.opaque(header))
                return SampleStatus::Malformed;
            r.bytes = frameLength;
            bytesSource = BytesSource::RawHeader;
            bool decapsulated = false;
            const std::uint32_t ipLength =
                parsePacketHeader(header, static_cast<HeaderProtocol>(protocol), r, m_decap, &decapsulated);
            // The frame length counts the tunnel; a decapsulated flow is its inner packet.
            if (decapsulated)
                r.bytes = ipLength;
            break;
        }
        case kSampledEthernet: {
            std::uint32_t length = 0;
            std::span<const std::byte> src;
            std::span<const std::byte> dst;
            std::uint32_t type = 0;
            // mac is XDR opaque[6]: six bytes padded to eight.
            if (!rec.u32(length) || !rec.bytes(8, src) || !rec.bytes(8, dst) || !rec.u32(type))
                return SampleStatus::Malformed;
            if (bytesSource < BytesSource::EthernetRecord) {
                r.bytes = length;
                bytesSource = BytesSource::EthernetRecord;
            }
            r.src_mac = macFromXdr(src);
            r.dst_mac = macFromXdr(dst);
            if (type >= 0x0600 && type <= 0xFFFF)
                r.etype = static_cast<std::uint16_t>(type);
            break;
        }
        case kSampledIpv4:
        case kSampledIpv6: {
            const bool v6 = (format & 0xFFF) == kSampledIpv6;
            std::uint32_t length = 0;
            std::uint32_t protocol = 0;
            std::span<const std::byte> src;
            std::span<const std::byte> dst;
            std::uint32_t srcPort = 0;
            std::uint32_t dstPort = 0;
            std::uint32_t tcpFlags = 0;
            std::uint32_t tos = 0;
            const std::size_t addressSize = v6 ? 16 : 4;
            if (!rec.u32(length) || !rec.u32(protocol) || !rec.bytes(addressSize, src) ||
                !rec.bytes(addressSize, dst) || !rec.u32(srcPort) || !rec.u32(dstPort) ||
                !rec.u32(tcpFlags) || !rec.u32(tos))
                return SampleStatus::Malformed;
            if (bytesSource < BytesSource::IpRecord) {
                r.bytes = length;
                bytesSource = BytesSource::IpRecord;
            }
            const auto* s8 = reinterpret_cast<const std::uint8_t*>(src.data());
            const auto* d8 = reinterpret_cast<const std::uint8_t*>(dst.data());
            r.src_addr = v6 ? IpAddress::fromV6Bytes(s8) : IpAddress::fromV4Bytes(s8);
            r.dst_addr = v6 ? IpAddress::fromV6Bytes(d8) : IpAddress::fromV4Bytes(d8);
            r.etype = v6 ? kEtypeIpv6 : kEtypeIpv4;
            r.proto = static_cast<std::uint8_t>(protocol);
            r.src_port = static_cast<std::uint16_t>(srcPort);
            r.dst_port = static_cast<std::uint16_t>(dstPort);
            r.tcp_flags = static_cast<std::uint16_t>(tcpFlags & 0xFF);
            r.ip_tos = static_cast<std::uint8_t>(tos); // IPv6: the priority (traffic class)
            break;
        }
        case kExtendedSwitch: {
            std::uint32_t srcVlan = 0;
            std::uint32_t srcPriority = 0;
            std::uint32_t dstVlan = 0;
            std::uint32_t dstPriority = 0;
            if (!rec.u32(srcVlan) || !rec.u32(srcPriority) || !rec.u32(dstVlan) || !rec.u32(dstPriority))
                return SampleStatus::Malformed;
            // Values past 4095 are "unknown" markers, not VLANs.
            if (srcVlan < 4096)
                r.src_vlan = static_cast<std::uint16_t>(srcVlan);
            if (dstVlan < 4096)
                r.dst_vlan = static_cast<std::uint16_t>(dstVlan);
            break;
        }
        case kExtendedRouter: {
            std::uint32_t srcMask = 0;
            std::uint32_t dstMask = 0;
            if (readAddress(rec, r.next_hop) != AddressRead::Ok || !rec.u32(srcMask) || !rec.u32(dstMask))
                return SampleStatus::Malformed;
            r.src_net = prefixLength(srcMask);
            r.dst_net = prefixLength(dstMask);
            break;
        }
        case kExtendedGateway:
            if (!decodeExtendedGateway(rec, r))
                return SampleStatus::Malformed;
            break;
        case kExtendedNat:
            if (readAddress(rec, r.post_nat_src_addr) != AddressRead::Ok ||
                readAddress(rec, r.post_nat_dst_addr) != AddressRead::Ok)
                return SampleStatus::Malformed;
            break;
        case kExtendedNatPort: {
            std::uint32_t srcPort = 0;
            std::uint32_t dstPort = 0;
            if (!rec.u32(srcPort) || !rec.u32(dstPort))
                return SampleStatus::Malformed;
            r.post_nat_src_port = static_cast<std::uint16_t>(srcPort);
            r.post_nat_dst_port = static_cast<std::uint16_t>(dstPort);
            break;
        }
        default:
            break;
        }
    }
    return SampleStatus::Ok;
}

SFlowDecoder::SampleStatus SFlowDecoder::decodeCounterSample(SFlowReader& s, bool expanded,
                                                             const Datagram& dg, InterfaceCounters& c,
                                                             bool& hasGeneric)
{
    std::uint32_t recordCount = 0;
    if (expanded) {
        if (!s.u32(c.sampleSequence) || !s.u32(c.sourceIdType) || !s.u32(c.sourceIdIndex) ||
            !s.u32(recordCount))
            return SampleStatus::Unusable;
    } else {
        std::uint32_t sourceId = 0;
        if (!s.u32(c.sampleSequence) || !s.u32(sourceId) || !s.u32(recordCount))
            return SampleStatus::Unusable;
        c.sourceIdType = sourceId >> 24;
        c.sourceIdIndex = sourceId & 0x00FFFFFF;
    }
    c.timeReceivedNs = dg.receivedNs;
    c.agent = dg.agent;
    c.subAgentId = dg.subAgentId;
    c.agentUptimeMs = dg.uptimeMs;

    for (std::uint32_t i = 0; i < recordCount; ++i) {
        std::uint32_t format = 0;
        std::uint32_t length = 0;
        SFlowReader rec;
        if (!s.u32(format) || !s.u32(length) || !s.sub(length, rec))
            return SampleStatus::Malformed;
        if ((format >> 12) != 0)
            continue;
        switch (format & 0xFFF) {
        case kGenericInterfaceCounters:
            if (rec.remaining() < kGenericInterfaceCountersSize)
                return SampleStatus::Malformed;
            rec.u32(c.ifIndex);
            rec.u32(c.ifType);
            rec.u64(c.ifSpeed);
            rec.u32(c.ifDirection);
            rec.u32(c.ifStatus);
            rec.u64(c.inOctets);
            rec.u32(c.inUcastPkts);
            rec.u32(c.inMulticastPkts);
            rec.u32(c.inBroadcastPkts);
            rec.u32(c.inDiscards);
            rec.u32(c.inErrors);
            rec.u32(c.inUnknownProtos);
            rec.u64(c.outOctets);
            rec.u32(c.outUcastPkts);
            rec.u32(c.outMulticastPkts);
            rec.u32(c.outBroadcastPkts);
            rec.u32(c.outDiscards);
            rec.u32(c.outErrors);
            rec.u32(c.ifPromiscuousMode);
            hasGeneric = true;
            break;
        case kEthernetInterfaceCounters:
            if (rec.remaining() < kEthernetInterfaceCountersSize)
                return SampleStatus::Malformed;
            rec.u32(c.dot3AlignmentErrors);
            rec.u32(c.dot3FcsErrors);
            rec.u32(c.dot3SingleCollisionFrames);
            rec.u32(c.dot3MultipleCollisionFrames);
            rec.u32(c.dot3SqeTestErrors);
            rec.u32(c.dot3DeferredTransmissions);
            rec.u32(c.dot3LateCollisions);
            rec.u32(c.dot3ExcessiveCollisions);
            rec.u32(c.dot3InternalMacTransmitErrors);
            rec.u32(c.dot3CarrierSenseErrors);
            rec.u32(c.dot3FrameTooLongs);
            rec.u32(c.dot3InternalMacReceiveErrors);
            rec.u32(c.dot3SymbolErrors);
            c.hasEthernet = true;
            break;
        case kPortName: {
            std::span<const std::byte> name;
            if (!rec.opaque(name))
                return SampleStatus::Malformed;
            const std::size_t n = std::min(name.size(), InterfaceCounters::kMaxPortName);
            std::memcpy(c.portNameBuffer.data(), name.data(), n);
            c.portNameLength = static_cast<std::uint8_t>(n);
            break;
        }
        default:
            break;
        }
    }
    return SampleStatus::Ok;
}

SFlowDecoder::SampleStatus SFlowDecoder::decodeDiscardSample(SFlowReader& s)
{
    // sequence, source id type, source id index, drops, input, output, reason, then flow records. The
    // records (egress queue, ACL, function, packet header ...) are only checked for framing: FlowLens
    // counts discards, it does not turn them into flows.
    std::uint32_t field = 0;
    for (int i = 0; i < 7; ++i)
        if (!s.u32(field))
            return SampleStatus::Malformed;
    std::uint32_t recordCount = 0;
    if (!s.u32(recordCount))
        return SampleStatus::Malformed;
    for (std::uint32_t i = 0; i < recordCount; ++i) {
        std::uint32_t format = 0;
        std::uint32_t length = 0;
        if (!s.u32(format) || !s.u32(length) || !s.skip(length))
            return SampleStatus::Malformed;
    }
    return SampleStatus::Ok;
}

} // namespace flowlens::decode
