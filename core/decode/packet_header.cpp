#include "packet_header.h"

#include "sflow_reader.h"

#include <algorithm>

namespace flowlens::decode {

namespace {

constexpr std::uint16_t kEtypeIpv4 = 0x0800;
constexpr std::uint16_t kEtypeIpv6 = 0x86DD;
constexpr std::uint16_t kEtypeVlan = 0x8100;
constexpr std::uint16_t kEtypeQinQ = 0x88A8;
constexpr std::uint16_t kEtypeQinQLegacy = 0x9100;
constexpr std::uint16_t kEtypeMplsUnicast = 0x8847;
constexpr std::uint16_t kEtypeMplsMulticast = 0x8848;
constexpr std::uint16_t kEtypePppoeSession = 0x8864;

// Bounds on loops driven by packet bytes, so a crafted header cannot make us spin.
constexpr int kMaxVlanTags = 4;
constexpr int kMaxMplsLabelsWalked = 16;
constexpr int kMaxIpv6ExtensionHeaders = 8;

// Bytes of the header as it is being walked. Every access is preceded by a has() check.
struct Bytes
{
    const std::byte* data;
    std::size_t size;

    bool has(std::size_t offset, std::size_t n) const { return offset <= size && n <= size - offset; }
    std::uint8_t u8(std::size_t offset) const { return std::to_integer<std::uint8_t>(data[offset]); }
    std::uint16_t u16(std::size_t offset) const { return detail::loadBe16(data + offset); }
    std::uint32_t u32(std::size_t offset) const { return detail::loadBe32(data + offset); }
    const std::uint8_t* raw(std::size_t offset) const
    {
        return reinterpret_cast<const std::uint8_t*>(data + offset);
    }
    std::uint64_t mac(std::size_t offset) const
    {
        return (std::uint64_t(u16(offset)) << 32) | u32(offset + 2);
    }
};

void parseTransport(const Bytes& b, std::size_t off, std::uint8_t proto, FlowRecord& r)
{
    switch (proto) {
    case 6: // TCP
        if (b.has(off, 4)) {
            r.src_port = b.u16(off);
            r.dst_port = b.u16(off + 2);
        }
        // goflow2 keeps the 8 flag bits of byte 13 (CWR..FIN); NS sits in byte 12 and is left out.
        if (b.has(off, 14))
            r.tcp_flags = b.u8(off + 13);
        break;
    case 17:  // UDP
    case 33:  // DCCP
    case 132: // SCTP
    case 136: // UDP-Lite
        if (b.has(off, 4)) {
            r.src_port = b.u16(off);
            r.dst_port = b.u16(off + 2);
        }
        break;
    case 1:  // ICMP
    case 58: // ICMPv6
        if (b.has(off, 2)) {
            r.icmp_type = b.u8(off);
            r.icmp_code = b.u8(off + 1);
        }
        break;
    default:
        break;
    }
}

std::uint32_t parseIpv4(const Bytes& b, std::size_t off, FlowRecord& r)
{
    if (!b.has(off, 20))
        return 0;
    const std::uint8_t versionIhl = b.u8(off);
    const std::size_t ihl = std::size_t(versionIhl & 0x0F) * 4;
    if ((versionIhl >> 4) != 4 || ihl < 20)
        return 0;
    const std::uint16_t flagsFragment = b.u16(off + 6);
    r.etype = kEtypeIpv4;
    r.ip_tos = b.u8(off + 1);
    r.fragment_id = b.u16(off + 4);
    r.ip_flags = static_cast<std::uint8_t>(flagsFragment >> 13);
    r.fragment_offset = flagsFragment & 0x1FFF;
    r.ip_ttl = b.u8(off + 8);
    r.proto = b.u8(off + 9);
    r.src_addr = IpAddress::fromV4Bytes(b.raw(off + 12));
    r.dst_addr = IpAddress::fromV4Bytes(b.raw(off + 16));
    // Later fragments carry no transport header: their first bytes are payload.
    if (r.fragment_offset == 0)
        parseTransport(b, off + ihl, r.proto, r);
    return b.u16(off + 2);
}

std::uint32_t parseIpv6(const Bytes& b, std::size_t off, FlowRecord& r)
{
    if (!b.has(off, 40))
        return 0;
    const std::uint32_t first = b.u32(off);
    if ((first >> 28) != 6)
        return 0;
    r.etype = kEtypeIpv6;
    r.ip_tos = static_cast<std::uint8_t>(first >> 20);
    r.ipv6_flow_label = first & 0xFFFFF;
    r.ip_ttl = b.u8(off + 7);
    r.src_addr = IpAddress::fromV6Bytes(b.raw(off + 8));
    r.dst_addr = IpAddress::fromV6Bytes(b.raw(off + 24));
    const std::uint32_t length = std::uint32_t(b.u16(off + 4)) + 40;
    std::uint8_t next = b.u8(off + 6);
    off += 40;

    // proto is the upper-layer protocol, as in NetFlow/IPFIX and nfdump; when the chain is cut short it
    // stays at the last extension header reached.
    bool walking = true;
    for (int i = 0; walking && i < kMaxIpv6ExtensionHeaders; ++i) {
        switch (next) {
        case 0:   // hop-by-hop options
        case 43:  // routing
        case 60:  // destination options
        case 135: // mobility
            if (!b.has(off, 2)) {
                walking = false;
                break;
            }
            next = b.u8(off);
            off += (std::size_t(b.u8(off + 1)) + 1) * 8;
            break;
        case 51: // AH: length in 4-byte units minus 2
            if (!b.has(off, 2)) {
                walking = false;
                break;
            }
            next = b.u8(off);
            off += (std::size_t(b.u8(off + 1)) + 2) * 4;
            break;
        case 44: { // fragment
            if (!b.has(off, 8)) {
                walking = false;
                break;
            }
            const std::uint16_t offsetFlags = b.u16(off + 2);
            r.fragment_offset = offsetFlags >> 3;
            r.ip_flags = offsetFlags & 0x1; // M flag, the same bit as IPv4's MF
            r.fragment_id = b.u32(off + 4);
            next = b.u8(off);
            off += 8;
            break;
        }
        default:
            walking = false;
            break;
        }
    }
    r.proto = next;
    if (r.fragment_offset == 0)
        parseTransport(b, off, next, r);
    return length;
}

std::uint32_t parseIpByVersion(const Bytes& b, std::size_t off, FlowRecord& r)
{
    if (!b.has(off, 1))
        return 0;
    const std::uint8_t version = b.u8(off) >> 4;
    if (version == 4)
        return parseIpv4(b, off, r);
    if (version == 6)
        return parseIpv6(b, off, r);
    return 0;
}

std::uint32_t parseMpls(const Bytes& b, std::size_t off, FlowRecord& r)
{
    int count = 0;
    bool bottom = false;
    while (!bottom && count < kMaxMplsLabelsWalked) {
        if (!b.has(off, 4))
            break;
        const std::uint32_t entry = b.u32(off);
        if (count < kMaxMplsLabels)
            r.mpls_label[count] = entry >> 12;
        bottom = (entry & 0x100) != 0;
        ++count;
        off += 4;
    }
    r.mpls_label_count = static_cast<std::uint8_t>(std::min(count, kMaxMplsLabels));
    if (!bottom)
        return 0;
    // MPLS does not say what it carries; like goflow2, guess IP from the version nibble. Anything else
    // (a pseudowire control word, Ethernet over MPLS) is left alone.
    return parseIpByVersion(b, off, r);
}

std::uint32_t parseEthertype(const Bytes& b, std::size_t off, std::uint16_t etype, FlowRecord& r)
{
    switch (etype) {
    case kEtypeIpv4:
        return parseIpv4(b, off, r);
    case kEtypeIpv6:
        return parseIpv6(b, off, r);
    case kEtypeMplsUnicast:
    case kEtypeMplsMulticast:
        return parseMpls(b, off, r);
    case kEtypePppoeSession:
        // 6-byte PPPoE header, then the 2-byte PPP protocol: 0x0021 IPv4, 0x0057 IPv6.
        if (b.has(off, 8)) {
            const std::uint16_t ppp = b.u16(off + 6);
            if (ppp == 0x0021)
                return parseIpv4(b, off + 8, r);
            if (ppp == 0x0057)
                return parseIpv6(b, off + 8, r);
        }
        return 0;
    default:
        return 0;
    }
}

std::uint32_t parseEthernet(const Bytes& b, FlowRecord& r)
{
    if (!b.has(0, 14))
        return 0;
    r.dst_mac = b.mac(0);
    r.src_mac = b.mac(6);
    std::uint16_t etype = b.u16(12);
    std::size_t off = 14;
    if (etype < 0x0600) {
        // 802.3 length field: only LLC/SNAP (AA-AA-03, OUI, type) says what follows.
        if (!b.has(off, 8) || b.u8(off) != 0xAA || b.u8(off + 1) != 0xAA || b.u8(off + 2) != 0x03)
            return 0;
        etype = b.u16(off + 6);
        off += 8;
    }
    for (int tags = 0; tags < kMaxVlanTags; ++tags) {
        if (etype != kEtypeVlan && etype != kEtypeQinQ && etype != kEtypeQinQLegacy)
            break;
        if (!b.has(off, 4)) {
            r.etype = etype;
            return 0;
        }
        // Innermost tag wins, as in goflow2: for QinQ that is the customer VLAN.
        r.vlan_id = b.u16(off) & 0x0FFF;
        etype = b.u16(off + 2);
        off += 4;
    }
    r.etype = etype;
    return parseEthertype(b, off, etype, r);
}

} // namespace

std::uint32_t parsePacketHeader(std::span<const std::byte> header, HeaderProtocol first, FlowRecord& r)
{
    const Bytes b{header.data(), header.size()};
    switch (first) {
    case HeaderProtocol::Ethernet:
        return parseEthernet(b, r);
    case HeaderProtocol::Ipv4:
    case HeaderProtocol::Ipv6:
        return parseIpByVersion(b, 0, r);
    case HeaderProtocol::Mpls:
        return parseMpls(b, 0, r);
    }
    return 0;
}

void parseTransportHeader(std::span<const std::byte> header, std::uint8_t proto, FlowRecord& r)
{
    parseTransport(Bytes{header.data(), header.size()}, 0, proto, r);
}

} // namespace flowlens::decode
