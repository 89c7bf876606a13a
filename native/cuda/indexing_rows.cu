// CUDA gather / scatter-add of rows (declared in indexing.h): one thread per element,
// coalesced along the row. The scatter uses atomicAdd, the usual GPU trade: no sorting or
// index preprocessing, at the price of float sums whose order (and last bits) vary run to run.
#include <cuda_runtime.h>

#include "graph_kernel_util.cuh"
#include "recforge/indexing.h"

namespace recforge {
namespace {

using namespace cuda_detail;

template <typename T>
__global__ void gather_rows_kernel(const T* __restrict__ table, const int32_t* __restrict__ idx, int64_t n, int64_t d,
                                   T* __restrict__ out) {
  const int64_t total = n * d;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t r = i / d;
    out[i] = table[(int64_t)idx[r] * d + (i - r * d)];
  }
}

template <typename T>
__global__ void scatter_add_rows_kernel(const T* __restrict__ g, const int32_t* __restrict__ idx, int64_t n, int64_t d,
                                        T* __restrict__ table_grad) {
  const int64_t total = n * d;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t r = i / d;
    atomicAdd(table_grad + (int64_t)idx[r] * d + (i - r * d), g[i]);
  }
}

}  // namespace

template <typename T>
void gather_rows_cuda(const T* table, const int32_t* idx, int64_t n, int64_t d, T* out, cudaStream_t stream) {
  if (n * d <= 0) return;
  gather_rows_kernel<T><<<grid_for(n * d), kBlock, 0, stream>>>(table, idx, n, d, out);
}

template <typename T>
void scatter_add_rows_cuda(const T* g, const int32_t* idx, int64_t n, int64_t d, T* table_grad, cudaStream_t stream) {
  if (n * d <= 0) return;
  scatter_add_rows_kernel<T><<<grid_for(n * d), kBlock, 0, stream>>>(g, idx, n, d, table_grad);
}

#define RECFORGE_INSTANTIATE(T)                                                                            \
  template void gather_rows_cuda<T>(const T*, const int32_t*, int64_t, int64_t, T*, cudaStream_t);         \
  template void scatter_add_rows_cuda<T>(const T*, const int32_t*, int64_t, int64_t, T*, cudaStream_t);
RECFORGE_INSTANTIATE(float)
RECFORGE_INSTANTIATE(double)
RECFORGE_INSTANTIATE(int32_t)
#undef RECFORGE_INSTANTIATE

}  // namespace recforge
