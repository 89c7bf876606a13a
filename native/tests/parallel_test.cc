// Thread pool stress test: many back-to-back tiny parallel regions, each chunk must run
// exactly once and every call must return. A worker still finishing region k while the
// caller already publishes region k+1 used to be able to run a chunk of k+1 and decrement
// the pending count BEFORE the caller stored it, so the caller then waited forever
// (observed as a hang of `recforge bench balance` on a loaded machine). A watchdog turns a
// hang into a failure.
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "recforge/parallel.h"
#include "test_util.h"

int main() {
  std::atomic<bool> done{false};
  std::thread watchdog([&] {
    for (int i = 0; i < 1200 && !done.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!done.load()) {
      std::fprintf(stderr, "parallel_test: parallel_for hung (lost completion)\n");
      std::_Exit(1);
    }
  });
  for (int threads : {2, 3, 4}) {
    recforge::set_num_threads(threads);
    std::vector<std::atomic<int>> hits(64);
    const int iters = 400000;
    for (int it = 0; it < iters; ++it) {
      const int64_t n = 2 + it % 7;
      for (int64_t i = 0; i < n; ++i) hits[i].store(0);
      recforge::parallel_for(n, 1, [&](int64_t b, int64_t e) {
        for (int64_t i = b; i < e; ++i) hits[i].fetch_add(1);
      });
      for (int64_t i = 0; i < n; ++i)
        if (hits[i].load() != 1) {
          RF_CHECK(false, "threads %d iteration %d: element %lld ran %d times", threads, it, (long long)i, hits[i].load());
          it = iters;
          break;
        }
    }
  }
  done = true;
  watchdog.join();
  return rftest::finish("parallel");
}
