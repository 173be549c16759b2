#pragma once

#include "core/decode/flow_record.h"
#include "core/util/allocator.h"

#include <array>
#include <bitset>
#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace flowlens::store {

/// Flows gathered into one column per FlowRecord field as they arrive (the writer's open block).
/// The writer appends slices that are still in its cache, and the encoder then compresses
/// contiguous columns instead of picking fields out of 352-byte records in memory. A field gets a
/// column when it is first nonzero; until then it is zero in every flow and costs nothing, so a
/// block holds about what its flows fill (v5: ~120 bytes a flow, not 352).
class ColumnBlock
{
public:
    /// Columns created later reserve room for this many flows (the block size), so they do not
    /// move as they grow.
    void reserveFlows(std::size_t flows) { m_reserveFlows = flows; }
    void append(std::span<const decode::FlowRecord> flows);
    /// Forgets the flows, keeping the memory.
    void clear();

    std::size_t size() const { return m_size; }
    bool empty() const { return m_size == 0; }
    std::uint64_t minTimeReceived() const { return m_tMin; }
    std::uint64_t maxTimeReceived() const { return m_tMax; }
    /// size() values of fieldInfo(f).size bytes each, in flow order; null when the field is zero
    /// in every flow.
    const std::uint8_t* column(decode::FlowField f) const
    {
        return m_present.test(std::size_t(f)) ? m_columns[std::size_t(f)].data() : nullptr;
    }
    /// Copies flow `i` back out (fields without a column are zero).
    decode::FlowRecord record(std::size_t i) const;

private:
    void appendPiece(std::span<const decode::FlowRecord> flows);

    std::array<UninitializedVector<std::uint8_t>, decode::kFlowFieldCount> m_columns;
    std::bitset<decode::kFlowFieldCount> m_present;
    std::size_t m_size = 0;
    std::size_t m_reserveFlows = 0;
    std::uint64_t m_tMin = UINT64_MAX;
    std::uint64_t m_tMax = 0;
};

} // namespace flowlens::store
