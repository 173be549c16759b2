#include "rollup_presence.h"

#include <bit>

namespace flowlens::store {

namespace {

enum Kind : std::uint8_t
{
    kExact16 = 1, ///< bit (key[0] << 8 | key[1]) of 65,536
    kBloom = 2,   ///< Bloom filter, double hashing over a power-of-two bit count
};
constexpr std::size_t kHeader = 2;
constexpr std::uint8_t kBloomHashes = 5;
constexpr std::size_t kBitsPerKey = 12; // with 5 hashes: under 0.5 % false positives

/// FNV-1a over the key bytes and its size, then a 64-bit finaliser (stable: stored on disk).
std::uint64_t keyHash(const RollupKey& k)
{
    std::uint64_t h = 0xcbf29ce484222325ull ^ k.size;
    for (std::size_t i = 0; i < k.size; ++i) {
        h ^= k.bytes[i];
        h *= 0x100000001b3ull;
    }
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdull;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ull;
    h ^= h >> 33;
    return h;
}

bool testBit(std::span<const std::byte> bits, std::uint64_t i)
{
    return (std::to_integer<unsigned>(bits[i >> 3]) >> (i & 7)) & 1u;
}

void setBit(std::span<std::byte> bits, std::uint64_t i)
{
    bits[i >> 3] |= std::byte(1u << (i & 7));
}

} // namespace

PresenceSet PresenceSet::build(std::span<const RollupKey> keys)
{
    PresenceSet s;
    bool twoByte = keys.size() > 512;
    for (const RollupKey& k : keys)
        twoByte = twoByte && k.size == 2;
    if (twoByte) {
        s.m_bytes.assign(kHeader + 65536 / 8, std::byte{0});
        s.m_bytes[0] = std::byte(kExact16);
        const std::span<std::byte> bits(s.m_bytes.data() + kHeader, 65536 / 8);
        for (const RollupKey& k : keys)
            setBit(bits, std::uint64_t(k.bytes[0]) << 8 | k.bytes[1]);
        return s;
    }
    const std::size_t m = std::bit_ceil(std::max<std::size_t>(512, keys.size() * kBitsPerKey));
    s.m_bytes.assign(kHeader + m / 8, std::byte{0});
    s.m_bytes[0] = std::byte(kBloom);
    s.m_bytes[1] = std::byte(kBloomHashes);
    const std::span<std::byte> bits(s.m_bytes.data() + kHeader, m / 8);
    for (const RollupKey& k : keys) {
        const std::uint64_t h = keyHash(k), step = (h >> 32) | 1;
        for (std::uint64_t i = 0; i < kBloomHashes; ++i)
            setBit(bits, (h + i * step) & (m - 1));
    }
    return s;
}

PresenceSet PresenceSet::fromBlob(std::span<const std::byte> blob)
{
    PresenceSet s;
    if (blob.size() <= kHeader)
        return s;
    const auto kind = std::to_integer<std::uint8_t>(blob[0]);
    const std::size_t bits = (blob.size() - kHeader) * 8;
    const bool valid =
        (kind == kExact16 && bits == 65536) || (kind == kBloom && std::has_single_bit(bits) && bits >= 8 &&
                                                std::to_integer<std::uint8_t>(blob[1]) > 0);
    if (valid)
        s.m_bytes.assign(blob.begin(), blob.end());
    return s;
}

bool PresenceSet::mayContain(const RollupKey& key) const
{
    if (m_bytes.size() <= kHeader)
        return true;
    const std::span<const std::byte> bits(m_bytes.data() + kHeader, m_bytes.size() - kHeader);
    if (std::to_integer<std::uint8_t>(m_bytes[0]) == kExact16)
        return key.size != 2 || testBit(bits, std::uint64_t(key.bytes[0]) << 8 | key.bytes[1]);
    const std::uint64_t m = bits.size() * 8;
    const auto hashes = std::to_integer<std::uint8_t>(m_bytes[1]);
    const std::uint64_t h = keyHash(key), step = (h >> 32) | 1;
    for (std::uint64_t i = 0; i < hashes; ++i)
        if (!testBit(bits, (h + i * step) & (m - 1)))
            return false;
    return true;
}

} // namespace flowlens::store
