#include "flow_block.h"

#include <algorithm>
#include <cstring>

#include <zstd.h>

namespace flowlens::store {

using decode::FieldInfo;
using decode::FieldKind;
using decode::FlowField;
using decode::FlowRecord;

namespace {

constexpr char kMagic[4] = {'F', 'L', 'B', '1'};
constexpr std::size_t kHeaderSize = 4 + 4 + 2;
constexpr std::size_t kEntrySize = 1 + 1 + 4 + 4;
constexpr std::size_t kStride = sizeof(FlowRecord);

enum Transform : std::uint8_t
{
    kShuffle = 1,      ///< byte planes: all first bytes, then all second bytes, ...
    kDeltaShuffle = 2, ///< 64-bit wrapping delta from the previous value, then byte planes
    kConstant = 3,     ///< every value equal: the payload is that one value, uncompressed
    kV4Shuffle = 4,    ///< IPv4-mapped addresses only: their 4 IPv4 bytes, byte planes
    kPlain = 5,        ///< 1-byte values as they are
};

void put16(std::byte* p, std::uint16_t v)
{
    p[0] = std::byte(v);
    p[1] = std::byte(v >> 8);
}

void put32(std::byte* p, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        p[i] = std::byte(v >> (8 * i));
}

std::uint32_t get32(const std::byte* p)
{
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) |
           (std::uint32_t(p[3]) << 24);
}

template <class T>
void storeAt(std::byte* base, std::size_t i, T v)
{
    std::memcpy(base + i * kStride, &v, sizeof(T));
}

/// Column properties of a gathered (contiguous) column.
struct Scan
{
    bool allZero = true;
    bool constant = true;
    bool v4Only = false;
};

std::uint64_t load64(const std::uint8_t* p)
{
    std::uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
}

template <class T>
bool allEqual(const std::uint8_t* col, std::size_t n)
{
    T first;
    std::memcpy(&first, col, sizeof(T));
    T diff = 0;
    for (std::size_t i = 1; i < n; ++i) {
        T v;
        std::memcpy(&v, col + i * sizeof(T), sizeof(T));
        diff |= T(v ^ first);
    }
    return diff == 0;
}

Scan scanColumn(const std::uint8_t* col, std::size_t n, std::size_t size, bool address)
{
    Scan s;
    const std::size_t bytes = n * size;
    std::uint64_t any = 0;
    std::size_t i = 0;
    for (; i + 8 <= bytes; i += 8)
        any |= load64(col + i);
    for (; i < bytes; ++i)
        any |= col[i];
    s.allZero = any == 0;
    if (s.allZero)
        return s;
    switch (size) {
    case 1:
        s.constant = allEqual<std::uint8_t>(col, n);
        break;
    case 2:
        s.constant = allEqual<std::uint16_t>(col, n);
        break;
    case 4:
        s.constant = allEqual<std::uint32_t>(col, n);
        break;
    default: { // 8 bytes and wider (addresses, arrays): word by word against the first value
        std::uint64_t diff = 0;
        for (std::size_t r = 1; r < n; ++r)
            for (std::size_t w = 0; w < size; w += 8)
                diff |= load64(col + r * size + w) ^ load64(col + w);
        s.constant = diff == 0;
        break;
    }
    }
    if (address && !s.constant) {
        // IPv4-mapped: ten zero bytes, then ff ff.
        std::uint64_t notMapped = 0;
        for (std::size_t r = 0; r < n; ++r) {
            std::uint32_t mid;
            std::memcpy(&mid, col + r * 16 + 8, 4);
            notMapped |= load64(col + r * 16) | (mid ^ 0xffff0000u);
        }
        s.v4Only = notMapped == 0;
    }
    return s;
}

/// Byte planes of contiguous values of type T.
template <class T>
void toPlanes(const std::uint8_t* col, std::size_t n, std::uint8_t* out)
{
    // Plane by plane: sequential writes, reads that stay in cache.
    for (std::size_t b = 0; b < sizeof(T); ++b) {
        std::uint8_t* plane = out + b * n;
        const std::uint8_t* src = col + b;
        for (std::size_t i = 0; i < n; ++i)
            plane[i] = src[i * sizeof(T)];
    }
}

/// 64-bit wrapping differences from the previous value (the first from 0).
void toDeltas(const std::uint8_t* col, std::size_t n, std::uint8_t* out)
{
    std::uint64_t prev = 0;
    for (std::size_t i = 0; i < n; ++i) {
        const std::uint64_t v = load64(col + i * 8);
        const std::uint64_t d = v - prev;
        prev = v;
        std::memcpy(out + i * 8, &d, 8);
    }
}

/// Byte planes of wide contiguous values, skipping the first `skip` bytes of each.
void toWidePlanes(const std::uint8_t* col, std::size_t n, std::size_t width, std::size_t skip,
                  std::uint8_t* out)
{
    for (std::size_t b = skip; b < width; ++b) {
        std::uint8_t* plane = out + (b - skip) * n;
        const std::uint8_t* src = col + b;
        for (std::size_t i = 0; i < n; ++i)
            plane[i] = src[i * width];
    }
}

template <class T>
void scatterPlanes(const std::uint8_t* in, std::size_t n, std::byte* base, bool delta)
{
    T prev = 0;
    for (std::size_t i = 0; i < n; ++i) {
        T v = 0;
        for (std::size_t b = 0; b < sizeof(T); ++b)
            v |= T(in[b * n + i]) << (8 * b);
        if (delta) {
            v = T(prev + v);
            prev = v;
        }
        storeAt<T>(base, i, v);
    }
}

void scatterWidePlanes(const std::uint8_t* in, std::size_t n, std::size_t width, std::size_t skip,
                       std::byte* base)
{
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    const std::size_t planes = width - skip;
    for (std::size_t i = 0; i < n; ++i) {
        auto* v = reinterpret_cast<std::uint8_t*>(base + i * kStride);
        if (skip)
            std::memcpy(v, kMapped, 12);
        for (std::size_t b = 0; b < planes; ++b)
            v[skip + b] = in[b * n + i];
    }
}

} // namespace

FieldMask allFields()
{
    FieldMask m;
    m.set();
    return m;
}

FieldMask fieldMask(std::initializer_list<FlowField> fields)
{
    FieldMask m;
    for (auto f : fields)
        m.set(std::size_t(f));
    return m;
}

BlockEncoder::BlockEncoder(int zstdLevel)
    : m_level(zstdLevel)
    , m_cctx(ZSTD_createCCtx())
{
    ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx*>(m_cctx), ZSTD_c_compressionLevel, m_level);
    ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx*>(m_cctx), ZSTD_c_contentSizeFlag, 0);
    ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx*>(m_cctx), ZSTD_c_checksumFlag, 0);
    // Byte planes are long runs: small match tables compress them as well and reset faster per column.
    ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx*>(m_cctx), ZSTD_c_hashLog, 12);
    // Matches shorter than 7 bytes rarely pay in byte planes: 6 % faster and 1 % smaller than the
    // level's default of 6 (bench_store BM_BlockEncode/1: 11.7 -> 10.9 ms, 37.48 -> 37.00 B a flow).
    // (Not for the negative levels: their blocks grew 5 %.)
    if (m_level >= 1)
        ZSTD_CCtx_setParameter(static_cast<ZSTD_CCtx*>(m_cctx), ZSTD_c_minMatch, 7);
}

BlockEncoder::~BlockEncoder()
{
    ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(m_cctx));
}

void BlockEncoder::encode(std::span<const FlowRecord> records, std::vector<std::byte>& out)
{
    // A longer block could not be read back (BlockDecoder::open refuses it).
    records = records.first(std::min(records.size(), kMaxBlockFlows));
    m_gathered.clear();
    m_gathered.append(records); // gathers a cache-sized piece at a time
    encode(m_gathered, out);
}

void BlockEncoder::encode(const ColumnBlock& block, std::vector<std::byte>& out)
{
    struct Entry
    {
        std::uint8_t field, transform;
        std::uint32_t payload, stored;
    };
    Entry entries[decode::kFlowFieldCount];
    std::size_t columns = 0;
    const std::size_t n = std::min(block.size(), kMaxBlockFlows);
    auto* cctx = static_cast<ZSTD_CCtx*>(m_cctx);

    m_data.clear();
    for (const FieldInfo& info : decode::flowFields()) {
        if (n == 0)
            break;
        const std::uint8_t* col = block.column(info.field);
        if (!col)
            continue; // zero everywhere: not stored
        const bool address = info.kind == FieldKind::Address;
        const Scan scan = scanColumn(col, n, info.size, address);
        if (scan.allZero)
            continue;
        Entry e{std::uint8_t(info.field), 0, 0, 0};
        if (scan.constant) { // the same value everywhere: stored once
            e.transform = kConstant;
            e.payload = e.stored = info.size;
            const std::size_t at = m_data.size();
            m_data.resize(at + info.size);
            std::memcpy(m_data.data() + at, col, info.size);
            entries[columns++] = e;
            continue;
        }
        std::size_t payload = n * info.size;
        const std::uint8_t* src = nullptr;
        m_planes.resize(payload);
        switch (info.size) {
        case 1:
            src = col;
            e.transform = kPlain;
            break;
        case 2:
            toPlanes<std::uint16_t>(col, n, m_planes.data());
            e.transform = kShuffle;
            break;
        case 4:
            toPlanes<std::uint32_t>(col, n, m_planes.data());
            e.transform = kShuffle;
            break;
        case 8:
            if (info.kind == FieldKind::TimeNs) {
                m_deltas.resize(payload);
                toDeltas(col, n, m_deltas.data());
                toPlanes<std::uint64_t>(m_deltas.data(), n, m_planes.data());
                e.transform = kDeltaShuffle;
            } else {
                toPlanes<std::uint64_t>(col, n, m_planes.data());
                e.transform = kShuffle;
            }
            break;
        default:
            if (scan.v4Only) {
                toWidePlanes(col, n, 16, 12, m_planes.data());
                payload = n * 4;
                e.transform = kV4Shuffle;
            } else {
                toWidePlanes(col, n, info.size, 0, m_planes.data());
                e.transform = kShuffle;
            }
            break;
        }
        if (!src)
            src = m_planes.data();
        const std::size_t bound = ZSTD_compressBound(payload);
        const std::size_t at = m_data.size();
        m_data.resize(at + bound);
        const std::size_t z = ZSTD_compress2(cctx, m_data.data() + at, bound, src, payload);
        if (ZSTD_isError(z)) {
            m_data.resize(at);
            continue; // cannot happen with a correct bound
        }
        m_data.resize(at + z);
        e.payload = std::uint32_t(payload);
        e.stored = std::uint32_t(z);
        entries[columns++] = e;
    }

    // Header and entries, then the data appended: a recycled buffer is not zeroed first.
    const std::size_t size = kHeaderSize + columns * kEntrySize + m_data.size();
    if (out.capacity() < size)
        out.reserve(size + size / 4); // room for the next, slightly larger block in a recycled buffer
    out.resize(kHeaderSize + columns * kEntrySize);
    out.insert(out.end(), m_data.begin(), m_data.end());
    std::byte* p = out.data();
    std::memcpy(p, kMagic, 4);
    put32(p + 4, std::uint32_t(n));
    put16(p + 8, std::uint16_t(columns));
    for (std::size_t c = 0; c < columns; ++c) {
        std::byte* d = p + kHeaderSize + c * kEntrySize;
        d[0] = std::byte(entries[c].field);
        d[1] = std::byte(entries[c].transform);
        put32(d + 2, entries[c].payload);
        put32(d + 6, entries[c].stored);
    }
}

BlockDecoder::BlockDecoder()
    : m_dctx(ZSTD_createDCtx())
{}

BlockDecoder::~BlockDecoder()
{
    ZSTD_freeDCtx(static_cast<ZSTD_DCtx*>(m_dctx));
}

bool BlockDecoder::open(std::span<const std::byte> blob)
{
    m_blob = blob;
    m_count = 0;
    m_columns = {};
    if (blob.size() < kHeaderSize || std::memcmp(blob.data(), kMagic, 4) != 0)
        return false;
    m_count = get32(blob.data() + 4);
    const std::size_t columns = std::size_t(blob[8]) | (std::size_t(blob[9]) << 8);
    std::size_t dir = kHeaderSize;
    std::size_t dataOffset = kHeaderSize + columns * kEntrySize;
    if (dataOffset > blob.size() || m_count > kMaxBlockFlows)
        return false;
    for (std::size_t c = 0; c < columns; ++c, dir += kEntrySize) {
        const auto field = std::size_t(blob[dir]);
        if (field >= std::size_t(decode::kFlowFieldCount))
            return false;
        Column& col = m_columns[field];
        col.present = true;
        col.transform = std::uint8_t(blob[dir + 1]);
        col.payloadSize = get32(blob.data() + dir + 2);
        col.storedSize = get32(blob.data() + dir + 6);
        col.offset = dataOffset;
        const FieldInfo& info = decode::fieldInfo(FlowField(field));
        std::size_t expected = m_count * info.size;
        switch (col.transform) {
        case kConstant:
            expected = info.size;
            if (col.storedSize != info.size)
                return false;
            break;
        case kV4Shuffle:
            if (info.kind != FieldKind::Address)
                return false;
            expected = m_count * 4;
            break;
        case kPlain:
            if (info.size != 1)
                return false;
            break;
        case kDeltaShuffle:
            if (info.size != 8)
                return false;
            break;
        case kShuffle:
            if (info.size < 2)
                return false;
            break;
        default:
            return false;
        }
        if (col.payloadSize != expected)
            return false;
        if (col.storedSize > blob.size() - dataOffset)
            return false;
        dataOffset += col.storedSize;
    }
    return true;
}

bool BlockDecoder::decode(const FieldMask& fields, std::span<FlowRecord> records)
{
    if (records.size() < m_count)
        return false;
    const std::size_t n = m_count;
    if (n == 0)
        return true; // and records.data() may be null: no offsets into it
    auto* recordBase = reinterpret_cast<std::byte*>(records.data());
    auto* dctx = static_cast<ZSTD_DCtx*>(m_dctx);
    for (std::size_t f = 0; f < std::size_t(decode::kFlowFieldCount); ++f) {
        if (!fields.test(f))
            continue;
        const FieldInfo& info = decode::fieldInfo(FlowField(f));
        const Column& col = m_columns[f];
        std::byte* base = recordBase + info.offset;
        if (!col.present || col.transform == kConstant) {
            const std::byte* value = col.present ? m_blob.data() + col.offset : nullptr;
            for (std::size_t i = 0; i < n; ++i) {
                if (value)
                    std::memcpy(base + i * kStride, value, info.size);
                else
                    std::memset(base + i * kStride, 0, info.size);
            }
            continue;
        }
        m_payload.resize(col.payloadSize);
        const std::size_t z = ZSTD_decompressDCtx(dctx, m_payload.data(), col.payloadSize,
                                                  m_blob.data() + col.offset, col.storedSize);
        if (ZSTD_isError(z) || z != col.payloadSize)
            return false;
        const auto* in = reinterpret_cast<const std::uint8_t*>(m_payload.data());
        switch (col.transform) {
        case kPlain:
            for (std::size_t i = 0; i < n; ++i)
                storeAt<std::uint8_t>(base, i, in[i]);
            break;
        case kV4Shuffle:
            scatterWidePlanes(in, n, 16, 12, base);
            break;
        case kShuffle:
        case kDeltaShuffle:
            switch (info.size) {
            case 2:
                scatterPlanes<std::uint16_t>(in, n, base, false);
                break;
            case 4:
                scatterPlanes<std::uint32_t>(in, n, base, false);
                break;
            case 8:
                scatterPlanes<std::uint64_t>(in, n, base, col.transform == kDeltaShuffle);
                break;
            default:
                scatterWidePlanes(in, n, info.size, 0, base);
                break;
            }
            break;
        default:
            return false;
        }
    }
    return true;
}

} // namespace flowlens::store
