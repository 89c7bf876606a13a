// CUDA RoPE (recforge/rope.h): tables and the rotate-half rotation, one thread per (row, pair).
// Memory-bound: each thread reads two elements of x and one cos/sin pair, writes two elements. The
// per-element math is recforge/rope_rule.h's, shared with native/cpu/rope.cc.
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdint>

#include "common.cuh"
#include "recforge/rope.h"
#include "recforge/rope_rule.h"

namespace recforge {
namespace {

constexpr int kThreads = 256;

inline unsigned blocks_for(int64_t n) {
  return (unsigned)std::min<int64_t>((n + kThreads - 1) / kThreads, 65535 * 8);
}

template <typename T>
__global__ void tables_kernel(int64_t L, int64_t half, int64_t D, const int32_t* pos, double base, T* cos, T* sin) {
  const int64_t n = L * half;
  for (int64_t t = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; t < n; t += (int64_t)gridDim.x * blockDim.x) {
    const int64_t l = t / half, i = t % half;
    const double a = rope_angle_rule(pos[l], rope_inv_freq_rule<cuda::DeviceMath>(base, i, D));
    double s, c;
    ::sincos(a, &s, &c);
    cos[t] = (T)c;
    sin[t] = (T)s;
  }
}

template <typename T>
__global__ void apply_kernel(int64_t H, int64_t L, int64_t half, const T* x, int64_t x_sh, int64_t x_sl, const T* cos,
                             const T* sin, bool inverse, T* y, int64_t y_sh, int64_t y_sl) {
  const int64_t n = H * L * half;
  for (int64_t t = blockIdx.x * (int64_t)blockDim.x + threadIdx.x; t < n; t += (int64_t)gridDim.x * blockDim.x) {
    const int64_t i = t % half, row = t / half, h = row % H, l = row / H;
    const T* xr = x + h * x_sh + l * x_sl;
    T* yr = y + h * y_sh + l * y_sl;
    const T c = cos[l * half + i], s = sin[l * half + i];
    // inverse is uniform across the grid: no divergence.
    if (inverse) rope_rotate_rule<true>(xr[i], xr[i + half], c, s, yr[i], yr[i + half]);
    else rope_rotate_rule<false>(xr[i], xr[i + half], c, s, yr[i], yr[i + half]);
  }
}

}  // namespace

template <typename T>
void rope_tables_cuda(int64_t L, int64_t D, const int32_t* pos, double base, T* cos, T* sin, cudaStream_t stream) {
  const int64_t half = D / 2;
  if (L * half == 0) return;
  tables_kernel<T><<<blocks_for(L * half), kThreads, 0, stream>>>(L, half, D, pos, base, cos, sin);
}

template <typename T>
void rope_apply_cuda(int64_t H, int64_t L, int64_t D, const T* x, int64_t x_sh, int64_t x_sl, const T* cos,
                     const T* sin, bool inverse, T* y, int64_t y_sh, int64_t y_sl, cudaStream_t stream) {
  const int64_t half = D / 2;
  if (H * L * half == 0) return;
  apply_kernel<T><<<blocks_for(H * L * half), kThreads, 0, stream>>>(H, L, half, x, x_sh, x_sl, cos, sin, inverse, y,
                                                                      y_sh, y_sl);
}

template void rope_tables_cuda<float>(int64_t, int64_t, const int32_t*, double, float*, float*, cudaStream_t);
template void rope_tables_cuda<double>(int64_t, int64_t, const int32_t*, double, double*, double*, cudaStream_t);
template void rope_apply_cuda<float>(int64_t, int64_t, int64_t, const float*, int64_t, int64_t, const float*,
                                     const float*, bool, float*, int64_t, int64_t, cudaStream_t);
template void rope_apply_cuda<double>(int64_t, int64_t, int64_t, const double*, int64_t, int64_t, const double*,
                                      const double*, bool, double*, int64_t, int64_t, cudaStream_t);

}  // namespace recforge
