// Minimal CPU emulation of the CUDA execution model, to test kernel LOGIC on machines without a GPU
// (indexing, tile walks, barriers, votes, shuffles): one std::thread per CUDA thread, blocks run one
// at a time, std::barrier for __syncthreads and per-warp barriers for shuffles and ballots. Dynamic
// shared memory starts as NaN so reads of unwritten shared memory show up. It says nothing about
// speed, occupancy, shared-memory limits or the hardware memory model; only the intrinsics the
// kernels use are provided (float shuffles). Include the CUDA headers first, then this file, then
// the kernels' .cuh (static __shared__ variables become function statics: fine, blocks run serially).
#pragma once
#undef __global__
#undef __device__
#undef __host__
#undef __forceinline__
#undef __restrict__
#undef __launch_bounds__
#undef __shared__
#include <atomic>
#include <barrier>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>
#include <thread>
#include <vector>
#include <algorithm>

#include <vector_types.h>  // dim3, uint3 (host-compatible)
inline thread_local uint3 threadIdx, blockIdx;
inline dim3 blockDim, gridDim;

namespace emu {
inline std::unique_ptr<std::barrier<>> block_bar;
inline std::vector<std::unique_ptr<std::barrier<>>> warp_bar;
inline std::vector<float> warp_fbuf;
inline std::vector<int> warp_ibuf;
inline std::atomic<int> vote_count{0};
inline std::vector<float> dyn_smem;
inline int lane() { return threadIdx.x & 31; }
inline int warp() { return threadIdx.x >> 5; }
inline void warp_sync() { warp_bar[warp()]->arrive_and_wait(); }
}  // namespace emu

#define __global__
#define __device__
#define __host__
#define __forceinline__ inline
#define __restrict__
#define __launch_bounds__(x)
#define __shared__ static
#define RECFORGE_DYNAMIC_SMEM(name) float* name = emu::dyn_smem.data()

inline void __syncthreads() { emu::block_bar->arrive_and_wait(); }
inline int __syncthreads_count(int p) {
  emu::block_bar->arrive_and_wait();
  if (threadIdx.x == 0) emu::vote_count = 0;
  emu::block_bar->arrive_and_wait();
  if (p) emu::vote_count.fetch_add(1);
  emu::block_bar->arrive_and_wait();
  return emu::vote_count.load();
}
inline int __syncthreads_or(int p) { return __syncthreads_count(p != 0) > 0; }
inline int __syncthreads_and(int p) { return __syncthreads_count(p != 0) == (int)blockDim.x; }
inline void __syncwarp(unsigned = 0xffffffffu) { emu::warp_sync(); }
inline float __shfl_xor_sync(unsigned, float x, int m) {
  float* buf = &emu::warp_fbuf[emu::warp() * 32];
  buf[emu::lane()] = x;
  emu::warp_sync();
  float r = buf[emu::lane() ^ m];
  emu::warp_sync();
  return r;
}
inline unsigned __ballot_sync(unsigned, int p) {
  int* buf = &emu::warp_ibuf[emu::warp() * 32];
  buf[emu::lane()] = p != 0;
  emu::warp_sync();
  unsigned r = 0;
  for (int l = 0; l < 32; ++l) r |= (unsigned)buf[l] << l;
  emu::warp_sync();
  return r;
}
inline int __popc(unsigned x) { return __builtin_popcount(x); }
inline int atomicMin(int* p, int v) {
  int old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
  while (v < old && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {}
  return old;
}
inline int atomicMax(int* p, int v) {
  int old = __atomic_load_n(p, __ATOMIC_SEQ_CST);
  while (v > old && !__atomic_compare_exchange_n(p, &old, v, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {}
  return old;
}
inline float __expf(float x) { return expf(x); }
inline int max(int a, int b) { return a > b ? a : b; }
inline int min(int a, int b) { return a < b ? a : b; }

namespace emu {
template <typename... P, typename... A>
void launch(void (*kernel)(P...), dim3 grid, dim3 block, size_t smem_bytes, A... args) {
  gridDim = grid, blockDim = block;
  const int nt = (int)block.x;
  dyn_smem.assign(smem_bytes / sizeof(float) + 1, std::nanf(""));
  for (unsigned by = 0; by < grid.y; ++by)
    for (unsigned bx = 0; bx < grid.x; ++bx) {
      block_bar = std::make_unique<std::barrier<>>(nt);
      warp_bar.clear();
      for (int w = 0; w < (nt + 31) / 32; ++w) warp_bar.push_back(std::make_unique<std::barrier<>>(std::min(32, nt - 32 * w)));
      warp_fbuf.assign(((nt + 31) / 32) * 32, 0.f);
      warp_ibuf.assign(((nt + 31) / 32) * 32, 0);
      std::fill(dyn_smem.begin(), dyn_smem.end(), std::nanf(""));  // uninitialised shared memory
      std::vector<std::thread> ts;
      for (int t = 0; t < nt; ++t)
        ts.emplace_back([=] {
          threadIdx = uint3{(unsigned)t, 0, 0}, blockIdx = uint3{bx, by, 0};
          kernel(args...);
        });
      for (auto& th : ts) th.join();
    }
}
}  // namespace emu
