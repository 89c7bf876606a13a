// CPU emulation of the CUDA execution model, to test the CUDA kernels' LOGIC on machines without a
// GPU: indexing, grid-stride loops, tile walks, barriers, votes, shuffles, shared memory, tensor-core
// fragments. It says nothing about speed, occupancy, the hardware memory model or races between
// blocks (blocks run one after another); what it does catch is wrong results, unwritten outputs,
// reads of unwritten shared memory (static and dynamic shared memory start as NaN / all-ones bytes),
// divergent barriers (a block where some threads wait at __syncthreads while others wait in a warp
// operation is reported as a deadlock, not silently run), bad launch configurations (block size,
// grid size, dynamic shared memory above 48 KiB without cudaFuncSetAttribute), and, built with
// -fsanitize=address, out-of-bounds accesses to "device" memory (which is host memory here).
//
// How: every CUDA thread of a block is a fiber (its own stack, switched by a few instructions of
// x86-64 assembly) on ONE host thread. Between two block barriers the warps run one after another in a
// shuffled order, each as far as it can go through its warp operations (shuffle, ballot, __syncwarp),
// and the lanes of a warp run in a shuffled order between two warp operations (see run_block). Shuffle
// values are staged per lane and published when the whole warp has arrived, so a lane that runs ahead
// cannot overwrite what a slower lane still has to read.
//
// Use: scripts/cuda-emulate.mjs compiles every CUDA source as C++ with this header force-included
// (-include cuda_emulator.h; it includes cuda_runtime.h, cuda_fp16.h and cuda_bf16.h itself), after
// rewriting the launches: kernel<<<g, b, s, st>>>(args) -> ::emu::launcher_named("kernel", kernel, g, b,
// s, st)(args), or launcher_call(...) for a kernel with template arguments. The CUDA runtime API
// (cudaMalloc, cudaMemcpy, streams, events, ...) is provided by cuda_runtime_emulated.cc. x86-64 only.
#pragma once
#if !defined(__x86_64__)
#error "the CUDA emulator's fiber switch (emu_switch) is written for x86-64"
#endif
#include <cuda_runtime.h>
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#undef __global__
#undef __device__
#undef __host__
#undef __forceinline__
#undef __noinline__
#undef __restrict__
#undef __launch_bounds__
#undef __shared__
#undef __constant__
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <tuple>
#include <type_traits>
#include <vector>

#define __global__
#define __device__
#define __host__
#define __constant__
#define __forceinline__ inline
#define __noinline__
#define __restrict__
#define __launch_bounds__(...)
#define __shared__ static
#define RECFORGE_DYNAMIC_SMEM(name) float* name = (float*)::emu::dynamic_smem()
#define RECFORGE_CUDA_EMULATED 1

// The device math library's global names (isfinite(x) in a kernel means the device's).
#include <math.h>
using std::isfinite;
using std::isinf;
using std::isnan;

// cuda_runtime.h's template overload (only there for nvcc): a kernel pointer of any type.
template <typename T>
inline cudaError_t cudaFuncSetAttribute(T* f, cudaFuncAttribute a, int v) {
  return ::cudaFuncSetAttribute((const void*)f, a, v);
}

inline uint3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;
constexpr int warpSize = 32;

namespace emu {

enum State : uint8_t { kRunnable, kBlockWait, kWarpWait, kDone };

// Fiber switching: a few instructions of assembly on x86-64 (callee-saved registers, the FP control
// words and the stack pointer), no system call -- ucontext's swapcontext changes the signal mask with a
// system call per switch, which made the emulator spend most of its time in the kernel. ASan is told
// about every stack switch.
extern "C" void emu_switch(void** save_sp, void* new_sp);
#ifdef EMU_DEFINE_SWITCH  // defined once, in cuda_runtime_emulated.cc
asm(R"(
.text
.globl emu_switch
.type emu_switch,@function
emu_switch:
  pushq %rbp
  pushq %rbx
  pushq %r12
  pushq %r13
  pushq %r14
  pushq %r15
  subq $16, %rsp
  stmxcsr 8(%rsp)
  fnstcw (%rsp)
  movq %rsp, (%rdi)
  movq %rsi, %rsp
  fldcw (%rsp)
  ldmxcsr 8(%rsp)
  addq $16, %rsp
  popq %r15
  popq %r14
  popq %r13
  popq %r12
  popq %rbx
  popq %rbp
  ret
.size emu_switch, .-emu_switch
.section .note.GNU-stack,"",@progbits
.text
)");
#endif
#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define EMU_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__) && !defined(EMU_ASAN)
#define EMU_ASAN 1
#endif
#ifdef EMU_ASAN
}  // namespace emu
#include <sanitizer/common_interface_defs.h>
namespace emu {
#endif

struct Scheduler {
  void* main_sp = nullptr;
  const void* main_stack_bottom = nullptr;
  size_t main_stack_size = 0;
  std::vector<void*> ctx;  // saved stack pointer of each fiber
  std::vector<State> state;
  std::vector<char*> stacks;
  std::vector<uint64_t> stage, pub;  // per-lane shuffle / ballot values: staged, then published
  std::vector<unsigned char> smem;   // dynamic shared memory of the running block
  const std::function<void()>* body = nullptr;
  int nt = 0, cur = 0;
  int vote_acc = 0, vote_last = 0;
  unsigned long long block_epoch = 0;
  const char* kernel_name = "";
  std::vector<int> order;  // the order fibers run in, reshuffled before every pass
  // EMU_SEED picks another family of schedules (default: a fixed one, so a failure reproduces).
  uint64_t rng = std::getenv("EMU_SEED") ? 0x9E3779B97F4A7C15ull ^ std::strtoull(std::getenv("EMU_SEED"), nullptr, 10)
                                         : 0x9E3779B97F4A7C15ull;
  bool shuffle = std::getenv("EMU_ORDER") == nullptr || std::strcmp(std::getenv("EMU_ORDER"), "index") != 0;
};
inline Scheduler S;
constexpr size_t kStackBytes = 256 << 10;

// Launch errors are sticky until cudaGetLastError (like the runtime's).
inline cudaError_t last_error = cudaSuccess;
// Dynamic shared memory limit per kernel: 48 KiB unless raised with cudaFuncSetAttribute.
inline std::vector<std::pair<const void*, int>> smem_limits;
inline int smem_limit(const void* f) {
  for (auto& p : smem_limits)
    if (p.first == f) return p.second;
  return 48 << 10;
}

inline void* dynamic_smem() { return S.smem.data(); }
inline int linear_tid() { return S.cur; }
inline int lane() { return S.cur & 31; }
inline int warp_base() { return S.cur & ~31; }

[[noreturn]] inline void fail(const char* what) {
  std::fprintf(stderr, "CUDA emulator: %s (kernel %s, block %u,%u,%u, thread %d)\n", what, S.kernel_name,
               blockIdx.x, blockIdx.y, blockIdx.z, S.cur);
  std::abort();
}

// Fiber -> scheduler.
inline void to_scheduler(bool finished) {
#ifdef EMU_ASAN
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(finished ? nullptr : &fake, S.main_stack_bottom, S.main_stack_size);
#endif
  (void)finished;
  emu_switch(&S.ctx[S.cur], S.main_sp);
#ifdef EMU_ASAN
  __sanitizer_finish_switch_fiber(fake, nullptr, nullptr);
#endif
}
// Scheduler -> fiber t.
inline void to_fiber(int t) {
#ifdef EMU_ASAN
  void* fake = nullptr;
  __sanitizer_start_switch_fiber(&fake, S.stacks[t], kStackBytes);
#endif
  emu_switch(&S.main_sp, S.ctx[t]);
#ifdef EMU_ASAN
  __sanitizer_finish_switch_fiber(fake, &S.main_stack_bottom, &S.main_stack_size);
#endif
}

inline void wait_as(State s) {
  S.state[S.cur] = s;
  to_scheduler(false);
}

// Static __shared__ arrays are function statics here; scripts/cuda-emulate.mjs adds a call to this
// after each declaration, which fills the array with all-ones bytes (NaN for floats) once per block:
// the first thread of a block runs first, so this happens before any thread of the block writes it.
struct PoisonMark {
  const void* p;
  unsigned long long epoch;
};
inline std::vector<PoisonMark> poisoned;
inline void poison_shared(void* p, size_t bytes) {
  for (auto& m : poisoned)
    if (m.p == p) {
      if (m.epoch != S.block_epoch) m.epoch = S.block_epoch, std::memset(p, 0xFF, bytes);
      return;
    }
  poisoned.push_back({p, S.block_epoch});
  std::memset(p, 0xFF, bytes);
}

// First code a fiber runs (entered through emu_switch's `ret`); never returns.
inline void fiber_entry() {
#ifdef EMU_ASAN
  __sanitizer_finish_switch_fiber(nullptr, &S.main_stack_bottom, &S.main_stack_size);
#endif
  (*S.body)();
  S.state[S.cur] = kDone;
  to_scheduler(true);
  std::abort();  // a finished fiber is never resumed
}

// A fresh fiber's stack, laid out as emu_switch leaves a suspended one: FP control words, six
// callee-saved registers, then the "return address" fiber_entry, placed so that the stack is aligned
// as at a function's entry (rsp + 8 a multiple of 16).
inline void* fresh_fiber(char* stack) {
  uintptr_t top = ((uintptr_t)stack + kStackBytes) & ~(uintptr_t)15;
  uint64_t* sp = reinterpret_cast<uint64_t*>(top - 16);
  sp[0] = (uint64_t)(uintptr_t)&fiber_entry;
  sp -= 6;
  for (int i = 0; i < 6; ++i) sp[i] = 0;
  sp -= 2;
  sp[0] = 0x037F;  // x87 control word (bytes 0-1)
  sp[1] = 0x1F80;  // MXCSR (bytes 8-11): round to nearest, all exceptions masked
  return sp;
}

inline void set_thread(int t) {
  S.cur = t;
  threadIdx = uint3{(unsigned)(t % blockDim.x), (unsigned)((t / blockDim.x) % blockDim.y),
                    (unsigned)(t / (blockDim.x * blockDim.y))};
}

inline uint64_t next_random() {
  S.rng = S.rng * 6364136223846793005ull + 1442695040888963407ull;
  return S.rng >> 33;
}
inline void shuffle(int* v, int n) {
  if (!S.shuffle) return;
  for (int i = n - 1; i > 0; --i) std::swap(v[i], v[(int)(next_random() % (uint64_t)(i + 1))]);
}

// One block. Between two block barriers the warps run one after another, in a shuffled order, each as
// far as it can go (through its shuffles and __syncwarps) before the next warp starts; inside a warp the
// lanes run in a shuffled order between two warp operations. Both are legal schedules on the hardware,
// and they are the ones that expose a missing barrier: a warp that races ahead overwrites shared memory
// that another warp has not read yet, or a reader runs before the writer it did not wait for.
inline void run_block(int nt) {
  S.ctx.assign(nt, nullptr);
  S.state.assign(nt, kRunnable);
  S.stage.assign(nt, 0);
  S.pub.assign(nt, 0);
  while ((int)S.stacks.size() < nt) S.stacks.push_back(static_cast<char*>(std::malloc(kStackBytes)));
  for (int t = 0; t < nt; ++t) S.ctx[t] = fresh_fiber(S.stacks[t]);
  const int nw = (nt + 31) / 32;
  S.order.resize(nt);
  std::vector<int> warps(nw);
  for (int w = 0; w < nw; ++w) warps[w] = w;
  for (;;) {
    shuffle(warps.data(), nw);
    for (int w : warps) {
      const int b = 32 * w, e = std::min(nt, b + 32);
      int* lanes = S.order.data() + b;
      for (int t = b; t < e; ++t) lanes[t - b] = t;
      for (;;) {
        shuffle(lanes, e - b);
        for (int i = 0; i < e - b; ++i) {
          const int t = lanes[i];
          if (S.state[t] == kRunnable) {
            set_thread(t);
            to_fiber(t);
          }
        }
        bool live = false, all_warp = true;
        for (int t = b; t < e; ++t)
          if (S.state[t] != kDone) live = true, all_warp &= S.state[t] == kWarpWait;
        if (!live || !all_warp) break;
        for (int t = b; t < e; ++t)  // the whole warp is in a warp operation: publish and go on
          if (S.state[t] == kWarpWait) S.state[t] = kRunnable, S.pub[t] = S.stage[t];
      }
    }
    int nb = 0, nwait = 0, nd = 0;
    for (int t = 0; t < nt; ++t) nb += S.state[t] == kBlockWait, nwait += S.state[t] == kWarpWait, nd += S.state[t] == kDone;
    if (nd == nt) return;
    if (nwait) {
      std::fprintf(stderr, "CUDA emulator: deadlock in kernel %s, block %u,%u,%u: %d threads at __syncthreads, %d in a warp "
                   "operation whose warp is not all there, %d finished\n", S.kernel_name, blockIdx.x, blockIdx.y, blockIdx.z,
                   nb, nwait, nd);
      std::abort();
    }
    S.vote_last = S.vote_acc;  // every live thread is at __syncthreads: release them
    S.vote_acc = 0;
    for (int t = 0; t < nt; ++t)
      if (S.state[t] == kBlockWait) S.state[t] = kRunnable;
  }
}

inline bool launch_config_ok(const char* name, dim3 grid, dim3 block, size_t smem_bytes, const void* kernel) {
  const long long nt = (long long)block.x * block.y * block.z;
  if (nt <= 0 || nt > 1024 || block.z > 64 || grid.x == 0 || grid.y == 0 || grid.z == 0 || grid.y > 65535 ||
      grid.z > 65535) {
    std::fprintf(stderr, "CUDA emulator: invalid launch of %s: grid (%u,%u,%u) block (%u,%u,%u)\n", name, grid.x, grid.y,
                 grid.z, block.x, block.y, block.z);
    last_error = cudaErrorInvalidConfiguration;
    return false;
  }
  // Without the kernel's address (a template whose arguments are deduced at the launch) the raised
  // limit cannot be looked up: such launches may only use the default 48 KiB.
  const int limit = kernel ? smem_limit(kernel) : 48 << 10;
  if ((long long)smem_bytes > limit) {
    std::fprintf(stderr, "CUDA emulator: launch of %s asks %zu bytes of dynamic shared memory, above its limit %d\n", name,
                 smem_bytes, limit);
    last_error = cudaErrorInvalidValue;
    return false;
  }
  return true;
}

// Runs `body` (one CUDA thread's work) for every thread of every block.
inline void run_grid(const char* name, const std::function<void()>& body, dim3 grid, dim3 block, size_t smem_bytes) {
  S.body = &body;
  S.kernel_name = name;
  S.nt = (int)(block.x * block.y * block.z);
  gridDim = grid, blockDim = block;
  S.smem.assign(smem_bytes + 16, 0xFF);
  for (unsigned bz = 0; bz < grid.z; ++bz)
    for (unsigned by = 0; by < grid.y; ++by)
      for (unsigned bx = 0; bx < grid.x; ++bx) {
        blockIdx = uint3{bx, by, bz};
        ++S.block_epoch;
        std::fill(S.smem.begin(), S.smem.end(), (unsigned char)0xFF);
        S.vote_acc = S.vote_last = 0;
        run_block(S.nt);
      }
}

// Runs call(args...) as every thread of the grid. `key` is the kernel's address when known (it finds a
// limit raised with cudaFuncSetAttribute). The arguments are copied once, like kernel arguments, and
// converted to the kernel's parameter types at each call (the same values).
template <typename F, typename... A>
void launch_call(const char* name, const void* key, F call, dim3 grid, dim3 block, size_t smem, A&&... args) {
  if (!launch_config_ok(name, grid, block, smem, key)) return;
  auto params = std::make_tuple(std::decay_t<A>(std::forward<A>(args))...);
  run_grid(name, [&] { std::apply(call, params); }, grid, block, smem);
}

// kernel<<<grid, block, smem, stream>>>(args) is rewritten by scripts/cuda-emulate.mjs to
//   launcher_named("kernel", kernel, grid, block, smem, stream)(args)            (kernel: a name or pointer)
//   launcher_call("kernel<T>", [](auto&... a) { kernel<T>(a...); }, grid, ...)(args)  (template arguments given:
//     the rest may be deduced from the arguments, so there is no pointer to take before the call)
// Launches are synchronous: the stream is ignored (one stream orders everything anyway).
template <typename K>
auto launcher_named(const char* name, K* kernel, dim3 grid, dim3 block, size_t smem = 0, cudaStream_t = nullptr) {
  return [=](auto&&... args) {
    launch_call(name, (const void*)kernel, kernel, grid, block, smem, std::forward<decltype(args)>(args)...);
  };
}
template <typename F>
auto launcher_call(const char* name, F call, dim3 grid, dim3 block, size_t smem = 0, cudaStream_t = nullptr) {
  return [=](auto&&... args) { launch_call(name, nullptr, call, grid, block, smem, std::forward<decltype(args)>(args)...); };
}

// ---- warp and block operations ------------------------------------------------------------------
template <typename T>
T exchange(T v, int src) {
  static_assert(sizeof(T) <= 8, "shuffle of a type wider than 8 bytes");
  uint64_t bits = 0;
  std::memcpy(&bits, &v, sizeof(T));
  S.stage[S.cur] = bits;
  wait_as(kWarpWait);
  const int t = warp_base() + src;
  if (t >= S.nt) fail("shuffle from a lane outside the block");
  T r;
  std::memcpy(&r, &S.pub[t], sizeof(T));
  return r;
}

}  // namespace emu

inline void __syncthreads() { emu::wait_as(emu::kBlockWait); }
inline int __syncthreads_count(int p) {
  emu::S.vote_acc += p != 0;
  emu::wait_as(emu::kBlockWait);
  return emu::S.vote_last;
}
inline int __syncthreads_or(int p) { return __syncthreads_count(p) > 0; }
inline int __syncthreads_and(int p) {
  const int live = (int)std::count_if(emu::S.state.begin(), emu::S.state.end(), [](emu::State s) { return s != emu::kDone; });
  return __syncthreads_count(p) == live;
}
inline void __syncwarp(unsigned = 0xffffffffu) { emu::wait_as(emu::kWarpWait); }
inline void __threadfence() {}
inline void __threadfence_block() {}

template <typename T>
T __shfl_xor_sync(unsigned, T v, int m, int width = 32) {
  const int l = emu::lane();
  return emu::exchange(v, ((l ^ m) & (width - 1)) | (l & ~(width - 1)));
}
template <typename T>
T __shfl_down_sync(unsigned, T v, unsigned d, int width = 32) {
  const int l = emu::lane(), seg = l & ~(width - 1);
  const int s = l + (int)d;
  return emu::exchange(v, s < seg + width ? s : l);
}
template <typename T>
T __shfl_up_sync(unsigned, T v, unsigned d, int width = 32) {
  const int l = emu::lane(), seg = l & ~(width - 1);
  const int s = l - (int)d;
  return emu::exchange(v, s >= seg ? s : l);
}
template <typename T>
T __shfl_sync(unsigned, T v, int src, int width = 32) {
  const int l = emu::lane();
  return emu::exchange(v, (l & ~(width - 1)) + (src & (width - 1)));
}
inline unsigned __ballot_sync(unsigned, int p) {
  emu::S.stage[emu::S.cur] = p != 0;
  emu::wait_as(emu::kWarpWait);
  unsigned r = 0;
  const int b = emu::warp_base();
  for (int l = 0; l < 32 && b + l < emu::S.nt; ++l)
    if (emu::S.state[b + l] != emu::kDone && emu::S.pub[b + l]) r |= 1u << l;
  return r;
}
inline int __any_sync(unsigned m, int p) { return __ballot_sync(m, p) != 0; }
inline int __all_sync(unsigned m, int p) {
  unsigned live = 0;
  const int b = emu::warp_base();
  for (int l = 0; l < 32 && b + l < emu::S.nt; ++l)
    if (emu::S.state[b + l] != emu::kDone) live |= 1u << l;
  return __ballot_sync(m, p) == live;
}
inline unsigned __activemask() { return 0xffffffffu; }

// ---- atomics (one host thread runs every fiber: plain read-modify-write is atomic) ---------------
template <typename T>
T atomicAdd(T* p, T v) {
  T o = *p;
  *p = o + v;
  return o;
}
template <typename T>
T atomicMin(T* p, T v) {
  T o = *p;
  if (v < o) *p = v;
  return o;
}
template <typename T>
T atomicMax(T* p, T v) {
  T o = *p;
  if (o < v) *p = v;
  return o;
}
template <typename T>
T atomicExch(T* p, T v) {
  T o = *p;
  *p = v;
  return o;
}
template <typename T>
T atomicCAS(T* p, T cmp, T v) {
  T o = *p;
  if (o == cmp) *p = v;
  return o;
}
template <typename T>
T atomicOr(T* p, T v) {
  T o = *p;
  *p = o | v;
  return o;
}

// ---- device intrinsics ----------------------------------------------------------------------------
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int __popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int __clz(int x) { return x ? __builtin_clz((unsigned)x) : 32; }
inline int __ffs(int x) { return __builtin_ffs(x); }
inline unsigned __umulhi(unsigned a, unsigned b) { return (unsigned)(((unsigned long long)a * b) >> 32); }
inline unsigned long long __umul64hi(unsigned long long a, unsigned long long b) {
  return (unsigned long long)(((unsigned __int128)a * b) >> 64);
}
inline unsigned __float_as_uint(float x) { unsigned u; std::memcpy(&u, &x, 4); return u; }
inline float __uint_as_float(unsigned u) { float x; std::memcpy(&x, &u, 4); return x; }
inline int __float_as_int(float x) { int u; std::memcpy(&u, &x, 4); return u; }
inline float __int_as_float(int u) { float x; std::memcpy(&x, &u, 4); return x; }
inline long long __double_as_longlong(double x) { long long u; std::memcpy(&u, &x, 8); return u; }
inline double __longlong_as_double(long long u) { double x; std::memcpy(&x, &u, 8); return x; }
// Round-to-nearest arithmetic that the device never contracts into an FMA. The empty asm makes the
// rounded result opaque, so that the host compiler cannot fuse it either when the emulated sources are
// compiled with FMA contraction (scripts/cuda-emulate.mjs --fma: -mfma -ffp-contract=fast).
template <typename T>
inline T emu_rounded(T r) {
  __asm__ volatile("" : "+x"(r));
  return r;
}
inline double __dadd_rn(double a, double b) { return emu_rounded(a + b); }
inline double __dmul_rn(double a, double b) { return emu_rounded(a * b); }
inline double __dsub_rn(double a, double b) { return emu_rounded(a - b); }
inline float __fadd_rn(float a, float b) { return emu_rounded(a + b); }
inline float __fmul_rn(float a, float b) { return emu_rounded(a * b); }
inline float __fsub_rn(float a, float b) { return emu_rounded(a - b); }
inline float __fdiv_rn(float a, float b) { return a / b; }
inline float __expf(float x) { return std::exp(x); }
inline float __logf(float x) { return std::log(x); }
inline float __fdividef(float a, float b) { return a / b; }
inline float __saturatef(float x) { return x < 0.f ? 0.f : (x > 1.f ? 1.f : x); }
inline float rsqrtf(float x) { return 1.f / std::sqrt(x); }
inline double rsqrt(double x) { return 1.0 / std::sqrt(x); }
template <typename T>
inline T __ldg(const T* p) { return *p; }
inline int max(int a, int b) { return a > b ? a : b; }
inline int min(int a, int b) { return a < b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline long max(long a, long b) { return a > b ? a : b; }
inline long min(long a, long b) { return a < b ? a : b; }
inline float max(float a, float b) { return std::fmax(a, b); }
inline float min(float a, float b) { return std::fmin(a, b); }
inline double max(double a, double b) { return std::fmax(a, b); }
inline double min(double a, double b) { return std::fmin(a, b); }

// ---- tensor-core fragments (nvcuda::wmma) ------------------------------------------------------
// The hardware spreads a fragment over the warp's 32 lanes in an unspecified layout. Here every lane
// keeps the whole tile for loads, but an accumulator element e belongs to lane e % 32: mma_sync computes
// only the lane's own elements and store_matrix_sync writes only those, so the warp together stores the
// full tile once (as on the hardware, all 32 lanes must take part) at 1/32 of the arithmetic.
namespace nvcuda {
namespace wmma {
struct matrix_a {};
struct matrix_b {};
struct accumulator {};
struct row_major {};
struct col_major {};
enum layout_t { mem_row_major, mem_col_major };
template <typename Use, int M, int N, int K, typename T, typename Layout = void>
struct fragment {
  static constexpr int rows = std::is_same_v<Use, matrix_b> ? K : M;
  static constexpr int cols = std::is_same_v<Use, matrix_a> ? K : N;
  static constexpr int num_elements = rows * cols;
  T x[rows * cols];
};
template <typename Use, int M, int N, int K, typename T, typename L, typename V>
void fill_fragment(fragment<Use, M, N, K, T, L>& f, const V& v) {
  for (auto& e : f.x) e = (T)v;
}
template <typename Use, int M, int N, int K, typename T, typename L>
void load_matrix_sync(fragment<Use, M, N, K, T, L>& f, const T* p, unsigned ldm) {
  using F = fragment<Use, M, N, K, T, L>;
  for (int r = 0; r < F::rows; ++r)
    for (int c = 0; c < F::cols; ++c) f.x[r * F::cols + c] = std::is_same_v<L, col_major> ? p[c * ldm + r] : p[r * ldm + c];
}
template <int M, int N, int K, typename T>
void load_matrix_sync(fragment<accumulator, M, N, K, T>& f, const T* p, unsigned ldm, layout_t l) {
  for (int r = 0; r < M; ++r)
    for (int c = 0; c < N; ++c) f.x[r * N + c] = l == mem_col_major ? p[c * ldm + r] : p[r * ldm + c];
}
template <int M, int N, int K, typename T>
void store_matrix_sync(T* p, const fragment<accumulator, M, N, K, T>& f, unsigned ldm, layout_t l) {
  for (int e = ::emu::lane(); e < M * N; e += 32) {
    const int r = e / N, c = e % N;
    (l == mem_col_major ? p[c * ldm + r] : p[r * ldm + c]) = f.x[e];
  }
}
template <int M, int N, int K, typename TA, typename LA, typename LB, typename TC>
void mma_sync(fragment<accumulator, M, N, K, TC>& d, const fragment<matrix_a, M, N, K, TA, LA>& a,
              const fragment<matrix_b, M, N, K, TA, LB>& b, const fragment<accumulator, M, N, K, TC>& c) {
  for (int e = ::emu::lane(); e < M * N; e += 32) {
    const int i = e / N, j = e % N;
    float s = (float)c.x[e];
    for (int k = 0; k < K; ++k) s += (float)a.x[i * K + k] * (float)b.x[k * N + j];
    d.x[e] = (TC)s;
  }
  if (&d != &c)
    for (int e = 0; e < M * N; ++e)
      if (e % 32 != ::emu::lane()) d.x[e] = c.x[e];
}
}  // namespace wmma
}  // namespace nvcuda
