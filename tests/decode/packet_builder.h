#pragma once

// Builds NetFlow v5/v9 and IPFIX datagrams byte by byte for targeted decoder tests.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <utility>
#include <vector>

namespace flowlens::test {

class PacketBuilder
{
public:
    PacketBuilder& u8(std::uint32_t v)
    {
        m_bytes.push_back(std::byte(v & 0xff));
        return *this;
    }
    PacketBuilder& u16(std::uint32_t v) { return u8(v >> 8).u8(v); }
    PacketBuilder& u24(std::uint32_t v) { return u8(v >> 16).u8(v >> 8).u8(v); }
    PacketBuilder& u32(std::uint32_t v) { return u16(v >> 16).u16(v); }
    PacketBuilder& u64(std::uint64_t v) { return u32(std::uint32_t(v >> 32)).u32(std::uint32_t(v)); }
    PacketBuilder& ipv4(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d)
    {
        return u8(a).u8(b).u8(c).u8(d);
    }
    PacketBuilder& zeros(std::size_t n)
    {
        m_bytes.insert(m_bytes.end(), n, std::byte{0});
        return *this;
    }
    PacketBuilder& text(const std::string& s)
    {
        for (char c : s)
            u8(static_cast<unsigned char>(c));
        return *this;
    }

    /// NetFlow v9 header; `count` is the header record count.
    PacketBuilder& v9Header(std::uint16_t count, std::uint32_t sysUptimeMs, std::uint32_t unixSecs,
                            std::uint32_t sequence, std::uint32_t sourceId)
    {
        return u16(9).u16(count).u32(sysUptimeMs).u32(unixSecs).u32(sequence).u32(sourceId);
    }
    /// IPFIX header; the length is filled in by finishIpfix().
    PacketBuilder& ipfixHeader(std::uint32_t exportSecs, std::uint32_t sequence, std::uint32_t domain)
    {
        return u16(10).u16(0).u32(exportSecs).u32(sequence).u32(domain);
    }
    /// Opens a set/FlowSet; its length is filled in by endSet().
    PacketBuilder& beginSet(std::uint16_t id)
    {
        m_setStart = m_bytes.size();
        return u16(id).u16(0);
    }
    /// Closes the open set, padding it with zeros to `align` bytes.
    PacketBuilder& endSet(std::size_t align = 1)
    {
        while ((m_bytes.size() - m_setStart) % align)
            u8(0);
        patch16(m_setStart + 2, m_bytes.size() - m_setStart);
        return *this;
    }
    /// Template record: id, then (type, length) pairs; types with the enterprise bit take a PEN.
    PacketBuilder& templateRecord(std::uint16_t id,
                                  std::initializer_list<std::pair<std::uint16_t, std::uint16_t>> fields)
    {
        u16(id).u16(static_cast<std::uint16_t>(fields.size()));
        for (const auto& [type, length] : fields)
            u16(type).u16(length);
        return *this;
    }
    std::vector<std::byte> finishIpfix()
    {
        patch16(2, m_bytes.size());
        return m_bytes;
    }
    std::vector<std::byte> bytes() const { return m_bytes; }
    std::size_t size() const { return m_bytes.size(); }

private:
    void patch16(std::size_t at, std::size_t v)
    {
        m_bytes[at] = std::byte((v >> 8) & 0xff);
        m_bytes[at + 1] = std::byte(v & 0xff);
    }

    std::vector<std::byte> m_bytes;
    std::size_t m_setStart = 0;
};

/// A NetFlow v5 datagram with `records` copies of one record (fields not given are zero).
struct V5Record
{
    std::uint32_t src = 0x0a000001;
    std::uint32_t dst = 0x0a000002;
    std::uint32_t nextHop = 0;
    std::uint16_t input = 1;
    std::uint16_t output = 2;
    std::uint32_t packets = 10;
    std::uint32_t bytes = 1000;
    std::uint32_t first = 0;
    std::uint32_t last = 0;
    std::uint16_t srcPort = 1234;
    std::uint16_t dstPort = 80;
    std::uint8_t tcpFlags = 0x1b;
    std::uint8_t proto = 6;
    std::uint8_t tos = 0;
    std::uint16_t srcAs = 0;
    std::uint16_t dstAs = 0;
    std::uint8_t srcMask = 0;
    std::uint8_t dstMask = 0;
};

inline PacketBuilder& v5Record(PacketBuilder& b, const V5Record& r)
{
    b.u32(r.src).u32(r.dst).u32(r.nextHop).u16(r.input).u16(r.output).u32(r.packets).u32(r.bytes);
    b.u32(r.first).u32(r.last).u16(r.srcPort).u16(r.dstPort).u8(0).u8(r.tcpFlags).u8(r.proto).u8(r.tos);
    b.u16(r.srcAs).u16(r.dstAs).u8(r.srcMask).u8(r.dstMask).u16(0);
    return b;
}

inline PacketBuilder v5Header(std::uint16_t count, std::uint32_t sysUptime, std::uint32_t unixSecs,
                              std::uint32_t unixNsecs, std::uint32_t sequence, std::uint8_t engineType,
                              std::uint8_t engineId, std::uint16_t sampling)
{
    PacketBuilder b;
    b.u16(5).u16(count).u32(sysUptime).u32(unixSecs).u32(unixNsecs).u32(sequence);
    b.u8(engineType).u8(engineId).u16(sampling);
    return b;
}

} // namespace flowlens::test
