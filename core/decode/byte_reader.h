#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace flowlens::decode {

/// Big-endian loads from a pointer the caller has already bounds-checked.
inline std::uint16_t loadBe16(const std::uint8_t* p)
{
    return static_cast<std::uint16_t>((std::uint16_t(p[0]) << 8) | p[1]);
}

inline std::uint32_t loadBe32(const std::uint8_t* p)
{
    std::uint32_t v;
    std::memcpy(&v, p, 4);
    return __builtin_bswap32(v);
}

inline std::uint64_t loadBe64(const std::uint8_t* p)
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return __builtin_bswap64(v);
}

/// Unsigned big-endian integer of 1..8 bytes (IPFIX reduced-size encoding); 0 for other lengths.
inline std::uint64_t loadBeUint(const std::uint8_t* p, std::size_t length)
{
    switch (length) {
    case 1:
        return p[0];
    case 2:
        return loadBe16(p);
    case 4:
        return loadBe32(p);
    case 8:
        return loadBe64(p);
    case 3:
        return (std::uint64_t(p[0]) << 16) | (std::uint64_t(p[1]) << 8) | p[2];
    case 5:
    case 6:
    case 7: {
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < length; ++i)
            v = (v << 8) | p[i];
        return v;
    }
    default:
        return 0;
    }
}

/// Bounds-checked big-endian cursor over a byte span. A read past the end returns 0, leaves the
/// position unchanged and clears ok(), so a caller can read a whole header and check once.
class ByteReader
{
public:
    explicit ByteReader(std::span<const std::byte> data)
        : m_data(reinterpret_cast<const std::uint8_t*>(data.data()))
        , m_size(data.size())
    {}
    ByteReader(const std::uint8_t* data, std::size_t size)
        : m_data(data)
        , m_size(size)
    {}

    bool ok() const { return m_ok; }
    std::size_t size() const { return m_size; }
    std::size_t position() const { return m_pos; }
    std::size_t remaining() const { return m_size - m_pos; }
    bool has(std::size_t n) const { return n <= m_size - m_pos; }
    const std::uint8_t* current() const { return m_data + m_pos; }
    const std::uint8_t* data() const { return m_data; }

    std::uint8_t u8()
    {
        if (!need(1))
            return 0;
        return m_data[m_pos++];
    }
    std::uint16_t u16()
    {
        if (!need(2))
            return 0;
        const auto v = loadBe16(m_data + m_pos);
        m_pos += 2;
        return v;
    }
    std::uint32_t u32()
    {
        if (!need(4))
            return 0;
        const auto v = loadBe32(m_data + m_pos);
        m_pos += 4;
        return v;
    }
    std::uint64_t u64()
    {
        if (!need(8))
            return 0;
        const auto v = loadBe64(m_data + m_pos);
        m_pos += 8;
        return v;
    }
    bool skip(std::size_t n)
    {
        if (!need(n))
            return false;
        m_pos += n;
        return true;
    }
    /// Sub-span of n bytes at the cursor (empty and !ok() when it does not fit).
    std::span<const std::byte> bytes(std::size_t n)
    {
        if (!need(n))
            return {};
        const auto* p = reinterpret_cast<const std::byte*>(m_data + m_pos);
        m_pos += n;
        return {p, n};
    }

private:
    bool need(std::size_t n)
    {
        if (n > m_size - m_pos) {
            m_ok = false;
            return false;
        }
        return true;
    }

    const std::uint8_t* m_data = nullptr;
    std::size_t m_size = 0;
    std::size_t m_pos = 0;
    bool m_ok = true;
};

} // namespace flowlens::decode
