#include "packet_header.h"

#include "sflow_reader.h"

#include <algorithm>
#include <optional>

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
constexpr std::uint16_t kEtypeTransparentBridging = 0x6558; // Ethernet inside GRE

constexpr std::uint8_t kProtoIpInIp = 4;
constexpr std::uint8_t kProtoIpv6InIp = 41;
constexpr std::uint8_t kProtoUdp = 17;
constexpr std::uint8_t kProtoGre = 47;
constexpr std::uint16_t kVxlanPort = 4789;

// Bounds on loops driven by packet bytes, so a crafted header cannot make us spin.
constexpr int kMaxVlanTags = 4;
constexpr int kMaxMplsLabelsWalked = 16;
constexpr int kMaxIpv6ExtensionHeaders = 8;
// Ethernet pseudowires can carry MPLS that carries a pseudowire again; each level is a nested call.
constexpr int kMaxPseudowireDepth = 4;

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

// Where the inner packet of a tunnel starts.
struct Tunnel
{
    std::size_t offset = 0;
    bool ethernet = false; ///< inner packet is an Ethernet frame, else IP
};

// Walks one header chain. Remembers the first tunnel of the kind asked for; the inner packet is then
// parsed by a second Parser without decapsulation.
class Parser
{
public:
    Parser(const Bytes& b, Decapsulation decap)
        : m_b(b)
        , m_decap(decap)
    {}

    const std::optional<Tunnel>& tunnel() const { return m_tunnel; }

    std::uint32_t parseEthernet(std::size_t off, FlowRecord& r, bool setMacs, int depth);
    std::uint32_t parseIpByVersion(std::size_t off, FlowRecord& r);
    std::uint32_t parseMpls(std::size_t off, FlowRecord& r, int depth);

private:
    std::uint32_t parseIpv4(std::size_t off, FlowRecord& r);
    std::uint32_t parseIpv6(std::size_t off, FlowRecord& r);
    std::uint32_t parseEthertype(std::size_t off, std::uint16_t etype, FlowRecord& r, int depth);
    void findTunnel(std::size_t off, std::uint8_t proto, bool outerV6);
    void noteTunnel(std::size_t offset, bool ethernet)
    {
        if (!m_tunnel)
            m_tunnel = Tunnel{offset, ethernet};
    }

    const Bytes& m_b;
    Decapsulation m_decap;
    std::optional<Tunnel> m_tunnel;
};

void Parser::findTunnel(std::size_t off, std::uint8_t proto, bool outerV6)
{
    switch (m_decap) {
    case Decapsulation::None:
        return;
    case Decapsulation::Srv6:
        // SRv6 encapsulation (RFC 8986 H.Encaps, with the SRH already walked as a routing header, or the
        // reduced form without one) is IPv6 carrying IP.
        if (outerV6 && (proto == kProtoIpInIp || proto == kProtoIpv6InIp))
            noteTunnel(off, false);
        return;
    case Decapsulation::IpInIp:
        if (proto == kProtoIpInIp || proto == kProtoIpv6InIp)
            noteTunnel(off, false);
        return;
    case Decapsulation::Gre: {
        // RFC 2784/2890: flags and version, protocol type, then optional checksum, key and sequence.
        if (proto != kProtoGre || !m_b.has(off, 4))
            return;
        const std::uint16_t flags = m_b.u16(off);
        if ((flags & 0x0007) != 0)
            return; // version 1 is PPTP's enhanced GRE, which carries PPP
        const std::uint16_t type = m_b.u16(off + 2);
        std::size_t inner = off + 4;
        inner += (flags & 0x8000) ? 4 : 0; // checksum + reserved
        inner += (flags & 0x2000) ? 4 : 0; // key
        inner += (flags & 0x1000) ? 4 : 0; // sequence number
        if (type == kEtypeIpv4 || type == kEtypeIpv6)
            noteTunnel(inner, false);
        else if (type == kEtypeTransparentBridging)
            noteTunnel(inner, true);
        return;
    }
    case Decapsulation::Vxlan:
        // RFC 7348: UDP to 4789, then 8 bytes whose first carries the I (valid VNI) flag.
        if (proto == kProtoUdp && m_b.has(off, 16) && m_b.u16(off + 2) == kVxlanPort &&
            (m_b.u8(off + 8) & 0x08))
            noteTunnel(off + 16, true);
        return;
    }
}

std::uint32_t Parser::parseIpv4(std::size_t off, FlowRecord& r)
{
    if (!m_b.has(off, 20))
        return 0;
    const std::uint8_t versionIhl = m_b.u8(off);
    const std::size_t ihl = std::size_t(versionIhl & 0x0F) * 4;
    if ((versionIhl >> 4) != 4 || ihl < 20)
        return 0;
    const std::uint16_t flagsFragment = m_b.u16(off + 6);
    r.etype = kEtypeIpv4;
    r.ip_tos = m_b.u8(off + 1);
    r.fragment_id = m_b.u16(off + 4);
    r.ip_flags = static_cast<std::uint8_t>(flagsFragment >> 13);
    r.fragment_offset = flagsFragment & 0x1FFF;
    r.ip_ttl = m_b.u8(off + 8);
    r.proto = m_b.u8(off + 9);
    r.src_addr = IpAddress::fromV4Bytes(m_b.raw(off + 12));
    r.dst_addr = IpAddress::fromV4Bytes(m_b.raw(off + 16));
    // Later fragments carry no transport header: their first bytes are payload.
    if (r.fragment_offset == 0) {
        parseTransport(m_b, off + ihl, r.proto, r);
        findTunnel(off + ihl, r.proto, false);
    }
    return m_b.u16(off + 2);
}

std::uint32_t Parser::parseIpv6(std::size_t off, FlowRecord& r)
{
    if (!m_b.has(off, 40))
        return 0;
    const std::uint32_t first = m_b.u32(off);
    if ((first >> 28) != 6)
        return 0;
    r.etype = kEtypeIpv6;
    r.ip_tos = static_cast<std::uint8_t>(first >> 20);
    r.ipv6_flow_label = first & 0xFFFFF;
    r.ip_ttl = m_b.u8(off + 7);
    r.src_addr = IpAddress::fromV6Bytes(m_b.raw(off + 8));
    r.dst_addr = IpAddress::fromV6Bytes(m_b.raw(off + 24));
    const std::uint32_t length = std::uint32_t(m_b.u16(off + 4)) + 40;
    std::uint8_t next = m_b.u8(off + 6);
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
            if (!m_b.has(off, 2)) {
                walking = false;
                break;
            }
            next = m_b.u8(off);
            off += (std::size_t(m_b.u8(off + 1)) + 1) * 8;
            break;
        case 51: // AH: length in 4-byte units minus 2
            if (!m_b.has(off, 2)) {
                walking = false;
                break;
            }
            next = m_b.u8(off);
            off += (std::size_t(m_b.u8(off + 1)) + 2) * 4;
            break;
        case 44: { // fragment
            if (!m_b.has(off, 8)) {
                walking = false;
                break;
            }
            const std::uint16_t offsetFlags = m_b.u16(off + 2);
            r.fragment_offset = offsetFlags >> 3;
            r.ip_flags = offsetFlags & 0x1; // M flag, the same bit as IPv4's MF
            r.fragment_id = m_b.u32(off + 4);
            next = m_b.u8(off);
            off += 8;
            break;
        }
        default:
            walking = false;
            break;
        }
    }
    r.proto = next;
    if (r.fragment_offset == 0) {
        parseTransport(m_b, off, next, r);
        findTunnel(off, next, true);
    }
    return length;
}

std::uint32_t Parser::parseIpByVersion(std::size_t off, FlowRecord& r)
{
    if (!m_b.has(off, 1))
        return 0;
    const std::uint8_t version = m_b.u8(off) >> 4;
    if (version == 4)
        return parseIpv4(off, r);
    if (version == 6)
        return parseIpv6(off, r);
    return 0;
}

std::uint32_t Parser::parseMpls(std::size_t off, FlowRecord& r, int depth)
{
    int count = 0;
    bool bottom = false;
    while (!bottom && count < kMaxMplsLabelsWalked) {
        if (!m_b.has(off, 4))
            break;
        const std::uint32_t entry = m_b.u32(off);
        if (count < kMaxMplsLabels)
            r.mpls_label[count] = entry >> 12;
        bottom = (entry & 0x100) != 0;
        ++count;
        off += 4;
    }
    r.mpls_label_count = static_cast<std::uint8_t>(std::min(count, kMaxMplsLabels));
    if (!bottom || !m_b.has(off, 1))
        return 0;
    // MPLS does not say what it carries; like goflow2 and Wireshark, guess from the first nibble: 4 or 6
    // is IP, 0 is a pseudowire control word (RFC 4385) in front of an Ethernet frame (EVPN, VPLS).
    if ((m_b.u8(off) >> 4) == 0) {
        if (depth >= kMaxPseudowireDepth)
            return 0;
        return parseEthernet(off + 4, r, false, depth + 1);
    }
    return parseIpByVersion(off, r);
}

std::uint32_t Parser::parseEthertype(std::size_t off, std::uint16_t etype, FlowRecord& r, int depth)
{
    switch (etype) {
    case kEtypeIpv4:
        return parseIpv4(off, r);
    case kEtypeIpv6:
        return parseIpv6(off, r);
    case kEtypeMplsUnicast:
    case kEtypeMplsMulticast:
        return parseMpls(off, r, depth);
    case kEtypePppoeSession:
        // 6-byte PPPoE header, then the 2-byte PPP protocol: 0x0021 IPv4, 0x0057 IPv6.
        if (m_b.has(off, 8)) {
            const std::uint16_t ppp = m_b.u16(off + 6);
            if (ppp == 0x0021)
                return parseIpv4(off + 8, r);
            if (ppp == 0x0057)
                return parseIpv6(off + 8, r);
        }
        return 0;
    default:
        return 0;
    }
}

std::uint32_t Parser::parseEthernet(std::size_t off, FlowRecord& r, bool setMacs, int depth)
{
    if (!m_b.has(off, 14))
        return 0;
    if (setMacs) {
        r.dst_mac = m_b.mac(off);
        r.src_mac = m_b.mac(off + 6);
    }
    std::uint16_t etype = m_b.u16(off + 12);
    off += 14;
    if (etype < 0x0600) {
        // 802.3 length field: only LLC/SNAP (AA-AA-03, OUI, type) says what follows.
        if (!m_b.has(off, 8) || m_b.u8(off) != 0xAA || m_b.u8(off + 1) != 0xAA || m_b.u8(off + 2) != 0x03)
            return 0;
        etype = m_b.u16(off + 6);
        off += 8;
    }
    for (int tags = 0; tags < kMaxVlanTags; ++tags) {
        if (etype != kEtypeVlan && etype != kEtypeQinQ && etype != kEtypeQinQLegacy)
            break;
        if (!m_b.has(off, 4)) {
            r.etype = etype;
            return 0;
        }
        // Innermost tag wins, as in goflow2: for QinQ that is the customer VLAN.
        r.vlan_id = m_b.u16(off) & 0x0FFF;
        etype = m_b.u16(off + 2);
        off += 4;
    }
    r.etype = etype;
    return parseEthertype(off, etype, r, depth);
}

std::uint32_t parseFrom(Parser& p, HeaderProtocol first, FlowRecord& r)
{
    switch (first) {
    case HeaderProtocol::Ethernet:
        return p.parseEthernet(0, r, true, 0);
    case HeaderProtocol::Ipv4:
    case HeaderProtocol::Ipv6:
        return p.parseIpByVersion(0, r);
    case HeaderProtocol::Mpls:
        return p.parseMpls(0, r, 0);
    }
    return 0;
}

} // namespace

std::uint32_t parsePacketHeader(std::span<const std::byte> header, HeaderProtocol first, FlowRecord& r,
                                Decapsulation decap, bool* decapsulated)
{
    if (decapsulated)
        *decapsulated = false;
    const Bytes b{header.data(), header.size()};
    Parser outer(b, decap);
    if (decap == Decapsulation::None)
        return parseFrom(outer, first, r);

    const FlowRecord before = r;
    const std::uint32_t length = parseFrom(outer, first, r);
    if (!outer.tunnel())
        return length;
    FlowRecord inner = before;
    Parser p(b, Decapsulation::None);
    const Tunnel& t = *outer.tunnel();
    const std::uint32_t innerLength =
        t.ethernet ? p.parseEthernet(t.offset, inner, true, 0) : p.parseIpByVersion(t.offset, inner);
    if (innerLength == 0)
        return length;
    r = inner;
    if (decapsulated)
        *decapsulated = true;
    return innerLength;
}

void parseTransportHeader(std::span<const std::byte> header, std::uint8_t proto, FlowRecord& r)
{
    parseTransport(Bytes{header.data(), header.size()}, 0, proto, r);
}

} // namespace flowlens::decode
