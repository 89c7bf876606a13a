// CUDA fused GAT layer (see gat.h). One warp per (node, head) throughout, lanes across the
// F features (coalesced row reads) or across edges (scalar per-edge work):
//   forward:  scores_kernel (el, er), aggregate_kernel (softmax over in-edges + weighted sum).
//   backward: edge_grad_kernel  (per destination: dalpha dots, softmax and LeakyReLU backward
//                                -> dz [E, H] and der [N, H]),
//             node_grad_kernel  (per source over the transposed CSR: dWh rows and del [N, H]),
//             attn_partial_kernel + attn_sum_kernel (d_a_src / d_a_dst summed over fixed
//                                256-node blocks, then over blocks in order).
// No atomics: results are deterministic run to run.
#include <cuda_runtime.h>

#include <cmath>

#include "graph_kernel_util.cuh"
#include "common.cuh"
#include "recforge/gat.h"
#include "recforge/gat_rule.h"

namespace recforge {
namespace {

using namespace cuda_detail;

// The per-element math (gat_logit_rule, the softmax rules, gat_logit_grad_rule) is recforge/gat_rule.h's
// and softmax_rule.h's, shared with native/cpu/gat.cc.

template <typename T>
__global__ void scores_kernel(int64_t N, int64_t H, int64_t F, const T* __restrict__ wh, const T* __restrict__ a_src,
                              const T* __restrict__ a_dst, T* __restrict__ el, T* __restrict__ er) {
  const int lane = threadIdx.x & 31;
  for (int64_t w = global_warp(); w < N * H; w += warp_count()) {
    const int64_t h = w % H;
    const T* v = wh + w * F;
    T sl = T(0), sr = T(0);
    for (int64_t f = lane; f < F; f += 32) {
      sl += v[f] * a_src[h * F + f];
      sr += v[f] * a_dst[h * F + f];
    }
    sl = warp_sum(sl);
    sr = warp_sum(sr);
    if (lane == 0) {
      el[w] = sl;
      er[w] = sr;
    }
  }
}

template <typename T>
__global__ void aggregate_kernel(int64_t N, int64_t H, int64_t F, const int32_t* __restrict__ rowptr,
                                 const int32_t* __restrict__ src, const T* __restrict__ wh, const T* __restrict__ el,
                                 const T* __restrict__ er, T slope, T* __restrict__ out, T* __restrict__ alpha) {
  const int lane = threadIdx.x & 31;
  for (int64_t w = global_warp(); w < N * H; w += warp_count()) {
    const int64_t d = w / H, h = w - d * H;
    const int32_t begin = rowptr[d], end = rowptr[d + 1];
    T* o = out + w * F;
    if (begin == end) {
      for (int64_t f = lane; f < F; f += 32) o[f] = T(0);
      continue;
    }
    const T erd = er[w];
    T mx = -INFINITY;
    for (int32_t e = begin + lane; e < end; e += 32) mx = fmax(mx, gat_logit_rule(el[(int64_t)src[e] * H + h], erd, slope));
    mx = warp_max(mx);
    T sum = T(0);
    for (int32_t e = begin + lane; e < end; e += 32) {
      const T p = edge_softmax_exp_rule<cuda::DeviceMath>(gat_logit_rule(el[(int64_t)src[e] * H + h], erd, slope), mx);
      alpha[(int64_t)e * H + h] = p;
      sum += p;
    }
    const T inv = softmax_inv_rule(warp_sum(sum));
    for (int32_t e = begin + lane; e < end; e += 32)
      alpha[(int64_t)e * H + h] = softmax_value_rule(alpha[(int64_t)e * H + h], inv);
    __syncwarp();  // every lane reads every edge's alpha below
    for (int64_t f = lane; f < F; f += 32) {
      T acc = T(0);
      for (int32_t e = begin; e < end; ++e) acc += alpha[(int64_t)e * H + h] * wh[((int64_t)src[e] * H + h) * F + f];
      o[f] = acc;
    }
  }
}

template <typename T>
__global__ void edge_grad_kernel(int64_t N, int64_t H, int64_t F, const int32_t* __restrict__ rowptr,
                                 const int32_t* __restrict__ src, const T* __restrict__ wh, const T* __restrict__ el,
                                 const T* __restrict__ er, const T* __restrict__ alpha, const T* __restrict__ dout,
                                 T slope, T* __restrict__ dz, T* __restrict__ der) {
  const int lane = threadIdx.x & 31;
  for (int64_t w = global_warp(); w < N * H; w += warp_count()) {
    const int64_t d = w / H, h = w - d * H;
    const int32_t begin = rowptr[d], end = rowptr[d + 1];
    const T* go = dout + w * F;
    T dot = T(0);  // Σ alpha * dalpha over the group, identical in every lane
    for (int32_t e = begin; e < end; ++e) {
      const T* v = wh + ((int64_t)src[e] * H + h) * F;
      T part = T(0);
      for (int64_t f = lane; f < F; f += 32) part += go[f] * v[f];
      const T da = warp_sum(part);
      dot += alpha[(int64_t)e * H + h] * da;
      if (lane == 0) dz[(int64_t)e * H + h] = da;
    }
    __syncwarp();  // dz written by lane 0 is read by all lanes
    const T erd = er[w];
    T dr = T(0);
    for (int32_t e = begin + lane; e < end; e += 32) {
      const int64_t j = (int64_t)e * H + h;
      const T g = gat_logit_grad_rule(alpha[j], dz[j], dot, el[(int64_t)src[e] * H + h], erd, slope);
      dz[j] = g;
      dr += g;
    }
    dr = warp_sum(dr);
    if (lane == 0) der[w] = dr;
  }
}

template <typename T>
__global__ void node_grad_kernel(int64_t N, int64_t H, int64_t F, const int32_t* __restrict__ t_rowptr,
                                 const int32_t* __restrict__ t_dst, const int32_t* __restrict__ t_eid,
                                 const T* __restrict__ a_src, const T* __restrict__ a_dst, const T* __restrict__ alpha,
                                 const T* __restrict__ dout, const T* __restrict__ dz, const T* __restrict__ der,
                                 T* __restrict__ d_wh, T* __restrict__ del) {
  const int lane = threadIdx.x & 31;
  for (int64_t w = global_warp(); w < N * H; w += warp_count()) {
    const int64_t n = w / H, h = w - n * H;
    const int32_t kb = t_rowptr[n], ke = t_rowptr[n + 1];
    T dl = T(0);
    for (int32_t k = kb + lane; k < ke; k += 32) dl += dz[(int64_t)t_eid[k] * H + h];
    dl = warp_sum(dl);
    const T dr = der[w];
    for (int64_t f = lane; f < F; f += 32) {
      T acc = T(0);
      for (int32_t k = kb; k < ke; ++k)
        acc += alpha[(int64_t)t_eid[k] * H + h] * dout[((int64_t)t_dst[k] * H + h) * F + f];
      d_wh[w * F + f] = acc + dl * a_src[h * F + f] + dr * a_dst[h * F + f];
    }
    if (lane == 0) del[w] = dl;
  }
}

// partial[b, 0, c] = Σ_{n in block b} del[n, h(c)] * Wh[n, c], partial[b, 1, c] likewise with der.
template <typename T>
__global__ void attn_partial_kernel(int64_t N, int64_t H, int64_t F, int64_t n_blocks, const T* __restrict__ wh,
                                    const T* __restrict__ del, const T* __restrict__ der, T* __restrict__ partial) {
  const int64_t HF = H * F, total = n_blocks * HF;
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < total; i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t b = i / HF, c = i - b * HF, h = c / F;
    const int64_t n_end = min(N, (b + 1) * kGatReduceBlock);
    T ps = T(0), pd = T(0);
    for (int64_t n = b * kGatReduceBlock; n < n_end; ++n) {
      const T v = wh[n * HF + c];
      ps += del[n * H + h] * v;
      pd += der[n * H + h] * v;
    }
    partial[(b * 2) * HF + c] = ps;
    partial[(b * 2 + 1) * HF + c] = pd;
  }
}

template <typename T>
__global__ void attn_sum_kernel(int64_t HF, int64_t n_blocks, const T* __restrict__ partial, T* __restrict__ d_a_src,
                                T* __restrict__ d_a_dst) {
  for (int64_t i = (int64_t)blockIdx.x * blockDim.x + threadIdx.x; i < 2 * HF; i += (int64_t)gridDim.x * blockDim.x) {
    const int64_t side = i / HF, c = i - side * HF;
    T acc = T(0);
    for (int64_t b = 0; b < n_blocks; ++b) acc += partial[(b * 2 + side) * HF + c];
    (side == 0 ? d_a_src : d_a_dst)[c] = acc;
  }
}

}  // namespace

template <typename T>
void gat_forward_cuda(int64_t N, int64_t H, int64_t F, const int32_t* rowptr, const int32_t* src, const T* wh,
                      const T* a_src, const T* a_dst, double negative_slope, T* out, T* el, T* er, T* alpha,
                      cudaStream_t stream) {
  if (N * H <= 0) return;
  const unsigned grid = grid_for(N * H, kWarpsPerBlock);
  scores_kernel<T><<<grid, kBlock, 0, stream>>>(N, H, F, wh, a_src, a_dst, el, er);
  aggregate_kernel<T><<<grid, kBlock, 0, stream>>>(N, H, F, rowptr, src, wh, el, er, (T)negative_slope, out, alpha);
}

template <typename T>
void gat_backward_cuda(int64_t N, int64_t H, int64_t F, const int32_t* rowptr, const int32_t* src,
                       const int32_t* t_rowptr, const int32_t* t_dst, const int32_t* t_eid, const T* wh,
                       const T* a_src, const T* a_dst, double negative_slope, const T* el, const T* er,
                       const T* alpha, const T* dout, T* d_wh, T* d_a_src, T* d_a_dst, T* workspace,
                       cudaStream_t stream) {
  const int64_t HF = H * F;
  if (N * H <= 0 || F <= 0) {
    if (HF > 0) {
      cudaMemsetAsync(d_a_src, 0, sizeof(T) * HF, stream);
      cudaMemsetAsync(d_a_dst, 0, sizeof(T) * HF, stream);
    }
    return;
  }
  const int64_t n_blocks = (N + kGatReduceBlock - 1) / kGatReduceBlock;
  T* del = workspace;                   // [N, H]
  T* der = del + N * H;                 // [N, H]
  T* partial = der + N * H;             // [n_blocks, 2, H, F]
  T* dz = partial + n_blocks * 2 * HF;  // [E, H], last: no offset depends on E (on the device)
  const unsigned grid = grid_for(N * H, kWarpsPerBlock);
  edge_grad_kernel<T><<<grid, kBlock, 0, stream>>>(N, H, F, rowptr, src, wh, el, er, alpha, dout, (T)negative_slope,
                                                   dz, der);
  node_grad_kernel<T><<<grid, kBlock, 0, stream>>>(N, H, F, t_rowptr, t_dst, t_eid, a_src, a_dst, alpha, dout, dz, der,
                                                   d_wh, del);
  attn_partial_kernel<T><<<grid_for(n_blocks * HF), kBlock, 0, stream>>>(N, H, F, n_blocks, wh, del, der, partial);
  attn_sum_kernel<T><<<grid_for(2 * HF), kBlock, 0, stream>>>(HF, n_blocks, partial, d_a_src, d_a_dst);
}

#define RECFORGE_INSTANTIATE(T)                                                                                     \
  template void gat_forward_cuda<T>(int64_t, int64_t, int64_t, const int32_t*, const int32_t*, const T*, const T*, \
                                    const T*, double, T*, T*, T*, T*, cudaStream_t);                                \
  template void gat_backward_cuda<T>(int64_t, int64_t, int64_t, const int32_t*, const int32_t*, const int32_t*,    \
                                     const int32_t*, const int32_t*, const T*, const T*, const T*, double,          \
                                     const T*, const T*, const T*, const T*, T*, T*, T*, T*, cudaStream_t);
RECFORGE_INSTANTIATE(float)
RECFORGE_INSTANTIATE(double)
#undef RECFORGE_INSTANTIATE

}  // namespace recforge
