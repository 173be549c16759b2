#pragma once

#include <atomic>
#include <memory>

namespace flowlens::query {

/// Shared flag a query checks between blocks so a newer request can stop an older one early.
/// Copies share the flag; any thread may cancel.
class CancelToken
{
public:
    CancelToken()
        : m_flag(std::make_shared<std::atomic<bool>>(false))
    {}
    void cancel() const { m_flag->store(true, std::memory_order_relaxed); }
    bool isCancelled() const { return m_flag->load(std::memory_order_relaxed); }

private:
    std::shared_ptr<std::atomic<bool>> m_flag;
};

} // namespace flowlens::query
