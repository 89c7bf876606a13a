#include "recforge/parallel.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <thread>
#include <vector>

namespace recforge {
namespace {

thread_local bool tl_inside_pool = false;

class Pool {
 public:
  static Pool& get() {
    static Pool* pool = new Pool();  // never destroyed: workers may outlive static dtors
    return *pool;
  }

  int threads() const { return nthreads_.load(); }

  void set_threads(int n) {
    std::lock_guard<std::mutex> run_lock(run_mu_);
    n = std::max(1, std::min(n, 256));  // chunk counts fit the 16 bits of next_
    stop_workers();
    nthreads_ = n;
    start_workers();
  }

  void run(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
    int nt = nthreads_.load();
    int64_t max_chunks = grain > 0 ? (n + grain - 1) / grain : n;
    int chunks = (int)std::min<int64_t>(nt, max_chunks);
    if (chunks <= 1 || tl_inside_pool) {
      fn(0, n);
      return;
    }
    std::lock_guard<std::mutex> run_lock(run_mu_);  // one parallel region at a time
    uint32_t tag;
    {
      std::lock_guard<std::mutex> lk(mu_);
      job_ = &fn;
      job_n_ = n;
      pending_.store(chunks - 1);
      tag = (uint32_t)++generation_;
      // Published last, with the chunk count inside: see claim().
      next_.store(pack(tag, chunks, 1));  // chunk 0 runs on the caller
    }
    cv_.notify_all();
    tl_inside_pool = true;
    run_chunk(0, chunks);
    // Help with remaining chunks, then wait for the stragglers.
    for (int c, k; claim(tag, c, k);) {
      run_chunk(c, k);
      if (pending_.fetch_sub(1) == 1) break;
    }
    tl_inside_pool = false;
    wait_for_workers();
    std::unique_lock<std::mutex> lk(mu_);
    done_cv_.wait(lk, [&] { return pending_.load() <= 0; });
    job_ = nullptr;
  }

  // The caller's wait for chunks still running on workers: poll `pending_` for up to
  // RECFORGE_POOL_SPIN_US microseconds (default 200; 0 = sleep at once, as before session 9)
  // before sleeping on done_cv_. Why: every remaining chunk is already running, so the wait is
  // short, and a caller that went to sleep paid a second thread wake-up on top of the worker's
  // (on the project's 2-core VMs ~30 us each, back to back): a 1.5 MB MultiBalance pass took 83 us
  // on two threads against 43 us on one. This polls only while a region of the caller's own is
  // in flight — idle workers still sleep (a pool whose workers polled after every region took the
  // core V8's background threads needed; bench/results/ops.md, session 8).
  void wait_for_workers() {
    static const int64_t spin_ns = spin_ns_from_env("RECFORGE_POOL_SPIN_US", 200);
    poll_while(spin_ns, [&] { return pending_.load(std::memory_order_acquire) > 0; });
  }

  // An idle worker polls for the next region for RECFORGE_POOL_WORKER_SPIN_US microseconds before
  // sleeping on cv_ (default 0: it sleeps at once). Off by default: on the AMD VM (session 8, 50 us)
  // it brought back slow training steps and lowered MultiBalance's Census QPS ratio to 0.950-0.958
  // (the polling core is the one V8's background threads need). On the Intel Xeon VM (session 9,
  // 30 us) it cut Census MMoE steps from ~8.9 to ~7.3 ms in both arms and left DTI end to end
  // unchanged: a choice for whoever measures their own workload (bench/results/balance-qps.md).
  void poll_for_region(uint32_t seen_tag) {
    static const int64_t spin_ns = spin_ns_from_env("RECFORGE_POOL_WORKER_SPIN_US", 0);
    poll_while(spin_ns, [&] { return (uint32_t)(next_.load(std::memory_order_acquire) >> 32) == seen_tag; });
  }

  // A polling budget in nanoseconds from an environment variable in microseconds (clamped to 0..100 ms).
  static int64_t spin_ns_from_env(const char* name, long default_us) {
    const char* e = std::getenv(name);
    const long us = e && *e ? std::atol(e) : default_us;
    return (int64_t)std::max(0L, std::min(us, 100000L)) * 1000;
  }

  // Spins while `busy()` holds, at most `spin_ns` nanoseconds (the clock read every 256 polls).
  template <typename Busy>
  static void poll_while(int64_t spin_ns, Busy busy) {
    if (spin_ns == 0 || !busy()) return;
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 1; busy(); ++i) {
      cpu_relax();
      if ((i & 255) == 0 && std::chrono::steady_clock::now() - t0 > std::chrono::nanoseconds(spin_ns)) return;
    }
  }

  static void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    asm volatile("yield");
#endif
  }

 private:
  Pool() {
    int n = (int)std::thread::hardware_concurrency();
    if (const char* env = std::getenv("RECFORGE_NUM_THREADS")) {
      int v = std::atoi(env);
      if (v > 0) n = v;
    }
    nthreads_ = std::max(1, std::min(n, 256));  // chunk counts fit the 16 bits of next_
    start_workers();
  }

  // next_ = region tag (32 bits) | chunk count (16) | next chunk index (16). A worker still
  // on its way out of region k must never take a chunk of region k+1 nor size a chunk of k
  // with k+1's count: it used to do both (reading the count and the counter separately),
  // running a chunk twice and decrementing k+1's pending count, so that region k+1 ended
  // early or its caller waited forever. One word makes claim-or-refuse atomic.
  static uint64_t pack(uint32_t tag, int chunks, int idx) {
    return ((uint64_t)tag << 32) | ((uint64_t)(uint16_t)chunks << 16) | (uint16_t)idx;
  }

  // Claims the next chunk of region `tag`; false when the region is another one or has no
  // chunk left. A successful claim keeps the region open (its pending count includes the
  // chunk), so job_ / job_n_ stay valid until the chunk is done.
  bool claim(uint32_t tag, int& c, int& chunks) {
    uint64_t v = next_.load();
    for (;;) {
      const int idx = (int)(v & 0xffff);
      chunks = (int)((v >> 16) & 0xffff);
      if ((uint32_t)(v >> 32) != tag || idx >= chunks) return false;
      if (next_.compare_exchange_weak(v, v + 1)) {
        c = idx;
        return true;
      }
    }
  }

  void run_chunk(int c, int chunks) {
    int64_t begin = job_n_ * c / chunks;
    int64_t end = job_n_ * (c + 1) / chunks;
    if (begin < end) (*job_)(begin, end);
  }

  void start_workers() {
    quit_ = false;
    for (int i = 1; i < nthreads_; ++i) workers_.emplace_back([this] { worker_loop(); });
  }

  void stop_workers() {
    {
      std::lock_guard<std::mutex> lk(mu_);
      quit_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
    workers_.clear();
  }

  void worker_loop() {
    tl_inside_pool = true;
    uint64_t seen = generation_;
    for (;;) {
      poll_for_region((uint32_t)seen);
      {
        std::unique_lock<std::mutex> lk(mu_);
        cv_.wait(lk, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
      }
      for (int c, k; claim((uint32_t)seen, c, k);) {
        run_chunk(c, k);
        if (pending_.fetch_sub(1) == 1) {
          std::lock_guard<std::mutex> lk(mu_);
          done_cv_.notify_all();
        }
      }
    }
  }

  std::atomic<int> nthreads_{1};
  std::vector<std::thread> workers_;
  std::mutex run_mu_, mu_;
  std::condition_variable cv_, done_cv_;
  bool quit_ = false;
  uint64_t generation_ = 0;
  const std::function<void(int64_t, int64_t)>* job_ = nullptr;
  int64_t job_n_ = 0;
  std::atomic<uint64_t> next_{0};
  std::atomic<int> pending_{0};
};

}  // namespace

int num_threads() { return Pool::get().threads(); }
void set_num_threads(int n) { Pool::get().set_threads(n); }
void parallel_for(int64_t n, int64_t grain, const std::function<void(int64_t, int64_t)>& fn) {
  if (n <= 0) return;
  Pool::get().run(n, grain, fn);
}

}  // namespace recforge
