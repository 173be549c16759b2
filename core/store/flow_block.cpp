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
T loadAt(const std::byte* base, std::size_t i)
{
    T v;
    std::memcpy(&v, base + i * kStride, sizeof(T));
    return v;
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

Scan scanColumn(const std::uint8_t* col, std::size_t n, std::size_t size, bool address)
{
    static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    Scan s;
    const std::size_t bytes = n * size;
    std::uint64_t any = 0;
    std::size_t i = 0;
    for (; i + 8 <= bytes; i += 8) {
        std::uint64_t w;
        std::memcpy(&w, col + i, 8);
        any |= w;
    }
    for (; i < bytes; ++i)
        any |= col[i];
    s.allZero = any == 0;
    if (s.allZero)
        return s;
    s.constant = true;
    for (std::size_t r = 1; r < n; ++r)
        if (std::memcmp(col + r * size, col, size) != 0) {
            s.constant = false;
            break;
        }
    if (address && !s.constant) {
        s.v4Only = true;
        for (std::size_t r = 0; r < n; ++r)
            if (std::memcmp(col + r * 16, kMapped, 12) != 0) {
                s.v4Only = false;
                break;
            }
    }
    return s;
}

/// Byte planes of contiguous values of type T (optionally delta-coded first).
template <class T>
void toPlanes(std::uint8_t* col, std::size_t n, std::uint8_t* out, bool delta)
{
    if (delta) { // in place: the gathered column is not needed afterwards
        T prev = 0;
        for (std::size_t i = 0; i < n; ++i) {
            T v;
            std::memcpy(&v, col + i * sizeof(T), sizeof(T));
            const T d = T(v - prev);
            prev = v;
            std::memcpy(col + i * sizeof(T), &d, sizeof(T));
        }
    }
    // Plane by plane: sequential writes, reads that stay in cache.
    for (std::size_t b = 0; b < sizeof(T); ++b) {
        std::uint8_t* plane = out + b * n;
        const std::uint8_t* src = col + b;
        for (std::size_t i = 0; i < n; ++i)
            plane[i] = src[i * sizeof(T)];
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
}

BlockEncoder::~BlockEncoder()
{
    ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(m_cctx));
}

void BlockEncoder::encode(std::span<const FlowRecord> records, std::vector<std::byte>& out)
{
    // A longer block could not be read back (BlockDecoder::open refuses it).
    records = records.first(std::min(records.size(), kMaxBlockFlows));
    struct Entry
    {
        std::uint8_t field, transform;
        std::uint32_t payload, stored;
    };
    Entry entries[decode::kFlowFieldCount];
    std::size_t columns = 0;
    const std::size_t n = records.size();
    auto* cctx = static_cast<ZSTD_CCtx*>(m_cctx);
    const auto* recordBase = reinterpret_cast<const std::byte*>(records.data());
    const auto fields = decode::flowFields();

    // One cheap pass finds the fields that are zero or constant in every record (most of them in
    // practice): OR of all records, and OR of each record XOR the first. Only the others are gathered.
    constexpr std::size_t kWords = kStride / 8;
    static_assert(kStride % 8 == 0);
    std::uint64_t anyBits[kWords] = {};
    std::uint64_t diffBits[kWords] = {};
    if (n > 0) {
        std::uint64_t first[kWords];
        std::memcpy(first, recordBase, kStride);
        for (std::size_t i = 0; i < n; ++i) {
            std::uint64_t w[kWords];
            std::memcpy(w, recordBase + i * kStride, kStride);
            for (std::size_t k = 0; k < kWords; ++k) {
                anyBits[k] |= w[k];
                diffBits[k] |= w[k] ^ first[k];
            }
        }
    }
    auto bytesSet = [](const std::uint64_t* image, const FieldInfo& info) {
        const auto* b = reinterpret_cast<const std::uint8_t*>(image) + info.offset;
        for (std::size_t i = 0; i < info.size; ++i)
            if (b[i])
                return true;
        return false;
    };
    std::vector<const FieldInfo*> varying;
    varying.reserve(fields.size());
    for (const FieldInfo& info : fields)
        if (bytesSet(anyBits, info) && bytesSet(diffBits, info))
            varying.push_back(&info);

    // Gather the varying columns in one pass over the records, a cache-sized chunk at a time, so
    // each record is read from memory once rather than once per column.
    for (const FieldInfo* info : varying)
        m_columns[std::size_t(info->field)].resize(n * info->size);
    constexpr std::size_t kChunk = 128;
    for (std::size_t start = 0; start < n; start += kChunk) {
        const std::size_t count = std::min(kChunk, n - start);
        const std::byte* chunk = recordBase + start * kStride;
        for (const FieldInfo* infoPtr : varying) {
            const FieldInfo& info = *infoPtr;
            std::uint8_t* dst = m_columns[std::size_t(info.field)].data() + start * info.size;
            const std::byte* src = chunk + info.offset;
            switch (info.size) {
            case 1:
                for (std::size_t i = 0; i < count; ++i)
                    dst[i] = loadAt<std::uint8_t>(src, i);
                break;
            case 2:
                for (std::size_t i = 0; i < count; ++i) {
                    const auto v = loadAt<std::uint16_t>(src, i);
                    std::memcpy(dst + i * 2, &v, 2);
                }
                break;
            case 4:
                for (std::size_t i = 0; i < count; ++i) {
                    const auto v = loadAt<std::uint32_t>(src, i);
                    std::memcpy(dst + i * 4, &v, 4);
                }
                break;
            case 8:
                for (std::size_t i = 0; i < count; ++i) {
                    const auto v = loadAt<std::uint64_t>(src, i);
                    std::memcpy(dst + i * 8, &v, 8);
                }
                break;
            default:
                for (std::size_t i = 0; i < count; ++i)
                    std::memcpy(dst + i * info.size, src + i * kStride, info.size);
                break;
            }
        }
    }

    m_data.clear();
    for (const FieldInfo& info : fields) {
        if (n == 0)
            break;
        if (!bytesSet(anyBits, info))
            continue; // zero everywhere: not stored
        Entry e{std::uint8_t(info.field), 0, 0, 0};
        if (!bytesSet(diffBits, info)) { // the same value everywhere: stored once
            e.transform = kConstant;
            e.payload = e.stored = info.size;
            const std::size_t at = m_data.size();
            m_data.resize(at + info.size);
            std::memcpy(m_data.data() + at, recordBase + info.offset, info.size);
            entries[columns++] = e;
            continue;
        }
        std::uint8_t* col = m_columns[std::size_t(info.field)].data();
        const bool address = info.kind == FieldKind::Address;
        const Scan scan = scanColumn(col, n, info.size, address);
        std::size_t payload = n * info.size;
        const std::uint8_t* src = nullptr;
        m_planes.resize(payload);
        switch (info.size) {
        case 1:
            src = col;
            e.transform = kPlain;
            break;
        case 2:
            toPlanes<std::uint16_t>(col, n, m_planes.data(), false);
            e.transform = kShuffle;
            break;
        case 4:
            toPlanes<std::uint32_t>(col, n, m_planes.data(), false);
            e.transform = kShuffle;
            break;
        case 8:
            toPlanes<std::uint64_t>(col, n, m_planes.data(), info.kind == FieldKind::TimeNs);
            e.transform = info.kind == FieldKind::TimeNs ? kDeltaShuffle : kShuffle;
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

    out.resize(kHeaderSize + columns * kEntrySize + m_data.size());
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
    if (!m_data.empty())
        std::memcpy(p + kHeaderSize + columns * kEntrySize, m_data.data(), m_data.size());
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
