#pragma once

// Test-side reader of the generator's datagrams: an independent, deliberately plain walk over
// NetFlow v5/v9, IPFIX and sFlow v5 that checks structure (lengths, counts, templates before
// data) and reads the flow fields back, so encoder tests can compare against expectedDecode().
// Header-only because tests/<area>/ only compiles tst_*.cpp files.

#include "core/decode/flow_decoder.h"
#include "core/decode/flow_record.h"

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <vector>

namespace flowlens::gentest {

/// sFlow flow sample header fields.
struct FlowSampleInfo
{
    std::uint32_t sequence = 0;
    std::uint32_t sourceId = 0;
    std::uint32_t rate = 0;
    std::uint32_t pool = 0;
};

/// sFlow generic interface counters.
struct CounterSampleInfo
{
    std::uint32_t sequence = 0;
    std::uint32_t ifIndex = 0;
    std::uint64_t speed = 0;
    std::uint64_t inOctets = 0, outOctets = 0;
    std::uint32_t inPackets = 0, outPackets = 0;
};

struct ParsedDatagram
{
    std::uint32_t sequence = 0;
    std::uint32_t sysUptime = 0;
    std::uint32_t exportSecs = 0;
    std::uint32_t domain = 0;
    std::uint32_t headerCount = 0; ///< v5/v9 count, sFlow number of samples
    int templates = 0;             ///< data templates seen in this datagram
    int optionTemplates = 0;
    int optionRecords = 0;
    std::vector<decode::FlowRecord> flows;
    std::vector<FlowSampleInfo> flowSamples;       ///< sFlow: one per flow, in order
    std::vector<CounterSampleInfo> counterSamples; ///< sFlow
    decode::IpAddress agent;                       ///< sFlow
    std::string error;                             ///< empty when the datagram is well formed
};

namespace detail {

inline std::uint64_t be(const std::byte* p, std::size_t n)
{
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i)
        v = (v << 8) | std::uint64_t(p[i]);
    return v;
}

struct Field
{
    std::uint16_t id;
    std::uint16_t length;
};

} // namespace detail

/// Parses a stream of datagrams of one protocol (template state carries over between calls).
class ExportParser
{
public:
    explicit ExportParser(decode::Protocol protocol)
        : m_protocol(protocol)
    {}

    std::uint64_t samplingRate() const { return m_samplingRate; }

    ParsedDatagram parse(std::span<const std::byte> d)
    {
        ParsedDatagram out;
        switch (m_protocol) {
        case decode::Protocol::NetFlowV5:
            parseV5(d, out);
            break;
        case decode::Protocol::NetFlowV9:
            parseV9(d, out);
            break;
        case decode::Protocol::Ipfix:
            parseIpfix(d, out);
            break;
        case decode::Protocol::SFlowV5:
            parseSflow(d, out);
            break;
        default:
            out.error = "unknown protocol";
        }
        return out;
    }

private:
    using Field = detail::Field;

    static decode::IpAddress v4At(const std::byte* p)
    {
        return decode::IpAddress::fromV4Bytes(reinterpret_cast<const std::uint8_t*>(p));
    }
    static decode::IpAddress v6At(const std::byte* p)
    {
        return decode::IpAddress::fromV6Bytes(reinterpret_cast<const std::uint8_t*>(p));
    }

    void parseV5(std::span<const std::byte> d, ParsedDatagram& out)
    {
        using detail::be;
        if (d.size() < 24 || be(d.data(), 2) != 5) {
            out.error = "bad v5 header";
            return;
        }
        out.headerCount = std::uint32_t(be(d.data() + 2, 2));
        out.sysUptime = std::uint32_t(be(d.data() + 4, 4));
        out.exportSecs = std::uint32_t(be(d.data() + 8, 4));
        const std::uint64_t nsecs = be(d.data() + 12, 4);
        out.sequence = std::uint32_t(be(d.data() + 16, 4));
        out.domain = std::uint32_t(be(d.data() + 20, 2));
        const std::uint64_t sampling = be(d.data() + 22, 2) & 0x3fff;
        if (d.size() != 24 + 48 * std::size_t(out.headerCount)) {
            out.error = "v5 length does not match count";
            return;
        }
        const std::uint64_t bootMs = out.exportSecs * 1000ull + nsecs / 1'000'000 - out.sysUptime;
        for (std::uint32_t i = 0; i < out.headerCount; ++i) {
            const std::byte* r = d.data() + 24 + 48 * i;
            decode::FlowRecord f;
            f.type = decode::FlowType::NetFlowV5;
            f.etype = 0x0800;
            f.src_addr = v4At(r);
            f.dst_addr = v4At(r + 4);
            f.next_hop = v4At(r + 8);
            f.in_if = std::uint32_t(be(r + 12, 2));
            f.out_if = std::uint32_t(be(r + 14, 2));
            f.packets = be(r + 16, 4);
            f.bytes = be(r + 20, 4);
            f.time_flow_start_ns = (bootMs + be(r + 24, 4)) * 1'000'000;
            f.time_flow_end_ns = (bootMs + be(r + 28, 4)) * 1'000'000;
            f.src_port = std::uint16_t(be(r + 32, 2));
            f.dst_port = std::uint16_t(be(r + 34, 2));
            f.tcp_flags = std::uint16_t(be(r + 37, 1));
            f.proto = std::uint8_t(be(r + 38, 1));
            f.ip_tos = std::uint8_t(be(r + 39, 1));
            f.src_as = std::uint32_t(be(r + 40, 2));
            f.dst_as = std::uint32_t(be(r + 42, 2));
            f.src_net = std::uint8_t(be(r + 44, 1));
            f.dst_net = std::uint8_t(be(r + 45, 1));
            f.sampling_rate = sampling;
            f.observation_domain_id = out.domain;
            out.flows.push_back(f);
        }
    }

    /// Reads one data record laid out by `fields`; `bootMs` anchors v9 uptime times.
    decode::FlowRecord readRecord(const std::byte* r, const std::vector<Field>& fields, std::uint64_t bootMs,
                                  decode::FlowType type, std::uint32_t domain) const
    {
        using detail::be;
        decode::FlowRecord f;
        f.type = type;
        f.observation_domain_id = domain;
        f.sampling_rate = m_samplingRate;
        for (const Field& fd : fields) {
            const std::uint64_t v = fd.length <= 8 ? be(r, fd.length) : 0;
            switch (fd.id) {
            case 1:
                f.bytes = v;
                break;
            case 2:
                f.packets = v;
                break;
            case 4:
                f.proto = std::uint8_t(v);
                break;
            case 5:
                f.ip_tos = std::uint8_t(v);
                break;
            case 6:
                f.tcp_flags = std::uint16_t(v);
                break;
            case 7:
                f.src_port = std::uint16_t(v);
                break;
            case 8:
                f.src_addr = v4At(r), f.etype = 0x0800;
                break;
            case 9:
            case 29:
                f.src_net = std::uint8_t(v);
                break;
            case 10:
                f.in_if = std::uint32_t(v);
                break;
            case 11:
                f.dst_port = std::uint16_t(v);
                break;
            case 12:
                f.dst_addr = v4At(r);
                break;
            case 13:
            case 30:
                f.dst_net = std::uint8_t(v);
                break;
            case 14:
                f.out_if = std::uint32_t(v);
                break;
            case 15:
                f.next_hop = v4At(r);
                break;
            case 16:
                f.src_as = std::uint32_t(v);
                break;
            case 17:
                f.dst_as = std::uint32_t(v);
                break;
            case 21:
                f.time_flow_end_ns = (bootMs + v) * 1'000'000;
                break;
            case 22:
                f.time_flow_start_ns = (bootMs + v) * 1'000'000;
                break;
            case 27:
                f.src_addr = v6At(r), f.etype = 0x86dd;
                break;
            case 28:
                f.dst_addr = v6At(r);
                break;
            case 31:
                f.ipv6_flow_label = std::uint32_t(v);
                break;
            case 32:
            case 139:
                f.icmp_type = std::uint8_t(v >> 8), f.icmp_code = std::uint8_t(v);
                break;
            case 61:
                f.flow_direction = std::uint8_t(v);
                break;
            case 62:
                f.next_hop = v6At(r);
                break;
            case 152:
                f.time_flow_start_ns = v * 1'000'000;
                break;
            case 153:
                f.time_flow_end_ns = v * 1'000'000;
                break;
            default:
                break;
            }
            r += fd.length;
        }
        return f;
    }

    static std::size_t recordLength(const std::vector<Field>& fields)
    {
        std::size_t n = 0;
        for (const Field& f : fields)
            n += f.length;
        return n;
    }

    /// Walks the sets of a v9 (set ids 0/1) or IPFIX (2/3) message after the header.
    void walkSets(std::span<const std::byte> d, std::size_t offset, bool ipfix, std::uint64_t bootMs,
                  ParsedDatagram& out)
    {
        using detail::be;
        const std::uint16_t templateSet = ipfix ? 2 : 0, optionsSet = ipfix ? 3 : 1;
        const auto type = ipfix ? decode::FlowType::Ipfix : decode::FlowType::NetFlowV9;
        while (offset < d.size()) {
            if (d.size() - offset < 4) {
                out.error = "trailing bytes after the last set";
                return;
            }
            const auto id = std::uint16_t(be(d.data() + offset, 2));
            const auto length = std::size_t(be(d.data() + offset + 2, 2));
            if (length < 4 || offset + length > d.size()) {
                out.error = "set length " + std::to_string(length) + " out of bounds";
                return;
            }
            const std::byte* p = d.data() + offset + 4;
            const std::byte* end = d.data() + offset + length;
            if (id == templateSet) {
                while (end - p >= 4) {
                    const auto tid = std::uint16_t(be(p, 2));
                    const auto count = std::size_t(be(p + 2, 2));
                    p += 4;
                    if (std::size_t(end - p) < 4 * count) {
                        out.error = "template overruns its set";
                        return;
                    }
                    std::vector<Field> fields;
                    for (std::size_t i = 0; i < count; ++i, p += 4)
                        fields.push_back({std::uint16_t(be(p, 2)), std::uint16_t(be(p + 2, 2))});
                    m_templates[tid] = fields;
                    m_options.erase(tid);
                    ++out.templates;
                }
            } else if (id == optionsSet) {
                std::vector<Field> fields;
                const auto tid = std::uint16_t(be(p, 2));
                std::size_t scopeFields = 0, total = 0;
                if (ipfix) {
                    total = std::size_t(be(p + 2, 2));
                    scopeFields = std::size_t(be(p + 4, 2));
                    p += 6;
                } else {
                    scopeFields = std::size_t(be(p + 2, 2)) / 4;
                    total = scopeFields + std::size_t(be(p + 4, 2)) / 4;
                    p += 6;
                }
                if (std::size_t(end - p) < 4 * total || scopeFields == 0) {
                    out.error = "bad options template";
                    return;
                }
                for (std::size_t i = 0; i < total; ++i, p += 4)
                    fields.push_back({std::uint16_t(be(p, 2)), std::uint16_t(be(p + 2, 2))});
                m_options[tid] = fields;
                m_templates.erase(tid);
                ++out.optionTemplates;
            } else if (id >= 256) {
                if (m_options.count(id)) {
                    readOptions(p, end, m_options[id], out);
                } else if (m_templates.count(id)) {
                    const auto& fields = m_templates[id];
                    const std::size_t rl = recordLength(fields);
                    std::size_t n = 0;
                    for (; std::size_t(end - p) >= rl; p += rl, ++n)
                        out.flows.push_back(readRecord(p, fields, bootMs, type, out.domain));
                    if (end - p >= 4 || n == 0) {
                        out.error = "data set of template " + std::to_string(id) + " has a partial record";
                        return;
                    }
                } else {
                    out.error = "data set " + std::to_string(id) + " before its template";
                    return;
                }
            } else {
                out.error = "reserved set id " + std::to_string(id);
                return;
            }
            offset += length;
        }
    }

    void readOptions(const std::byte* p, const std::byte* end, const std::vector<Field>& fields,
                     ParsedDatagram& out)
    {
        using detail::be;
        std::uint64_t interval = 0, space = 0, packetInterval = 0;
        for (const Field& f : fields) {
            if (end - p < f.length)
                return void(out.error = "options record overruns its set");
            const std::uint64_t v = be(p, f.length);
            if (f.id == 34)
                interval = v;
            else if (f.id == 305)
                packetInterval = v;
            else if (f.id == 306)
                space = v;
            p += f.length;
        }
        m_samplingRate = interval ? interval : packetInterval ? packetInterval + space : 0;
        ++out.optionRecords;
    }

    void parseV9(std::span<const std::byte> d, ParsedDatagram& out)
    {
        using detail::be;
        if (d.size() < 20 || be(d.data(), 2) != 9) {
            out.error = "bad v9 header";
            return;
        }
        out.headerCount = std::uint32_t(be(d.data() + 2, 2));
        out.sysUptime = std::uint32_t(be(d.data() + 4, 4));
        out.exportSecs = std::uint32_t(be(d.data() + 8, 4));
        out.sequence = std::uint32_t(be(d.data() + 12, 4));
        out.domain = std::uint32_t(be(d.data() + 16, 4));
        const std::uint64_t bootMs = out.exportSecs * 1000ull - out.sysUptime;
        walkSets(d, 20, false, bootMs, out);
        const auto records = std::uint32_t(out.templates + out.optionTemplates + out.optionRecords) +
                             std::uint32_t(out.flows.size());
        if (out.error.empty() && records != out.headerCount)
            out.error = "v9 count " + std::to_string(out.headerCount) + " but " + std::to_string(records) +
                        " records";
    }

    void parseIpfix(std::span<const std::byte> d, ParsedDatagram& out)
    {
        using detail::be;
        if (d.size() < 16 || be(d.data(), 2) != 10) {
            out.error = "bad IPFIX header";
            return;
        }
        if (be(d.data() + 2, 2) != d.size()) {
            out.error = "IPFIX length field does not match the datagram";
            return;
        }
        out.exportSecs = std::uint32_t(be(d.data() + 4, 4));
        out.sequence = std::uint32_t(be(d.data() + 8, 4));
        out.domain = std::uint32_t(be(d.data() + 12, 4));
        walkSets(d, 16, true, 0, out);
    }

    /// Ethernet / IPv4|IPv6 / TCP|UDP|ICMP header of a raw packet header record.
    static void readSampledHeader(const std::byte* h, std::size_t n, decode::FlowRecord& f,
                                  std::string& error)
    {
        using detail::be;
        if (n < 14)
            return void(error = "sampled header shorter than Ethernet");
        f.dst_mac = be(h, 6);
        f.src_mac = be(h + 6, 6);
        f.etype = std::uint16_t(be(h + 12, 2));
        const std::byte* ip = h + 14;
        std::size_t left = n - 14, l4 = 0;
        if (f.etype == 0x0800) {
            if (left < 20 || (std::uint8_t(ip[0]) >> 4) != 4)
                return void(error = "bad IPv4 header");
            f.ip_tos = std::uint8_t(ip[1]);
            f.ip_flags = std::uint8_t(be(ip + 6, 2) >> 13);
            f.fragment_id = std::uint32_t(be(ip + 4, 2));
            f.ip_ttl = std::uint8_t(ip[8]);
            f.proto = std::uint8_t(ip[9]);
            f.src_addr = v4At(ip + 12);
            f.dst_addr = v4At(ip + 16);
            l4 = 20;
        } else if (f.etype == 0x86dd) {
            if (left < 40 || (std::uint8_t(ip[0]) >> 4) != 6)
                return void(error = "bad IPv6 header");
            const auto first = std::uint32_t(be(ip, 4));
            f.ip_tos = std::uint8_t(first >> 20);
            f.ipv6_flow_label = first & 0xfffff;
            f.proto = std::uint8_t(ip[6]);
            f.ip_ttl = std::uint8_t(ip[7]);
            f.src_addr = v6At(ip + 8);
            f.dst_addr = v6At(ip + 24);
            l4 = 40;
        } else {
            return void(error = "unexpected ethertype");
        }
        const std::byte* t = ip + l4;
        left -= l4;
        if ((f.proto == 6 && left < 20) || ((f.proto == 17 || f.proto == 1 || f.proto == 58) && left < 8))
            return void(error = "transport header cut short");
        if (f.proto == 6 || f.proto == 17) {
            f.src_port = std::uint16_t(be(t, 2));
            f.dst_port = std::uint16_t(be(t + 2, 2));
        }
        if (f.proto == 6)
            f.tcp_flags = std::uint16_t(t[13]);
        if (f.proto == 1 || f.proto == 58) {
            f.icmp_type = std::uint8_t(t[0]);
            f.icmp_code = std::uint8_t(t[1]);
        }
    }

    void parseSflow(std::span<const std::byte> d, ParsedDatagram& out)
    {
        using detail::be;
        const std::byte* p = d.data();
        const std::byte* end = d.data() + d.size();
        const auto need = [&](std::size_t n) {
            return std::size_t(end - p) >= n;
        };
        if (!need(8) || be(p, 4) != 5)
            return void(out.error = "bad sFlow header");
        const std::uint64_t addressType = be(p + 4, 4);
        const std::size_t addressLength = addressType == 1 ? 4 : addressType == 2 ? 16 : 0;
        if (addressLength == 0 || !need(8 + addressLength + 16))
            return void(out.error = "bad agent address");
        out.agent = addressLength == 4 ? v4At(p + 8) : v6At(p + 8);
        p += 8 + addressLength;
        out.domain = std::uint32_t(be(p, 4));
        out.sequence = std::uint32_t(be(p + 4, 4));
        out.sysUptime = std::uint32_t(be(p + 8, 4));
        out.headerCount = std::uint32_t(be(p + 12, 4));
        p += 16;
        for (std::uint32_t s = 0; s < out.headerCount; ++s) {
            if (!need(8))
                return void(out.error = "sample header cut short");
            const std::uint64_t format = be(p, 4);
            const std::size_t length = std::size_t(be(p + 4, 4));
            p += 8;
            if (!need(length) || length % 4)
                return void(out.error = "sample length out of bounds or unaligned");
            const std::byte* sampleEnd = p + length;
            if (format == 2) {
                if (length < 12 + 8 + 88 || be(p + 8, 4) != 1 || be(p + 12, 4) != 1 || be(p + 16, 4) != 88)
                    return void(out.error = "unexpected counters sample");
                const std::byte* c = p + 20;
                CounterSampleInfo info;
                info.sequence = std::uint32_t(be(p, 4));
                info.ifIndex = std::uint32_t(be(c, 4));
                info.speed = be(c + 8, 8);
                info.inOctets = be(c + 24, 8);
                info.inPackets = std::uint32_t(be(c + 32, 4));
                info.outOctets = be(c + 56, 8);
                info.outPackets = std::uint32_t(be(c + 64, 4));
                if (std::uint32_t(be(p + 4, 4)) != info.ifIndex)
                    return void(out.error = "counters source id does not name its interface");
                out.counterSamples.push_back(info);
                p = sampleEnd;
                continue;
            }
            if (format != 1 || length < 32)
                return void(out.error = "unexpected sample format");
            decode::FlowRecord f;
            f.type = decode::FlowType::SFlow5;
            f.observation_domain_id = out.domain;
            f.sampling_rate = be(p + 8, 4);
            f.in_if = std::uint32_t(be(p + 20, 4)) & 0x3fffffff;
            f.out_if = std::uint32_t(be(p + 24, 4)) & 0x3fffffff;
            f.packets = 1;
            out.flowSamples.push_back({std::uint32_t(be(p, 4)), std::uint32_t(be(p + 4, 4)),
                                       std::uint32_t(be(p + 8, 4)), std::uint32_t(be(p + 12, 4))});
            const std::uint64_t records = be(p + 28, 4);
            const std::byte* r = p + 32;
            for (std::uint64_t i = 0; i < records; ++i) {
                if (sampleEnd - r < 8)
                    return void(out.error = "flow record header cut short");
                const std::uint64_t rf = be(r, 4);
                const auto rl = std::size_t(be(r + 4, 4));
                const std::byte* body = r + 8;
                if (std::size_t(sampleEnd - body) < rl || rl % 4)
                    return void(out.error = "flow record length out of bounds or unaligned");
                const bool v6 = rl >= 4 && be(body, 4) == 2;
                if (rf == 1) {
                    f.bytes = be(body + 4, 4);
                    const auto headerLength = std::size_t(be(body + 12, 4));
                    if (16 + headerLength > rl)
                        return void(out.error = "sampled header longer than its record");
                    readSampledHeader(body + 16, headerLength, f, out.error);
                } else if (rf == 1001) {
                    f.src_vlan = std::uint16_t(be(body, 4));
                    f.dst_vlan = std::uint16_t(be(body + 8, 4));
                } else if (rf == 1002) {
                    f.next_hop = v6 ? v6At(body + 4) : v4At(body + 4);
                    const std::byte* q = body + 4 + (v6 ? 16 : 4);
                    f.src_net = std::uint8_t(be(q, 4));
                    f.dst_net = std::uint8_t(be(q + 4, 4));
                } else if (rf == 1003) {
                    f.bgp_next_hop = v6 ? v6At(body + 4) : v4At(body + 4);
                    const std::byte* q = body + 4 + (v6 ? 16 : 4);
                    f.src_as = std::uint32_t(be(q + 4, 4));
                    const std::uint64_t segments = be(q + 12, 4);
                    q += 16;
                    for (std::uint64_t sg = 0; sg < segments; ++sg) {
                        const std::uint64_t count = be(q + 4, 4);
                        q += 8;
                        for (std::uint64_t a = 0; a < count; ++a, q += 4)
                            if (f.as_path_count < decode::kMaxAsPath)
                                f.as_path[f.as_path_count++] = std::uint32_t(be(q, 4));
                    }
                    if (f.as_path_count) {
                        f.dst_as = f.as_path[f.as_path_count - 1];
                        f.next_hop_as = f.as_path[0];
                    }
                }
                r = body + rl;
            }
            if (r != sampleEnd)
                return void(out.error = "flow sample length disagrees with its records");
            out.flows.push_back(f);
            p = sampleEnd;
        }
        if (p != end)
            out.error = "bytes after the last sample";
    }

    decode::Protocol m_protocol;
    std::map<std::uint16_t, std::vector<Field>> m_templates, m_options;
    std::uint64_t m_samplingRate = 0;
};

/// Names the first field in which two records differ ("" when equal), comparing every registry
/// field byte for byte.
inline std::string firstDifference(const decode::FlowRecord& a, const decode::FlowRecord& b)
{
    for (const decode::FieldInfo& f : decode::flowFields()) {
        const auto* pa = reinterpret_cast<const unsigned char*>(&a) + f.offset;
        const auto* pb = reinterpret_cast<const unsigned char*>(&b) + f.offset;
        if (std::memcmp(pa, pb, f.size) != 0)
            return std::string(f.name);
    }
    return {};
}

} // namespace flowlens::gentest
