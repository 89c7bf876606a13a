// Small device helpers shared by the message-passing CUDA kernels: launch sizing for
// grid-stride loops, warp reductions (xor butterflies: every lane gets the result, in a fixed
// order, hence deterministic) and float/double overloads of the math they need.
#pragma once
#include <cuda_runtime.h>

#include <cstdint>

namespace recforge {
namespace cuda_detail {

constexpr int kBlock = 256;           // threads per block
constexpr int kWarpsPerBlock = kBlock / 32;

// Blocks for a grid-stride loop over n items (n > 0), capped: the loop covers the rest.
inline unsigned grid_for(int64_t n, int64_t per_block = kBlock) {
  int64_t b = (n + per_block - 1) / per_block;
  return (unsigned)(b < (1 << 20) ? (b > 0 ? b : 1) : (1 << 20));
}

template <typename T>
__device__ __forceinline__ T warp_sum(T v) {
  for (int o = 16; o > 0; o >>= 1) v += __shfl_xor_sync(0xffffffffu, v, o);
  return v;
}

template <typename T>
__device__ __forceinline__ T warp_max(T v) {
  for (int o = 16; o > 0; o >>= 1) v = fmax(v, __shfl_xor_sync(0xffffffffu, v, o));
  return v;
}

__device__ __forceinline__ float dexp(float x) { return expf(x); }
__device__ __forceinline__ double dexp(double x) { return exp(x); }

// Global warp index and warp count of a grid-stride loop over warps.
__device__ __forceinline__ int64_t global_warp() { return ((int64_t)blockIdx.x * blockDim.x + threadIdx.x) >> 5; }
__device__ __forceinline__ int64_t warp_count() { return ((int64_t)gridDim.x * blockDim.x) >> 5; }

}  // namespace cuda_detail
}  // namespace recforge
