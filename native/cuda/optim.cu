// Fused optimiser updates on the device (semantics: recforge/optim.h): one pass over
// parameter, gradient and state. The per-element math and the scalar constants (computed on the
// host) are recforge/optim_rule.h, shared with the CPU kernels.
#include <cuda_runtime.h>

#include <cmath>

#include "common.cuh"
#include "recforge/optim.h"
#include "recforge/optim_rule.h"

namespace recforge {
namespace {
using namespace cuda;

template <typename T>
__global__ void sgd_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ buf, int64_t n, SgdRule<T> r) {
  RF_GRID_STRIDE(i, n) sgd_update(r, p[i], g[i], buf ? buf + i : nullptr);
}

template <typename T>
__global__ void adam_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v,
                            int64_t n, AdamRule<T> r) {
  RF_GRID_STRIDE(i, n) adam_update(r, p[i], g[i], m[i], v[i]);
}

template <typename T>
__global__ void scale_kernel(T* __restrict__ x, int64_t n, T s) {
  RF_GRID_STRIDE(i, n) x[i] *= s;
}

}  // namespace

template <typename T>
void sgd_step_cuda(T* p, const T* g, T* buf, int64_t n, double lr, double momentum, double dampening,
                   double weight_decay, bool nesterov, bool first_step, CUstream_st* stream) {
  if (n <= 0) return;
  sgd_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(
      p, g, buf, n, sgd_rule<T>(lr, momentum, dampening, weight_decay, nesterov, first_step));
}

template <typename T>
void adam_step_cuda(T* p, const T* g, T* m, T* v, int64_t n, double lr, double beta1, double beta2, double eps,
                    double weight_decay, bool decoupled, int64_t step, CUstream_st* stream) {
  if (n <= 0) return;
  adam_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(
      p, g, m, v, n, adam_rule<T>(lr, beta1, beta2, eps, weight_decay, decoupled, step));
}

template <typename T>
void scale_inplace_cuda(T* x, int64_t n, double s, CUstream_st* stream) {
  if (n <= 0) return;
  scale_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(x, n, (T)s);
}

#define RF_INST(T)                                                                                              \
  template void sgd_step_cuda<T>(T*, const T*, T*, int64_t, double, double, double, double, bool, bool,         \
                                 CUstream_st*);                                                                 \
  template void adam_step_cuda<T>(T*, const T*, T*, T*, int64_t, double, double, double, double, double, bool, \
                                  int64_t, CUstream_st*);                                                       \
  template void scale_inplace_cuda<T>(T*, int64_t, double, CUstream_st*);
RF_INST(float)
RF_INST(double)

}  // namespace recforge
