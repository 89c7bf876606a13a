// Fused losses on the device (semantics: recforge/loss.h): BCE on logits per element,
// cross-entropy with a warp or a block per row (double sum of exp, as the CPU).
#include <cuda_runtime.h>

#include <cmath>

#include "common.cuh"
#include "recforge/loss.h"
#include "recforge/loss_rule.h"

namespace recforge {
namespace {
using namespace cuda;

template <typename T>
__global__ void bce_fwd_kernel(const T* __restrict__ x, const T* __restrict__ y, T* __restrict__ loss, int64_t n,
                               T pw) {
  RF_GRID_STRIDE(i, n) {
    loss[i] = bce_logits_loss_rule<DeviceMath>(x[i], y[i], pw);
  }
}

template <typename T>
__global__ void bce_bwd_kernel(const T* __restrict__ x, const T* __restrict__ y, const T* __restrict__ g,
                               T* __restrict__ gx, int64_t n, T pw) {
  RF_GRID_STRIDE(i, n) {
    gx[i] = bce_logits_grad_rule<DeviceMath>(x[i], y[i], g[i], pw);
  }
}

template <typename T, int W>
__global__ void ce_fwd_kernel(const T* __restrict__ logits, const int32_t* __restrict__ target, int64_t n, int64_t c,
                              int32_t ignore, T* __restrict__ loss, T* __restrict__ lse) {
  using G = RowGroup<W>;
  __shared__ T smax[kWarps];
  __shared__ double ssum[kWarps];
  for (int64_t row0 = (int64_t)blockIdx.x * G::kRowsPerBlock; row0 < n; row0 += (int64_t)gridDim.x * G::kRowsPerBlock) {
    const int64_t row = row0 + G::slot();
    const bool active = row < n;
    if (W == 32 && !active) continue;
    const T* xr = logits + (active ? row : 0) * c;
    T m = -INFINITY;
    if (active)
      for (int64_t j = G::lane(); j < c; j += W) m = max_keep(m, xr[j]);
    m = G::max(m, smax);
    double s = 0;
    if (active)
      for (int64_t j = G::lane(); j < c; j += W) s += ce_exp_term_rule<DeviceMath>(xr[j], m);
    s = G::sum(s, ssum);
    if (!active || G::lane() != 0) continue;
    const T l = ce_lse_rule<DeviceMath>(m, s);
    lse[row] = l;
    const int32_t t = target[row];
    loss[row] = t == ignore ? T(0) : l - xr[t];
  }
}

template <typename T>
__global__ void ce_bwd_kernel(const T* __restrict__ logits, const int32_t* __restrict__ target,
                              const T* __restrict__ lse, const T* __restrict__ g, int64_t n, int64_t c, int32_t ignore,
                              T* __restrict__ glogits) {
  RF_GRID_STRIDE(t, n * c) {
    const int64_t i = t / c, j = t - i * c;
    const int32_t tg = target[i];
    if (tg == ignore) {
      glogits[t] = T(0);
      continue;
    }
    glogits[t] = ce_grad_rule<DeviceMath>(logits[t], lse[i], g[i], j == tg);
  }
}

}  // namespace

template <typename T>
void bce_logits_forward_cuda(const T* x, const T* y, T* loss, int64_t n, double pos_weight, CUstream_st* stream) {
  if (n <= 0) return;
  bce_fwd_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(x, y, loss, n, (T)pos_weight);
}

template <typename T>
void bce_logits_backward_cuda(const T* x, const T* y, const T* g, T* gx, int64_t n, double pos_weight,
                              CUstream_st* stream) {
  if (n <= 0) return;
  bce_bwd_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(x, y, g, gx, n, (T)pos_weight);
}

template <typename T>
void cross_entropy_forward_cuda(const T* logits, const int32_t* target, int64_t n, int64_t c, int32_t ignore_index,
                                T* loss, T* lse, CUstream_st* stream) {
  if (n <= 0) return;
  if (c <= 1024)
    ce_fwd_kernel<T, 32><<<row_grid(n, RowGroup<32>::kRowsPerBlock), kThreads, 0, stream>>>(logits, target, n, c,
                                                                                            ignore_index, loss, lse);
  else
    ce_fwd_kernel<T, kThreads><<<row_grid(n, 1), kThreads, 0, stream>>>(logits, target, n, c, ignore_index, loss, lse);
}

template <typename T>
void cross_entropy_backward_cuda(const T* logits, const int32_t* target, const T* lse, const T* g, int64_t n,
                                 int64_t c, int32_t ignore_index, T* glogits, CUstream_st* stream) {
  if (n * c <= 0) return;
  ce_bwd_kernel<T><<<grid_for(n * c), kThreads, 0, stream>>>(logits, target, lse, g, n, c, ignore_index, glogits);
}

#define RF_INST(T)                                                                                            \
  template void bce_logits_forward_cuda<T>(const T*, const T*, T*, int64_t, double, CUstream_st*);            \
  template void bce_logits_backward_cuda<T>(const T*, const T*, const T*, T*, int64_t, double, CUstream_st*); \
  template void cross_entropy_forward_cuda<T>(const T*, const int32_t*, int64_t, int64_t, int32_t, T*, T*,    \
                                              CUstream_st*);                                                  \
  template void cross_entropy_backward_cuda<T>(const T*, const int32_t*, const T*, const T*, int64_t, int64_t, \
                                               int32_t, T*, CUstream_st*);
RF_INST(float)
RF_INST(double)

}  // namespace recforge
