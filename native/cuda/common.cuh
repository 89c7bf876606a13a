// Shared pieces of the CUDA kernels (internal to native/cuda): launch geometry, strided
// index decomposition, and fixed-order reductions inside a warp / block.
//
// Determinism: every reduction here combines values in an order fixed by the thread
// layout alone (shuffle trees, then warp partials in warp order), so results do not
// depend on scheduling or on the GPU model.
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "recforge/elementwise.h"

namespace recforge {
namespace cuda {

constexpr int kThreads = 256;
constexpr int kWarps = kThreads / 32;

// Grid size for a grid-stride loop over n items: enough blocks to fill any current GPU
// several times over, never more than needed.
inline unsigned grid_for(int64_t n, int threads = kThreads) {
  int64_t b = (n + threads - 1) / threads;
  return (unsigned)std::max<int64_t>(1, std::min<int64_t>(b, 65536));
}

#define RF_GRID_STRIDE(i, n) \
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < (n); i += (int64_t)blockDim.x * gridDim.x)

// A coalesced strided layout of up to 3 operands, passed to kernels by value.
struct Strided {
  int nd = 0;
  int64_t shape[kMaxDims];
  int64_t st[3][kMaxDims];
};

// Merges adjacent dims that are contiguous for every operand and drops size-1 dims (the
// same rule as the CPU kernels), so most calls become 1-2 dims.
inline Strided coalesce(int ndim, const int64_t* shape, int nops, const int64_t* const* strides) {
  Strided L;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] == 1) continue;
    if (L.nd > 0) {
      bool mergeable = true;
      for (int o = 0; o < nops; ++o)
        if (L.st[o][L.nd - 1] != strides[o][d] * shape[d]) mergeable = false;
      if (mergeable) {
        L.shape[L.nd - 1] *= shape[d];
        for (int o = 0; o < nops; ++o) L.st[o][L.nd - 1] = strides[o][d];
        continue;
      }
    }
    L.shape[L.nd] = shape[d];
    for (int o = 0; o < nops; ++o) L.st[o][L.nd] = strides[o][d];
    ++L.nd;
  }
  if (L.nd == 0) {
    L.nd = 1;
    L.shape[0] = 1;
    for (int o = 0; o < nops; ++o) L.st[o][0] = 0;
  }
  for (int o = nops; o < 3; ++o)
    for (int d = 0; d < L.nd; ++d) L.st[o][d] = 0;
  return L;
}

// Element offsets of every operand for logical (row-major) index i.
template <int NOPS>
__device__ __forceinline__ void offsets(const Strided& L, int64_t i, int64_t (&off)[NOPS]) {
  for (int o = 0; o < NOPS; ++o) off[o] = 0;
  for (int d = L.nd - 1; d >= 0; --d) {
    const int64_t s = L.shape[d];
    const int64_t idx = d ? i % s : i;
    i = d ? i / s : 0;
    for (int o = 0; o < NOPS; ++o) off[o] += idx * L.st[o][d];
  }
}

__device__ __forceinline__ double warp_sum(double v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}
__device__ __forceinline__ float warp_sum(float v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

// Max that ignores NaN like std::max(m, v) with m first (the CPU kernels' row max).
template <typename T>
__device__ __forceinline__ T max_keep(T m, T v) {
  return m < v ? v : m;
}
template <typename T>
__device__ __forceinline__ T warp_max(T v) {
  for (int o = 16; o > 0; o >>= 1) {
    T w = __shfl_xor_sync(0xffffffffu, v, o);
    // Symmetric NaN-ignoring max so every lane ends with the same value.
    v = (v != v) ? w : ((w != w) ? v : (v < w ? w : v));
  }
  return v;
}

// Row groups: W threads cooperate on one row; W = 32 (a warp per row, 8 rows per block)
// or W = kThreads (the whole block per row). Sums are broadcast to every thread of the group.
template <int W>
struct RowGroup {
  static_assert(W == 32 || W == kThreads, "row groups are a warp or a block");
  static constexpr int kRowsPerBlock = kThreads / W;
  __device__ static int lane() { return W == 32 ? (threadIdx.x & 31) : threadIdx.x; }
  __device__ static int slot() { return W == 32 ? (threadIdx.x >> 5) : 0; }

  template <typename A>
  __device__ static A sum(A v, A* smem /* kWarps entries */) {
    v = warp_sum(v);
    if (W == 32) return v;
    const int w = threadIdx.x >> 5;
    __syncthreads();  // an earlier call may still read smem
    if ((threadIdx.x & 31) == 0) smem[w] = v;
    __syncthreads();
    A t = 0;
    for (int i = 0; i < kWarps; ++i) t += smem[i];  // fixed order, same in every thread
    return t;
  }
  template <typename T>
  __device__ static T max(T v, T* smem) {
    v = warp_max(v);
    if (W == 32) return v;
    const int w = threadIdx.x >> 5;
    __syncthreads();
    if ((threadIdx.x & 31) == 0) smem[w] = v;
    __syncthreads();
    T t = smem[0];
    for (int i = 1; i < kWarps; ++i) t = max_keep(t, smem[i]);
    return t;
  }
};

// Grid for row kernels: one group per row, grid-stride over row blocks.
inline unsigned row_grid(int64_t rows, int rows_per_block) {
  int64_t b = (rows + rows_per_block - 1) / rows_per_block;
  return (unsigned)std::max<int64_t>(1, std::min<int64_t>(b, 65536));
}

}  // namespace cuda
}  // namespace recforge
