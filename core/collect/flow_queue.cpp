#include "flow_queue.h"

namespace flowlens::collect {

FlowQueue::FlowQueue(std::size_t capacityFlows)
    : m_capacity(capacityFlows)
{}

bool FlowQueue::push(std::vector<decode::FlowRecord>& batch, bool& wake)
{
    wake = false;
    if (batch.empty())
        return true;
    std::vector<decode::FlowRecord> exact;
    {
        std::lock_guard lock(m_mutex);
        if (m_depth + batch.size() > m_capacity) {
            m_dropped += batch.size();
            batch.clear();
            return false;
        }
        m_depth += batch.size(); // room taken now; takeAll() subtracts what it takes
        if (!m_free.empty() && m_free.back().capacity() <= batch.size() * 2) {
            exact = std::move(m_free.back());
            m_free.pop_back();
        }
    }
    // An exactly sized copy, made outside the lock: the receiver hands over whatever a read burst
    // decoded (often a few hundred flows) and keeps its large buffer, so the memory queued
    // follows the flows queued.
    exact.assign(batch.begin(), batch.end());
    batch.clear();
    std::lock_guard lock(m_mutex);
    m_batches.push_back(std::move(exact));
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
    std::lock_guard lock(m_mutex);
    for (auto& b : batches) {
        if (m_free.size() >= 8)
            break;
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
