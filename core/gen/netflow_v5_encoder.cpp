#include "netflow_v5_encoder.h"

#include "core/gen/byte_writer.h"

#include <algorithm>

namespace flowlens::gen {

namespace {

constexpr std::uint16_t kAsTrans = 23456;

std::uint16_t as16(std::uint32_t as)
{
    return as > 0xffff ? kAsTrans : std::uint16_t(as);
}

std::uint32_t clamp32(std::uint64_t v)
{
    return std::uint32_t(std::min<std::uint64_t>(v, 0xffffffffu));
}

std::uint16_t clamp16(std::uint32_t v)
{
    return std::uint16_t(std::min<std::uint32_t>(v, 0xffff));
}

bool isIcmp(const decode::FlowRecord& r)
{
    return r.proto == 1 || r.proto == 58;
}

std::uint32_t uptime(std::uint64_t timeNs, std::uint64_t bootMs)
{
    const std::uint64_t ms = timeNs / 1'000'000;
    return std::uint32_t(ms > bootMs ? ms - bootMs : 0);
}

} // namespace

NetflowV5Encoder::NetflowV5Encoder(const EncoderOptions& options)
    : FlowEncoder(options)
    , m_recordsPerDatagram(options.recordsPerDatagram > 0 ? std::min(options.recordsPerDatagram, kMaxRecords)
                                                          : kMaxRecords)
{}

bool NetflowV5Encoder::canEncode(const decode::FlowRecord& flow) const
{
    return flow.src_addr.isV4() && flow.dst_addr.isV4();
}

std::size_t NetflowV5Encoder::encode(std::span<const decode::FlowRecord> flows, std::uint64_t nowNs,
                                     DatagramBatch& out)
{
    const std::uint64_t boot = bootMs(nowNs);
    // The header instant is whole ms after boot: decoders derive boot = header time - sysUptime
    // exactly, and with it each record's time.
    const std::uint64_t nowMs = std::max(nowNs / 1'000'000, boot);
    const std::uint32_t sysUptime = std::uint32_t(nowMs - boot);
    const std::uint16_t engine = std::uint16_t(m_options.domainId & 0xffff);
    const std::uint16_t sampling =
        m_options.samplingRate > 1
            ? std::uint16_t(0x4000 | std::min<std::uint64_t>(m_options.samplingRate, 0x3fff))
            : 0;
    std::size_t encoded = 0;
    std::size_t i = 0;
    while (i < flows.size()) {
        const std::size_t start = out.openOffset();
        ByteWriter w(out.buffer());
        w.put16(5);
        w.put16(0); // count, patched below
        w.put32(sysUptime);
        w.put32(std::uint32_t(nowMs / 1000));
        w.put32(std::uint32_t(nowMs % 1000) * 1'000'000);
        w.put32(m_sequence);
        w.put16(engine);
        w.put16(sampling);
        int count = 0;
        for (; i < flows.size() && count < m_recordsPerDatagram; ++i) {
            const decode::FlowRecord& r = flows[i];
            if (!canEncode(r))
                continue;
            w.putBytes(r.src_addr.bytes.data() + 12, 4);
            w.putBytes(r.dst_addr.bytes.data() + 12, 4);
            w.putBytes(r.next_hop.bytes.data() + 12, 4);
            w.put16(clamp16(r.in_if));
            w.put16(clamp16(r.out_if));
            w.put32(clamp32(r.packets));
            w.put32(clamp32(r.bytes));
            w.put32(uptime(r.time_flow_start_ns, boot));
            w.put32(uptime(r.time_flow_end_ns, boot));
            w.put16(isIcmp(r) ? 0 : r.src_port);
            w.put16(isIcmp(r) ? std::uint16_t((r.icmp_type << 8) | r.icmp_code) : r.dst_port);
            w.put8(0);
            w.put8(std::uint8_t(r.tcp_flags));
            w.put8(r.proto);
            w.put8(r.ip_tos);
            w.put16(as16(r.src_as));
            w.put16(as16(r.dst_as));
            w.put8(r.src_net);
            w.put8(r.dst_net);
            w.put16(0);
            ++count;
        }
        if (count == 0) {
            out.discardOpen();
            break;
        }
        w.patch16(start + 2, std::uint16_t(count));
        out.finishDatagram();
        m_sequence += std::uint32_t(count);
        encoded += std::size_t(count);
        ++m_datagrams;
    }
    m_flows += encoded;
    return encoded;
}

decode::FlowRecord NetflowV5Encoder::expectedDecode(const decode::FlowRecord& r) const
{
    decode::FlowRecord e;
    e.type = decode::FlowType::NetFlowV5;
    e.etype = 0x0800;
    e.src_addr = r.src_addr;
    e.dst_addr = r.dst_addr;
    e.next_hop = decode::IpAddress::fromV4(r.next_hop.isV4() ? r.next_hop.v4() : 0);
    e.in_if = clamp16(r.in_if);
    e.out_if = clamp16(r.out_if);
    e.packets = clamp32(r.packets);
    e.bytes = clamp32(r.bytes);
    const std::uint64_t boot = m_bootMs;
    e.time_flow_start_ns = std::max(r.time_flow_start_ns / 1'000'000, boot) * 1'000'000;
    e.time_flow_end_ns = std::max(r.time_flow_end_ns / 1'000'000, boot) * 1'000'000;
    e.src_port = isIcmp(r) ? 0 : r.src_port;
    e.dst_port = isIcmp(r) ? std::uint16_t((r.icmp_type << 8) | r.icmp_code) : r.dst_port;
    e.tcp_flags = std::uint8_t(r.tcp_flags);
    e.proto = r.proto;
    e.ip_tos = r.ip_tos;
    e.src_as = as16(r.src_as);
    e.dst_as = as16(r.dst_as);
    e.src_net = r.src_net;
    e.dst_net = r.dst_net;
    e.sampling_rate =
        m_options.samplingRate > 1 ? std::min<std::uint64_t>(m_options.samplingRate, 0x3fff) : 0;
    e.observation_domain_id = m_options.domainId & 0xffff;
    return e;
}

} // namespace flowlens::gen
