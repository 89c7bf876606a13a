// Philox-4x32-10 on the device: the CPU's stream (native/cpu/random.cc) bit for bit. The per-element
// math is recforge/philox.h, shared with the CPU; on the device its transforms use explicitly
// rounded operations (__dmul_rn / __dadd_rn) so that nvcc cannot fuse them into FMAs.
#include <cuda_runtime.h>

#include <cmath>

#include "common.cuh"
#include "recforge/philox.h"
#include "recforge/random.h"

namespace recforge {
namespace {
using namespace cuda;

template <typename T>
__global__ void random_fill_kernel(RandomKind kind, uint64_t seed, uint64_t offset, T* __restrict__ out, int64_t n,
                                   double a, double b) {
  RF_GRID_STRIDE(i, n) {
    uint32_t r[4];
    philox4x32_10(seed, offset + (uint64_t)i, r);
    out[i] = random_value<T>(kind, r, a, b);
  }
}

__global__ void random_int_kernel(uint64_t seed, uint64_t offset, int32_t* __restrict__ out, int64_t n, int64_t lo,
                                  uint64_t range) {
  RF_GRID_STRIDE(i, n) {
    uint32_t r[4];
    philox4x32_10(seed, offset + (uint64_t)i, r);
    out[i] = random_int_value(r, lo, range);
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
