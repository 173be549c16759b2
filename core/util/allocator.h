#pragma once

#include <memory>
#include <utility>
#include <vector>

namespace flowlens {

/// std::allocator, except that construction without a value leaves trivial types uninitialised:
/// resize() of a buffer that is about to be overwritten does not zero it first (in the writer's
/// column blocks and the block encoder that zeroing was 1.5-3 % of the collector's time in perf).
template <class T>
struct UninitializedAllocator : std::allocator<T>
{
    template <class U>
    struct rebind
    {
        using other = UninitializedAllocator<U>;
    };
    UninitializedAllocator() = default;
    template <class U>
    UninitializedAllocator(const UninitializedAllocator<U>&) noexcept
    {}
    template <class U>
    void construct(U* p) noexcept
    {
        ::new (static_cast<void*>(p)) U;
    }
    template <class U, class... Args>
    void construct(U* p, Args&&... args)
    {
        ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};

/// A byte buffer whose resize() does not zero what it adds.
template <class T>
using UninitializedVector = std::vector<T, UninitializedAllocator<T>>;

/// Keeps freed memory in the process instead of returning it to the kernel at once: the collector
/// frees and re-allocates multi-megabyte batches all the time, and fresh pages (page faults) cost
/// more than the work done on them on virtual machines. Call once at the start of main().
void tuneAllocator();

} // namespace flowlens
