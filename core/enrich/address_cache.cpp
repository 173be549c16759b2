#include "address_cache.h"

#include <algorithm>
#include <cstring>

namespace flowlens::enrich {

AddressCache::AddressCache(std::size_t capacity)
{
    std::size_t sets = 1;
    while (sets * kWays < capacity)
        sets <<= 1;
    m_ways.resize(sets * kWays);
    m_setMask = sets - 1;
}

std::size_t AddressCache::setOf(const decode::IpAddress& address) const
{
    std::uint64_t a, b;
    std::memcpy(&a, address.bytes.data(), 8);
    std::memcpy(&b, address.bytes.data() + 8, 8);
    std::uint64_t h = (a * 0x9E3779B97F4A7C15ull) ^ b;
    h ^= h >> 29;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 32;
    return std::size_t(h) & m_setMask;
}

const AddressFacts* AddressCache::find(const decode::IpAddress& address)
{
    Way* set = &m_ways[setOf(address) * kWays];
    for (std::size_t i = 0; i < kWays; ++i) {
        if (set[i].stamp && set[i].key == address) {
            set[i].stamp = ++m_clock;
            ++m_hits;
            return &set[i].facts;
        }
    }
    ++m_misses;
    return nullptr;
}

void AddressCache::insert(const decode::IpAddress& address, const AddressFacts& facts)
{
    if (m_clock > 0xF0000000u) // stamps would wrap after ~4 billion inserts: start over
        clear();
    Way* set = &m_ways[setOf(address) * kWays];
    Way* victim = set;
    for (std::size_t i = 0; i < kWays; ++i) {
        if (set[i].stamp && set[i].key == address) {
            victim = &set[i];
            break;
        }
        if (set[i].stamp < victim->stamp)
            victim = &set[i];
    }
    victim->key = address;
    victim->facts = facts;
    victim->stamp = ++m_clock;
}

void AddressCache::clear()
{
    std::fill(m_ways.begin(), m_ways.end(), Way{});
    m_clock = 0;
}

} // namespace flowlens::enrich
