// Storage handles: allocation, explicit free, copies between JS typed arrays and native
// memory, external-memory accounting so V8's GC heuristics see native bytes.
#include <cstdlib>
#include <cstring>
#include <unordered_map>
#include <vector>

#include "op_args.generated.h"
#include "handle_table.h"
#include "recforge/gemm.h"
#include "recforge/parallel.h"

namespace recforge {
namespace napi {
namespace {

int64_t g_live_bytes = 0, g_peak_bytes = 0, g_live_blocks = 0;

// A caching allocator for large blocks. Training loops allocate the same sizes every
// step; glibc returns blocks above its mmap threshold to the OS on free, and page
// faults on fresh pages then cost more than the kernels themselves (measured: a 32 MB
// exp took 150 ms with fresh pages vs 4 ms in reused memory). Freed blocks of >= 64 KiB
// are kept per exact rounded size and reused; the cache is capped
// (RECFORGE_CPU_CACHE_MB, default 1024) and emptied by emptyCache().
constexpr size_t kCacheMin = 64 * 1024;
std::unordered_map<size_t, std::vector<void*>> g_cache;
int64_t g_cached_bytes = 0;
int64_t cache_cap() {
  static const int64_t cap = [] {
    const char* e = std::getenv("RECFORGE_CPU_CACHE_MB");
    long mb = e ? std::atol(e) : 1024;
    return (int64_t)(mb < 0 ? 0 : mb) * 1024 * 1024;
  }();
  return cap;
}
// Large blocks are rounded up to one of 8 size classes per power of two (at most 12.5% extra).
// Why: a packed training batch has a different token count every step, so its activations have
// slightly different sizes every step; with exact (page-rounded) sizes the cache almost never
// hit, and each miss paid fresh page faults (measured ~70 µs per allocation on DTI training,
// 3–4% of a step). With size classes the same buffers are reused step after step.
size_t block_size(size_t nbytes) {
  if (nbytes < kCacheMin) return (nbytes + 63) / 64 * 64 + (nbytes == 0 ? 64 : 0);
  int top = 63 - __builtin_clzll((unsigned long long)nbytes);  // 2^top <= nbytes < 2^(top+1)
  size_t step = size_t(1) << (top - 3);                          // top >= 16 here
  return (nbytes + step - 1) / step * step;
}
// The size class above class `c` (c >= kCacheMin, itself a class).
size_t next_class(size_t c) {
  int top = 63 - __builtin_clzll((unsigned long long)c);
  return c + (size_t(1) << (top - 3));
}
// On a miss in its own class, a request takes a cached block of one of the next 3 classes (at
// most ~45% larger; RECFORGE_CPU_CACHE_REUSE below). Why: DTI packs one row of a different token count every step, so
// its activations wander between neighbouring classes; with exact classes the cache missed and
// fresh pages were faulted in again and again (DTI training at n = k = 40, 12 steps: with exact
// classes steps 9 and 10 still missed 29 and 7 times, 84 MB of fresh pages; with 3 classes of reuse
// no step after the 5th missed more than once. Page faults per token over 20 steps: 0.61 -> 0.39,
// against 0.10 for sliding-window rows, which are always full).
// RECFORGE_CPU_CACHE_REUSE=N sets how many (0 = exact classes only, as before; for A/B runs).
int reuse_classes() {
  static const int n = [] {
    const char* e = std::getenv("RECFORGE_CPU_CACHE_REUSE");
    int v = e && *e ? std::atoi(e) : 3;
    return v < 0 ? 0 : v > 8 ? 8 : v;
  }();
  return n;
}
// What V8 is told (AdjustExternalMemory), RECFORGE_EXTERNAL_MEMORY:
// - "held" (default): the bytes recforge holds from the operating system, live blocks and the
//   cache together. A block taken from or returned to the cache changes nothing; only fresh
//   blocks, blocks given back to the OS and emptyCache() move the figure.
// - "live": the live tensors' bytes (the behaviour before session 9; for A/B runs).
// Why "held": V8 starts a full mark-compact whenever the reported figure grows more than ~64 MB
// past where it stood after the last one. With "live", a training step that allocates and
// disposes more than that (the synthetic MultiBalance shape: 256 MB of dense embedding gradients)
// moved the figure up and down by that much every step, although the memory came from and went
// back to the cache: V8 then collected every step for nothing (the tensors were disposed).
// With "held" the figure is flat from step to step and grows only when recforge takes more memory
// from the OS, which is when collecting leaked (undisposed) tensors can actually help.
bool report_held() {
  static const bool held = [] {
    const char* e = std::getenv("RECFORGE_EXTERNAL_MEMORY");
    return !(e && std::strcmp(e, "live") == 0);
  }();
  return held;
}

void* block_alloc(size_t bsize, size_t* capacity, bool* fresh) {
  *fresh = false;
  if (bsize >= kCacheMin) {
    size_t c = bsize;
    const int reuse = reuse_classes();
    for (int i = 0; i <= reuse; ++i, c = next_class(c)) {
      auto it = g_cache.find(c);
      if (it != g_cache.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        g_cached_bytes -= (int64_t)c;
        *capacity = c;
        return p;
      }
    }
  }
  *capacity = bsize;
  *fresh = true;
  return std::aligned_alloc(64, bsize);
}
// True when the block went back to the OS (false: kept in the cache).
bool block_free(void* p, size_t capacity) {
  if (capacity >= kCacheMin && g_cached_bytes + (int64_t)capacity <= cache_cap()) {
    g_cache[capacity].push_back(p);
    g_cached_bytes += (int64_t)capacity;
    return false;
  }
  std::free(p);
  return true;
}

void release(Napi::Env env, Storage* s) {
  if (s->freed) return;
  const bool to_os = block_free(s->ptr, s->capacity);
  s->ptr = nullptr;
  s->freed = true;
  g_live_bytes -= (int64_t)s->nbytes;
  g_live_blocks -= 1;
  if (!report_held()) Napi::MemoryManagement::AdjustExternalMemory(env, -(int64_t)s->nbytes);
  else if (to_os) Napi::MemoryManagement::AdjustExternalMemory(env, -(int64_t)s->capacity);
}

// alloc(nbytes) -> handle. Memory is 64-byte aligned and uninitialised.
Napi::Value Alloc(const Napi::CallbackInfo& info) {
  int64_t nbytes = int_arg(args::Alloc(info).nbytes(), "alloc");
  if (nbytes < 0) throw_range(info.Env(), "alloc: negative size " + std::to_string(nbytes));
  size_t rounded = block_size((size_t)nbytes), capacity = 0;
  bool fresh = false;
  void* p = block_alloc(rounded, &capacity, &fresh);
  if (!p) throw_range(info.Env(), "alloc: out of memory allocating " + std::to_string(nbytes) + " bytes");
  // Test mode: fill fresh memory with 0xFF bytes (NaN for floats, -1 for int32) so any
  // element a kernel forgets to write shows up.
  static const bool poison = [] {
    const char* e = std::getenv("RECFORGE_POISON");
    return e && *e && *e != '0';
  }();
  if (poison) std::memset(p, 0xFF, rounded);
  g_live_bytes += nbytes;
  g_live_blocks += 1;
  if (g_live_bytes > g_peak_bytes) g_peak_bytes = g_live_bytes;
  if (!report_held()) Napi::MemoryManagement::AdjustExternalMemory(info.Env(), nbytes);
  else if (fresh) Napi::MemoryManagement::AdjustExternalMemory(info.Env(), (int64_t)capacity);
  return Napi::Number::New(info.Env(), storage_register(Storage{p, (size_t)nbytes, 0, false, capacity}));
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  const double h = handle_arg(args::Free(info).handle(), "free");
  Storage* s = storage_lookup(h);
  if (!s) return info.Env().Undefined();  // already freed: idempotent
  release(info.Env(), s);
  storage_unregister(h);
  return info.Env().Undefined();
}

// write(storage, byteOffset, typedArray): copies the typed array's bytes in.
Napi::Value Write(const Napi::CallbackInfo& info) {
  const args::Write in(info);
  Storage* s = storage_arg(in.handle(), "write");
  int64_t off = int_arg(in.byteOffset(), "write");
  auto ta = bytes_arg(in.data(), "write");
  size_t n = ta.ByteLength();
  if (off < 0 || (size_t)off + n > s->nbytes)
    throw_range(info.Env(), "write: " + std::to_string(n) + " bytes at " + std::to_string(off) +
                                " overflow a storage of " + std::to_string(s->nbytes));
  const char* src = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  std::memcpy(static_cast<char*>(s->ptr) + off, src, n);
  return info.Env().Undefined();
}

// read(storage, byteOffset, typedArray): copies bytes out into the typed array.
Napi::Value Read(const Napi::CallbackInfo& info) {
  const args::Read in(info);
  Storage* s = storage_arg(in.handle(), "read");
  int64_t off = int_arg(in.byteOffset(), "read");
  auto ta = bytes_arg(in.out(), "read");
  size_t n = ta.ByteLength();
  if (off < 0 || (size_t)off + n > s->nbytes)
    throw_range(info.Env(), "read: " + std::to_string(n) + " bytes at " + std::to_string(off) +
                                " overflow a storage of " + std::to_string(s->nbytes));
  char* dst = static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  std::memcpy(dst, static_cast<const char*>(s->ptr) + off, n);
  return info.Env().Undefined();
}

Napi::Value MemoryStats(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("nativeBytes", Napi::Number::New(info.Env(), (double)g_live_bytes));
  o.Set("nativePeakBytes", Napi::Number::New(info.Env(), (double)g_peak_bytes));
  o.Set("nativeBlocks", Napi::Number::New(info.Env(), (double)g_live_blocks));
  o.Set("nativeCachedBytes", Napi::Number::New(info.Env(), (double)g_cached_bytes));
  return o;
}

Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  for (auto& kv : g_cache)
    for (void* p : kv.second) std::free(p);
  g_cache.clear();
  if (report_held()) Napi::MemoryManagement::AdjustExternalMemory(info.Env(), -g_cached_bytes);
  g_cached_bytes = 0;
  return info.Env().Undefined();
}

Napi::Value ResetPeak(const Napi::CallbackInfo& info) {
  g_peak_bytes = g_live_bytes;
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), num_threads()); }
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int64_t n = int_arg(args::SetNumThreads(info).n(), "setNumThreads");
  if (n < 1 || n > 256) throw_range(info.Env(), "setNumThreads: expected 1..256, got " + std::to_string(n));
  set_num_threads((int)n);
  gemm_set_num_threads((int)n);  // keep the BLAS library's threads in step
  return info.Env().Undefined();
}

}  // namespace

// ---- handle table (handle_table.h): device tag 0 -----------------------------------
namespace {
HandleTable g_table(0);
}  // namespace

double storage_register(const Storage& s) { return g_table.add(s); }
Storage* storage_lookup(double h) { return g_table.find(h); }
void storage_unregister(double h) { g_table.remove(h); }
int addon_device() { return 0; }

RECFORGE_BIND(alloc, Alloc)
RECFORGE_BIND(free, Free)
RECFORGE_BIND(write, Write)
RECFORGE_BIND(read, Read)
RECFORGE_BIND(memoryStats, MemoryStats)
RECFORGE_BIND(resetPeak, ResetPeak)
RECFORGE_BIND(emptyCache, EmptyCache)
RECFORGE_BIND(getNumThreads, GetThreads)
RECFORGE_BIND(setNumThreads, SetThreads)
}  // namespace napi
}  // namespace recforge
