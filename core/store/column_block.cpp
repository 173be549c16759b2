#include "column_block.h"

#include <algorithm>
#include <cstring>

namespace flowlens::store {

using decode::FieldInfo;
using decode::FlowRecord;

namespace {

constexpr std::size_t kStride = sizeof(FlowRecord);
constexpr std::size_t kWords = kStride / 8;
static_assert(kStride % 8 == 0);

// GCC's vectoriser packs pairs of these strided loads into a vector through the stack (two 8-byte
// stores, one 16-byte load: a store-forwarding stall per pair), which made gathering three times
// slower than plain scalar moves.
#if defined(__GNUC__) && !defined(__clang__)
#define FLOWLENS_SCALAR __attribute__((optimize("no-tree-vectorize")))
#else
#define FLOWLENS_SCALAR
#endif

template <class T>
FLOWLENS_SCALAR void gather(const std::byte* src, std::size_t count, std::uint8_t* dst)
{
    for (std::size_t i = 0; i < count; ++i) {
        T v;
        std::memcpy(&v, src + i * kStride, sizeof(T));
        std::memcpy(dst + i * sizeof(T), &v, sizeof(T));
    }
}

/// Addresses: two 8-byte moves (a memcpy of a size known only at run time is a library call).
FLOWLENS_SCALAR void gather16(const std::byte* src, std::size_t count, std::uint8_t* dst)
{
    for (std::size_t i = 0; i < count; ++i) {
        std::uint64_t a, b;
        std::memcpy(&a, src + i * kStride, 8);
        std::memcpy(&b, src + i * kStride + 8, 8);
        std::memcpy(dst + i * 16, &a, 8);
        std::memcpy(dst + i * 16 + 8, &b, 8);
    }
}

} // namespace

void ColumnBlock::append(std::span<const FlowRecord> flows)
{
    // 64 flows (22 KB) at a time: the strided reads of each field's gathering hit the L1 cache.
    constexpr std::size_t kPiece = 64;
    for (std::size_t at = 0; at < flows.size(); at += kPiece)
        appendPiece(flows.subspan(at, std::min(kPiece, flows.size() - at)));
}

void ColumnBlock::appendPiece(std::span<const FlowRecord> flows)
{
    if (flows.empty())
        return;
    const std::size_t n = flows.size();
    const auto* base = reinterpret_cast<const std::byte*>(flows.data());
    // Which bytes are nonzero anywhere in these flows: fields that are zero here need no gathering
    // (their new rows are zero-filled, or they have no column at all).
    // Eight words at a time over all the flows, so the accumulators stay in registers.
    std::uint64_t any[kWords] = {};
    for (std::size_t k0 = 0; k0 < kWords; k0 += 8) {
        const std::size_t words = std::min<std::size_t>(8, kWords - k0);
        std::uint64_t acc[8] = {};
        for (std::size_t i = 0; i < n; ++i) {
            const std::byte* r = base + i * kStride + 8 * k0;
            for (std::size_t k = 0; k < 8; ++k) {
                std::uint64_t w = 0;
                if (k < words)
                    std::memcpy(&w, r + 8 * k, 8);
                acc[k] |= w;
            }
        }
        for (std::size_t k = 0; k < words; ++k)
            any[k0 + k] = acc[k];
    }
    for (const FlowRecord& r : flows) {
        m_tMin = std::min(m_tMin, r.time_received_ns);
        m_tMax = std::max(m_tMax, r.time_received_ns);
    }
    const auto* anyBytes = reinterpret_cast<const std::uint8_t*>(any);
    for (const FieldInfo& info : decode::flowFields()) {
        const auto f = std::size_t(info.field);
        bool nonzero = false;
        for (std::size_t b = 0; b < info.size; ++b)
            nonzero |= anyBytes[info.offset + b] != 0;
        auto& col = m_columns[f];
        if (!m_present.test(f)) {
            if (!nonzero)
                continue;
            m_present.set(f);
            col.reserve(std::max(m_reserveFlows, m_size + n) * info.size);
            col.assign(m_size * info.size, 0); // zero so far
        }
        const std::size_t at = col.size();
        col.resize(at + n * info.size); // not zero-filled (UninitializedVector)
        if (!nonzero) {
            std::memset(col.data() + at, 0, n * info.size);
            continue;
        }
        const std::byte* src = base + info.offset;
        std::uint8_t* dst = col.data() + at;
        switch (info.size) {
        case 1:
            gather<std::uint8_t>(src, n, dst);
            break;
        case 2:
            gather<std::uint16_t>(src, n, dst);
            break;
        case 4:
            gather<std::uint32_t>(src, n, dst);
            break;
        case 8:
            gather<std::uint64_t>(src, n, dst);
            break;
        case 16:
            gather16(src, n, dst);
            break;
        default:
            for (std::size_t i = 0; i < n; ++i)
                std::memcpy(dst + i * info.size, src + i * kStride, info.size);
            break;
        }
    }
    m_size += n;
}

void ColumnBlock::clear()
{
    for (std::size_t f = 0; f < m_columns.size(); ++f)
        if (m_present.test(f))
            m_columns[f].clear();
    m_present.reset();
    m_size = 0;
    m_tMin = UINT64_MAX;
    m_tMax = 0;
}

FlowRecord ColumnBlock::record(std::size_t i) const
{
    FlowRecord r;
    auto* out = reinterpret_cast<std::byte*>(&r);
    for (const FieldInfo& info : decode::flowFields())
        if (const std::uint8_t* col = column(info.field))
            std::memcpy(out + info.offset, col + i * info.size, info.size);
    return r;
}

} // namespace flowlens::store
