#pragma once

// Shared by the fuzz targets and the seed generator: how one fuzzer input is cut into the pieces a
// target needs (option bytes, a sequence of datagrams), so seeds and targets agree on the format.

#include "core/decode/ip_address.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace flowlens::fuzz {

/// A cursor over one fuzzer input. Reads past the end give zeros / empty spans, never fail: every
/// input is valid, only its meaning varies.
class FuzzInput
{
public:
    FuzzInput(const std::uint8_t* data, std::size_t size)
        : m_data(reinterpret_cast<const std::byte*>(data))
        , m_size(size)
    {}

    std::size_t remaining() const { return m_size - m_pos; }

    std::uint8_t byte()
    {
        if (m_pos >= m_size)
            return 0;
        return std::to_integer<std::uint8_t>(m_data[m_pos++]);
    }

    std::uint16_t u16()
    {
        const std::uint16_t hi = byte();
        return static_cast<std::uint16_t>((hi << 8) | byte());
    }

    /// The next `n` bytes, fewer at the end of the input.
    std::span<const std::byte> take(std::size_t n)
    {
        const std::size_t k = n < remaining() ? n : remaining();
        const std::span<const std::byte> out(m_data + m_pos, k);
        m_pos += k;
        return out;
    }

    std::span<const std::byte> rest() { return take(remaining()); }

    /// Next element of a sequence: [u8 flags][u16 big-endian length][payload]; a payload cut by the end
    /// of the input is kept as it is. false when the input is used up.
    bool nextChunk(std::uint8_t& flags, std::span<const std::byte>& payload)
    {
        if (remaining() == 0)
            return false;
        flags = byte();
        payload = take(u16());
        return true;
    }

private:
    const std::byte* m_data;
    std::size_t m_size;
    std::size_t m_pos = 0;
};

/// Appends one sequence element in the format nextChunk() reads.
inline void appendChunk(std::vector<std::uint8_t>& out, std::uint8_t flags,
                        std::span<const std::byte> payload)
{
    const std::size_t n = payload.size() < 0xFFFF ? payload.size() : 0xFFFF;
    out.push_back(flags);
    out.push_back(static_cast<std::uint8_t>(n >> 8));
    out.push_back(static_cast<std::uint8_t>(n));
    for (std::size_t i = 0; i < n; ++i)
        out.push_back(std::to_integer<std::uint8_t>(payload[i]));
}

/// The exporter a sequence element comes from (flags & 3): two addresses, two ports, so template
/// scoping by address and port is exercised.
inline decode::Endpoint exporterFor(std::uint8_t flags)
{
    static const decode::Endpoint kExporters[4] = {
        {decode::IpAddress::fromV4(0xC0000201), 2055}, // 192.0.2.1:2055
        {decode::IpAddress::fromV4(0xC0000201), 4739},
        {decode::IpAddress::fromV4(0xC0000202), 2055},
        {decode::IpAddress::fromV4(0x7F000001), 6343},
    };
    return kExporters[flags & 3];
}

/// Link types fuzz_pcap_frame picks from with its first byte: those collect::parseUdpFrame handles
/// (DLT_NULL, EN10MB, RAW x3, LOOP, LINUX_SLL, IPV4, IPV6, LINUX_SLL2) and one it does not (802.11).
inline constexpr int kPcapLinkTypes[] = {0, 1, 12, 14, 101, 108, 113, 228, 229, 276, 105};

} // namespace flowlens::fuzz
