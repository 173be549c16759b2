// query::Filter: parse arbitrary text (both counter modes), then evaluate what parsed against a few
// records and block ranges. Checks the documented relations: an empty filter matches everything,
// mayMatch() is never false for a block holding a record that matches.

#include "core/query/filter.h"

#include <cstdlib>
#include <vector>

#include <QString>

namespace {

using flowlens::decode::FlowField;
using flowlens::decode::FlowRecord;
using flowlens::decode::IpAddress;

std::vector<FlowRecord> sampleRecords()
{
    std::vector<FlowRecord> out;
    FlowRecord tcp;
    tcp.src_addr = IpAddress::fromV4(0x0A000001);
    tcp.dst_addr = IpAddress::fromV4(0xC0A80102);
    tcp.sampler_address = IpAddress::fromV4(0xC0000201);
    tcp.proto = 6;
    tcp.src_port = 51000;
    tcp.dst_port = 443;
    tcp.tcp_flags = 0x12;
    tcp.bytes = 1500;
    tcp.packets = 3;
    tcp.sampling_rate = 100;
    tcp.etype = 0x0800;
    tcp.time_flow_start_ns = 1'700'000'000'000'000'000ull;
    tcp.time_flow_end_ns = tcp.time_flow_start_ns + 2'500'000'000ull;
    tcp.time_received_ns = tcp.time_flow_end_ns;
    tcp.src_as = 64500;
    tcp.in_if = 3;
    tcp.vlan_id = 100;
    tcp.src_mac = 0x001122334455ull;
    out.push_back(tcp);
    FlowRecord icmp6;
    icmp6.src_addr = *IpAddress::parse("2001:db8::1");
    icmp6.dst_addr = *IpAddress::parse("ff02::1");
    icmp6.proto = 58;
    icmp6.icmp_type = 128;
    icmp6.etype = 0x86DD;
    icmp6.bytes = 64;
    icmp6.packets = 1;
    out.push_back(icmp6);
    FlowRecord ones;
    std::memset(static_cast<void*>(&ones), 0xFF, sizeof ones);
    ones.type = flowlens::decode::FlowType::Ipfix;
    out.push_back(ones);
    out.push_back(FlowRecord{});
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    static const std::vector<FlowRecord> records = sampleRecords();
    const QString text = QString::fromUtf8(reinterpret_cast<const char*>(data), qsizetype(size));
    for (const auto mode : {flowlens::query::CounterMode::Scaled, flowlens::query::CounterMode::Raw}) {
        const auto parsed = flowlens::query::Filter::parse(text, mode);
        if (!parsed) {
            if (parsed.error().message.isEmpty())
                std::abort(); // errors must say something a user can act on
            continue;
        }
        const flowlens::query::Filter& f = *parsed;
        for (const FlowRecord& r : records) {
            const bool match = f.matches(r);
            if ((f.isEmpty() || f.matchesEverything()) && !match)
                std::abort();
            // A block holding just this record: pruning must not rule out a match.
            std::vector<flowlens::query::FieldRange> ranges;
            std::vector<flowlens::query::AddressRange> addresses;
            for (const FlowField field : f.fields()) {
                const auto& info = flowlens::decode::fieldInfo(field);
                if (info.kind == flowlens::decode::FieldKind::Address) {
                    const IpAddress& a =
                        *reinterpret_cast<const IpAddress*>(reinterpret_cast<const char*>(&r) + info.offset);
                    addresses.push_back({field, a, a});
                } else if (info.kind != flowlens::decode::FieldKind::Array32) {
                    const std::uint64_t v = flowlens::decode::fieldValue(r, field);
                    ranges.push_back({field, v, v});
                }
            }
            if (match && !f.mayMatch(ranges, addresses))
                std::abort();
        }
        (void)f.mayMatchRange(FlowField::DstPort, 0, 1023);
        (void)f.mayMatchAddressRange(FlowField::SrcAddr, IpAddress::fromV4(0x0A000000),
                                     IpAddress::fromV4(0x0AFFFFFF));
    }
    return 0;
}
