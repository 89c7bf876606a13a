// Adagrad on the device (semantics: recforge/optim.h): one grid-stride pass; the per-element
// rule is recforge/adagrad_rule.h, the same code the CPU kernel runs; clr is computed on the
// host as the CPU does.
#include <cuda_runtime.h>

#include "common.cuh"
#include "recforge/adagrad_rule.h"
#include "recforge/optim.h"

namespace recforge {
namespace {
using namespace cuda;

template <typename T>
__global__ void adagrad_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ sum, int64_t n, T clr,
                               T eps, T wd) {
  RF_GRID_STRIDE(i, n) adagrad_update<T>(p[i], g[i], sum[i], clr, eps, wd);
}

}  // namespace

template <typename T>
void adagrad_step_cuda(T* p, const T* g, T* sum, int64_t n, double lr, double lr_decay, double eps,
                       double weight_decay, int64_t step, CUstream_st* stream) {
  if (n <= 0) return;
  adagrad_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(p, g, sum, n, (T)adagrad_clr(lr, lr_decay, step), (T)eps,
                                                          (T)weight_decay);
}

template void adagrad_step_cuda<float>(float*, const float*, float*, int64_t, double, double, double, double, int64_t,
                                       CUstream_st*);
template void adagrad_step_cuda<double>(double*, const double*, double*, int64_t, double, double, double, double,
                                        int64_t, CUstream_st*);

}  // namespace recforge
