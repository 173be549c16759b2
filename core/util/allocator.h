#pragma once

namespace flowlens {

/// Keeps freed memory in the process instead of returning it to the kernel at once: the collector
/// frees and re-allocates multi-megabyte batches all the time, and fresh pages (page faults) cost
/// more than the work done on them on virtual machines. Call once at the start of main().
void tuneAllocator();

} // namespace flowlens
