#include "ipfix_encoder.h"

#include "core/gen/byte_writer.h"
#include "core/gen/template_fields.h"

#include <algorithm>
#include <limits>

namespace flowlens::gen {

namespace {

constexpr std::uint16_t kTemplateSet = 2;
constexpr std::uint16_t kOptionsTemplateSet = 3;
constexpr std::uint16_t kObservationDomainId = 149;
constexpr std::uint16_t kSelectorAlgorithm = 304;
constexpr std::uint16_t kSamplingPacketInterval = 305;
constexpr std::uint16_t kSamplingPacketSpace = 306;
constexpr std::uint16_t kSystematicCountBased = 1;

void writeDataSet(ByteWriter& w, std::uint16_t templateId, std::span<const TemplateField> fields,
                  std::span<const decode::FlowRecord> flows, const std::vector<std::size_t>& which)
{
    if (which.empty())
        return;
    const std::size_t start = w.size();
    w.put16(templateId);
    w.put16(0);
    for (std::size_t i : which)
        for (const TemplateField& f : fields)
            writeTemplateField(w, f, flows[i], 0);
    w.padTo(start, 4); // optional in IPFIX, but keeps the next set aligned
    w.patch16(start + 2, std::uint16_t(w.size() - start));
}

} // namespace

IpfixEncoder::IpfixEncoder(const EncoderOptions& options)
    : FlowEncoder(options)
{}

bool IpfixEncoder::templatesDue(std::uint64_t nowNs) const
{
    return !m_templatesSent || m_sinceTemplates >= std::max(1, m_options.templateRefreshDatagrams) ||
           double(nowNs - std::min(nowNs, m_lastTemplatesNs)) >= m_options.templateRefreshSeconds * 1e9;
}

std::uint32_t IpfixEncoder::writeTemplates(std::vector<std::byte>& buffer)
{
    ByteWriter w(buffer);
    const std::size_t start = w.size();
    w.put16(kTemplateSet);
    w.put16(0);
    for (auto [id, fields] :
         {std::pair{kTemplateIpv4, ipfixIpv4Template()}, std::pair{kTemplateIpv6, ipfixIpv6Template()}}) {
        w.put16(id);
        w.put16(std::uint16_t(fields.size()));
        for (const TemplateField& f : fields) {
            w.put16(f.id);
            w.put16(f.length);
        }
    }
    w.patch16(start + 2, std::uint16_t(w.size() - start));
    if (m_options.samplingRate <= 1)
        return 0;
    const std::size_t opt = w.size();
    w.put16(kOptionsTemplateSet);
    w.put16(0);
    w.put16(kTemplateSampling);
    w.put16(4); // field count
    w.put16(1); // scope field count
    for (auto [id, length] : {std::pair<std::uint16_t, std::uint16_t>{kObservationDomainId, 4},
                              {kSamplingPacketInterval, 4},
                              {kSamplingPacketSpace, 4},
                              {kSelectorAlgorithm, 2}}) {
        w.put16(id);
        w.put16(length);
    }
    w.patch16(opt + 2, std::uint16_t(w.size() - opt));
    const std::size_t data = w.size();
    w.put16(kTemplateSampling);
    w.put16(0);
    w.put32(m_options.domainId);
    w.put32(1);
    w.put32(std::uint32_t(std::min<std::uint64_t>(m_options.samplingRate - 1, 0xffffffffu)));
    w.put16(kSystematicCountBased);
    w.padTo(data, 4);
    w.patch16(data + 2, std::uint16_t(w.size() - data));
    return 1;
}

std::size_t IpfixEncoder::encode(std::span<const decode::FlowRecord> flows, std::uint64_t nowNs,
                                 DatagramBatch& out)
{
    bootMs(nowNs);
    const std::size_t budget = datagramBudget();
    const std::size_t limit = m_options.recordsPerDatagram > 0 ? std::size_t(m_options.recordsPerDatagram)
                                                               : std::numeric_limits<std::size_t>::max();
    const std::size_t len4 = recordLength(ipfixIpv4Template()), len6 = recordLength(ipfixIpv6Template());
    std::size_t encoded = 0;
    std::size_t i = 0;
    while (i < flows.size()) {
        const std::size_t start = out.openOffset();
        ByteWriter w(out.buffer());
        w.put16(10);
        w.put16(0); // length, patched below
        w.put32(std::uint32_t(nowNs / 1'000'000'000));
        w.put32(m_sequence);
        w.put32(m_options.domainId);
        std::uint32_t dataRecords = 0;
        if (templatesDue(nowNs)) {
            dataRecords += writeTemplates(out.buffer());
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
            const std::size_t need = (v6 ? len6 : len4) + (list.empty() ? 4 + 3 : 0);
            if (used + need > budget && m_v4.size() + m_v6.size() > 0)
                break;
            list.push_back(i);
            used += need;
        }
        writeDataSet(w, kTemplateIpv4, ipfixIpv4Template(), flows, m_v4);
        writeDataSet(w, kTemplateIpv6, ipfixIpv6Template(), flows, m_v6);
        const std::size_t count = m_v4.size() + m_v6.size();
        w.patch16(start + 2, std::uint16_t(w.size() - start));
        out.finishDatagram();
        m_sequence += dataRecords + std::uint32_t(count);
        ++m_sinceTemplates;
        ++m_datagrams;
        encoded += count;
    }
    m_flows += encoded;
    return encoded;
}

decode::FlowRecord IpfixEncoder::expectedDecode(const decode::FlowRecord& r) const
{
    decode::FlowRecord e;
    e.type = decode::FlowType::Ipfix;
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
    e.time_flow_start_ns = r.time_flow_start_ns / 1'000'000 * 1'000'000;
    e.time_flow_end_ns = r.time_flow_end_ns / 1'000'000 * 1'000'000;
    e.src_port = r.src_port;
    e.dst_port = r.dst_port;
    e.src_as = r.src_as;
    e.dst_as = r.dst_as;
    e.icmp_type = r.icmp_type;
    e.icmp_code = r.icmp_code;
    e.tcp_flags = r.tcp_flags;
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
