// Fused optimiser updates on the device (semantics: recforge/optim.h): one pass over
// parameter, gradient and state; scalar constants are computed on the host as the CPU does.
#include <cuda_runtime.h>

#include <cmath>

#include "common.cuh"
#include "recforge/optim.h"

namespace recforge {
namespace {
using namespace cuda;

template <typename T>
__global__ void sgd_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ buf, int64_t n, T lr, T mo,
                           T damp, T wd, bool nesterov, bool first) {
  RF_GRID_STRIDE(i, n) {
    T gi = g[i] + wd * p[i];
    if (buf) {
      const T bi = first ? gi : mo * buf[i] + damp * gi;
      buf[i] = bi;
      gi = nesterov ? gi + mo * bi : bi;
    }
    p[i] -= lr * gi;
  }
}

template <typename T>
__global__ void adam_kernel(T* __restrict__ p, const T* __restrict__ g, T* __restrict__ m, T* __restrict__ v,
                            int64_t n, T b1, T b2, T eps, T wd, bool decoupled, T step_size, T inv_sqrt_bc2,
                            T decay) {
  RF_GRID_STRIDE(i, n) {
    T gi = g[i];
    T pi = p[i];
    if (decoupled)
      pi *= decay;
    else
      gi += wd * pi;
    const T mi = b1 * m[i] + (T(1) - b1) * gi;
    const T vi = b2 * v[i] + (T(1) - b2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    p[i] = pi - step_size * mi / (sqrt(vi) * inv_sqrt_bc2 + eps);
  }
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
  sgd_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(p, g, buf, n, (T)lr, (T)momentum, (T)(1 - dampening),
                                                      (T)weight_decay, nesterov, first_step);
}

template <typename T>
void adam_step_cuda(T* p, const T* g, T* m, T* v, int64_t n, double lr, double beta1, double beta2, double eps,
                    double weight_decay, bool decoupled, int64_t step, CUstream_st* stream) {
  if (n <= 0) return;
  const double bc1 = 1 - std::pow(beta1, (double)step), bc2 = 1 - std::pow(beta2, (double)step);
  adam_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(p, g, m, v, n, (T)beta1, (T)beta2, (T)eps, (T)weight_decay,
                                                       decoupled, (T)(lr / bc1), (T)(1 / std::sqrt(bc2)),
                                                       (T)(1 - lr * weight_decay));
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
