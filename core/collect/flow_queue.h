#pragma once

#include "core/decode/flow_record.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace flowlens::collect {

/// Bounded hand-over of flow batches from the receiver thread to the writer thread. The receiver
/// never waits: when the queue holds `capacity` flows, push() refuses the batch and the flows are
/// counted as dropped. Memory is bounded by the capacity in flows.
class FlowQueue
{
public:
    explicit FlowQueue(std::size_t capacityFlows);

    /// Copies the flows of `batch` in (chunks of kChunk flows, recycled, and an exactly sized rest,
    /// so the memory queued follows the flows queued, never the capacity of the caller's buffer) and
    /// clears `batch`, which keeps its capacity. Returns false when full; the batch is then cleared and its
    /// flows counted in dropped(). `wake` is set when the consumer must be notified (idle to non-empty).
    bool push(std::vector<decode::FlowRecord>& batch, bool& wake);
    /// Like push, but never drops (used once at shutdown so nothing received is lost).
    void pushUnbounded(std::vector<decode::FlowRecord>& batch);
    /// Takes every queued batch; marks the queue idle when it becomes empty.
    void takeAll(std::vector<std::vector<decode::FlowRecord>>& out);
    /// Gives emptied batch vectors back for reuse.
    void recycle(std::vector<std::vector<decode::FlowRecord>>& batches);

    std::size_t depth() const;
    std::uint64_t dropped() const;
    std::size_t capacity() const { return m_capacity; }

private:
    mutable std::mutex m_mutex;
    std::deque<std::vector<decode::FlowRecord>> m_batches;
    /// Bursts are queued in chunks of kChunk flows (360 KB), and emptied chunks are kept for reuse:
    /// about twice as many as the last hand-over had, at most kMaxFreeChunks (46 MB).
    static constexpr std::size_t kChunk = 1024;
    static constexpr std::size_t kMinFreeChunks = 4;
    static constexpr std::size_t kMaxFreeChunks = 128;
    std::vector<std::vector<decode::FlowRecord>> m_free;
    std::size_t m_capacity;
    std::size_t m_depth = 0;
    std::uint64_t m_dropped = 0;
    bool m_consumerNotified = false;
};

} // namespace flowlens::collect
