#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace flowlens::decode {

/// An IPv4 or IPv6 address in 16 bytes; IPv4 is kept IPv4-mapped (::ffff:a.b.c.d) so that every
/// address column has one width. The all-zero value means "not set".
struct IpAddress
{
    std::array<std::uint8_t, 16> bytes{};

    static IpAddress fromV4(std::uint32_t hostOrder);
    static IpAddress fromV4Bytes(const std::uint8_t* fourBytes);
    static IpAddress fromV6Bytes(const std::uint8_t* sixteenBytes);
    /// Parses dotted IPv4 or RFC 4291 IPv6 text (no zone, no port).
    static std::optional<IpAddress> parse(std::string_view text);

    bool isV4() const;
    bool isZero() const;
    std::uint32_t v4() const; ///< host order; only meaningful when isV4()
    /// Canonical text: dotted quad for IPv4, RFC 5952 for IPv6; empty string when zero.
    std::string toString() const;
    /// Keeps the first prefixLength bits (counted in the IPv4 space for IPv4 addresses).
    IpAddress masked(int prefixLength) const;

    // No operator<=>: <compare> trips Qt 6.4's moc (it cannot parse <concepts>).
    /// Two 8-byte compares (the defaulted one became a memcmp call: 6 % of the writer at 2 M flows/s).
    friend bool operator==(const IpAddress& a, const IpAddress& b)
    {
        std::uint64_t x[2], y[2];
        std::memcpy(x, a.bytes.data(), 16);
        std::memcpy(y, b.bytes.data(), 16);
        return ((x[0] ^ y[0]) | (x[1] ^ y[1])) == 0;
    }
    friend bool operator<(const IpAddress& a, const IpAddress& b) { return a.bytes < b.bytes; }
};

struct IpAddressHash
{
    std::size_t operator()(const IpAddress& a) const noexcept;
};

/// Source of a datagram: exporter address and UDP port.
struct Endpoint
{
    IpAddress address;
    std::uint16_t port = 0;

    std::string toString() const; ///< "192.0.2.1:2055" or "[2001:db8::1]:2055"
    /// Parses "ADDR:PORT", "[V6]:PORT" or ":PORT" (any address).
    static std::optional<Endpoint> parse(std::string_view text);

    friend bool operator==(const Endpoint&, const Endpoint&) = default;
    friend bool operator<(const Endpoint& a, const Endpoint& b)
    {
        return a.address < b.address || (a.address == b.address && a.port < b.port);
    }
};

struct EndpointHash
{
    std::size_t operator()(const Endpoint& e) const noexcept;
};

} // namespace flowlens::decode
