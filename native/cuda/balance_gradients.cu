// CUDA MultiBalance kernel: the CPU kernel's two passes as three launches on one stream
// (pass 1 partial sums, a one-block weights/state kernel, pass 2 weighted sum), with no
// host synchronisation. Semantics and edge cases: recforge/balance_gradients.h.
//
// Determinism: pass 1 blocks cover fixed kBalanceNormBlockCuda-element slices with a fixed
// thread layout and a fixed shuffle tree; the weights kernel adds the per-block partials
// with a fixed layout too. So results do not depend on scheduling or on the GPU model.
#include <cuda_runtime.h>

#include <algorithm>
#include <cfloat>
#include <cstdint>

#include "recforge/balance_gradients.h"
#include "recforge/balance_rule.h"

namespace recforge {
namespace {

constexpr int kThreads = 256;  // every kernel here; the reductions assume it
constexpr int kWarps = kThreads / 32;
constexpr int64_t kSlice = kBalanceNormBlockCuda;
constexpr int kPerThread = (int)(kSlice / kThreads);
static_assert(kSlice % kThreads == 0, "pass-1 slices must split evenly over threads");

// How a kernel finds row i: stacked [T, N] or an array of row pointers (in device memory).
template <typename E>
struct StackedRows {
  const E* g;
  int64_t n;
  __device__ const E* operator()(int64_t i) const { return g + i * n; }
};
template <typename E>
struct PointerRows {
  const E* const* rows;
  __device__ const E* operator()(int64_t i) const { return rows[i]; }
};

// Sum over the block, fixed order (shuffle tree inside each warp, then warp 0 over the warp
// sums). The result is valid in thread 0. Callable repeatedly within one kernel.
__device__ double block_sum(double v) {
  __shared__ double warp_sums[kWarps];
  const int lane = threadIdx.x & 31, warp = threadIdx.x >> 5;
  for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  __syncthreads();  // a previous call may still be reading warp_sums
  if (lane == 0) warp_sums[warp] = v;
  __syncthreads();
  v = 0;
  if (warp == 0) {
    v = lane < kWarps ? warp_sums[lane] : 0.0;
    for (int o = 16; o > 0; o >>= 1) v += __shfl_down_sync(0xffffffffu, v, o);
  }
  return v;
}

// Workspace layout (see balance_gradients_cuda_workspace_bytes).
struct Workspace {
  double* part;       // [T * nb] per-block sums of squares
  double* sumsq;      // [T]
  int32_t* flags;     // [T * nb] per-block non-finite flags
  int32_t* nonfinite; // [T]
};
inline int64_t num_blocks(int64_t N) { return (N + kSlice - 1) / kSlice; }
inline Workspace carve(void* ws, int64_t T, int64_t nb) {
  Workspace w;
  char* p = static_cast<char*>(ws);
  w.part = reinterpret_cast<double*>(p);
  w.sumsq = w.part + T * nb;
  w.flags = reinterpret_cast<int32_t*>(w.sumsq + T);
  w.nonfinite = w.flags + T * nb;
  return w;
}

// Pass 1: block (b, i) reduces elements [b*S, min((b+1)*S, N)) of row i, S = kSlice.
// Full slices issue all of a thread's loads before using any (memory-level parallelism);
// the last, partial slice takes the same per-thread order one element at a time.
template <typename E, typename Rows>
__global__ void __launch_bounds__(kThreads) sumsq_kernel(Rows rows, int64_t N, int64_t nb, Workspace ws) {
  const int64_t i = blockIdx.y, b = blockIdx.x;
  const int64_t j0 = b * kSlice;
  const E* x = rows(i) + j0 + threadIdx.x;
  double s = 0;
  int bad = 0;
  if (N - j0 >= kSlice) {
    E v[kPerThread];
#pragma unroll
    for (int u = 0; u < kPerThread; ++u) v[u] = x[u * kThreads];
#pragma unroll
    for (int u = 0; u < kPerThread; ++u) {
      const double d = (double)v[u];
      s = fma(d, d, s);
      bad |= !isfinite(v[u]);
    }
  } else {
    const int len = (int)(N - j0);
    for (int u = 0; u * kThreads + (int)threadIdx.x < len; ++u) {
      const E v = x[u * kThreads];
      const double d = (double)v;
      s = fma(d, d, s);
      bad |= !isfinite(v);
    }
  }
  s = block_sum(s);
  bad = __syncthreads_or(bad);
  if (threadIdx.x == 0) {
    ws.part[i * nb + b] = s;
    ws.flags[i * nb + b] = bad != 0;
  }
}

// One block: per-task totals in a fixed order, then the shared rule (one thread).
__global__ void __launch_bounds__(kThreads)
    weights_kernel(int64_t T, int64_t nb, Workspace ws, double* m, int32_t* initialized, BalanceParams p,
                   double* weights, double* norms, int32_t* status) {
  for (int64_t i = 0; i < T; ++i) {
    double s = 0;
    int bad = 0;
    for (int64_t b = threadIdx.x; b < nb; b += kThreads) {
      s += ws.part[i * nb + b];
      bad |= ws.flags[i * nb + b];
    }
    s = block_sum(s);
    bad = __syncthreads_or(bad);
    if (threadIdx.x == 0) {
      ws.sumsq[i] = s;
      ws.nonfinite[i] = bad != 0;
    }
  }
  if (threadIdx.x == 0) {
    BalanceStatus st = balance_apply_rule(T, ws.sumsq, ws.nonfinite, m, initialized, p, weights, norms);
    status[0] = st.reason;
    status[1] = st.task;
  }
}

// Pass 2: out[j] = Σ_i w_i g_i[j] in task order; nothing when the step was rejected. Double
// gradients accumulate in double; float gradients in float (w_i rounded to float once, fmaf),
// the CPU kernel's float arithmetic (recforge/balance_gradients.h "Precision"), unless a weight
// leaves float's normal range (then in double, as the CPU kernel does).
template <typename A, typename E, typename Rows>
__device__ void weighted_sum_loop(Rows rows, int64_t T, int64_t N, const double* weights, E* out) {
  const int64_t stride = (int64_t)gridDim.x * kThreads;
  const E* r0 = rows(0);
  const A w0 = (A)weights[0];
  for (int64_t j = (int64_t)blockIdx.x * kThreads + threadIdx.x; j < N; j += stride) {
    A a = w0 * (A)r0[j];
    for (int64_t i = 1; i < T; ++i) a = fma((A)weights[i], (A)rows(i)[j], a);
    out[j] = (E)a;
  }
}

template <typename E, typename Rows>
__global__ void __launch_bounds__(kThreads)
    weighted_sum_kernel(Rows rows, int64_t T, int64_t N, const double* weights, const int32_t* status, E* out) {
  if (status[0] != kBalanceOk) return;
  bool f32 = sizeof(E) == sizeof(float);
  for (int64_t i = 0; i < T && f32; ++i) f32 = weights[i] == 0 || (weights[i] >= FLT_MIN && weights[i] <= FLT_MAX);
  if (f32) weighted_sum_loop<float>(rows, T, N, weights, out);
  else weighted_sum_loop<double>(rows, T, N, weights, out);
}

template <typename E, typename Rows>
void launch(Rows rows, int64_t T, int64_t N, double* m, int32_t* initialized, const BalanceParams& p, E* out,
            double* weights, double* norms, int32_t* status, void* workspace, cudaStream_t stream) {
  const int64_t nb = num_blocks(N);
  Workspace ws = carve(workspace, T, nb);
  if (nb > 0) sumsq_kernel<E><<<dim3((unsigned)nb, (unsigned)T), kThreads, 0, stream>>>(rows, N, nb, ws);
  weights_kernel<<<1, kThreads, 0, stream>>>(T, nb, ws, m, initialized, p, weights, norms, status);
  if (N > 0) {
    // Enough blocks to fill any current GPU several times over; the loop covers the rest.
    const int64_t blocks = std::min<int64_t>((N + kThreads - 1) / kThreads, 1 << 16);
    weighted_sum_kernel<E><<<(unsigned)blocks, kThreads, 0, stream>>>(rows, T, N, weights, status, out);
  }
}

}  // namespace

int64_t balance_gradients_cuda_workspace_bytes(int64_t T, int64_t N) {
  const int64_t nb = num_blocks(N);
  return (T * nb + T) * (int64_t)(sizeof(double) + sizeof(int32_t));
}

template <typename E>
void balance_gradients_cuda(const E* G, int64_t T, int64_t N, double* m, int32_t* initialized, const BalanceParams& p,
                            E* out, double* weights, double* norms, int32_t* status, void* workspace,
                            CUstream_st* stream) {
  launch(StackedRows<E>{G, N}, T, N, m, initialized, p, out, weights, norms, status, workspace, stream);
}

template <typename E>
void balance_gradients_rows_cuda(const E* const* rows_dev, int64_t T, int64_t N, double* m, int32_t* initialized,
                                 const BalanceParams& p, E* out, double* weights, double* norms, int32_t* status,
                                 void* workspace, CUstream_st* stream) {
  launch(PointerRows<E>{rows_dev}, T, N, m, initialized, p, out, weights, norms, status, workspace, stream);
}

template void balance_gradients_cuda<float>(const float*, int64_t, int64_t, double*, int32_t*, const BalanceParams&,
                                            float*, double*, double*, int32_t*, void*, CUstream_st*);
template void balance_gradients_cuda<double>(const double*, int64_t, int64_t, double*, int32_t*,
                                             const BalanceParams&, double*, double*, double*, int32_t*, void*,
                                             CUstream_st*);
template void balance_gradients_rows_cuda<float>(const float* const*, int64_t, int64_t, double*, int32_t*,
                                                 const BalanceParams&, float*, double*, double*, int32_t*, void*,
                                                 CUstream_st*);
template void balance_gradients_rows_cuda<double>(const double* const*, int64_t, int64_t, double*, int32_t*,
                                                  const BalanceParams&, double*, double*, double*, int32_t*, void*,
                                                  CUstream_st*);

}  // namespace recforge
