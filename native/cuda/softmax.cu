// Softmax / log-softmax over the last axis on the device (semantics: recforge/softmax.h).
// A warp per row up to 1024 columns (8 rows per block), a block per row above. Row max
// ignores NaN like the CPU's (a NaN then spreads through exp/sum); sums are in double
// (fixed tree order: deterministic). The per-element formulas are recforge/softmax_rule.h's, shared
// with native/cpu/softmax.cc; the row reductions are this file's.
#include <cuda_runtime.h>

#include <cmath>

#include "common.cuh"
#include "recforge/softmax.h"
#include "recforge/softmax_rule.h"

namespace recforge {
namespace {
using namespace cuda;

template <typename T, int W>
__global__ void softmax_fwd_kernel(const T* __restrict__ x, T* __restrict__ y, int64_t rows, int64_t n, bool log_out) {
  using G = RowGroup<W>;
  __shared__ T smax[kWarps];
  __shared__ double ssum[kWarps];
  for (int64_t row0 = (int64_t)blockIdx.x * G::kRowsPerBlock; row0 < rows;
       row0 += (int64_t)gridDim.x * G::kRowsPerBlock) {
    const int64_t row = row0 + G::slot();
    const bool active = row < rows;
    if (W == 32 && !active) continue;
    const T* xr = x + (active ? row : 0) * n;
    T* yr = y + (active ? row : 0) * n;
    T m = -INFINITY;
    if (active)
      for (int64_t k = G::lane(); k < n; k += W) m = max_keep(m, xr[k]);
    m = G::max(m, smax);
    m = softmax_shift_rule(m);  // all -inf row: avoid inf - inf
    double s = 0;
    if (active)
      for (int64_t k = G::lane(); k < n; k += W) s += (double)softmax_exp_rule<DeviceMath>(xr[k], m);
    s = G::sum(s, ssum);
    if (!active) continue;
    if (log_out) {
      const T lse = softmax_lse_rule<DeviceMath>(m, (T)s);
      for (int64_t k = G::lane(); k < n; k += W) yr[k] = log_softmax_value_rule(xr[k], lse);
    } else {
      const T inv = softmax_inv_rule((T)s);
      for (int64_t k = G::lane(); k < n; k += W) yr[k] = softmax_value_rule(softmax_exp_rule<DeviceMath>(xr[k], m), inv);
    }
  }
}

template <typename T, int W>
__global__ void softmax_bwd_kernel(const T* __restrict__ y, const T* __restrict__ gy, T* __restrict__ gx, int64_t rows,
                                   int64_t n, bool log_out) {
  using G = RowGroup<W>;
  __shared__ double ssum[kWarps];
  for (int64_t row0 = (int64_t)blockIdx.x * G::kRowsPerBlock; row0 < rows;
       row0 += (int64_t)gridDim.x * G::kRowsPerBlock) {
    const int64_t row = row0 + G::slot();
    const bool active = row < rows;
    if (W == 32 && !active) continue;
    const int64_t base = (active ? row : 0) * n;
    const T* yr = y + base;
    const T* gr = gy + base;
    T* out = gx + base;
    double s = 0;
    if (active) {
      if (log_out)
        for (int64_t k = G::lane(); k < n; k += W) s += (double)gr[k];
      else
        for (int64_t k = G::lane(); k < n; k += W) s += (double)gr[k] * (double)yr[k];
    }
    s = G::sum(s, ssum);
    if (!active) continue;
    const T st = (T)s;
    if (log_out)
      for (int64_t k = G::lane(); k < n; k += W) out[k] = log_softmax_grad_rule<DeviceMath>(yr[k], gr[k], st);
    else
      for (int64_t k = G::lane(); k < n; k += W) out[k] = softmax_grad_rule(yr[k], gr[k], st);
  }
}

}  // namespace

template <typename T>
void softmax_forward_cuda(const T* x, T* y, int64_t rows, int64_t n, bool log, CUstream_st* stream) {
  if (rows <= 0 || n <= 0) return;
  if (n <= 1024)
    softmax_fwd_kernel<T, 32><<<row_grid(rows, RowGroup<32>::kRowsPerBlock), kThreads, 0, stream>>>(x, y, rows, n, log);
  else
    softmax_fwd_kernel<T, kThreads><<<row_grid(rows, 1), kThreads, 0, stream>>>(x, y, rows, n, log);
}

template <typename T>
void softmax_backward_cuda(const T* y, const T* gy, T* gx, int64_t rows, int64_t n, bool log, CUstream_st* stream) {
  if (rows <= 0 || n <= 0) return;
  if (n <= 1024)
    softmax_bwd_kernel<T, 32><<<row_grid(rows, RowGroup<32>::kRowsPerBlock), kThreads, 0, stream>>>(y, gy, gx, rows, n,
                                                                                                    log);
  else
    softmax_bwd_kernel<T, kThreads><<<row_grid(rows, 1), kThreads, 0, stream>>>(y, gy, gx, rows, n, log);
}

template void softmax_forward_cuda<float>(const float*, float*, int64_t, int64_t, bool, CUstream_st*);
template void softmax_forward_cuda<double>(const double*, double*, int64_t, int64_t, bool, CUstream_st*);
template void softmax_backward_cuda<float>(const float*, const float*, float*, int64_t, int64_t, bool, CUstream_st*);
template void softmax_backward_cuda<double>(const double*, const double*, double*, int64_t, int64_t, bool,
                                            CUstream_st*);

}  // namespace recforge
