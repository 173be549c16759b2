#pragma once

#include "column_block.h"

#include <atomic>
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
    /// Appends the blocks encoded so far to `out` without waiting (submission order); returns how many.
    std::size_t takeDone(std::vector<EncodedBlock>& out);

    /// Takes back the buffers of blocks that are in the database (`blocks` is cleared). The worker
    /// keeps as many as it was handed last time, so that at a steady rate every block is encoded
    /// into memory already touched (a fresh page costs a page fault: about 200 per block), and
    /// memory is given back when the rate falls.
    void recycle(std::vector<EncodedBlock>& blocks);

    /// Encodes on the calling thread (the open block at commit time), into `buffer`'s memory.
    static EncodedBlock encodeNow(class BlockEncoder& encoder, const ColumnBlock& block, std::int64_t rowId,
                                  std::vector<std::byte> buffer = {});

private:
    struct Job
    {
        ColumnBlock block;
        std::int64_t rowId = 0;
    };
    void run(int zstdLevel);
    /// Appends the finished blocks to `out` and forgets them; returns how many. m_mutex held.
    std::size_t moveDone(std::vector<EncodedBlock>& out);

    std::size_t m_maxInFlight;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    std::condition_variable m_progress;
    std::deque<Job> m_jobs;
    std::vector<EncodedBlock> m_done;
    std::atomic<std::size_t> m_doneCount{0}; ///< m_done.size(), readable without the lock
    std::vector<ColumnBlock> m_spare;
    std::vector<std::vector<std::byte>> m_spareBlobs;
    std::size_t m_busy = 0;
    bool m_stop = false;
    std::thread m_thread;
};

} // namespace flowlens::store
