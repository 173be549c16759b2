#include "address_class.h"

#include <algorithm>
#include <array>
#include <initializer_list>

namespace flowlens::decode {

namespace {

struct V4Range
{
    std::uint32_t net;
    int bits;
    AddressClass cls;
};

// Most specific first where ranges nest (192.0.0.0/24 inside nothing else here, but keep the rule).
constexpr V4Range kV4[] = {
    {0x0A000000, 8, AddressClass::Private},        // 10.0.0.0/8
    {0xAC100000, 12, AddressClass::Private},       // 172.16.0.0/12
    {0xC0A80000, 16, AddressClass::Private},       // 192.168.0.0/16
    {0x64400000, 10, AddressClass::Shared},        // 100.64.0.0/10
    {0x7F000000, 8, AddressClass::Loopback},       // 127.0.0.0/8
    {0xA9FE0000, 16, AddressClass::LinkLocal},     // 169.254.0.0/16
    {0xE0000000, 4, AddressClass::Multicast},      // 224.0.0.0/4
    {0xC0000200, 24, AddressClass::Documentation}, // 192.0.2.0/24 TEST-NET-1
    {0xC6336400, 24, AddressClass::Documentation}, // 198.51.100.0/24 TEST-NET-2
    {0xCB007100, 24, AddressClass::Documentation}, // 203.0.113.0/24 TEST-NET-3
    {0x00000000, 8, AddressClass::Reserved},       // 0.0.0.0/8 "this network"
    {0xC0000000, 24, AddressClass::Reserved},      // 192.0.0.0/24 protocol assignments
    {0xC6120000, 15, AddressClass::Reserved},      // 198.18.0.0/15 benchmarking
    {0xC0586300, 24, AddressClass::Reserved},      // 192.88.99.0/24 6to4 relay (deprecated)
    {0xF0000000, 4, AddressClass::Reserved},       // 240.0.0.0/4 and the broadcast address
};

constexpr std::string_view kNames[] = {"",         "public",    "private",       "shared",   "link-local",
                                       "loopback", "multicast", "documentation", "reserved", "unspecified"};
static_assert(std::size(kNames) == std::size_t(AddressClass::Count_));

bool v6Prefix(const IpAddress& a, std::initializer_list<std::uint8_t> prefix, int bits)
{
    int i = 0;
    for (std::uint8_t p : prefix) {
        const int keep = std::min(8, bits - 8 * i);
        if (keep <= 0)
            break;
        const std::uint8_t mask = std::uint8_t(0xff << (8 - keep));
        if ((a.bytes[std::size_t(i)] & mask) != (p & mask))
            return false;
        ++i;
    }
    return true;
}

} // namespace

AddressClass classifyAddress(const IpAddress& a)
{
    if (a.isZero())
        return AddressClass::Unspecified;
    if (a.isV4()) {
        const std::uint32_t v = a.v4();
        if (v == 0)
            return AddressClass::Unspecified;
        for (const V4Range& r : kV4) {
            const std::uint32_t mask = r.bits == 0 ? 0 : ~std::uint32_t(0) << (32 - r.bits);
            if ((v & mask) == r.net)
                return r.cls;
        }
        return AddressClass::Public;
    }
    const auto& b = a.bytes;
    bool loopback = b[15] == 1;
    for (int i = 0; i < 15 && loopback; ++i)
        loopback = b[std::size_t(i)] == 0;
    if (loopback)
        return AddressClass::Loopback;
    if (b[0] == 0xff)
        return AddressClass::Multicast;
    if ((b[0] & 0xfe) == 0xfc)
        return AddressClass::Private;
    if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80)
        return AddressClass::LinkLocal;
    if (v6Prefix(a, {0x20, 0x01, 0x0d, 0xb8}, 32) || v6Prefix(a, {0x3f, 0xff}, 20))
        return AddressClass::Documentation; // 2001:db8::/32, 3fff::/20 (RFC 9637)
    // Global unicast is 2000::/3; everything else (::/8 less the above, 100::/64 discard, ...) and the
    // IETF protocol assignments 2001::/23 (Teredo, ORCHIDv2 and benchmarking among them) are not.
    if ((b[0] & 0xe0) != 0x20)
        return AddressClass::Reserved;
    if (v6Prefix(a, {0x20, 0x01, 0x00}, 23))
        return AddressClass::Reserved;
    return AddressClass::Public;
}

std::string_view addressClassName(AddressClass c)
{
    const auto i = std::size_t(c);
    return i < std::size(kNames) ? kNames[i] : std::string_view();
}

std::optional<AddressClass> addressClassFromName(std::string_view name)
{
    for (std::size_t i = 1; i < std::size(kNames); ++i)
        if (kNames[i] == name)
            return AddressClass(i);
    return std::nullopt;
}

} // namespace flowlens::decode
