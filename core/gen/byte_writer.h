#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <vector>

namespace flowlens::gen {

/// Big-endian loads and stores on raw buffers (for patching pre-encoded datagrams and for tests).
inline std::uint16_t load16(const std::byte* p)
{
    return static_cast<std::uint16_t>((std::uint16_t(p[0]) << 8) | std::uint16_t(p[1]));
}
inline std::uint32_t load32(const std::byte* p)
{
    return (std::uint32_t(load16(p)) << 16) | load16(p + 2);
}
inline std::uint64_t load64(const std::byte* p)
{
    return (std::uint64_t(load32(p)) << 32) | load32(p + 4);
}
inline void store16(std::byte* p, std::uint16_t v)
{
    p[0] = std::byte(v >> 8);
    p[1] = std::byte(v & 0xff);
}
inline void store32(std::byte* p, std::uint32_t v)
{
    store16(p, std::uint16_t(v >> 16));
    store16(p + 2, std::uint16_t(v));
}
inline void store64(std::byte* p, std::uint64_t v)
{
    store32(p, std::uint32_t(v >> 32));
    store32(p + 4, std::uint32_t(v));
}

/// Appends big-endian (network order) integers to a byte vector. Export formats are built by
/// appending fields in wire order and patching lengths afterwards, so the writer never needs to
/// know a record's size in advance.
class ByteWriter
{
public:
    explicit ByteWriter(std::vector<std::byte>& out)
        : m_out(out)
    {}

    std::size_t size() const { return m_out.size(); }

    void put8(std::uint8_t v) { m_out.push_back(std::byte{v}); }
    void put16(std::uint16_t v)
    {
        put8(std::uint8_t(v >> 8));
        put8(std::uint8_t(v));
    }
    void put32(std::uint32_t v)
    {
        put16(std::uint16_t(v >> 16));
        put16(std::uint16_t(v));
    }
    void put64(std::uint64_t v)
    {
        put32(std::uint32_t(v >> 32));
        put32(std::uint32_t(v));
    }
    void putBytes(const void* data, std::size_t n) { append(static_cast<const std::byte*>(data), n); }
    void putZeros(std::size_t n) { m_out.insert(m_out.end(), n, std::byte{0}); }
    /// Pads with zeros until the size is a multiple of `alignment`, counted from `from`.
    void padTo(std::size_t from, std::size_t alignment)
    {
        putZeros((alignment - (size() - from) % alignment) % alignment);
    }

    void patch16(std::size_t at, std::uint16_t v) { store16(m_out.data() + at, v); }
    void patch32(std::size_t at, std::uint32_t v) { store32(m_out.data() + at, v); }
    std::uint16_t load16At(std::size_t at) const { return load16(m_out.data() + at); }

private:
    void append(const std::byte* p, std::size_t n) { m_out.insert(m_out.end(), p, p + n); }

    std::vector<std::byte>& m_out;
};

} // namespace flowlens::gen
