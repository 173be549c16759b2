#pragma once

#include "core/decode/flow_record.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

namespace flowlens::collect {

/// Flows as the receiver hands them to the writer: each record is a mask of its nonzero 16-byte
/// groups followed by those groups. Most FlowRecord fields are zero for any one protocol (a v5 flow
/// packs into about 200 of its 352 bytes), so the queue between the threads holds less memory and
/// both ends move less of it. Packing and unpacking are branch-free over the 22 groups.
class PackedFlows
{
public:
    static constexpr std::size_t kGroups = sizeof(decode::FlowRecord) / 16;
    /// Worst case: the mask word and every group.
    static constexpr std::size_t kMaxWordsPerFlow = 1 + kGroups * 2;

    PackedFlows() = default;
    PackedFlows(PackedFlows&&) noexcept = default;
    PackedFlows& operator=(PackedFlows&&) noexcept = default;

    /// Appends `flows` (growing the buffer when they might not fit).
    void append(std::span<const decode::FlowRecord> flows);
    /// Room for `flows` more flows in the worst case, without touching the memory.
    void reserveFlows(std::size_t flows);
    /// Forgets the flows, keeping the buffer.
    void clear();
    /// A copy whose buffer is exactly as large as what it holds.
    PackedFlows exactCopy() const;

    std::size_t size() const { return m_flows; }
    bool empty() const { return m_flows == 0; }
    std::size_t words() const { return m_used; }
    std::size_t wordCapacity() const { return m_capacity; }
    const std::uint64_t* data() const { return m_words.get(); }

    /// Unpacks the flows in order, a span at a time.
    class Reader
    {
    public:
        explicit Reader(const PackedFlows& flows);
        /// Fills up to out.size() records; returns how many (0 once every flow was read).
        std::size_t read(std::span<decode::FlowRecord> out);

    private:
        const std::uint64_t* m_at;
        std::size_t m_left;
    };

private:
    void grow(std::size_t words);

    std::unique_ptr<std::uint64_t[]> m_words;
    std::size_t m_capacity = 0;
    std::size_t m_used = 0;
    std::size_t m_flows = 0;
};

} // namespace flowlens::collect
