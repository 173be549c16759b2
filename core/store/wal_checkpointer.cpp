#include "wal_checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

namespace flowlens::store {

Result<std::unique_ptr<WalCheckpointer>> WalCheckpointer::start(const QString& path,
                                                                std::chrono::milliseconds every)
{
    auto db = Database::open(path, Database::Mode::ReadWrite);
    if (!db)
        return fail(db.error());
    // Reading the schema makes the connection open the file and see that it is in WAL mode
    // (until then a checkpoint does nothing).
    if (auto r = db->exec("SELECT count(*) FROM sqlite_master"); !r)
        return fail(r.error());
    std::unique_ptr<WalCheckpointer> c(new WalCheckpointer);
    c->m_db = std::move(*db);
    c->m_every = every;
    // The connection belongs to the thread from here on.
    c->m_thread = std::thread([p = c.get()] { p->run(); });
    return c;
}

WalCheckpointer::~WalCheckpointer()
{
    {
        std::lock_guard lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread.joinable())
        m_thread.join();
}

QString WalCheckpointer::lastError() const
{
    std::lock_guard lock(m_mutex);
    return m_lastError;
}

void WalCheckpointer::run()
{
    pthread_setname_np(pthread_self(), "flowlens-ckpt");
    std::unique_lock lock(m_mutex);
    while (!m_wake.wait_for(lock, m_every, [&] { return m_stop; })) {
        lock.unlock();
        int logFrames = 0, copied = 0;
        const int rc =
            sqlite3_wal_checkpoint_v2(m_db.handle(), nullptr, SQLITE_CHECKPOINT_PASSIVE, &logFrames, &copied);
        lock.lock();
        // SQLITE_BUSY: another checkpoint (the writer's own at close) is running; try again later.
        m_lastError = rc == SQLITE_OK || rc == SQLITE_BUSY ? QString() : m_db.errorMessage();
        m_checkpoints.fetch_add(1);
    }
}

} // namespace flowlens::store
