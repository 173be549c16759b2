#include "flow_block.h"

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

enum Transform : std::uint8_t
{
    kPlain = 0,
    kShuffle = 1,      ///< byte planes: all first bytes, then all second bytes, ...
    kDeltaShuffle = 2, ///< 64-bit wrapping delta from the previous value, then byte planes
};

void put16(std::vector<std::byte>& out, std::uint16_t v)
{
    out.push_back(std::byte(v));
    out.push_back(std::byte(v >> 8));
}

void put32(std::vector<std::byte>& out, std::uint32_t v)
{
    for (int i = 0; i < 4; ++i)
        out.push_back(std::byte(v >> (8 * i)));
}

std::uint32_t get32(const std::byte* p)
{
    return std::uint32_t(p[0]) | (std::uint32_t(p[1]) << 8) | (std::uint32_t(p[2]) << 16) |
           (std::uint32_t(p[3]) << 24);
}

void gather(std::span<const FlowRecord> records, const FieldInfo& info, std::byte* out)
{
    const std::size_t size = info.size;
    const auto* base = reinterpret_cast<const std::byte*>(records.data()) + info.offset;
    for (std::size_t i = 0; i < records.size(); ++i)
        std::memcpy(out + i * size, base + i * sizeof(FlowRecord), size);
}

void scatter(const std::byte* in, const FieldInfo& info, std::span<FlowRecord> records)
{
    const std::size_t size = info.size;
    auto* base = reinterpret_cast<std::byte*>(records.data()) + info.offset;
    for (std::size_t i = 0; i < records.size(); ++i)
        std::memcpy(base + i * sizeof(FlowRecord), in + i * size, size);
}

void shuffle(const std::byte* in, std::byte* out, std::size_t count, std::size_t width)
{
    for (std::size_t i = 0; i < count; ++i)
        for (std::size_t b = 0; b < width; ++b)
            out[b * count + i] = in[i * width + b];
}

void unshuffle(const std::byte* in, std::byte* out, std::size_t count, std::size_t width)
{
    for (std::size_t b = 0; b < width; ++b)
        for (std::size_t i = 0; i < count; ++i)
            out[i * width + b] = in[b * count + i];
}

void deltaEncode(std::byte* data, std::size_t count)
{
    std::uint64_t prev = 0;
    for (std::size_t i = 0; i < count; ++i) {
        std::uint64_t v;
        std::memcpy(&v, data + i * 8, 8);
        const std::uint64_t d = v - prev;
        prev = v;
        std::memcpy(data + i * 8, &d, 8);
    }
}

void deltaDecode(std::byte* data, std::size_t count)
{
    std::uint64_t prev = 0;
    for (std::size_t i = 0; i < count; ++i) {
        std::uint64_t d;
        std::memcpy(&d, data + i * 8, 8);
        prev += d;
        std::memcpy(data + i * 8, &prev, 8);
    }
}

bool allZero(const std::byte* p, std::size_t n)
{
    for (std::size_t i = 0; i < n; ++i)
        if (p[i] != std::byte{0})
            return false;
    return true;
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
{}

BlockEncoder::~BlockEncoder()
{
    ZSTD_freeCCtx(static_cast<ZSTD_CCtx*>(m_cctx));
}

void BlockEncoder::encode(std::span<const FlowRecord> records, std::vector<std::byte>& out)
{
    out.clear();
    for (char c : kMagic)
        out.push_back(std::byte(c));
    put32(out, std::uint32_t(records.size()));
    const std::size_t columnCountPos = out.size();
    put16(out, 0);

    struct Entry
    {
        std::uint8_t field, transform;
        std::uint32_t raw, compressed;
        std::size_t dataOffset;
    };
    std::vector<Entry> entries;
    std::vector<std::byte> data;
    auto* cctx = static_cast<ZSTD_CCtx*>(m_cctx);

    for (const FieldInfo& info : decode::flowFields()) {
        const std::size_t raw = records.size() * info.size;
        m_column.resize(raw);
        gather(records, info, m_column.data());
        if (raw == 0 || allZero(m_column.data(), raw))
            continue;
        std::uint8_t transform = kPlain;
        const std::byte* src = m_column.data();
        if (info.size > 1) {
            if (info.kind == FieldKind::TimeNs) {
                deltaEncode(m_column.data(), records.size());
                transform = kDeltaShuffle;
            } else {
                transform = kShuffle;
            }
            m_shuffled.resize(raw);
            shuffle(m_column.data(), m_shuffled.data(), records.size(), info.size);
            src = m_shuffled.data();
        }
        const std::size_t bound = ZSTD_compressBound(raw);
        const std::size_t at = data.size();
        data.resize(at + bound);
        const std::size_t n = ZSTD_compressCCtx(cctx, data.data() + at, bound, src, raw, m_level);
        if (ZSTD_isError(n)) { // cannot happen with a correct bound; store uncompressed-equivalent
            data.resize(at);
            continue;
        }
        data.resize(at + n);
        entries.push_back({std::uint8_t(info.field), transform, std::uint32_t(raw), std::uint32_t(n), at});
    }

    out[columnCountPos] = std::byte(entries.size() & 0xff);
    out[columnCountPos + 1] = std::byte(entries.size() >> 8);
    for (const Entry& e : entries) {
        out.push_back(std::byte(e.field));
        out.push_back(std::byte(e.transform));
        put32(out, e.raw);
        put32(out, e.compressed);
    }
    out.insert(out.end(), data.begin(), data.end());
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
    if (dataOffset > blob.size())
        return false;
    for (std::size_t c = 0; c < columns; ++c, dir += kEntrySize) {
        const auto field = std::size_t(blob[dir]);
        if (field >= std::size_t(decode::kFlowFieldCount))
            return false;
        Column& col = m_columns[field];
        col.present = true;
        col.transform = std::uint8_t(blob[dir + 1]);
        col.rawSize = get32(blob.data() + dir + 2);
        col.compressedSize = get32(blob.data() + dir + 6);
        col.offset = dataOffset;
        const FieldInfo& info = decode::fieldInfo(FlowField(field));
        if (col.rawSize != m_count * info.size || col.transform > kDeltaShuffle)
            return false;
        if (col.compressedSize > blob.size() - dataOffset)
            return false;
        dataOffset += col.compressedSize;
    }
    return true;
}

bool BlockDecoder::decode(const FieldMask& fields, std::span<FlowRecord> records)
{
    if (records.size() < m_count)
        return false;
    records = records.first(m_count);
    auto* dctx = static_cast<ZSTD_DCtx*>(m_dctx);
    for (std::size_t f = 0; f < std::size_t(decode::kFlowFieldCount); ++f) {
        if (!fields.test(f))
            continue;
        const FieldInfo& info = decode::fieldInfo(FlowField(f));
        const Column& col = m_columns[f];
        m_raw.resize(std::size_t(m_count) * info.size);
        if (!col.present) {
            std::memset(m_raw.data(), 0, m_raw.size());
            scatter(m_raw.data(), info, records);
            continue;
        }
        std::byte* target = col.transform == kPlain ? m_raw.data() : nullptr;
        if (!target) {
            m_unshuffled.resize(m_raw.size());
            target = m_unshuffled.data();
        }
        const std::size_t n =
            ZSTD_decompressDCtx(dctx, target, col.rawSize, m_blob.data() + col.offset, col.compressedSize);
        if (ZSTD_isError(n) || n != col.rawSize)
            return false;
        if (col.transform != kPlain) {
            unshuffle(m_unshuffled.data(), m_raw.data(), m_count, info.size);
            if (col.transform == kDeltaShuffle)
                deltaDecode(m_raw.data(), m_count);
        }
        scatter(m_raw.data(), info, records);
    }
    return true;
}

} // namespace flowlens::store
