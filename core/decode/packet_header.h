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

/// Parses the first bytes of a sampled packet (as far as they go) into `r`: src/dst MAC, vlan_id (the
/// innermost 802.1Q/802.1ad/0x9100 tag), etype, MPLS label stack, IPv4/IPv6 addresses, tos, ttl,
/// ip_flags, fragment id/offset, IPv6 flow label (walking hop-by-hop, routing, fragment, destination
/// options, mobility and AH extension headers), proto, TCP/UDP/SCTP/DCCP ports, TCP flags and ICMP/ICMPv6
/// type/code. Only fields found in the header are written; a header cut short keeps what was read.
/// The IPv4/IPv6 entry points follow the version nibble, so either can start an IPFIX IE 313 section.
/// `first` values other than the enumerators leave `r` unchanged. Never reads outside `header`.
/// Returns the outer IP packet length from its header (IPv4 total length, IPv6 payload length + 40),
/// or 0 when no IP header was reached.
std::uint32_t parsePacketHeader(std::span<const std::byte> header, HeaderProtocol first, FlowRecord& r);

/// Parses a transport header of IP protocol `proto` (TCP, UDP, SCTP, DCCP, UDP-Lite: ports; TCP: flags;
/// ICMP/ICMPv6: type and code) into `r`. Used by parsePacketHeader; public for headers captured from L4 on.
void parseTransportHeader(std::span<const std::byte> header, std::uint8_t proto, FlowRecord& r);

} // namespace flowlens::decode
