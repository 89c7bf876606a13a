// Reductions on the device (semantics: recforge/reduce.h). Contiguous rows (inner == 1)
// use a warp or a block per row; strided reductions give each thread one output column
// and split the reduced axis over 8 thread rows, combined in a fixed order.
//
// max/min: each thread scans its elements in increasing k and keeps the first extreme (or
// the first NaN); partial results are then combined with an order-independent rule (NaN
// beats numbers, then the larger/smaller value, ties -> lower index), which yields exactly
// the CPU's answer: the first NaN if any, else the first extreme.
#include <cuda_runtime.h>
#include <math_constants.h>

#include <cmath>

#include "common.cuh"
#include "recforge/reduce.h"
#include "recforge/reduce_rule.h"

namespace recforge {
namespace {
using namespace cuda;

template <typename T>
struct Arg {
  T v;
  int32_t i;  // -1: empty (no element seen)
};

template <typename T>
__device__ __forceinline__ bool better(bool is_max, T v1, int32_t i1, T v2, int32_t i2) {
  if (i1 < 0) return false;
  if (i2 < 0) return true;
  const bool n1 = v1 != v1, n2 = v2 != v2;
  if (n1 || n2) return (n1 && n2) ? i1 < i2 : n1;
  if (v1 != v2) return is_max ? v1 > v2 : v1 < v2;
  return i1 < i2;
}

// Scans x[k * stride] for k in [k0, r) step dk; the first extreme / first NaN (reduce_takes_rule: recforge/
// reduce_rule.h, shared with native/cpu/reduce.cc).
template <typename T>
__device__ __forceinline__ Arg<T> scan_arg(bool is_max, const T* x, int64_t stride, int64_t k0, int64_t r,
                                           int64_t dk) {
  Arg<T> a{T(0), -1};
  for (int64_t k = k0; k < r; k += dk) {
    T v = x[k * stride];
    if (a.i < 0) {
      a = {v, (int32_t)k};
    } else if (reduce_takes_rule(is_max, v, a.v)) {
      a = {v, (int32_t)k};
    }
    if (v != v) break;  // later elements cannot win over the first NaN
  }
  return a;
}

template <typename T>
__device__ __forceinline__ Arg<T> warp_arg(bool is_max, Arg<T> a) {
  for (int o = 16; o > 0; o >>= 1) {
    T v = __shfl_xor_sync(0xffffffffu, a.v, o);
    int32_t i = __shfl_xor_sync(0xffffffffu, a.i, o);
    if (better(is_max, v, i, a.v, a.i)) a = {v, i};
  }
  return a;
}

// One group of W threads per contiguous row of length r.
template <typename T, int W>
__global__ void reduce_rows_kernel(ReduceOp op, const T* __restrict__ x, int64_t outer, int64_t r, T* __restrict__ out,
                                   int32_t* __restrict__ idx) {
  using G = RowGroup<W>;
  __shared__ double ssum[kWarps];
  __shared__ T sval[kWarps];
  __shared__ int32_t sidx[kWarps];
  const bool is_sum = op == ReduceOp::Sum || op == ReduceOp::Mean, is_max = op == ReduceOp::Max;
  for (int64_t row0 = (int64_t)blockIdx.x * G::kRowsPerBlock; row0 < outer;
       row0 += (int64_t)gridDim.x * G::kRowsPerBlock) {
    const int64_t row = row0 + G::slot();
    const bool active = row < outer;  // uniform per group (a warp or the whole block)
    if (W == 32 && !active) continue;
    const T* xr = x + (active ? row : 0) * r;
    if (is_sum) {
      double s = 0;
      if (active)
        for (int64_t k = G::lane(); k < r; k += W) s += (double)xr[k];
      s = G::sum(s, ssum);
      if (active && G::lane() == 0)
        out[row] = (T)(op == ReduceOp::Mean ? (r ? reduce_mean_rule(s, r) : CUDART_NAN) : s);
    } else {
      Arg<T> a = active ? scan_arg(is_max, xr, 1, G::lane(), r, W) : Arg<T>{T(0), -1};
      a = warp_arg(is_max, a);
      if (W != 32) {
        const int w = threadIdx.x >> 5;
        __syncthreads();
        if ((threadIdx.x & 31) == 0) {
          sval[w] = a.v;
          sidx[w] = a.i;
        }
        __syncthreads();
        for (int i = 0; i < kWarps; ++i)
          if (better(is_max, sval[i], sidx[i], a.v, a.i)) a = {sval[i], sidx[i]};
      }
      if (active && G::lane() == 0) {
        out[row] = a.i < 0 ? T(0) : a.v;  // r == 0: 0, index 0 (as the CPU)
        if (idx) idx[row] = a.i < 0 ? 0 : a.i;
      }
    }
  }
}

// Strided: block (32, 8). Thread (tx, ty) owns column i = blockIdx.x*32 + tx of outer
// slice o and reduces k = ty, ty + 8, ...; the 8 partials are combined in ty order.
constexpr int kTy = 8;
template <typename T>
__global__ void reduce_strided_kernel(ReduceOp op, const T* __restrict__ x, int64_t outer, int64_t r, int64_t inner,
                                      T* __restrict__ out, int32_t* __restrict__ idx) {
  __shared__ double ssum[kTy][33];
  __shared__ T sval[kTy][33];
  __shared__ int32_t sidx[kTy][33];
  const bool is_sum = op == ReduceOp::Sum || op == ReduceOp::Mean, is_max = op == ReduceOp::Max;
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int64_t i = (int64_t)blockIdx.x * 32 + tx;
  for (int64_t o = blockIdx.y; o < outer; o += gridDim.y) {
    const bool active = i < inner;
    const T* base = x + o * r * inner + (active ? i : 0);
    if (is_sum) {
      double s = 0;
      if (active)
        for (int64_t k = ty; k < r; k += kTy) s += (double)base[k * inner];
      ssum[ty][tx] = s;
    } else {
      Arg<T> a = active ? scan_arg(is_max, base, inner, ty, r, kTy) : Arg<T>{T(0), -1};
      sval[ty][tx] = a.v;
      sidx[ty][tx] = a.i;
    }
    __syncthreads();
    if (ty == 0 && active) {
      T* dst = out + o * inner + i;
      if (is_sum) {
        double s = 0;
        for (int t = 0; t < kTy; ++t) s += ssum[t][tx];
        const double scale = op == ReduceOp::Mean ? (r ? reduce_mean_scale_rule(r) : CUDART_NAN) : 1.0;
        *dst = (T)(s * scale);
      } else {
        Arg<T> a{sval[0][tx], sidx[0][tx]};
        for (int t = 1; t < kTy; ++t)
          if (better(is_max, sval[t][tx], sidx[t][tx], a.v, a.i)) a = {sval[t][tx], sidx[t][tx]};
        *dst = a.i < 0 ? T(0) : a.v;
        if (idx) idx[o * inner + i] = a.i < 0 ? 0 : a.i;
      }
    }
    __syncthreads();  // shared arrays are reused by the next o
  }
}

constexpr int64_t kSqBlock = 1 << 16;  // fixed block of elements per partial sum

template <typename T>
__global__ void sum_squares_partial_kernel(const T* __restrict__ x, int64_t n, double* __restrict__ part) {
  __shared__ double smem[kWarps];
  const int64_t b0 = (int64_t)blockIdx.x * kSqBlock;
  const int64_t e = min(n, b0 + kSqBlock);
  double s = 0;
  for (int64_t j = b0 + threadIdx.x; j < e; j += kThreads) {
    double v = (double)x[j];
    s += v * v;
  }
  s = RowGroup<kThreads>::sum(s, smem);
  if (threadIdx.x == 0) part[blockIdx.x] = s;
}

__global__ void sum_partials_kernel(const double* __restrict__ part, int64_t nb, double* __restrict__ out) {
  // One thread, fixed order: nb is n / 65536, small.
  double s = 0;
  for (int64_t j = 0; j < nb; ++j) s += part[j];
  *out = s;
}

}  // namespace

template <typename T>
void reduce_axis_cuda(ReduceOp op, const T* x, int64_t outer, int64_t r, int64_t inner, T* out, int32_t* idx,
                      CUstream_st* stream) {
  if (outer * inner == 0) return;
  if (inner == 1) {
    if (r < 1024)
      reduce_rows_kernel<T, 32><<<row_grid(outer, RowGroup<32>::kRowsPerBlock), kThreads, 0, stream>>>(op, x, outer, r,
                                                                                                     out, idx);
    else
      reduce_rows_kernel<T, kThreads><<<row_grid(outer, 1), kThreads, 0, stream>>>(op, x, outer, r, out, idx);
    return;
  }
  dim3 block(32, kTy);
  dim3 grid((unsigned)((inner + 31) / 32), (unsigned)std::min<int64_t>(outer, 65535));
  if (grid.x > 2147483647u) return;  // inner < 2^36: never reached for real tensors
  reduce_strided_kernel<T><<<grid, block, 0, stream>>>(op, x, outer, r, inner, out, idx);
}

int64_t sum_squares_cuda_workspace_bytes(int64_t n) { return 8 * std::max<int64_t>(1, (n + kSqBlock - 1) / kSqBlock); }

template <typename T>
void sum_squares_cuda(const T* x, int64_t n, double* out, void* workspace, CUstream_st* stream) {
  const int64_t nb = (n + kSqBlock - 1) / kSqBlock;
  double* part = static_cast<double*>(workspace);
  if (nb > 0) sum_squares_partial_kernel<T><<<(unsigned)nb, kThreads, 0, stream>>>(x, n, part);
  sum_partials_kernel<<<1, 1, 0, stream>>>(part, nb, out);
}

template void reduce_axis_cuda<float>(ReduceOp, const float*, int64_t, int64_t, int64_t, float*, int32_t*,
                                      CUstream_st*);
template void reduce_axis_cuda<double>(ReduceOp, const double*, int64_t, int64_t, int64_t, double*, int32_t*,
                                       CUstream_st*);
template void sum_squares_cuda<float>(const float*, int64_t, double*, void*, CUstream_st*);
template void sum_squares_cuda<double>(const double*, int64_t, double*, void*, CUstream_st*);

}  // namespace recforge
