#include "flow_queue.h"

#include <algorithm>

namespace flowlens::collect {

FlowQueue::FlowQueue(std::size_t capacityFlows, std::size_t capacityBytes)
    : m_capacity(capacityFlows)
    , m_capacityBytes(capacityBytes ? capacityBytes : capacityFlows * kDefaultBytesPerFlow)
{}

bool FlowQueue::push(std::vector<decode::FlowRecord>& batch, bool& wake)
{
    wake = false;
    if (batch.empty())
        return true;
    // Packed copies, made outside the lock: the receiver keeps its large buffer, so the memory
    // queued follows the flows queued. Bursts of kChunk flows or more go into chunks of kChunk that
    // are recycled (memory already touched: a fresh allocation costs a page fault per 4 KiB, 8 % of
    // the receiver's time at 2 M flows/s); the rest into an exactly sized copy.
    const std::size_t n = batch.size();
    const std::size_t chunks = n / kChunk;
    std::vector<PackedFlows> out(chunks + (n % kChunk ? 1 : 0));
    {
        std::lock_guard lock(m_mutex);
        // Bytes are known only once packed: estimated from the last batch (flows of one exporter
        // pack alike), counted exactly below.
        if (m_depth + n > m_capacity || m_depthBytes + n * m_bytesPerFlow > m_capacityBytes) {
            m_dropped += n;
            batch.clear();
            return false;
        }
        m_depth += n; // room taken now; recycle() gives it back once the flows are stored
        for (std::size_t i = 0; i < chunks && !m_free.empty(); ++i) {
            out[i] = std::move(m_free.back());
            m_free.pop_back();
        }
    }
    const std::span<const decode::FlowRecord> flows(batch);
    for (std::size_t i = 0; i < chunks; ++i) {
        out[i].clear();
        if (out[i].wordCapacity() < kChunkWords)
            out[i].reserveFlows(kChunk);
        out[i].append(flows.subspan(i * kChunk, kChunk));
    }
    if (n % kChunk) {
        m_scratch.clear();
        m_scratch.append(flows.subspan(chunks * kChunk));
        out.back() = m_scratch.exactCopy();
    }
    batch.clear();
    std::size_t bytes = 0;
    for (const auto& p : out)
        bytes += p.words() * 8;
    std::lock_guard lock(m_mutex);
    m_depthBytes += bytes;
    m_bytesPerFlow = bytes / n;
    for (auto& p : out)
        m_batches.push_back(std::move(p));
    if (!m_consumerNotified) {
        m_consumerNotified = true;
        wake = true;
    }
    return true;
}

void FlowQueue::pushUnbounded(std::vector<decode::FlowRecord>& batch)
{
    if (batch.empty())
        return;
    PackedFlows packed;
    packed.append(batch);
    std::lock_guard lock(m_mutex);
    m_depth += batch.size();
    m_depthBytes += packed.words() * 8;
    m_batches.push_back(std::move(packed));
    batch.clear();
}

bool FlowQueue::take(std::vector<PackedFlows>& out, std::size_t maxFlows)
{
    std::size_t taken = 0;
    std::lock_guard lock(m_mutex);
    while (!m_batches.empty() && taken < maxFlows) {
        taken += m_batches.front().size();
        out.push_back(std::move(m_batches.front()));
        m_batches.pop_front();
    }
    if (m_batches.empty())
        m_consumerNotified = false;
    return !m_batches.empty();
}

void FlowQueue::recycle(std::vector<PackedFlows>& batches)
{
    // Keep about twice the chunks just taken: at high rates the receiver's next bursts reuse
    // memory it already touched; when the rate falls, the pool shrinks with it.
    std::size_t chunks = 0;
    std::size_t flows = 0;
    std::size_t bytes = 0;
    for (const auto& b : batches) {
        chunks += b.wordCapacity() == kChunkWords ? 1 : 0;
        flows += b.size();
        bytes += b.words() * 8;
    }
    const std::size_t limit = std::min(chunks * 2 + kMinFreeChunks, kMaxFreeChunks);
    std::lock_guard lock(m_mutex);
    m_depth -= std::min(m_depth, flows);
    m_depthBytes -= std::min(m_depthBytes, bytes);
    if (m_free.size() > limit)
        m_free.resize(limit);
    for (auto& b : batches) {
        if (m_free.size() >= limit)
            break;
        if (b.wordCapacity() != kChunkWords)
            continue;
        b.clear();
        m_free.push_back(std::move(b));
    }
    batches.clear();
}

bool FlowQueue::hasRoomFor(std::size_t flows) const
{
    std::lock_guard lock(m_mutex);
    return m_depth + flows <= m_capacity && m_depthBytes + flows * m_bytesPerFlow <= m_capacityBytes;
}

std::size_t FlowQueue::depth() const
{
    std::lock_guard lock(m_mutex);
    return m_depth;
}

std::size_t FlowQueue::depthBytes() const
{
    std::lock_guard lock(m_mutex);
    return m_depthBytes;
}

std::uint64_t FlowQueue::dropped() const
{
    std::lock_guard lock(m_mutex);
    return m_dropped;
}

} // namespace flowlens::collect
