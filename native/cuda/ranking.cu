// target_ranks on the device (semantics: recforge/ranking.h): one block per row (grid-stride
// over rows), each thread counts its strided columns, a fixed-order block sum in shared
// memory, then thread 0 applies the shared rule (recforge/ranking_rule.h).
#include <cuda_runtime.h>

#include "common.cuh"
#include "recforge/ranking.h"
#include "recforge/ranking_rule.h"

namespace recforge {
namespace {
using namespace cuda;

template <typename T>
__global__ void target_ranks_kernel(const T* __restrict__ scores, int64_t rows, int64_t n,
                                    const int32_t* __restrict__ targets, const int32_t* __restrict__ exclude,
                                    int64_t n_exclude, int32_t* __restrict__ ranks) {
  __shared__ int64_t partial[kThreads];
  for (int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* row = scores + r * n;
    const T s = row[targets[r]];
    int64_t greater = 0;
    for (int64_t j = threadIdx.x; j < n; j += blockDim.x) greater += row[j] > s ? 1 : 0;
    partial[threadIdx.x] = greater;
    __syncthreads();
    for (int w = kThreads / 2; w > 0; w >>= 1) {
      if (threadIdx.x < w) partial[threadIdx.x] += partial[threadIdx.x + w];
      __syncthreads();
    }
    if (threadIdx.x == 0) ranks[r] = rank_from_count(row, s, partial[0], n, exclude, n_exclude);
    __syncthreads();  // partial is reused by the next row
  }
}

}  // namespace

template <typename T>
void target_ranks_cuda(const T* scores, int64_t rows, int64_t n, const int32_t* targets, const int32_t* exclude,
                       int64_t n_exclude, int32_t* ranks, CUstream_st* stream) {
  if (rows <= 0) return;
  target_ranks_kernel<T><<<row_grid(rows, 1), kThreads, 0, stream>>>(scores, rows, n, targets, exclude, n_exclude,
                                                                     ranks);
}

template void target_ranks_cuda<float>(const float*, int64_t, int64_t, const int32_t*, const int32_t*, int64_t,
                                       int32_t*, CUstream_st*);
template void target_ranks_cuda<double>(const double*, int64_t, int64_t, const int32_t*, const int32_t*, int64_t,
                                        int32_t*, CUstream_st*);

}  // namespace recforge
