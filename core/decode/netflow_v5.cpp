#include "netflow_v5.h"

#include <algorithm>

#include "byte_reader.h"
#include "ie_registry.h"
#include "set_decoder.h"

namespace flowlens::decode {

namespace {

constexpr std::size_t kHeaderSize = 24;
constexpr std::size_t kRecordSize = 48;
constexpr std::uint16_t kMaxCount = 30; // Cisco's limit for one v5 datagram

void countAnomaly(AnomalyCounters& c, Anomaly a)
{
    ++c[static_cast<std::size_t>(a)];
}

} // namespace

NetflowV5Decoder::NetflowV5Decoder(DecoderContext& context)
    : m_context(context)
{}

std::size_t NetflowV5Decoder::decode(std::span<const std::byte> datagram, const Endpoint& from,
                                     std::uint64_t receivedNs, std::vector<FlowRecord>& out)
{
    ByteReader header(datagram);
    const std::uint16_t version = header.u16();
    const std::uint16_t count = header.u16();
    const std::uint32_t sysUptime = header.u32();
    const std::uint32_t unixSecs = header.u32();
    const std::uint32_t unixNsecs = header.u32();
    const std::uint32_t sequence = header.u32();
    const std::uint8_t engineType = header.u8();
    const std::uint8_t engineId = header.u8();
    const std::uint16_t sampling = header.u16();
    if (!header.ok()) {
        countAnomaly(m_context.registry.unattributed(), Anomaly::TruncatedHeader);
        return 0;
    }

    const std::uint32_t domain = (std::uint32_t(engineType) << 8) | engineId;
    DomainStats* stats = m_context.registry.get(from, domain, FlowType::NetFlowV5, version, receivedNs);
    if (!stats) {
        countAnomaly(m_context.registry.unattributed(), Anomaly::ExporterLimit);
        return 0;
    }
    ++stats->datagrams;
    stats->bytes += datagram.size();

    const std::size_t present = (datagram.size() - kHeaderSize) / kRecordSize;
    std::size_t n = count;
    if (count > present) {
        // Decode what is really there; the header promises more than the datagram holds.
        countAnomaly(stats->anomalies, Anomaly::BadLength);
        n = present;
    }
    if (count == 0 || count > kMaxCount)
        countAnomaly(stats->anomalies, Anomaly::CountMismatch);
    const std::size_t used = kHeaderSize + n * kRecordSize;
    if (used < datagram.size()) {
        const auto* tail = reinterpret_cast<const std::uint8_t*>(datagram.data()) + used;
        for (std::size_t i = 0; i < datagram.size() - used; ++i) {
            if (tail[i]) {
                countAnomaly(stats->anomalies, Anomaly::TrailingBytes);
                break;
            }
        }
    }

    // Top 2 bits: sampling mode; low 14 bits: interval (1 out of N).
    std::uint64_t rate = sampling & 0x3fff;
    if (const SamplingOverride* ovr = m_context.overrideFor(from.address)) {
        if (ovr->force || rate == 0)
            rate = ovr->rate;
    }
    if (rate)
        stats->samplingRate = rate;

    const std::uint64_t exportNs =
        std::uint64_t(unixSecs) * 1'000'000'000ull + (unixNsecs < 1'000'000'000u ? unixNsecs : 0);

    FlowRecord base;
    base.type = FlowType::NetFlowV5;
    base.time_received_ns = receivedNs;
    base.sampler_address = from.address;
    base.sequence_num = sequence;
    base.observation_domain_id = domain;
    base.sampling_rate = rate;
    base.etype = 0x0800;

    const auto* p = reinterpret_cast<const std::uint8_t*>(datagram.data()) + kHeaderSize;
    if (out.capacity() <
        out.size() + n) // grow geometrically: an exact reserve per datagram copies the batch each time
        out.reserve(std::max(out.size() + n, out.capacity() * 2));
    for (std::size_t i = 0; i < n; ++i, p += kRecordSize) {
        FlowRecord& r = out.emplace_back(base);
        r.src_addr = IpAddress::fromV4Bytes(p);
        r.dst_addr = IpAddress::fromV4Bytes(p + 4);
        r.next_hop = IpAddress::fromV4Bytes(p + 8);
        r.in_if = loadBe16(p + 12);
        r.out_if = loadBe16(p + 14);
        r.packets = loadBe32(p + 16);
        r.bytes = loadBe32(p + 20);
        r.time_flow_start_ns = uptimeToUnixNs(exportNs, sysUptime, loadBe32(p + 24));
        r.time_flow_end_ns = uptimeToUnixNs(exportNs, sysUptime, loadBe32(p + 28));
        r.src_port = loadBe16(p + 32);
        r.dst_port = loadBe16(p + 34);
        r.tcp_flags = p[37];
        r.proto = p[38];
        r.ip_tos = p[39];
        r.src_as = loadBe16(p + 40);
        r.dst_as = loadBe16(p + 42);
        r.src_net = p[44];
        r.dst_net = p[45];
        // v5 has no ICMP fields; exporters put type << 8 | code in the destination port.
        if (r.proto == 1) {
            r.icmp_type = static_cast<std::uint8_t>(r.dst_port >> 8);
            r.icmp_code = static_cast<std::uint8_t>(r.dst_port);
        }
    }
    stats->flows += n;
    // The exporter numbered `count` flows (unless the count itself is nonsense).
    accountSequence(*stats, sequence, static_cast<std::uint32_t>(count <= kMaxCount ? count : n));
    return n;
}

} // namespace flowlens::decode
