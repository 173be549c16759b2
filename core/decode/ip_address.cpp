#include "ip_address.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include <arpa/inet.h>

namespace flowlens::decode {

namespace {
constexpr std::array<std::uint8_t, 12> kMappedPrefix{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

std::uint64_t load64(const std::uint8_t* p)
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}
} // namespace

IpAddress IpAddress::fromV4(std::uint32_t hostOrder)
{
    IpAddress a;
    std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), a.bytes.begin());
    a.bytes[12] = static_cast<std::uint8_t>(hostOrder >> 24);
    a.bytes[13] = static_cast<std::uint8_t>(hostOrder >> 16);
    a.bytes[14] = static_cast<std::uint8_t>(hostOrder >> 8);
    a.bytes[15] = static_cast<std::uint8_t>(hostOrder);
    return a;
}

IpAddress IpAddress::fromV4Bytes(const std::uint8_t* fourBytes)
{
    IpAddress a;
    std::copy(kMappedPrefix.begin(), kMappedPrefix.end(), a.bytes.begin());
    std::memcpy(a.bytes.data() + 12, fourBytes, 4);
    return a;
}

IpAddress IpAddress::fromV6Bytes(const std::uint8_t* sixteenBytes)
{
    IpAddress a;
    std::memcpy(a.bytes.data(), sixteenBytes, 16);
    return a;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text)
{
    if (text.empty() || text.size() > 45)
        return std::nullopt;
    char buf[64];
    std::memcpy(buf, text.data(), text.size());
    buf[text.size()] = '\0';
    std::uint8_t out[16];
    if (text.find(':') == std::string_view::npos) {
        if (inet_pton(AF_INET, buf, out) != 1)
            return std::nullopt;
        return fromV4Bytes(out);
    }
    if (inet_pton(AF_INET6, buf, out) != 1)
        return std::nullopt;
    return fromV6Bytes(out);
}

bool IpAddress::isV4() const
{
    return std::equal(kMappedPrefix.begin(), kMappedPrefix.end(), bytes.begin());
}

bool IpAddress::isZero() const
{
    return load64(bytes.data()) == 0 && load64(bytes.data() + 8) == 0;
}

std::uint32_t IpAddress::v4() const
{
    return (std::uint32_t(bytes[12]) << 24) | (std::uint32_t(bytes[13]) << 16) |
           (std::uint32_t(bytes[14]) << 8) | std::uint32_t(bytes[15]);
}

std::string IpAddress::toString() const
{
    if (isZero())
        return {};
    char buf[INET6_ADDRSTRLEN];
    if (isV4()) {
        inet_ntop(AF_INET, bytes.data() + 12, buf, sizeof buf);
        return buf;
    }
    inet_ntop(AF_INET6, bytes.data(), buf, sizeof buf);
    return buf;
}

IpAddress IpAddress::masked(int prefixLength) const
{
    int bits = isV4() ? prefixLength + 96 : prefixLength;
    bits = std::clamp(bits, 0, 128);
    IpAddress out = *this;
    for (int i = 0; i < 16; ++i) {
        const int keep = std::clamp(bits - i * 8, 0, 8);
        out.bytes[i] &= static_cast<std::uint8_t>(keep == 0 ? 0 : (0xff << (8 - keep)) & 0xff);
    }
    return out;
}

std::size_t IpAddressHash::operator()(const IpAddress& a) const noexcept
{
    std::uint64_t h = load64(a.bytes.data()) * 0x9E3779B97F4A7C15ull;
    h ^= load64(a.bytes.data() + 8) + 0x632BE59BD9B4E019ull + (h << 6) + (h >> 2);
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return static_cast<std::size_t>(h);
}

std::string Endpoint::toString() const
{
    std::string addr = address.isZero() ? std::string(address.isV4() ? "0.0.0.0" : "::") : address.toString();
    if (!address.isV4())
        addr = "[" + addr + "]";
    return addr + ":" + std::to_string(port);
}

std::optional<Endpoint> Endpoint::parse(std::string_view text)
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
        return std::nullopt;
    std::string_view host = text.substr(0, colon);
    const std::string_view portText = text.substr(colon + 1);
    unsigned port = 0;
    const auto [ptr, ec] = std::from_chars(portText.data(), portText.data() + portText.size(), port);
    if (ec != std::errc() || ptr != portText.data() + portText.size() || port > 65535 || portText.empty())
        return std::nullopt;
    Endpoint e;
    e.port = static_cast<std::uint16_t>(port);
    if (host.empty()) {
        e.address = IpAddress::fromV4(0);
        return e;
    }
    if (host.front() == '[') {
        if (host.size() < 2 || host.back() != ']')
            return std::nullopt;
        host = host.substr(1, host.size() - 2);
        if (host.find(':') == std::string_view::npos)
            return std::nullopt;
    } else if (host.find(':') != std::string_view::npos) {
        return std::nullopt; // bare IPv6 needs brackets
    }
    if (host == "::") {
        e.address = IpAddress{};
        return e;
    }
    const auto addr = IpAddress::parse(host);
    if (!addr)
        return std::nullopt;
    e.address = *addr;
    return e;
}

std::size_t EndpointHash::operator()(const Endpoint& e) const noexcept
{
    return IpAddressHash{}(e.address) ^ (std::size_t(e.port) * 0x9E3779B97F4A7C15ull);
}

} // namespace flowlens::decode
