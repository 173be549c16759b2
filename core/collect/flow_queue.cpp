#include "flow_queue.h"

#include <algorithm>

namespace flowlens::collect {

FlowQueue::FlowQueue(std::size_t capacityFlows)
    : m_capacity(capacityFlows)
{}

bool FlowQueue::push(std::vector<decode::FlowRecord>& batch, bool& wake)
{
    wake = false;
    if (batch.empty())
        return true;
    // Copies, made outside the lock: the receiver keeps its large buffer, so the memory queued
    // follows the flows queued. Bursts of kChunk flows or more go into chunks of kChunk that are
    // recycled (memory already touched: a fresh allocation costs a page fault per 4 KiB, 8 % of the
    // receiver's time at 2 M flows/s); the rest into an exactly sized vector.
    const std::size_t n = batch.size();
    const std::size_t chunks = n / kChunk;
    std::vector<std::vector<decode::FlowRecord>> out(chunks + (n % kChunk ? 1 : 0));
    {
        std::lock_guard lock(m_mutex);
        if (m_depth + n > m_capacity) {
            m_dropped += n;
            batch.clear();
            return false;
        }
        m_depth += n; // room taken now; takeAll() subtracts what it takes
        for (std::size_t i = 0; i < chunks && !m_free.empty(); ++i) {
            out[i] = std::move(m_free.back());
            m_free.pop_back();
        }
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
        const auto from = batch.begin() + std::ptrdiff_t(i * kChunk);
        const auto to = i < chunks ? from + std::ptrdiff_t(kChunk) : batch.end();
        if (i < chunks && out[i].capacity() < kChunk)
            out[i].reserve(kChunk);
        out[i].assign(from, to);
    }
    batch.clear();
    std::lock_guard lock(m_mutex);
    for (auto& v : out)
        m_batches.push_back(std::move(v));
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
    std::lock_guard lock(m_mutex);
    m_depth += batch.size();
    m_batches.push_back(std::move(batch));
    batch.clear();
}

void FlowQueue::takeAll(std::vector<std::vector<decode::FlowRecord>>& out)
{
    std::lock_guard lock(m_mutex);
    while (!m_batches.empty()) {
        m_depth -= m_batches.front().size();
        out.push_back(std::move(m_batches.front()));
        m_batches.pop_front();
    }
    m_consumerNotified = false;
}

void FlowQueue::recycle(std::vector<std::vector<decode::FlowRecord>>& batches)
{
    // Keep about twice the chunks just taken: at high rates the receiver's next bursts reuse
    // memory it already touched; when the rate falls, the pool shrinks with it.
    std::size_t taken = 0;
    for (const auto& b : batches)
        taken += b.capacity() == kChunk ? 1 : 0;
    const std::size_t limit = std::min(taken * 2 + kMinFreeChunks, kMaxFreeChunks);
    std::lock_guard lock(m_mutex);
    if (m_free.size() > limit)
        m_free.resize(limit);
    for (auto& b : batches) {
        if (m_free.size() >= limit)
            break;
        if (b.capacity() != kChunk)
            continue;
        b.clear();
        m_free.push_back(std::move(b));
    }
    batches.clear();
}

std::size_t FlowQueue::depth() const
{
    std::lock_guard lock(m_mutex);
    return m_depth;
}

std::uint64_t FlowQueue::dropped() const
{
    std::lock_guard lock(m_mutex);
    return m_dropped;
}

} // namespace flowlens::collect
