// Philox-4x32-10 on the device: the CPU's stream (native/cpu/random.cc) bit for bit. The
// transforms use explicitly rounded operations (__dmul_rn / __dadd_rn) so that nvcc cannot
// fuse them into FMAs, which would round differently from the CPU.
#include <cuda_runtime.h>

#include <cmath>

#include "common.cuh"
#include "recforge/random.h"

namespace recforge {
namespace {
using namespace cuda;

__device__ __forceinline__ void philox(uint64_t seed, uint64_t counter, uint32_t out[4]) {
  uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
#pragma unroll
  for (int r = 0; r < 10; ++r) {
    const uint32_t hi0 = __umulhi(0xD2511F53u, c0), lo0 = 0xD2511F53u * c0;
    const uint32_t hi1 = __umulhi(0xCD9E8D57u, c2), lo1 = 0xCD9E8D57u * c2;
    const uint32_t n0 = hi1 ^ c1 ^ k0, n2 = hi0 ^ c3 ^ k1;
    c1 = lo1;
    c3 = lo0;
    c0 = n0;
    c2 = n2;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// Uniform double in [0, 1) with 53 random bits (exact: an integer times 2^-53).
__device__ __forceinline__ double u53(uint32_t hi, uint32_t lo) {
  return (double)(((uint64_t)hi << 21) ^ (uint64_t)(lo >> 11)) * (1.0 / 9007199254740992.0);
}

template <typename T>
__global__ void random_fill_kernel(RandomKind kind, uint64_t seed, uint64_t offset, T* __restrict__ out, int64_t n,
                                   double a, double b) {
  RF_GRID_STRIDE(i, n) {
    uint32_t r[4];
    philox(seed, offset + (uint64_t)i, r);
    const double u = u53(r[0], r[1]);
    if (kind == RandomKind::Uniform) {
      const T v = (T)__dadd_rn(a, __dmul_rn(__dadd_rn(b, -a), u));
      out[i] = v < (T)b ? v : (T)a;  // rounding to float must not reach the open end
    } else if (kind == RandomKind::Normal) {
      const double u2 = u53(r[2], r[3]);
      const double rad = sqrt(__dmul_rn(-2.0, log(__dadd_rn(1.0, -u))));
      const double z = __dmul_rn(rad, cos(__dmul_rn(6.283185307179586476925, u2)));
      out[i] = (T)__dadd_rn(a, __dmul_rn(b, z));
    } else {
      out[i] = (T)(u < a ? 1 : 0);
    }
  }
}

__global__ void random_int_kernel(uint64_t seed, uint64_t offset, int32_t* __restrict__ out, int64_t n, int64_t lo,
                                  uint64_t range) {
  RF_GRID_STRIDE(i, n) {
    uint32_t r[4];
    philox(seed, offset + (uint64_t)i, r);
    const uint64_t x = ((uint64_t)r[0] << 32) | r[1];
    out[i] = (int32_t)(lo + (int64_t)(x % range));
  }
}

}  // namespace

template <typename T>
void random_fill_cuda(RandomKind kind, uint64_t seed, uint64_t offset, T* out, int64_t n, double a, double b,
                      CUstream_st* stream) {
  if (n <= 0) return;
  random_fill_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(kind, seed, offset, out, n, a, b);
}

void random_int_cuda(uint64_t seed, uint64_t offset, int32_t* out, int64_t n, int64_t lo, int64_t hi,
                     CUstream_st* stream) {
  if (n <= 0 || hi <= lo) return;
  random_int_kernel<<<grid_for(n), kThreads, 0, stream>>>(seed, offset, out, n, lo, (uint64_t)(hi - lo));
}

template void random_fill_cuda<float>(RandomKind, uint64_t, uint64_t, float*, int64_t, double, double, CUstream_st*);
template void random_fill_cuda<double>(RandomKind, uint64_t, uint64_t, double*, int64_t, double, double,
                                       CUstream_st*);

}  // namespace recforge
