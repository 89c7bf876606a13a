// Shared pieces of the CUDA kernels (internal to native/cuda): launch geometry, strided
// index decomposition, and fixed-order reductions inside a warp / block.
//
// Determinism: every reduction here combines values in an order fixed by the thread
// layout alone (shuffle trees, then warp partials in warp order), so results do not
// depend on scheduling or on the GPU model.
#pragma once
#include "recforge/strided_layout.h"
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "recforge/elementwise.h"

namespace recforge {
namespace cuda {

// The device's math library for the shared per-element rules (recforge/unary_rule.h, loss_rule.h);
// HostMath (recforge/vmath.h) is the CPU's. fast_exp is the plain exp here (the CPU's is a
// vectorisable float polynomial); the others are CUDA's overloads for float and double.
struct DeviceMath {
  template <typename T> __host__ __device__ static T fast_exp(T x) { return ::exp(x); }
  template <typename T> __host__ __device__ static T exp(T x) { return ::exp(x); }
  template <typename T> __host__ __device__ static T expm1(T x) { return ::expm1(x); }
  template <typename T> __host__ __device__ static T log(T x) { return ::log(x); }
  template <typename T> __host__ __device__ static T log1p(T x) { return ::log1p(x); }
  template <typename T> __host__ __device__ static T sqrt(T x) { return ::sqrt(x); }
  template <typename T> __host__ __device__ static T fabs(T x) { return ::fabs(x); }
  template <typename T> __host__ __device__ static T erf(T x) { return ::erf(x); }
  template <typename T> __host__ __device__ static T tanh(T x) { return ::tanh(x); }
  template <typename T> __host__ __device__ static T pow(T x, T y) { return ::pow(x, y); }
};

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

// The coalesced layout (recforge/strided_layout.h, shared with the CPU kernels).
using Strided = StridedLayout;
inline Strided coalesce(int ndim, const int64_t* shape, int nops, const int64_t* const* strides) {
  return coalesce_layout(ndim, shape, nops, strides);
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
