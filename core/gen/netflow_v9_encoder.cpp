#include "netflow_v9_encoder.h"

#include "core/gen/byte_writer.h"
#include "core/gen/template_fields.h"

#include <algorithm>
#include <limits>

namespace flowlens::gen {

namespace {

constexpr std::uint16_t kTemplateFlowSet = 0;
constexpr std::uint16_t kOptionsTemplateFlowSet = 1;
constexpr std::uint16_t kScopeSystem = 1;
constexpr std::uint16_t kSamplingInterval = 34;
constexpr std::uint16_t kSamplingAlgorithm = 35;
constexpr std::uint8_t kDeterministicSampling = 1;

void writeDataSet(ByteWriter& w, std::uint16_t templateId, std::span<const TemplateField> fields,
                  std::span<const decode::FlowRecord> flows, const std::vector<std::size_t>& which,
                  std::uint64_t bootMs)
{
    if (which.empty())
        return;
    const std::size_t start = w.size();
    w.put16(templateId);
    w.put16(0);
    for (std::size_t i : which)
        for (const TemplateField& f : fields)
            writeTemplateField(w, f, flows[i], bootMs);
    w.padTo(start, 4);
    w.patch16(start + 2, std::uint16_t(w.size() - start));
}

} // namespace

NetflowV9Encoder::NetflowV9Encoder(const EncoderOptions& options)
    : FlowEncoder(options)
{}

bool NetflowV9Encoder::templatesDue(std::uint64_t nowNs) const
{
    return !m_templatesSent || m_sinceTemplates >= std::max(1, m_options.templateRefreshDatagrams) ||
           double(nowNs - std::min(nowNs, m_lastTemplatesNs)) >= m_options.templateRefreshSeconds * 1e9;
}

int NetflowV9Encoder::writeTemplates(std::vector<std::byte>& buffer)
{
    ByteWriter w(buffer);
    const std::size_t start = w.size();
    w.put16(kTemplateFlowSet);
    w.put16(0);
    for (auto [id, fields] :
         {std::pair{kTemplateIpv4, v9Ipv4Template()}, std::pair{kTemplateIpv6, v9Ipv6Template()}}) {
        w.put16(id);
        w.put16(std::uint16_t(fields.size()));
        for (const TemplateField& f : fields) {
            w.put16(f.id);
            w.put16(f.length);
        }
    }
    w.patch16(start + 2, std::uint16_t(w.size() - start));
    int records = 2;
    if (m_options.samplingRate > 1) {
        const std::size_t opt = w.size();
        w.put16(kOptionsTemplateFlowSet);
        w.put16(0);
        w.put16(kTemplateSampling);
        w.put16(4); // scope length in bytes: one field specifier
        w.put16(8); // option length in bytes: two field specifiers
        w.put16(kScopeSystem);
        w.put16(4);
        w.put16(kSamplingInterval);
        w.put16(4);
        w.put16(kSamplingAlgorithm);
        w.put16(1);
        w.padTo(opt, 4);
        w.patch16(opt + 2, std::uint16_t(w.size() - opt));
        const std::size_t data = w.size();
        w.put16(kTemplateSampling);
        w.put16(0);
        w.put32(m_options.domainId);
        w.put32(std::uint32_t(std::min<std::uint64_t>(m_options.samplingRate, 0xffffffffu)));
        w.put8(kDeterministicSampling);
        w.padTo(data, 4);
        w.patch16(data + 2, std::uint16_t(w.size() - data));
        records += 2;
    }
    return records;
}

std::size_t NetflowV9Encoder::encode(std::span<const decode::FlowRecord> flows, std::uint64_t nowNs,
                                     DatagramBatch& out)
{
    const std::uint64_t boot = bootMs(nowNs);
    // v9 carries whole seconds only: sysUptime is taken at that second so boot = unix_secs -
    // sysUptime holds to the millisecond.
    const std::uint64_t headerMs = std::max(nowNs / 1'000'000'000 * 1000, boot);
    const std::size_t budget = datagramBudget();
    const std::size_t limit = m_options.recordsPerDatagram > 0 ? std::size_t(m_options.recordsPerDatagram)
                                                               : std::numeric_limits<std::size_t>::max();
    const std::size_t len4 = recordLength(v9Ipv4Template()), len6 = recordLength(v9Ipv6Template());
    std::size_t encoded = 0;
    std::size_t i = 0;
    while (i < flows.size()) {
        const std::size_t start = out.openOffset();
        ByteWriter w(out.buffer());
        w.put16(9);
        w.put16(0); // count, patched below
        w.put32(std::uint32_t(headerMs - boot));
        w.put32(std::uint32_t(headerMs / 1000));
        w.put32(m_sequence);
        w.put32(m_options.domainId);
        int records = 0;
        if (templatesDue(nowNs)) {
            records += writeTemplates(out.buffer());
            m_templatesSent = true;
            m_sinceTemplates = 0;
            m_lastTemplatesNs = nowNs;
        }
        m_v4.clear();
        m_v6.clear();
        std::size_t used = w.size() - start;
        for (; i < flows.size() && m_v4.size() + m_v6.size() < limit; ++i) {
            const bool v6 = !flows[i].src_addr.isV4();
            auto& list = v6 ? m_v6 : m_v4;
            const std::size_t need = (v6 ? len6 : len4) + (list.empty() ? 4 + 3 : 0); // set header + pad
            if (used + need > budget && m_v4.size() + m_v6.size() > 0)
                break;
            list.push_back(i);
            used += need;
        }
        writeDataSet(w, kTemplateIpv4, v9Ipv4Template(), flows, m_v4, boot);
        writeDataSet(w, kTemplateIpv6, v9Ipv6Template(), flows, m_v6, boot);
        const std::size_t count = m_v4.size() + m_v6.size();
        w.patch16(start + 2, std::uint16_t(records + int(count)));
        out.finishDatagram();
        ++m_sequence;
        ++m_sinceTemplates;
        ++m_datagrams;
        encoded += count;
    }
    m_flows += encoded;
    return encoded;
}

decode::FlowRecord NetflowV9Encoder::expectedDecode(const decode::FlowRecord& r) const
{
    decode::FlowRecord e;
    e.type = decode::FlowType::NetFlowV9;
    e.etype = r.src_addr.isV4() ? 0x0800 : 0x86dd;
    e.src_addr = r.src_addr;
    e.dst_addr = r.dst_addr;
    e.next_hop = r.next_hop;
    if (e.etype == 0x0800 && !r.next_hop.isV4())
        e.next_hop = decode::IpAddress::fromV4(0);
    e.in_if = r.in_if;
    e.out_if = r.out_if;
    e.packets = r.packets;
    e.bytes = r.bytes;
    e.time_flow_start_ns = std::max(r.time_flow_start_ns / 1'000'000, m_bootMs) * 1'000'000;
    e.time_flow_end_ns = std::max(r.time_flow_end_ns / 1'000'000, m_bootMs) * 1'000'000;
    e.src_port = r.src_port;
    e.dst_port = r.dst_port;
    e.src_as = r.src_as;
    e.dst_as = r.dst_as;
    e.icmp_type = r.icmp_type;
    e.icmp_code = r.icmp_code;
    e.tcp_flags = std::uint8_t(r.tcp_flags);
    e.proto = r.proto;
    e.ip_tos = r.ip_tos;
    e.src_net = r.src_net;
    e.dst_net = r.dst_net;
    e.flow_direction = r.flow_direction;
    if (e.etype == 0x86dd)
        e.ipv6_flow_label = r.ipv6_flow_label & 0xfffff;
    e.sampling_rate = m_options.samplingRate > 1 ? m_options.samplingRate : 0;
    e.observation_domain_id = m_options.domainId;
    return e;
}

} // namespace flowlens::gen
