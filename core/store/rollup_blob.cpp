#include "rollup_blob.h"

#include <zstd.h>

#include <algorithm>
#include <cstring>
#include <memory>

namespace flowlens::store {

namespace {

enum Format : std::uint8_t
{
    kPlain = 1, ///< [1][payload]
    kZstd = 2,  ///< [2][varint payload size][zstd frame]
};
constexpr std::uint8_t kMixedKeySizes = 0xFF;
/// Payloads shorter than this are stored plain (a zstd frame would not pay for itself).
constexpr std::size_t kCompressFrom = 256;
constexpr int kZstdLevel = 3;
/// A bucket holds at most 100,000 kept keys per dimension (RollupAccumulator); anything claiming
/// far more is damaged.
constexpr std::uint64_t kMaxRows = 1u << 22;

void putVarint(std::vector<std::byte>& out, std::uint64_t v)
{
    while (v >= 0x80) {
        out.push_back(std::byte(std::uint8_t(v) | 0x80));
        v >>= 7;
    }
    out.push_back(std::byte(std::uint8_t(v)));
}

std::uint64_t zigzag(std::int64_t v)
{
    return (std::uint64_t(v) << 1) ^ std::uint64_t(v >> 63);
}

std::int64_t unzigzag(std::uint64_t v)
{
    return std::int64_t(v >> 1) ^ -std::int64_t(v & 1);
}

void putCounters(std::vector<std::byte>& out, const Counters& c)
{
    putVarint(out, c.flows);
    putVarint(out, c.packets);
    putVarint(out, c.bytes);
    putVarint(out, zigzag(std::int64_t(c.scaledPackets - c.packets)));
    putVarint(out, zigzag(std::int64_t(c.scaledBytes - c.bytes)));
}

/// Bounds-checked reader over a payload.
struct Cursor
{
    const std::byte* p;
    const std::byte* end;
    bool ok = true;

    bool varint(std::uint64_t& v)
    {
        v = 0;
        for (int shift = 0; shift < 64; shift += 7) {
            if (p == end)
                return ok = false;
            const auto b = std::uint8_t(*p++);
            v |= std::uint64_t(b & 0x7F) << shift;
            if (!(b & 0x80))
                return true;
        }
        return ok = false;
    }
    bool byte(std::uint8_t& v)
    {
        if (p == end)
            return ok = false;
        v = std::uint8_t(*p++);
        return true;
    }
    const std::byte* take(std::size_t n)
    {
        if (std::size_t(end - p) < n) {
            ok = false;
            return nullptr;
        }
        const std::byte* at = p;
        p += n;
        return at;
    }
};

bool readCounters(Cursor& in, Counters& c)
{
    std::uint64_t sp = 0, sb = 0;
    if (!in.varint(c.flows) || !in.varint(c.packets) || !in.varint(c.bytes) || !in.varint(sp) ||
        !in.varint(sb))
        return false;
    c.scaledPackets = c.packets + std::uint64_t(unzigzag(sp));
    c.scaledBytes = c.bytes + std::uint64_t(unzigzag(sb));
    return true;
}

} // namespace

std::vector<std::byte> encodeRollupRows(std::vector<std::pair<RollupKey, Counters>> rows,
                                        const Counters& other)
{
    std::sort(rows.begin(), rows.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const std::size_t n = rows.size();
    std::uint8_t keySize = n ? rows.front().first.size : 0;
    for (const auto& [key, c] : rows)
        if (key.size != keySize)
            keySize = kMixedKeySizes;

    std::vector<std::byte> payload;
    payload.reserve(16 + n * 12);
    putVarint(payload, n);
    payload.push_back(std::byte(other.flows > 0 ? 1 : 0));
    payload.push_back(std::byte(keySize));
    if (keySize == kMixedKeySizes) {
        for (const auto& [key, c] : rows)
            payload.push_back(std::byte(key.size));
        for (const auto& [key, c] : rows)
            for (std::size_t i = 0; i < key.size; ++i)
                payload.push_back(std::byte(key.bytes[i]));
    } else {
        // Byte i of every key together: sorted keys share their leading bytes, which zstd then
        // stores in a few bytes.
        for (std::size_t i = 0; i < keySize; ++i)
            for (const auto& [key, c] : rows)
                payload.push_back(std::byte(key.bytes[i]));
    }
    // Column by column: similar magnitudes side by side compress better.
    for (const auto& [key, c] : rows)
        putVarint(payload, c.flows);
    for (const auto& [key, c] : rows)
        putVarint(payload, c.packets);
    for (const auto& [key, c] : rows)
        putVarint(payload, c.bytes);
    for (const auto& [key, c] : rows)
        putVarint(payload, zigzag(std::int64_t(c.scaledPackets - c.packets)));
    for (const auto& [key, c] : rows)
        putVarint(payload, zigzag(std::int64_t(c.scaledBytes - c.bytes)));
    if (other.flows > 0)
        putCounters(payload, other);

    std::vector<std::byte> out;
    if (payload.size() < kCompressFrom) {
        out.reserve(payload.size() + 1);
        out.push_back(std::byte(kPlain));
        out.insert(out.end(), payload.begin(), payload.end());
        return out;
    }
    out.push_back(std::byte(kZstd));
    putVarint(out, payload.size());
    const std::size_t header = out.size();
    out.resize(header + ZSTD_compressBound(payload.size()));
    const std::size_t written =
        ZSTD_compress(out.data() + header, out.size() - header, payload.data(), payload.size(), kZstdLevel);
    if (ZSTD_isError(written)) { // cannot happen with a bound-sized buffer; store it plain then
        out.assign(1, std::byte(kPlain));
        out.insert(out.end(), payload.begin(), payload.end());
        return out;
    }
    out.resize(header + written);
    return out;
}

namespace {

/// The payload of a stored value (decompressed into a per-thread buffer when needed).
bool payloadOf(std::span<const std::byte> blob, Cursor& in)
{
    if (blob.empty())
        return false;
    in = Cursor{blob.data() + 1, blob.data() + blob.size()};
    if (std::uint8_t(blob[0]) == kPlain)
        return true;
    if (std::uint8_t(blob[0]) != kZstd)
        return false;
    std::uint64_t size = 0;
    if (!in.varint(size) || size > kMaxRows * 64)
        return false;
    thread_local std::vector<std::byte> plain;
    thread_local const std::unique_ptr<ZSTD_DCtx, std::size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(),
                                                                                    &ZSTD_freeDCtx);
    plain.resize(std::size_t(size));
    const std::size_t got =
        ZSTD_decompressDCtx(dctx.get(), plain.data(), plain.size(), in.p, std::size_t(in.end - in.p));
    if (ZSTD_isError(got) || got != size)
        return false;
    in = Cursor{plain.data(), plain.data() + plain.size()};
    return true;
}

/// What a payload starts with: rows, whether an "other" row follows them, the key size.
struct Header
{
    std::uint64_t rows = 0;
    std::uint8_t hasOther = 0;
    std::uint8_t keySize = 0; ///< kMixedKeySizes: one size byte per row follows
};

bool readHeader(Cursor& in, Header& h)
{
    return in.varint(h.rows) && h.rows <= kMaxRows && in.byte(h.hasOther) && in.byte(h.keySize) &&
           (h.keySize == kMixedKeySizes || h.keySize <= 32);
}

} // namespace

bool decodeRollupRows(std::span<const std::byte> blob, std::int64_t bucket, std::vector<RollupRow>& out)
{
    Cursor in{nullptr, nullptr};
    if (!payloadOf(blob, in))
        return false;

    Header h;
    if (!readHeader(in, h))
        return false;
    const std::uint64_t n = h.rows;
    const std::uint8_t keySize = h.keySize;
    const std::size_t first = out.size();
    out.resize(first + std::size_t(n));
    RollupRow* rows = out.data() + first;
    auto undo = [&] {
        out.resize(first);
        return false;
    };
    if (keySize == kMixedKeySizes) {
        const std::byte* sizes = in.take(std::size_t(n));
        if (!sizes)
            return undo();
        for (std::size_t r = 0; r < n; ++r) {
            const auto size = std::uint8_t(sizes[r]);
            const std::byte* bytes = size <= 32 ? in.take(size) : nullptr;
            if (!bytes || size == 0)
                return undo();
            rows[r].key.size = size;
            std::memcpy(rows[r].key.bytes.data(), bytes, size);
        }
    } else {
        const std::byte* bytes = in.take(std::size_t(n) * keySize);
        if (!bytes)
            return undo();
        for (std::size_t r = 0; r < n; ++r) {
            rows[r].key.size = keySize;
            for (std::size_t i = 0; i < keySize; ++i)
                rows[r].key.bytes[i] = std::uint8_t(bytes[i * n + r]);
        }
    }
    for (std::size_t r = 0; r < n; ++r) {
        rows[r].bucket = bucket;
        if (!in.varint(rows[r].counters.flows))
            return undo();
    }
    for (std::size_t r = 0; r < n; ++r)
        if (!in.varint(rows[r].counters.packets))
            return undo();
    for (std::size_t r = 0; r < n; ++r)
        if (!in.varint(rows[r].counters.bytes))
            return undo();
    for (std::size_t r = 0; r < n; ++r) {
        std::uint64_t d = 0;
        if (!in.varint(d))
            return undo();
        rows[r].counters.scaledPackets = rows[r].counters.packets + std::uint64_t(unzigzag(d));
    }
    for (std::size_t r = 0; r < n; ++r) {
        std::uint64_t d = 0;
        if (!in.varint(d))
            return undo();
        rows[r].counters.scaledBytes = rows[r].counters.bytes + std::uint64_t(unzigzag(d));
    }
    if (h.hasOther) {
        RollupRow o;
        o.bucket = bucket;
        if (!readCounters(in, o.counters))
            return undo();
        out.push_back(o);
    }
    return in.p == in.end || undo();
}

bool addRollupRowsByKey16(std::span<const std::byte> blob, std::span<Counters> table,
                          std::span<std::uint8_t> used, Counters& other)
{
    if (table.size() < 65536 || used.size() < 65536)
        return false;
    Cursor in{nullptr, nullptr};
    if (!payloadOf(blob, in))
        return false;
    Header h;
    if (!readHeader(in, h) || h.rows > 65536 || (h.keySize != 2 && h.rows > 0))
        return false;
    const std::uint64_t n = h.rows;
    const std::byte* bytes = in.take(std::size_t(n) * 2);
    if (!bytes)
        return false;
    thread_local std::vector<std::uint16_t> index;
    index.resize(std::size_t(n));
    for (std::size_t r = 0; r < n; ++r) {
        index[r] = std::uint16_t(std::uint16_t(bytes[r]) << 8 | std::uint16_t(bytes[n + r]));
        used[index[r]] = 1;
    }
    std::uint64_t v = 0;
    for (std::size_t r = 0; r < n; ++r) {
        if (!in.varint(v))
            return false;
        table[index[r]].flows += v;
    }
    for (std::size_t r = 0; r < n; ++r) {
        if (!in.varint(v))
            return false;
        table[index[r]].packets += v;
        table[index[r]].scaledPackets += v;
    }
    for (std::size_t r = 0; r < n; ++r) {
        if (!in.varint(v))
            return false;
        table[index[r]].bytes += v;
        table[index[r]].scaledBytes += v;
    }
    for (std::size_t r = 0; r < n; ++r) {
        if (!in.varint(v))
            return false;
        table[index[r]].scaledPackets += std::uint64_t(unzigzag(v));
    }
    for (std::size_t r = 0; r < n; ++r) {
        if (!in.varint(v))
            return false;
        table[index[r]].scaledBytes += std::uint64_t(unzigzag(v));
    }
    if (h.hasOther) {
        Counters o;
        if (!readCounters(in, o))
            return false;
        other.add(o);
    }
    return in.p == in.end;
}

} // namespace flowlens::store
