// A small persistent thread pool shared by every CPU kernel.
// Why our own: kernels must be plain C++ (no Node-API, testable by ctest), we want a
// configurable thread count, and per-call overhead low enough that tiny tensors run
// inline (no wake-up at all) — OpenMP would add a runtime dependency to prebuilt binaries.
// Waiting (parallel.cc): the caller polls up to RECFORGE_POOL_SPIN_US (default 200) for its
// region's running chunks before sleeping; idle workers sleep at once unless
// RECFORGE_POOL_WORKER_SPIN_US (default 0) lets them poll for the next region first.
#pragma once
#include <cstdint>
#include <functional>

namespace recforge {

// Number of threads kernels may use (>= 1). Default: hardware concurrency, or
// RECFORGE_NUM_THREADS when set.
int num_threads();
void set_num_threads(int n);

// Runs fn(begin, end) over [0, n) split into contiguous chunks of at least `grain`
// items. Runs inline when n <= grain, when only one thread is configured, or when
// called from inside another parallel_for (no nested parallelism).
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn);

}  // namespace recforge
