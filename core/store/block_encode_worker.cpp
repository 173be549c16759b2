#include "block_encode_worker.h"

#include "flow_block.h"

#include <algorithm>

#include <pthread.h>

namespace flowlens::store {

BlockEncodeWorker::BlockEncodeWorker(int zstdLevel, std::size_t maxInFlight)
    : m_maxInFlight(std::max<std::size_t>(maxInFlight, 1))
    , m_thread([this, zstdLevel] { run(zstdLevel); })
{}

BlockEncodeWorker::~BlockEncodeWorker()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    m_thread.join();
}

EncodedBlock BlockEncodeWorker::encodeNow(BlockEncoder& encoder, const ColumnBlock& block, std::int64_t rowId,
                                          std::vector<std::byte> buffer)
{
    EncodedBlock b;
    b.blob = std::move(buffer);
    b.blob.clear();
    b.tMin = block.minTimeReceived(); // UINT64_MAX when empty
    b.tMax = block.maxTimeReceived();
    b.count = std::min(block.size(), kMaxBlockFlows);
    b.rowId = rowId;
    encoder.encode(block, b.blob);
    return b;
}

void BlockEncodeWorker::submit(ColumnBlock& block, std::int64_t rowId)
{
    std::unique_lock lock(m_mutex);
    m_progress.wait(lock, [&] { return m_jobs.size() + m_busy < m_maxInFlight; });
    m_jobs.push_back(Job{std::move(block), rowId});
    block = ColumnBlock();
    if (!m_spare.empty()) {
        block = std::move(m_spare.back());
        m_spare.pop_back();
    }
    lock.unlock();
    m_wake.notify_one();
}

void BlockEncodeWorker::collect(std::vector<EncodedBlock>& out)
{
    std::unique_lock lock(m_mutex);
    m_progress.wait(lock, [&] { return m_jobs.empty() && m_busy == 0; });
    moveDone(out);
}

std::size_t BlockEncodeWorker::takeDone(std::vector<EncodedBlock>& out)
{
    if (m_doneCount.load(std::memory_order_relaxed) == 0)
        return 0; // the common case: no lock taken
    std::lock_guard lock(m_mutex);
    return moveDone(out);
}

std::size_t BlockEncodeWorker::moveDone(std::vector<EncodedBlock>& out)
{
    const std::size_t n = m_done.size();
    for (auto& b : m_done)
        out.push_back(std::move(b));
    m_done.clear();
    m_doneCount.store(0, std::memory_order_relaxed);
    return n;
}

void BlockEncodeWorker::recycle(std::vector<EncodedBlock>& blocks)
{
    std::lock_guard lock(m_mutex);
    const std::size_t keep = blocks.size();
    if (m_spareBlobs.size() > keep)
        m_spareBlobs.resize(keep);
    for (auto& b : blocks)
        if (m_spareBlobs.size() < keep && b.blob.capacity() > 0)
            m_spareBlobs.push_back(std::move(b.blob));
    blocks.clear();
}

void BlockEncodeWorker::run(int zstdLevel)
{
    pthread_setname_np(pthread_self(), "flowlens-encode");
    BlockEncoder encoder(zstdLevel);
    std::unique_lock lock(m_mutex);
    for (;;) {
        m_wake.wait(lock, [&] { return m_stop || !m_jobs.empty(); });
        if (m_jobs.empty() && m_stop)
            return;
        Job job = std::move(m_jobs.front());
        m_jobs.pop_front();
        ++m_busy;
        std::vector<std::byte> buffer;
        if (!m_spareBlobs.empty()) {
            buffer = std::move(m_spareBlobs.back());
            m_spareBlobs.pop_back();
        }
        lock.unlock();
        EncodedBlock block = encodeNow(encoder, job.block, job.rowId, std::move(buffer));
        job.block.clear();
        lock.lock();
        m_done.push_back(std::move(block));
        m_doneCount.store(m_done.size(), std::memory_order_relaxed);
        if (m_spare.size() < 2)
            m_spare.push_back(std::move(job.block));
        --m_busy;
        m_progress.notify_all();
    }
}

} // namespace flowlens::store
