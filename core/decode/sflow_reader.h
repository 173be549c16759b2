#pragma once

// Private to the sFlow decoder and the packet-header parser: a bounds-checked cursor over
// big-endian (XDR) data. Every read checks the remaining length first and leaves the cursor
// untouched when it fails, so callers can stop at the first short read without reading past the end.

#include <cstddef>
#include <cstdint>
#include <span>

namespace flowlens::decode::detail {

inline std::uint16_t loadBe16(const std::byte* p)
{
    return static_cast<std::uint16_t>((std::to_integer<unsigned>(p[0]) << 8) |
                                      std::to_integer<unsigned>(p[1]));
}

inline std::uint32_t loadBe32(const std::byte* p)
{
    return (std::to_integer<std::uint32_t>(p[0]) << 24) | (std::to_integer<std::uint32_t>(p[1]) << 16) |
           (std::to_integer<std::uint32_t>(p[2]) << 8) | std::to_integer<std::uint32_t>(p[3]);
}

inline std::uint64_t loadBe64(const std::byte* p)
{
    return (std::uint64_t(loadBe32(p)) << 32) | loadBe32(p + 4);
}

class SFlowReader
{
public:
    SFlowReader() = default;
    explicit SFlowReader(std::span<const std::byte> data)
        : m_data(data)
    {}

    std::size_t remaining() const { return m_data.size() - m_pos; }
    std::size_t position() const { return m_pos; }
    std::span<const std::byte> rest() const { return m_data.subspan(m_pos); }

    bool u32(std::uint32_t& v)
    {
        if (remaining() < 4)
            return false;
        v = loadBe32(m_data.data() + m_pos);
        m_pos += 4;
        return true;
    }

    bool u64(std::uint64_t& v)
    {
        if (remaining() < 8)
            return false;
        v = loadBe64(m_data.data() + m_pos);
        m_pos += 8;
        return true;
    }

    /// Takes `n` bytes as a view; no XDR padding is consumed.
    bool bytes(std::size_t n, std::span<const std::byte>& out)
    {
        if (remaining() < n)
            return false;
        out = m_data.subspan(m_pos, n);
        m_pos += n;
        return true;
    }

    bool skip(std::size_t n)
    {
        if (remaining() < n)
            return false;
        m_pos += n;
        return true;
    }

    /// XDR opaque<> / string<>: a 32-bit length, the bytes, then padding to 4 bytes. The padding may be
    /// missing at the very end of the enclosing structure (seen from real agents), so it is optional.
    bool opaque(std::span<const std::byte>& out)
    {
        const std::size_t start = m_pos;
        std::uint32_t n = 0;
        if (!u32(n) || !bytes(n, out)) {
            m_pos = start;
            return false;
        }
        const std::size_t pad = (4 - (n & 3u)) & 3u;
        m_pos += pad <= remaining() ? pad : remaining();
        return true;
    }

    /// Splits off the next `n` bytes as their own reader (a sample or record body).
    bool sub(std::size_t n, SFlowReader& out)
    {
        std::span<const std::byte> body;
        if (!bytes(n, body))
            return false;
        out = SFlowReader(body);
        return true;
    }

private:
    std::span<const std::byte> m_data;
    std::size_t m_pos = 0;
};

} // namespace flowlens::decode::detail
