// CUDA edge softmax (see edge_softmax.h): one thread per (destination, head); each group is
// reduced by one thread in edge order, so results are deterministic. The per-element formulas are
// recforge/softmax_rule.h's, shared with native/cpu/edge_softmax.cc.
#include <cuda_runtime.h>

#include <cmath>

#include "graph_kernel_util.cuh"
#include "common.cuh"
#include "recforge/edge_softmax.h"
#include "recforge/softmax_rule.h"

namespace recforge {
namespace {

using namespace cuda_detail;

template <typename T>
__global__ void edge_softmax_kernel(int64_t n_dst, int64_t H, const int32_t* __restrict__ rowptr, const T* scores,
                                    T* alpha) {  // may alias: no __restrict__
  const int64_t total = n_dst * H;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t d = i / H, h = i - d * H;
    const int32_t begin = rowptr[d], end = rowptr[d + 1];
    if (begin == end) continue;
    T mx = scores[(int64_t)begin * H + h];
    for (int32_t e = begin + 1; e < end; ++e) mx = fmax(mx, scores[(int64_t)e * H + h]);
    T sum = T(0);
    for (int32_t e = begin; e < end; ++e) {
      const T p = edge_softmax_exp_rule<cuda::DeviceMath>(scores[(int64_t)e * H + h], mx);
      alpha[(int64_t)e * H + h] = p;
      sum += p;
    }
    const T inv = softmax_inv_rule(sum);
    for (int32_t e = begin; e < end; ++e) alpha[(int64_t)e * H + h] = softmax_value_rule(alpha[(int64_t)e * H + h], inv);
  }
}

template <typename T>
__global__ void edge_softmax_backward_kernel(int64_t n_dst, int64_t H, const int32_t* __restrict__ rowptr,
                                             const T* alpha, const T* dalpha, T* dscores) {
  const int64_t total = n_dst * H;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t d = i / H, h = i - d * H;
    const int32_t begin = rowptr[d], end = rowptr[d + 1];
    T dot = T(0);
    for (int32_t e = begin; e < end; ++e) dot += alpha[(int64_t)e * H + h] * dalpha[(int64_t)e * H + h];
    for (int32_t e = begin; e < end; ++e) {
      const int64_t j = (int64_t)e * H + h;
      dscores[j] = softmax_grad_rule(alpha[j], dalpha[j], dot);
    }
  }
}

}  // namespace

template <typename T>
void edge_softmax_cuda(int64_t n_dst, int64_t H, const int32_t* rowptr, const T* scores, T* alpha,
                       cudaStream_t stream) {
  if (n_dst * H <= 0) return;
  edge_softmax_kernel<T><<<grid_for(n_dst * H), kBlock, 0, stream>>>(n_dst, H, rowptr, scores, alpha);
}

template <typename T>
void edge_softmax_backward_cuda(int64_t n_dst, int64_t H, const int32_t* rowptr, const T* alpha, const T* dalpha,
                                T* dscores, cudaStream_t stream) {
  if (n_dst * H <= 0) return;
  edge_softmax_backward_kernel<T><<<grid_for(n_dst * H), kBlock, 0, stream>>>(n_dst, H, rowptr, alpha, dalpha,
                                                                             dscores);
}

template void edge_softmax_cuda<float>(int64_t, int64_t, const int32_t*, const float*, float*, cudaStream_t);
template void edge_softmax_cuda<double>(int64_t, int64_t, const int32_t*, const double*, double*, cudaStream_t);
template void edge_softmax_backward_cuda<float>(int64_t, int64_t, const int32_t*, const float*, const float*, float*,
                                                cudaStream_t);
template void edge_softmax_backward_cuda<double>(int64_t, int64_t, const int32_t*, const double*, const double*,
                                                 double*, cudaStream_t);

}  // namespace recforge
