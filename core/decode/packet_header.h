#pragma once

#include "flow_record.h"

#include <cstddef>
#include <cstdint>
#include <span>

namespace flowlens::decode {

/// Where a captured packet header starts. Numbers are sFlow v5's header_protocol values, so an sFlow
/// sampled-header record can be passed straight through; IPFIX dataLinkFrameSection (IE 315) is
/// Ethernet, ipHeaderPacketSection (IE 313) is Ipv4 or Ipv6.
enum class HeaderProtocol : std::uint32_t
{
    Ethernet = 1, ///< Ethernet II / 802.3 (LLC-SNAP), with any 802.1Q/802.1ad tags
    Ipv4 = 11,
    Ipv6 = 12,
    Mpls = 13, ///< starts at the top label
};

/// Tunnels parsePacketHeader can look through, for exporters that sample encapsulated traffic (an
/// SRv6 or VXLAN fabric) where the inner packet is what users want to see. Only the outermost tunnel
/// of the chosen kind is opened.
enum class Decapsulation : std::uint8_t
{
    None,
    IpInIp, ///< IPv4 or IPv6 carrying IPv4 (protocol 4) or IPv6 (protocol 41)
    Gre,    ///< GRE (protocol 47, version 0) carrying IPv4, IPv6 or Ethernet (0x6558)
    Vxlan,  ///< UDP to port 4789 with the VXLAN I flag, carrying Ethernet
    Srv6,   ///< IPv6, with or without a segment routing header, carrying IPv4 or IPv6
};

/// Parses the first bytes of a sampled packet (as far as they go) into `r`: src/dst MAC, vlan_id (the
/// innermost 802.1Q/802.1ad/0x9100 tag), etype, MPLS label stack, IPv4/IPv6 addresses, tos, ttl,
/// ip_flags, fragment id/offset, IPv6 flow label (walking hop-by-hop, routing, fragment, destination
/// options, mobility and AH extension headers), proto, TCP/UDP/SCTP/DCCP ports, TCP flags and ICMP/ICMPv6
/// type/code. Ethernet pseudowires over MPLS (a control word whose first nibble is 0, then a frame, as
/// EVPN/VPLS exporters send) are followed to the inner IP header; the MACs stay those of the outer frame.
/// Only fields found in the header are written; a header cut short keeps what was read.
/// The IPv4/IPv6 entry points follow the version nibble, so either can start an IPFIX IE 313 section.
/// With `decap`, a packet encapsulated that way is described by its inner packet alone: `r` gets only
/// what the inner headers hold (no outer MACs, labels or addresses) and the inner IP length is
/// returned; a packet that is not encapsulated that way (or whose inner IP header is cut off) is parsed
/// as without `decap`. `first` values other than the enumerators leave `r` unchanged. Never reads
/// outside `header`; nesting is bounded, so no input makes it recurse deeply.
/// Returns the outer (decapsulated: inner) IP packet length from its header (IPv4 total length, IPv6
/// payload length + 40), or 0 when no IP header was reached. `decapsulated`, when not null, is set
/// to whether `r` describes an inner packet.
std::uint32_t parsePacketHeader(std::span<const std::byte> header, HeaderProtocol first, FlowRecord& r,
                                Decapsulation decap = Decapsulation::None, bool* decapsulated = nullptr);

/// Parses a transport header of IP protocol `proto` (TCP, UDP, SCTP, DCCP, UDP-Lite: ports; TCP: flags;
/// ICMP/ICMPv6: type and code) into `r`. Used by parsePacketHeader; public for headers captured from L4 on.
void parseTransportHeader(std::span<const std::byte> header, std::uint8_t proto, FlowRecord& r);

} // namespace flowlens::decode
