#include "sflow_encoder.h"

#include "core/gen/byte_writer.h"
#include "core/gen/traffic_model.h"

#include <algorithm>
#include <limits>

namespace flowlens::gen {

namespace {

constexpr std::uint32_t kFlowSample = 1;
constexpr std::uint32_t kCountersSample = 2;
constexpr std::uint32_t kRawPacketHeader = 1;
constexpr std::uint32_t kExtendedSwitch = 1001;
constexpr std::uint32_t kExtendedRouter = 1002;
constexpr std::uint32_t kExtendedGateway = 1003;
constexpr std::uint32_t kGenericInterfaceCounters = 1;
constexpr std::uint32_t kHeaderProtocolEthernet = 1;
constexpr std::uint32_t kAsSequence = 2;
constexpr std::uint32_t kEthernetFcs = 4;
constexpr std::uint32_t kEthernetHeader = 14;
constexpr std::size_t kMaxInterfaces = 1024;

constexpr std::uint8_t kTcp = 6, kUdp = 17, kIcmp = 1, kIcmp6 = 58;
constexpr std::uint8_t kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;

std::uint32_t ipHeaderLength(const decode::FlowRecord& r)
{
    return r.src_addr.isV4() ? 20 : 40;
}

/// ICMP errors quote the datagram that caused them (RFC 792, RFC 4443).
bool isIcmpError(const decode::FlowRecord& r)
{
    if (r.proto == kIcmp)
        return r.icmp_type == 3 || r.icmp_type == 4 || r.icmp_type == 5 || r.icmp_type == 11 ||
               r.icmp_type == 12;
    return r.proto == kIcmp6 && r.icmp_type >= 1 && r.icmp_type <= 4;
}

/// Transport header bytes the sampled header carries; for ICMP errors this includes the quoted
/// IP header and the first 8 bytes of its payload, as a real capture of the first bytes would.
std::uint32_t l4HeaderLength(const decode::FlowRecord& r)
{
    switch (r.proto) {
    case kTcp:
        return 20;
    case kUdp:
        return 8;
    case kIcmp:
    case kIcmp6:
        return isIcmpError(r) ? 8 + ipHeaderLength(r) + 8 : 8;
    default:
        return 0;
    }
}

/// A stable 32-bit mix of the flow's identity, for TCP sequence numbers and ICMP ids.
std::uint32_t flowHash(const decode::FlowRecord& r)
{
    std::uint64_t h = decode::IpAddressHash{}(r.src_addr) ^ (decode::IpAddressHash{}(r.dst_addr) << 1);
    h ^= (std::uint64_t(r.src_port) << 16 | r.dst_port) * 0x9E3779B97F4A7C15ull;
    h ^= r.time_flow_start_ns;
    h *= 0xBF58476D1CE4E5B9ull;
    return std::uint32_t(h ^ (h >> 32));
}

std::uint16_t ipv4Checksum(ByteWriter& w, std::size_t headerAt)
{
    std::uint32_t sum = 0;
    for (std::size_t i = 0; i < 20; i += 2)
        sum += w.load16At(headerAt + i);
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return std::uint16_t(~sum);
}

/// The start of the UDP datagram an ICMP error answers: sent by the flow's destination to its
/// source (the flow is the error travelling back), `length` bytes long.
void writeQuotedDatagram(ByteWriter& w, const decode::FlowRecord& r, std::uint32_t length, std::uint32_t hash)
{
    const auto sourcePort = std::uint16_t(32768 + hash % 28000);
    if (r.src_addr.isV4()) {
        const std::size_t ip = w.size();
        w.put8(0x45);
        w.put8(0);
        w.put16(std::uint16_t(length));
        w.put16(std::uint16_t(hash >> 16));
        w.put16(0);
        w.put8(64);
        w.put8(kUdp);
        w.put16(0);
        w.putBytes(r.dst_addr.bytes.data() + 12, 4);
        w.putBytes(r.src_addr.bytes.data() + 12, 4);
        w.patch16(ip + 10, ipv4Checksum(w, ip));
        w.put16(sourcePort);
        w.put16(443);
        w.put16(std::uint16_t(length - 20));
    } else {
        w.put32(6u << 28);
        w.put16(std::uint16_t(length - 40));
        w.put8(kUdp);
        w.put8(64);
        w.putBytes(r.dst_addr.bytes.data(), 16);
        w.putBytes(r.src_addr.bytes.data(), 16);
        w.put16(sourcePort);
        w.put16(443);
        w.put16(std::uint16_t(length - 40));
    }
    w.put16(std::uint16_t(hash | 1));
}

void writeAddress(ByteWriter& w, const decode::IpAddress& a, bool v4)
{
    if (v4) {
        w.put32(1);
        w.putBytes(a.bytes.data() + 12, 4);
    } else {
        w.put32(2);
        w.putBytes(a.bytes.data(), 16);
    }
}

/// Writes a record or sample: format, length placeholder; returns where the length goes.
std::size_t beginStructure(ByteWriter& w, std::uint32_t format)
{
    w.put32(format);
    w.put32(0);
    return w.size() - 4;
}

void endStructure(ByteWriter& w, std::size_t lengthAt)
{
    w.patch32(lengthAt, std::uint32_t(w.size() - lengthAt - 4));
}

bool hasGateway(const decode::FlowRecord& r)
{
    return r.src_as != 0 || r.dst_as != 0;
}

} // namespace

SflowEncoder::SflowEncoder(const EncoderOptions& options)
    : FlowEncoder(options)
    , m_agent(options.agentAddress.isZero() ? decode::IpAddress::fromV4(0x0a010001) : options.agentAddress)
    , m_rate(std::uint32_t(std::clamp<std::uint64_t>(options.samplingRate, 1, 0xffffffffu)))
{}

std::uint32_t SflowEncoder::sampledPacketLength(const decode::FlowRecord& r)
{
    const std::uint32_t headers = ipHeaderLength(r) + l4HeaderLength(r);
    const std::uint64_t mean = r.packets ? (r.bytes + r.packets / 2) / r.packets : headers;
    return std::uint32_t(std::clamp<std::uint64_t>(mean, headers, 1500));
}

std::uint8_t SflowEncoder::sampledTcpFlags(std::uint16_t f)
{
    if ((f & kSyn) && !(f & kAck))
        return kSyn;
    if ((f & kRst) && !(f & kPsh))
        return kRst | kAck;
    return std::uint8_t(kAck | (f & kPsh));
}

SflowEncoder::Interface& SflowEncoder::interfaceFor(std::uint32_t ifIndex)
{
    for (auto& i : m_interfaces)
        if (i.ifIndex == ifIndex)
            return i;
    if (m_interfaces.size() >= kMaxInterfaces)
        return m_interfaces.back(); // bounded: further sources share the last slot
    m_interfaces.push_back(Interface{ifIndex});
    return m_interfaces.back();
}

void SflowEncoder::writeFlowSample(const decode::FlowRecord& r)
{
    m_sample.clear();
    ByteWriter w(m_sample);
    const bool v4 = r.src_addr.isV4();
    const std::uint32_t ipLength = sampledPacketLength(r);
    const std::uint32_t frameLength = kEthernetHeader + ipLength + kEthernetFcs;

    Interface& source = interfaceFor(r.in_if);
    source.samplePool += m_rate;
    source.inOctets += std::uint64_t(frameLength - kEthernetFcs) * m_rate;
    source.inPackets += m_rate;
    if (r.out_if) {
        Interface& egress = interfaceFor(r.out_if);
        egress.outOctets += std::uint64_t(frameLength - kEthernetFcs) * m_rate;
        egress.outPackets += m_rate;
    }
    Interface& src = interfaceFor(r.in_if); // the egress lookup may have grown the table

    const std::size_t sampleLength = beginStructure(w, kFlowSample);
    w.put32(src.flowSequence++);
    w.put32(r.in_if & 0x00ffffff); // source id: type 0 (ifIndex) in the top byte
    w.put32(m_rate);
    w.put32(src.samplePool);
    w.put32(0); // drops
    w.put32(r.in_if & 0x3fffffff);
    w.put32(r.out_if & 0x3fffffff);
    w.put32(hasGateway(r) ? 4 : 3);

    // Raw packet header.
    const std::size_t rawLength = beginStructure(w, kRawPacketHeader);
    w.put32(kHeaderProtocolEthernet);
    w.put32(frameLength);
    w.put32(kEthernetFcs);
    const std::uint32_t headerLength = kEthernetHeader + ipHeaderLength(r) + l4HeaderLength(r);
    w.put32(headerLength);
    const std::size_t headerStart = w.size();
    for (int i = 5; i >= 0; --i)
        w.put8(std::uint8_t(r.dst_mac >> (8 * i)));
    for (int i = 5; i >= 0; --i)
        w.put8(std::uint8_t(r.src_mac >> (8 * i)));
    w.put16(v4 ? 0x0800 : 0x86dd);
    const std::uint32_t hash = flowHash(r);
    if (v4) {
        const std::size_t ip = w.size();
        w.put8(0x45);
        w.put8(r.ip_tos);
        w.put16(std::uint16_t(ipLength));
        w.put16(0);                            // identification
        w.put16(r.proto == kTcp ? 0x4000 : 0); // DF on TCP segments
        w.put8(r.ip_ttl ? r.ip_ttl : 64);
        w.put8(r.proto);
        w.put16(0);
        w.putBytes(r.src_addr.bytes.data() + 12, 4);
        w.putBytes(r.dst_addr.bytes.data() + 12, 4);
        w.patch16(ip + 10, ipv4Checksum(w, ip));
    } else {
        w.put32((6u << 28) | (std::uint32_t(r.ip_tos) << 20) | (r.ipv6_flow_label & 0xfffff));
        w.put16(std::uint16_t(ipLength - 40));
        w.put8(r.proto);
        w.put8(r.ip_ttl ? r.ip_ttl : 64);
        w.putBytes(r.src_addr.bytes.data(), 16);
        w.putBytes(r.dst_addr.bytes.data(), 16);
    }
    const std::uint32_t l4Length = ipLength - ipHeaderLength(r);
    switch (r.proto) {
    case kTcp:
        w.put16(r.src_port);
        w.put16(r.dst_port);
        w.put32(hash);
        w.put32(sampledTcpFlags(r.tcp_flags) & kAck ? hash * 2654435761u : 0);
        w.put8(0x50); // data offset 5 words
        w.put8(sampledTcpFlags(r.tcp_flags));
        w.put16(502);
        w.put16(0); // checksum covers payload the header does not carry
        w.put16(0);
        break;
    case kUdp:
        w.put16(r.src_port);
        w.put16(r.dst_port);
        w.put16(std::uint16_t(l4Length));
        w.put16(std::uint16_t(hash | 1)); // IPv6 forbids a zero UDP checksum
        break;
    case kIcmp:
    case kIcmp6:
        w.put8(r.icmp_type);
        w.put8(r.icmp_code);
        w.put16(0);
        if (isIcmpError(r)) {
            w.put32(0); // unused (no RFC 4884 length, no MTU)
            writeQuotedDatagram(w, r, ipLength - 8 - ipHeaderLength(r), hash);
        } else {
            w.put16(std::uint16_t(hash)); // echo identifier and sequence number
            w.put16(1);
        }
        break;
    default:
        break;
    }
    w.padTo(headerStart, 4);
    endStructure(w, rawLength);

    const std::size_t switchLength = beginStructure(w, kExtendedSwitch);
    w.put32(r.src_vlan);
    w.put32(0);
    w.put32(r.dst_vlan);
    w.put32(0);
    endStructure(w, switchLength);

    const std::size_t routerLength = beginStructure(w, kExtendedRouter);
    writeAddress(w, r.next_hop, v4);
    w.put32(r.src_net);
    w.put32(r.dst_net);
    endStructure(w, routerLength);

    if (hasGateway(r)) {
        const std::size_t gatewayLength = beginStructure(w, kExtendedGateway);
        writeAddress(w, r.bgp_next_hop, v4);
        w.put32(0); // the router's own AS: the lab has none
        w.put32(r.src_as);
        w.put32(0); // src peer AS
        if (r.dst_as) {
            w.put32(1); // one path segment
            w.put32(kAsSequence);
            const bool viaPeer = r.next_hop_as && r.next_hop_as != r.dst_as;
            w.put32(viaPeer ? 2 : 1);
            if (viaPeer)
                w.put32(r.next_hop_as);
            w.put32(r.dst_as);
        } else {
            w.put32(0);
        }
        w.put32(0);   // communities
        w.put32(100); // local preference
        endStructure(w, gatewayLength);
    }
    endStructure(w, sampleLength);
}

void SflowEncoder::writeCounterSample(Interface& itf)
{
    m_sample.clear();
    ByteWriter w(m_sample);
    std::uint64_t speed = 1'000'000'000ull;
    for (const ModelInterface& m : TrafficModel::interfaces())
        if (m.ifIndex == itf.ifIndex)
            speed = m.speedBps;
    const std::size_t sampleLength = beginStructure(w, kCountersSample);
    w.put32(itf.counterSequence++);
    w.put32(itf.ifIndex & 0x00ffffff);
    w.put32(1);
    const std::size_t recordLength = beginStructure(w, kGenericInterfaceCounters);
    w.put32(itf.ifIndex);
    w.put32(6); // ethernetCsmacd
    w.put64(speed);
    w.put32(1); // full duplex
    w.put32(3); // admin up, oper up
    w.put64(itf.inOctets);
    w.put32(itf.inPackets);
    w.put32(0); // multicast
    w.put32(0); // broadcast
    w.put32(0); // discards
    w.put32(0); // errors
    w.put32(0); // unknown protocols
    w.put64(itf.outOctets);
    w.put32(itf.outPackets);
    w.put32(0);
    w.put32(0);
    w.put32(0);
    w.put32(0);
    w.put32(0); // promiscuous mode off
    endStructure(w, recordLength);
    endStructure(w, sampleLength);
}

void SflowEncoder::openDatagram(DatagramBatch& out, std::uint64_t nowNs)
{
    ByteWriter w(out.buffer());
    w.put32(5);
    writeAddress(w, m_agent, m_agent.isV4());
    w.put32(m_options.domainId);
    w.put32(m_sequence++);
    const std::uint64_t nowMs = nowNs / 1'000'000;
    w.put32(std::uint32_t(nowMs - std::min(nowMs, m_bootMs)));
    m_samplesCountAt = w.size();
    w.put32(0);
    m_open = true;
    m_openSamples = 0;
    m_openFlowSamples = 0;
}

void SflowEncoder::closeDatagram(DatagramBatch& out)
{
    if (!m_open)
        return;
    ByteWriter(out.buffer()).patch32(m_samplesCountAt, std::uint32_t(m_openSamples));
    out.finishDatagram();
    m_open = false;
    ++m_datagrams;
}

void SflowEncoder::appendSample(DatagramBatch& out, std::uint64_t nowNs, bool isFlowSample)
{
    const bool countFull = isFlowSample && m_options.recordsPerDatagram > 0 &&
                           m_openFlowSamples >= std::size_t(m_options.recordsPerDatagram);
    if (m_open && m_openSamples > 0 && (countFull || out.openSize() + m_sample.size() > datagramBudget()))
        closeDatagram(out);
    if (!m_open)
        openDatagram(out, nowNs);
    out.buffer().insert(out.buffer().end(), m_sample.begin(), m_sample.end());
    ++m_openSamples;
    m_openFlowSamples += isFlowSample ? 1 : 0;
}

std::size_t SflowEncoder::encode(std::span<const decode::FlowRecord> flows, std::uint64_t nowNs,
                                 DatagramBatch& out)
{
    bootMs(nowNs);
    out.discardOpen();
    m_open = false;
    for (const decode::FlowRecord& r : flows) {
        writeFlowSample(r);
        appendSample(out, nowNs, true);
    }
    if (!m_countersSent ||
        double(nowNs - std::min(nowNs, m_lastCountersNs)) >= m_options.counterIntervalSeconds * 1e9) {
        for (Interface& itf : m_interfaces) {
            writeCounterSample(itf);
            appendSample(out, nowNs, false);
        }
        m_countersSent = !m_interfaces.empty();
        m_lastCountersNs = nowNs;
    }
    closeDatagram(out);
    m_flows += flows.size();
    return flows.size();
}

decode::FlowRecord SflowEncoder::expectedDecode(const decode::FlowRecord& r) const
{
    decode::FlowRecord e;
    const bool v4 = r.src_addr.isV4();
    e.type = decode::FlowType::SFlow5;
    e.etype = v4 ? 0x0800 : 0x86dd;
    e.bytes = kEthernetHeader + sampledPacketLength(r) + kEthernetFcs;
    e.packets = 1;
    e.sampling_rate = m_rate;
    e.observation_domain_id = m_options.domainId;
    e.src_addr = r.src_addr;
    e.dst_addr = r.dst_addr;
    e.src_mac = r.src_mac & 0xffffffffffffull;
    e.dst_mac = r.dst_mac & 0xffffffffffffull;
    e.in_if = r.in_if & 0x3fffffff;
    e.out_if = r.out_if & 0x3fffffff;
    e.proto = r.proto;
    e.ip_tos = r.ip_tos;
    e.ip_ttl = r.ip_ttl ? r.ip_ttl : 64;
    if (v4)
        e.ip_flags = r.proto == kTcp ? 2 : 0; // DF
    else
        e.ipv6_flow_label = r.ipv6_flow_label & 0xfffff;
    if (r.proto == kTcp || r.proto == kUdp) {
        e.src_port = r.src_port;
        e.dst_port = r.dst_port;
    }
    if (r.proto == kTcp)
        e.tcp_flags = sampledTcpFlags(r.tcp_flags);
    if (r.proto == kIcmp || r.proto == kIcmp6) {
        e.icmp_type = r.icmp_type;
        e.icmp_code = r.icmp_code;
    }
    e.src_vlan = r.src_vlan;
    e.dst_vlan = r.dst_vlan;
    e.next_hop = v4 ? decode::IpAddress::fromV4(r.next_hop.isV4() ? r.next_hop.v4() : 0) : r.next_hop;
    e.src_net = r.src_net;
    e.dst_net = r.dst_net;
    if (hasGateway(r)) {
        e.bgp_next_hop =
            v4 ? decode::IpAddress::fromV4(r.bgp_next_hop.isV4() ? r.bgp_next_hop.v4() : 0) : r.bgp_next_hop;
        e.src_as = r.src_as;
        e.dst_as = r.dst_as;
        if (r.dst_as) {
            const bool viaPeer = r.next_hop_as && r.next_hop_as != r.dst_as;
            e.as_path_count = viaPeer ? 2 : 1;
            e.as_path[0] = viaPeer ? r.next_hop_as : r.dst_as;
            e.as_path[1] = viaPeer ? r.dst_as : 0;
            e.next_hop_as = e.as_path[0];
        }
    }
    return e;
}

} // namespace flowlens::gen
