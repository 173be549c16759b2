#include "packed_flows.h"

#include <algorithm>
#include <cstring>
#include <type_traits>

namespace flowlens::collect {

using decode::FlowRecord;

static_assert(sizeof(FlowRecord) % 16 == 0, "FlowRecord packs in 16-byte groups");
static_assert(PackedFlows::kGroups <= 64, "the group mask is one 64-bit word");
static_assert(std::is_trivially_copyable_v<FlowRecord>);

void PackedFlows::grow(std::size_t words)
{
    if (words <= m_capacity)
        return;
    const std::size_t capacity = std::max(words, m_capacity * 2);
    // For overwrite: pages of a large buffer stay untouched (not resident) until flows land there.
    auto fresh = std::make_unique_for_overwrite<std::uint64_t[]>(capacity);
    if (m_used)
        std::memcpy(fresh.get(), m_words.get(), m_used * 8);
    m_words = std::move(fresh);
    m_capacity = capacity;
}

void PackedFlows::reserveFlows(std::size_t flows)
{
    grow(m_used + flows * kMaxWordsPerFlow);
}

void PackedFlows::append(std::span<const FlowRecord> flows)
{
    reserveFlows(flows.size());
    std::uint64_t* out = m_words.get() + m_used;
    for (const FlowRecord& r : flows) {
        std::uint64_t w[kGroups * 2];
        std::memcpy(w, &r, sizeof w);
        std::uint64_t* mask = out++;
        std::uint64_t bits = 0;
        for (std::size_t g = 0; g < kGroups; ++g) {
            // Always written, kept only when nonzero: no branch to mispredict.
            out[0] = w[2 * g];
            out[1] = w[2 * g + 1];
            const bool nonzero = (w[2 * g] | w[2 * g + 1]) != 0;
            bits |= std::uint64_t(nonzero) << g;
            out += 2 * std::size_t(nonzero);
        }
        *mask = bits;
    }
    m_used = std::size_t(out - m_words.get());
    m_flows += flows.size();
}

void PackedFlows::clear()
{
    m_used = 0;
    m_flows = 0;
}

PackedFlows PackedFlows::exactCopy() const
{
    PackedFlows copy;
    copy.grow(m_used);
    if (m_used)
        std::memcpy(copy.m_words.get(), m_words.get(), m_used * 8);
    copy.m_used = m_used;
    copy.m_flows = m_flows;
    return copy;
}

PackedFlows::Reader::Reader(const PackedFlows& flows)
    : m_at(flows.m_words.get())
    , m_left(flows.m_flows)
{}

std::size_t PackedFlows::Reader::read(std::span<FlowRecord> out)
{
    static constexpr std::uint64_t kZero[2] = {0, 0};
    const std::size_t n = std::min(out.size(), m_left);
    const std::uint64_t* in = m_at;
    for (std::size_t i = 0; i < n; ++i) {
        std::uint64_t w[kGroups * 2];
        const std::uint64_t bits = *in++;
        for (std::size_t g = 0; g < kGroups; ++g) {
            const bool present = (bits >> g) & 1;
            const std::uint64_t* from = present ? in : kZero;
            w[2 * g] = from[0];
            w[2 * g + 1] = from[1];
            in += 2 * std::size_t(present);
        }
        std::memcpy(&out[i], w, sizeof w);
    }
    m_at = in;
    m_left -= n;
    return n;
}

} // namespace flowlens::collect
