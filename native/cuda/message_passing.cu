// CUDA segment aggregation (see message_passing.h). Forward: one thread per (destination,
// feature), coalesced over features. Backward reads the transposed CSR: dx one thread per
// (source, feature), dw one warp per destination: no atomics, deterministic.
#include <cuda_runtime.h>

#include "graph_kernel_util.cuh"
#include "recforge/message_passing.h"
#include "recforge/reduce_rule.h"

namespace recforge {
namespace {

using namespace cuda_detail;

template <typename T>
__global__ void aggregate_kernel(int64_t n_dst, int64_t F, const int32_t* __restrict__ rowptr,
                                 const int32_t* __restrict__ src, const T* __restrict__ x, const T* __restrict__ w,
                                 int op, T* __restrict__ out, int32_t* __restrict__ arg) {
  const int64_t total = n_dst * F;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t d = i / F, f = i - d * F;
    const int32_t begin = rowptr[d], end = rowptr[d + 1];
    if (op == (int)ReduceOp::Max || op == (int)ReduceOp::Min) {
      const bool is_max = op == (int)ReduceOp::Max;
      if (begin == end) {
        out[i] = T(0);
        arg[i] = -1;
        continue;
      }
      T best = (w ? w[begin] : T(1)) * x[(int64_t)src[begin] * F + f];
      int32_t am = begin;
      for (int32_t e = begin + 1; e < end; ++e) {
        const T m = (w ? w[e] : T(1)) * x[(int64_t)src[e] * F + f];
        // The CPU's rule, from recforge/reduce_rule.h: first extreme kept, the first NaN wins.
        if (reduce_takes_rule(is_max, m, best)) {
          best = m;
          am = e;
        }
      }
      out[i] = best;
      arg[i] = am;
    } else {
      T acc = T(0);
      for (int32_t e = begin; e < end; ++e) acc += (w ? w[e] : T(1)) * x[(int64_t)src[e] * F + f];
      if (op == (int)ReduceOp::Mean && end > begin) acc *= T(1) / T(end - begin);
      out[i] = acc;
    }
  }
}

template <typename T>
__global__ void aggregate_dx_kernel(int64_t n_src, int64_t F, const int32_t* __restrict__ rowptr,
                                    const int32_t* __restrict__ t_rowptr, const int32_t* __restrict__ t_dst,
                                    const int32_t* __restrict__ t_eid, const T* __restrict__ w, int op,
                                    const int32_t* __restrict__ arg, const T* __restrict__ dout,
                                    T* __restrict__ dx) {
  const int64_t total = n_src * F;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t s = i / F, f = i - s * F;
    T acc = T(0);
    for (int32_t k = t_rowptr[s]; k < t_rowptr[s + 1]; ++k) {
      const int64_t d = t_dst[k];
      const int32_t e = t_eid[k];
      if ((op == (int)ReduceOp::Max || op == (int)ReduceOp::Min) && arg[d * F + f] != e) continue;
      T coef = w ? w[e] : T(1);
      if (op == (int)ReduceOp::Mean) coef /= T(rowptr[d + 1] - rowptr[d]);
      acc += coef * dout[d * F + f];
    }
    dx[i] = acc;
  }
}

template <typename T>
__global__ void aggregate_dw_kernel(int64_t n_dst, int64_t F, const int32_t* __restrict__ rowptr,
                                    const int32_t* __restrict__ src, const T* __restrict__ x, int op,
                                    const int32_t* __restrict__ arg, const T* __restrict__ dout,
                                    T* __restrict__ dw) {
  const int lane = threadIdx.x & 31;
  const bool extreme = op == (int)ReduceOp::Max || op == (int)ReduceOp::Min;
  for (int64_t d = global_warp(); d < n_dst; d += warp_count()) {
    const int32_t begin = rowptr[d], end = rowptr[d + 1];
    const T* go = dout + d * F;
    for (int32_t e = begin; e < end; ++e) {
      const T* xs = x + (int64_t)src[e] * F;
      T acc = T(0);
      for (int64_t f = lane; f < F; f += 32)
        if (!extreme || arg[d * F + f] == e) acc += go[f] * xs[f];
      acc = warp_sum(acc);
      if (op == (int)ReduceOp::Mean) acc /= T(end - begin);
      if (lane == 0) dw[e] = acc;
    }
  }
}

}  // namespace

template <typename T>
void segment_aggregate_cuda(int64_t n_dst, int64_t /*n_src*/, int64_t F, const int32_t* rowptr, const int32_t* src,
                            const T* x, const T* w, ReduceOp op, T* out, int32_t* arg, cudaStream_t stream) {
  if (n_dst * F <= 0) return;
  aggregate_kernel<T><<<grid_for(n_dst * F), kBlock, 0, stream>>>(n_dst, F, rowptr, src, x, w, (int)op, out, arg);
}

template <typename T>
void segment_aggregate_backward_cuda(int64_t n_dst, int64_t n_src, int64_t F, const int32_t* rowptr,
                                     const int32_t* src, const int32_t* t_rowptr, const int32_t* t_dst,
                                     const int32_t* t_eid, const T* x, const T* w, ReduceOp op, const int32_t* arg,
                                     const T* dout, T* dx, T* dw, cudaStream_t stream) {
  if (dx && n_src * F > 0)
    aggregate_dx_kernel<T><<<grid_for(n_src * F), kBlock, 0, stream>>>(n_src, F, rowptr, t_rowptr, t_dst, t_eid, w,
                                                                       (int)op, arg, dout, dx);
  if (dw && n_dst > 0)
    aggregate_dw_kernel<T><<<grid_for(n_dst, kWarpsPerBlock), kBlock, 0, stream>>>(n_dst, F, rowptr, src, x,
                                                                                   (int)op, arg, dout, dw);
}

#define RECFORGE_INSTANTIATE(T)                                                                                    \
  template void segment_aggregate_cuda<T>(int64_t, int64_t, int64_t, const int32_t*, const int32_t*, const T*,     \
                                          const T*, ReduceOp, T*, int32_t*, cudaStream_t);                        \
  template void segment_aggregate_backward_cuda<T>(int64_t, int64_t, int64_t, const int32_t*, const int32_t*,      \
                                                   const int32_t*, const int32_t*, const int32_t*, const T*,       \
                                                   const T*, ReduceOp, const int32_t*, const T*, T*, T*,           \
                                                   cudaStream_t);
RECFORGE_INSTANTIATE(float)
RECFORGE_INSTANTIATE(double)
#undef RECFORGE_INSTANTIATE

}  // namespace recforge
