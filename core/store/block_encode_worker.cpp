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

EncodedBlock BlockEncodeWorker::encodeNow(BlockEncoder& encoder, const ColumnBlock& block, std::int64_t rowId)
{
    EncodedBlock b;
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
    for (auto& b : m_done)
        out.push_back(std::move(b));
    m_done.clear();
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
        lock.unlock();
        EncodedBlock block = encodeNow(encoder, job.block, job.rowId);
        job.block.clear();
        lock.lock();
        m_done.push_back(std::move(block));
        if (m_spare.size() < 2)
            m_spare.push_back(std::move(job.block));
        --m_busy;
        m_progress.notify_all();
    }
}

} // namespace flowlens::store
