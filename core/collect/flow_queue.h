#pragma once

#include "packed_flows.h"

#include "core/decode/flow_record.h"

#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <vector>

namespace flowlens::collect {

/// Bounded hand-over of flow batches from the receiver thread to the writer thread. The receiver
/// never waits: when the queue holds `capacity` flows, or packed flows of `capacityBytes`, push()
/// refuses the batch and the flows are counted as dropped. Memory is bounded by both: packed flows
/// differ in size by template (the benchmark's v5, v9 and IPFIX flows ~200 bytes; a template with
/// IPv6 addresses, MACs and many counters up to 360), and a full queue of the largest would hold
/// 94 MB instead of ~52.
class FlowQueue
{
public:
    /// Bytes of packed flows per flow of capacity when no byte bound is given (a v5 flow fits).
    static constexpr std::size_t kDefaultBytesPerFlow = 224;

    explicit FlowQueue(std::size_t capacityFlows, std::size_t capacityBytes = 0);

    /// Packs the flows of `batch` in (PackedFlows: chunks of kChunk flows, recycled, and an exactly
    /// sized rest, so the memory queued follows the flows queued, never the capacity of the caller's
    /// buffer) and clears `batch`, which keeps its capacity. Returns false when full; the batch is then
    /// cleared and its flows counted in dropped(). `wake` is set when the consumer must be notified
    /// (idle to non-empty). One producer thread only (it packs into a scratch buffer outside the lock).
    bool push(std::vector<decode::FlowRecord>& batch, bool& wake);
    /// Like push, but never drops (used once at shutdown so nothing received is lost).
    void pushUnbounded(std::vector<decode::FlowRecord>& batch);
    /// Takes queued batches, oldest first, until at least `maxFlows` flows (or all) are taken, and
    /// returns whether any remain; marks the queue idle when it becomes empty. Taken flows still
    /// count against the capacity until recycle(): the memory held is bounded by the capacity
    /// whether the flows wait in the queue or are being stored.
    bool take(std::vector<PackedFlows>& out, std::size_t maxFlows);
    /// Gives taken batches back once their flows are stored (and reuses their memory).
    void recycle(std::vector<PackedFlows>& batches);

    /// Whether `flows` more (of the last batch's packed size) would fit now.
    bool hasRoomFor(std::size_t flows) const;
    /// Flows queued or taken and not yet recycled.
    std::size_t depth() const;
    /// Bytes of packed flows queued or taken and not yet recycled.
    std::size_t depthBytes() const;
    std::size_t capacityBytes() const { return m_capacityBytes; }
    std::uint64_t dropped() const;
    std::size_t capacity() const { return m_capacity; }

private:
    mutable std::mutex m_mutex;
    std::deque<PackedFlows> m_batches;
    /// Bursts are queued in chunks of kChunk flows (at most 368 KB; v5 flows fill about 200 KB), and
    /// emptied chunks are kept for reuse: about twice as many as the last hand-over had, at most
    /// kMaxFreeChunks.
    static constexpr std::size_t kChunk = 1024;
    static constexpr std::size_t kChunkWords = kChunk * PackedFlows::kMaxWordsPerFlow;
    static constexpr std::size_t kMinFreeChunks = 4;
    static constexpr std::size_t kMaxFreeChunks = 64;
    std::vector<PackedFlows> m_free;
    PackedFlows m_scratch; ///< producer only: the rest of a burst, before its exactly sized copy
    std::size_t m_capacity;
    std::size_t m_capacityBytes;
    std::size_t m_depth = 0;
    std::size_t m_depthBytes = 0;
    std::size_t m_bytesPerFlow = 0; ///< of the last batch packed: a push is refused when it would not fit
    std::uint64_t m_dropped = 0;
    bool m_consumerNotified = false;
};

} // namespace flowlens::collect
