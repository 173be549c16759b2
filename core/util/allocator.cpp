#include "allocator.h"

#include <cstdint>
#include <cstdlib>
#include <new>

#include <malloc.h>
#include <sys/mman.h>

namespace flowlens {

namespace {

constexpr std::size_t kHugePage = 2 * 1024 * 1024;

} // namespace

void* allocateZeroed(std::size_t bytes)
{
    if (bytes < kHugePage) {
        void* p = std::calloc(bytes ? bytes : 1, 1);
        if (!p)
            throw std::bad_alloc();
        return p;
    }
    // Over-map by one huge page and cut the ends off so that the start is 2 MiB aligned.
    const std::size_t length = (bytes + 4095) & ~std::size_t(4095);
    void* raw = mmap(nullptr, length + kHugePage, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED)
        throw std::bad_alloc();
    const auto start = reinterpret_cast<std::uintptr_t>(raw);
    const std::uintptr_t aligned = (start + kHugePage - 1) & ~std::uintptr_t(kHugePage - 1);
    if (aligned > start)
        munmap(raw, aligned - start);
    const std::uintptr_t end = start + length + kHugePage;
    if (end > aligned + length)
        munmap(reinterpret_cast<void*>(aligned + length), end - (aligned + length));
    madvise(reinterpret_cast<void*>(aligned), length, MADV_HUGEPAGE); // a hint: may be unsupported
    return reinterpret_cast<void*>(aligned);
}

void freeZeroed(void* p, std::size_t bytes) noexcept
{
    if (!p)
        return;
    if (bytes < kHugePage)
        std::free(p);
    else
        munmap(p, (bytes + 4095) & ~std::size_t(4095));
}

void tuneAllocator()
{
    mallopt(M_MMAP_THRESHOLD, 32 * 1024 * 1024);
    mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
}

} // namespace flowlens
