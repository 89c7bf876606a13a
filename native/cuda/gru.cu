// CUDA fused GRU (see gru.h): the CPU kernel's schedule on the device. Per layer one input-projection
// GEMM per direction (gemm_*_cuda: cuBLAS or the own kernels), then per time step one batched GEMM
// for both directions and one gate kernel (one thread per (direction, row, unit)); the backward
// mirrors it, then GEMMs over all steps for dW_ih, dW_hh and dx, and a column-sum kernel for the
// biases (one thread per column, rows in order: deterministic, no atomics).
#include <cuda_runtime.h>

#include <cmath>

#include "common.cuh"
#include "recforge/gemm.h"
#include "recforge/gru.h"
#include "recforge/gru_rule.h"

namespace recforge {
namespace {

using cuda::grid_for;
using cuda::kThreads;

inline void dgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                  int64_t sA, const float* B, int64_t ldb, int64_t sB, float beta, float* C, int64_t ldc, int64_t sC,
                  int64_t batch, cudaStream_t s) {
  gemm_f32_cuda(ta, tb, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch, s);
}
inline void dgemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
                  int64_t sA, const double* B, int64_t ldb, int64_t sB, double beta, double* C, int64_t ldc,
                  int64_t sC, int64_t batch, cudaStream_t s) {
  gemm_f64_cuda(ta, tb, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch, s);
}

__device__ __forceinline__ float dexp(float v) { return expf(v); }
__device__ __forceinline__ double dexp(double v) { return exp(v); }
__device__ __forceinline__ float dtanh(float v) { return tanhf(v); }
__device__ __forceinline__ double dtanh(double v) { return tanh(v); }
template <typename T>
__device__ __forceinline__ T dsigmoid(T v) {
  const T e = dexp(-fabs(v));
  const T inv = T(1) / (T(1) + e);
  return v >= T(0) ? inv : e * inv;
}

__device__ __forceinline__ int64_t row_len(const int32_t* lengths, int64_t b, int64_t T) {
  return lengths ? (int64_t)lengths[b] : T;
}

// x with padding steps zeroed (the all-steps GEMMs must not read padding).
template <typename T>
__global__ void clean_input_kernel(int64_t B, int64_t Tn, int64_t in, const T* __restrict__ x,
                                   const int32_t* __restrict__ lengths, T* __restrict__ dst) {
  RF_GRID_STRIDE(i, B * Tn * in) {
    const int64_t r = i / in, b = r / Tn, t = r - b * Tn;
    dst[i] = t < lengths[b] ? x[i] : T(0);
  }
}

template <typename T>
__global__ void fill_kernel(int64_t n, T* __restrict__ p) {
  RF_GRID_STRIDE(i, n) p[i] = T(0);
}

// Biases of the (up to) two directions of one layer; nullptr entries: no bias.
template <typename T>
struct DirBias {
  const T* bi[2];
  const T* bh[2];
};

// One forward step: thread per (dir, b, j). gates(dir) = base + dir * g5, rows [B, T, 5H].
template <typename T>
__global__ void gate_forward_kernel(int64_t B, int64_t Tn, int64_t H, int D, int64_t s, const int32_t* lengths,
                                    T* __restrict__ gates, int64_t g5, const T* __restrict__ gh, DirBias<T> bias,
                                    T* __restrict__ state, T* __restrict__ Y) {
  RF_GRID_STRIDE(i, D * B * H) {
    const int64_t r = i / H, j = i - r * H;  // r = dir * B + b
    const int dir = (int)(r / B);
    const int64_t b = r - dir * B;
    const int64_t t = dir == 0 ? s : Tn - 1 - s;
    T* g = gates + dir * g5 + (b * Tn + t) * 5 * H;
    T* y = Y + (b * Tn + t) * D * H + dir * H;
    if (t >= row_len(lengths, b, Tn)) {
      for (int q = 0; q < 5; ++q) g[q * H + j] = T(0);
      y[j] = T(0);
      continue;
    }
    const T* bi = bias.bi[dir];
    const T* bh = bias.bh[dir];
    const T* ghr = gh + r * 3 * H;
    const T bir = bi ? bi[j] : T(0), biz = bi ? bi[H + j] : T(0), bin = bi ? bi[2 * H + j] : T(0);
    const T bhr = bh ? bh[j] : T(0), bhz = bh ? bh[H + j] : T(0), bhn = bh ? bh[2 * H + j] : T(0);
    const T rr = dsigmoid(g[j] + bir + ghr[j] + bhr);
    const T z = dsigmoid(g[H + j] + biz + ghr[H + j] + bhz);
    const T hn = ghr[2 * H + j] + bhn;
    const T n = dtanh(g[2 * H + j] + bin + rr * hn);
    const T hp = state[r * H + j];
    const T hy = n + z * (hp - n);
    g[j] = rr;
    g[H + j] = z;
    g[2 * H + j] = n;
    g[3 * H + j] = hn;
    g[4 * H + j] = hp;
    state[r * H + j] = hy;
    y[j] = hy;
  }
}

// One backward step: thread per (dir, b, j). dgi / dgh: [D, B, T, 3H]; dh [D, B, H].
template <typename T>
__global__ void gate_backward_kernel(int64_t B, int64_t Tn, int64_t H, int D, int64_t s, const int32_t* lengths,
                                     const T* __restrict__ gates, int64_t g5, const T* __restrict__ dy_in,
                                     T* __restrict__ dh, T* __restrict__ dgi, T* __restrict__ dgh) {
  RF_GRID_STRIDE(i, D * B * H) {
    const int64_t r = i / H, j = i - r * H;
    const int dir = (int)(r / B);
    const int64_t b = r - dir * B;
    const int64_t t = dir == 0 ? Tn - 1 - s : s;
    const int64_t bt3 = B * Tn * 3 * H;
    T* gi = dgi + dir * bt3 + (b * Tn + t) * 3 * H;
    T* gg = dgh + dir * bt3 + (b * Tn + t) * 3 * H;
    if (t >= row_len(lengths, b, Tn)) {
      for (int q = 0; q < 3; ++q) gi[q * H + j] = gg[q * H + j] = T(0);
      continue;
    }
    const T* g = gates + dir * g5 + (b * Tn + t) * 5 * H;
    const T d = dh[r * H + j] + (dy_in ? dy_in[(b * Tn + t) * D * H + dir * H + j] : T(0));
    dh[r * H + j] = gru_gate_backward(g, H, j, d, gi, gg);
  }
}

template <typename T>
__global__ void column_sums_kernel(const T* __restrict__ src, int64_t R, int64_t C, T* __restrict__ out) {
  RF_GRID_STRIDE(c, C) {
    T acc = T(0);
    for (int64_t r = 0; r < R; ++r) acc += src[r * C + c];
    out[c] = acc;
  }
}

template <typename T>
void copy_d2d(T* dst, const T* src, int64_t n, cudaStream_t s) {
  if (n > 0) cudaMemcpyAsync(dst, src, sizeof(T) * n, cudaMemcpyDeviceToDevice, s);
}
template <typename T>
void zero(T* p, int64_t n, cudaStream_t s) {
  if (n > 0) fill_kernel<T><<<grid_for(n), kThreads, 0, s>>>(n, p);
}

// Whether any row is shorter than T: the lengths live on the device, so this is decided by the
// caller-independent rule "lengths given" (the clean copy is cheap next to the GEMMs).
template <typename T>
const T* clean_input(const GruDims& d, const T* x, const int32_t* lengths, T* dst, cudaStream_t s) {
  if (!lengths) return x;
  const int64_t n = d.B * d.T * d.in;
  if (n > 0) clean_input_kernel<T><<<grid_for(n), kThreads, 0, s>>>(d.B, d.T, d.in, x, lengths, dst);
  return dst;
}

}  // namespace

template <typename T>
void gru_forward_cuda(const GruDims& d, const T* x, const int32_t* lengths, const T* h0, const GruWeights<T>& w,
                      T* out, T* h_n, T* reserve, T* ws, cudaStream_t st) {
  const GruLayout lay(d);
  const int64_t B = d.B, Tn = d.T, H = d.H, D = d.dirs, H3 = 3 * H, H5 = 5 * H, bt = lay.bt;
  if (B == 0) return;
  T* state = ws + lay.f_state;
  T* gh = ws + lay.f_gh;
  T* whh = ws + lay.f_whh;
  const T* x0 = clean_input(d, x, lengths, ws + lay.f_xclean, st);
  for (int64_t l = 0; l < d.layers; ++l) {
    const int64_t in_l = d.in_of(l);
    const T* X = l == 0 ? x0 : reserve + lay.layer_output(d.layers, l - 1);
    T* Y = l == d.layers - 1 ? out : reserve + lay.layer_output(d.layers, l);
    DirBias<T> bias{{nullptr, nullptr}, {nullptr, nullptr}};
    for (int64_t dir = 0; dir < D; ++dir) {
      const int64_t k = l * D + dir;
      if (bt > 0) dgemm(false, true, bt, H3, in_l, T(1), X, in_l, 0, w.w_ih[k], in_l, 0, T(0), reserve + lay.gates(l, dir), H5, 0, 1, st);
      copy_d2d(whh + dir * H3 * H, w.w_hh[k], H3 * H, st);
      if (h0)
        copy_d2d(state + dir * B * H, h0 + k * B * H, B * H, st);
      else
        zero(state + dir * B * H, B * H, st);
      if (w.b_ih) {
        bias.bi[dir] = w.b_ih[k];
        bias.bh[dir] = w.b_hh[k];
      }
    }
    for (int64_t s = 0; s < Tn; ++s) {
      dgemm(false, true, B, H3, H, T(1), state, H, B * H, whh, H, H3 * H, T(0), gh, H3, B * H3, D, st);
      gate_forward_kernel<T><<<grid_for(D * B * H), kThreads, 0, st>>>(B, Tn, H, (int)D, s, lengths,
                                                                        reserve + lay.gates(l, 0), lay.g5, gh, bias,
                                                                        state, Y);
    }
    copy_d2d(h_n + l * D * B * H, state, D * B * H, st);
  }
}

template <typename T>
void gru_backward_cuda(const GruDims& d, const T* x, const int32_t* lengths, const GruWeights<T>& w,
                       const T* reserve, const T* dout, const T* dh_n, T* dx, T* dh0, const GruGrads<T>& gr, T* ws,
                       cudaStream_t st) {
  const GruLayout lay(d);
  const int64_t B = d.B, Tn = d.T, H = d.H, D = d.dirs, H3 = 3 * H, H5 = 5 * H, bt = lay.bt;
  if (bt == 0) {
    for (int64_t l = 0; l < d.layers; ++l)
      for (int64_t dir = 0; dir < D; ++dir) {
        const int64_t k = l * D + dir;
        zero(gr.dw_ih[k], H3 * d.in_of(l), st);
        zero(gr.dw_hh[k], H3 * H, st);
        if (w.b_ih) {
          zero(gr.db_ih[k], H3, st);
          zero(gr.db_hh[k], H3, st);
        }
      }
    if (dh0) {
      const int64_t n = d.layers * D * B * H;
      if (dh_n)
        copy_d2d(dh0, dh_n, n, st);
      else
        zero(dh0, n, st);
    }
    return;
  }
  T* dgi = ws + lay.b_dgi;
  T* dgh = ws + lay.b_dgh;
  T* dh = ws + lay.b_dh;
  T* whh = ws + lay.b_whh;
  const T* x0 = clean_input(d, x, lengths, ws + lay.b_xclean, st);
  const T* dy_in = dout;
  for (int64_t l = d.layers - 1; l >= 0; --l) {
    const int64_t in_l = d.in_of(l);
    T* dx_l = l > 0 ? ws + ((d.layers - 1 - l) % 2 == 0 ? lay.b_dy0 : lay.b_dy1) : dx;
    for (int64_t dir = 0; dir < D; ++dir) {
      const int64_t k = l * D + dir;
      copy_d2d(whh + dir * H3 * H, w.w_hh[k], H3 * H, st);
      if (dh_n)
        copy_d2d(dh + dir * B * H, dh_n + k * B * H, B * H, st);
      else
        zero(dh + dir * B * H, B * H, st);
    }
    for (int64_t s = 0; s < Tn; ++s) {
      gate_backward_kernel<T><<<grid_for(D * B * H), kThreads, 0, st>>>(B, Tn, H, (int)D, s, lengths,
                                                                         reserve + lay.gates(l, 0), lay.g5, dy_in, dh,
                                                                         dgi, dgh);
      const int64_t t0 = Tn - 1 - s, t1 = s;
      const int64_t stride_a = D > 1 ? (bt * H3 + t1 * H3) - t0 * H3 : 0;
      dgemm(false, false, B, H, H3, T(1), dgh + t0 * H3, Tn * H3, stride_a, whh, H, H3 * H, T(1), dh, H, B * H, D, st);
    }
    const T* X = l == 0 ? x0 : reserve + lay.layer_output(d.layers, l - 1);
    for (int64_t dir = 0; dir < D; ++dir) {
      const int64_t k = l * D + dir;
      const T* gi = dgi + dir * bt * H3;
      const T* gh = dgh + dir * bt * H3;
      dgemm(true, false, H3, in_l, bt, T(1), gi, H3, 0, X, in_l, 0, T(0), gr.dw_ih[k], in_l, 0, 1, st);
      dgemm(true, false, H3, H, bt, T(1), gh, H3, 0, reserve + lay.gates(l, dir) + 4 * H, H5, 0, T(0), gr.dw_hh[k], H, 0, 1, st);
      if (w.b_ih) {
        column_sums_kernel<T><<<grid_for(H3), kThreads, 0, st>>>(gi, bt, H3, gr.db_ih[k]);
        column_sums_kernel<T><<<grid_for(H3), kThreads, 0, st>>>(gh, bt, H3, gr.db_hh[k]);
      }
      if (dx_l) dgemm(false, false, bt, in_l, H3, T(1), gi, H3, 0, w.w_ih[k], in_l, 0, dir == 0 ? T(0) : T(1), dx_l, in_l, 0, 1, st);
      if (dh0) copy_d2d(dh0 + k * B * H, dh + dir * B * H, B * H, st);
    }
    dy_in = dx_l;
  }
}

#define RF_GRU_INSTANTIATE(T)                                                                                       \
  template void gru_forward_cuda<T>(const GruDims&, const T*, const int32_t*, const T*, const GruWeights<T>&, T*,   \
                                    T*, T*, T*, cudaStream_t);                                                      \
  template void gru_backward_cuda<T>(const GruDims&, const T*, const int32_t*, const GruWeights<T>&, const T*,      \
                                     const T*, const T*, T*, T*, const GruGrads<T>&, T*, cudaStream_t);
RF_GRU_INSTANTIATE(float)
RF_GRU_INSTANTIATE(double)

}  // namespace recforge
