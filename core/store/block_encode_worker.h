#pragma once

#include "column_block.h"

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

namespace flowlens::store {

/// A block ready for the database.
struct EncodedBlock
{
    std::uint64_t tMin = 0, tMax = 0;
    std::size_t count = 0;
    std::int64_t rowId = 0; ///< row to update (an open block committed earlier), 0 = insert
    std::vector<std::byte> blob;
};

/// Compresses full flow blocks on its own thread ("flowlens-encode"), so the writer thread keeps
/// taking flows from the receiver while a block is being compressed. At most `maxInFlight` blocks
/// wait; submit() blocks beyond that, which holds the writer back and lets the bounded receive queue
/// absorb (or count) the excess. Results come back in submission order.
class BlockEncodeWorker
{
public:
    BlockEncodeWorker(int zstdLevel, std::size_t maxInFlight);
    ~BlockEncodeWorker();
    BlockEncodeWorker(const BlockEncodeWorker&) = delete;
    BlockEncodeWorker& operator=(const BlockEncodeWorker&) = delete;

    /// Takes the block's flows (`block` is left empty, with reusable memory when possible).
    void submit(ColumnBlock& block, std::int64_t rowId);
    /// Waits until everything submitted is encoded and appends the results to `out`.
    void collect(std::vector<EncodedBlock>& out);

    /// Encodes on the calling thread (the open block at commit time).
    static EncodedBlock encodeNow(class BlockEncoder& encoder, const ColumnBlock& block, std::int64_t rowId);

private:
    struct Job
    {
        ColumnBlock block;
        std::int64_t rowId = 0;
    };
    void run(int zstdLevel);

    std::size_t m_maxInFlight;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_progress;
    std::deque<Job> m_jobs;
    std::vector<EncodedBlock> m_done;
    std::vector<ColumnBlock> m_spare;
    std::size_t m_busy = 0;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace flowlens::store
