#pragma once

#include "core/decode/ip_address.h"

#include <cstdint>
#include <vector>

namespace flowlens::enrich {

/// What enrichment found for one address (ids refer to the store's dictionaries).
struct AddressFacts
{
    std::uint32_t city = 0;
    std::uint32_t asn = 0;
    std::uint16_t country = 0; ///< packed ISO code
    std::uint16_t net = 0;     ///< user network id
    std::uint8_t addrClass = 0;
};

/// Bounded address -> facts cache: 4-way set-associative, least recently used way evicted. A hit
/// is a hash, one cache line of tags and a compare (tens of ns); memory is fixed at construction.
class AddressCache
{
public:
    explicit AddressCache(std::size_t capacity = 65536);

    /// The cached facts, or null (and counts a miss). The pointer is valid until the next insert().
    const AddressFacts* find(const decode::IpAddress& address);
    void insert(const decode::IpAddress& address, const AddressFacts& facts);
    void clear();

    std::size_t capacity() const { return m_ways.size(); }
    std::uint64_t hits() const { return m_hits; }
    std::uint64_t misses() const { return m_misses; }

private:
    static constexpr std::size_t kWays = 4;
    struct Way
    {
        decode::IpAddress key;
        AddressFacts facts;
        std::uint32_t stamp = 0; ///< 0 = empty
    };
    std::size_t setOf(const decode::IpAddress& address) const;

    std::vector<Way> m_ways;
    std::size_t m_setMask = 0;
    std::uint32_t m_clock = 0;
    std::uint64_t m_hits = 0;
    std::uint64_t m_misses = 0;
};

} // namespace flowlens::enrich
