#pragma once

#include "core/store/sqlite_db.h"
#include "core/util/result.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <thread>

#include <QString>

namespace flowlens::store {

/// Copies the write-ahead log into the database file on its own thread (`flowlens-ckpt`) and
/// connection, with passive checkpoints that never block the writer. The writer turns SQLite's
/// automatic checkpoint off: run inside its COMMIT, it copied and synced a second of flows (tens
/// of MB at 1 M flows/s) while the queue from the receiver filled up.
class WalCheckpointer
{
public:
    static Result<std::unique_ptr<WalCheckpointer>> start(const QString& path,
                                                          std::chrono::milliseconds every);
    ~WalCheckpointer();
    WalCheckpointer(const WalCheckpointer&) = delete;
    WalCheckpointer& operator=(const WalCheckpointer&) = delete;

    /// Checkpoints run so far (for tests).
    std::uint64_t checkpoints() const { return m_checkpoints.load(); }
    /// Last checkpoint error ("" when the last one worked).
    QString lastError() const;

private:
    WalCheckpointer() = default;
    void run();

    Database m_db;
    std::chrono::milliseconds m_every{1000};
    std::thread m_thread;
    mutable std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
    QString m_lastError;
    std::atomic<std::uint64_t> m_checkpoints{0};
};

} // namespace flowlens::store
