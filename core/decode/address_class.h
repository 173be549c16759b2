#pragma once

#include "ip_address.h"

#include <cstdint>
#include <optional>
#include <string_view>

namespace flowlens::decode {

/// What kind of network an address belongs to (IANA special-purpose address registries), so that
/// flows of private or local addresses are labelled instead of left without a country. The numbers
/// are stored (FlowRecord::src_addr_class): append only.
enum class AddressClass : std::uint8_t
{
    Unclassified = 0, ///< not enriched
    Public = 1,
    Private = 2,       ///< RFC 1918, fc00::/7 (unique local)
    Shared = 3,        ///< RFC 6598 100.64.0.0/10 (carrier-grade NAT)
    LinkLocal = 4,     ///< 169.254.0.0/16, fe80::/10
    Loopback = 5,      ///< 127.0.0.0/8, ::1
    Multicast = 6,     ///< 224.0.0.0/4, ff00::/8
    Documentation = 7, ///< 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32
    Reserved = 8,      ///< 0.0.0.0/8, 240.0.0.0/4, benchmarking, protocol assignments, ...
    Unspecified = 9,   ///< no address (0.0.0.0, ::)
    Count_
};

/// Classifies an address by the IANA special-purpose ranges; a few ns (a handful of compares).
AddressClass classifyAddress(const IpAddress& a);
/// "public", "private", "shared", "link-local", "loopback", "multicast", "documentation",
/// "reserved", "unspecified"; "" for Unclassified.
std::string_view addressClassName(AddressClass c);
std::optional<AddressClass> addressClassFromName(std::string_view name);

} // namespace flowlens::decode
