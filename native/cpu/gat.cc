// CPU fused GAT layer (see gat.h). Forward: per-node attention logits, then one pass per
// destination that normalises its incoming edges and aggregates source rows. Backward in two
// phases so that no output is written by two threads:
//   A (parallel over destinations): per-edge score gradients dz[e, h] and er gradients.
//   B (parallel over fixed 256-node blocks, via the transposed CSR): dWh rows owned by their
//     source node, el gradients, and per-block partial sums for d_a_src / d_a_dst, which are
//     then added in block order. Block boundaries do not depend on the thread count, so the
//     result is bit-identical for any number of threads.
// The per-element math (logits, exp, normalisation, the logit gradient) is recforge/gat_rule.h's and
// softmax_rule.h's, shared with native/cuda/gat.cu.
#include "recforge/gat.h"
#include "recforge/gat_rule.h"
#include "recforge/vmath.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "dot_lanes.h"
#include "recforge/parallel.h"

namespace recforge {
namespace {

int64_t grain_for(int64_t work_per_item) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, work_per_item)); }

}  // namespace

int64_t gat_backward_workspace_size(int64_t N, int64_t E, int64_t H, int64_t F) {
  const int64_t blocks = (N + kGatReduceBlock - 1) / kGatReduceBlock;
  return E * H + 2 * N * H + blocks * 2 * H * F;
}

template <typename T>
void gat_forward(int64_t N, int64_t H, int64_t F, const int32_t* rowptr, const int32_t* src, const T* wh,
                 const T* a_src, const T* a_dst, double negative_slope, T* out, T* el, T* er, T* alpha) {
  if (N <= 0 || H <= 0) return;
  const int64_t HF = H * F;
  const T slope = (T)negative_slope;
  parallel_for(N, grain_for(2 * HF + 1), [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n)
      for (int64_t h = 0; h < H; ++h) {
        const T* v = wh + n * HF + h * F;
        el[n * H + h] = cpu::dot_lanes(v, a_src + h * F, F);
        er[n * H + h] = cpu::dot_lanes(v, a_dst + h * F, F);
      }
  });
  const int64_t avg_deg = rowptr[N] / N + 1;
  parallel_for(N, grain_for(HF * avg_deg + 1), [&](int64_t d0, int64_t d1) {
    std::vector<T> mx(H), inv(H);
    for (int64_t d = d0; d < d1; ++d) {
      T* __restrict o = out + d * HF;
      std::fill(o, o + HF, T(0));
      const int64_t begin = rowptr[d], end = rowptr[d + 1];
      if (begin == end) continue;
      const T* erd = er + d * H;
      // alpha first holds the logits, then the unnormalised weights, then the softmax.
      std::fill(mx.begin(), mx.end(), -std::numeric_limits<T>::infinity());
      for (int64_t e = begin; e < end; ++e) {
        const T* els = el + (int64_t)src[e] * H;
        for (int64_t h = 0; h < H; ++h) {
          const T z = gat_logit_rule(els[h], erd[h], slope);
          alpha[e * H + h] = z;
          mx[h] = std::max(mx[h], z);
        }
      }
      std::fill(inv.begin(), inv.end(), T(0));
      for (int64_t e = begin; e < end; ++e)
        for (int64_t h = 0; h < H; ++h) {
          T p = edge_softmax_exp_rule<HostMath>(alpha[e * H + h], mx[h]);
          alpha[e * H + h] = p;
          inv[h] += p;
        }
      for (int64_t h = 0; h < H; ++h) inv[h] = softmax_inv_rule(inv[h]);
      for (int64_t e = begin; e < end; ++e) {
        const T* v = wh + (int64_t)src[e] * HF;
        for (int64_t h = 0; h < H; ++h) {
          // Written out, not softmax_value_rule: compiled through the helper, this product gave NaN weights
          // with the other sign bit (scripts/twin-hash.cc, f64 with NaN inputs); the value is the same rule.
          const T a = alpha[e * H + h] * inv[h];
          alpha[e * H + h] = a;
          T* __restrict oh = o + h * F;
          const T* __restrict vh = v + h * F;
          for (int64_t f = 0; f < F; ++f) oh[f] += a * vh[f];
        }
      }
    }
  });
}

template <typename T>
void gat_backward(int64_t N, int64_t H, int64_t F, const int32_t* rowptr, const int32_t* src,
                  const int32_t* t_rowptr, const int32_t* t_dst, const int32_t* t_eid, const T* wh, const T* a_src,
                  const T* a_dst, double negative_slope, const T* el, const T* er, const T* alpha, const T* dout,
                  T* d_wh, T* d_a_src, T* d_a_dst, T* workspace) {
  const int64_t HF = H * F;
  std::fill(d_a_src, d_a_src + HF, T(0));
  std::fill(d_a_dst, d_a_dst + HF, T(0));
  if (N <= 0 || H <= 0) return;
  const T slope = (T)negative_slope;
  const int64_t E = rowptr[N];
  const int64_t n_blocks = (N + kGatReduceBlock - 1) / kGatReduceBlock;
  // Same layout as the CUDA path: del [N, H] (unused here: kept per node), der [N, H],
  // partial [n_blocks, 2, H, F], dz [E, H].
  T* der = workspace + N * H;
  T* partial = der + N * H;
  T* dz = partial + n_blocks * 2 * HF;
  const int64_t avg_deg = E / N + 1;

  // Phase A: dalpha = <dout[d,h], Wh[src,h]>, softmax backward, LeakyReLU backward.
  parallel_for(N, grain_for(HF * avg_deg + 1), [&](int64_t d0, int64_t d1) {
    std::vector<T> sum(H);
    for (int64_t d = d0; d < d1; ++d) {
      const int64_t begin = rowptr[d], end = rowptr[d + 1];
      const T* go = dout + d * HF;
      std::fill(sum.begin(), sum.end(), T(0));
      for (int64_t e = begin; e < end; ++e) {
        const T* v = wh + (int64_t)src[e] * HF;
        for (int64_t h = 0; h < H; ++h) {
          const T da = cpu::dot_lanes(go + h * F, v + h * F, F);
          dz[e * H + h] = da;
          sum[h] += alpha[e * H + h] * da;
        }
      }
      const T* erd = er + d * H;
      for (int64_t h = 0; h < H; ++h) der[d * H + h] = T(0);
      for (int64_t e = begin; e < end; ++e) {
        const T* els = el + (int64_t)src[e] * H;
        for (int64_t h = 0; h < H; ++h) {
          const T g = gat_logit_grad_rule(alpha[e * H + h], dz[e * H + h], sum[h], els[h], erd[h], slope);
          dz[e * H + h] = g;
          der[d * H + h] += g;
        }
      }
    }
  });

  // Phase B: per source node (transposed CSR), in fixed blocks.
  parallel_for(n_blocks, 1, [&](int64_t b0, int64_t b1) {
    std::vector<T> del(H);
    for (int64_t b = b0; b < b1; ++b) {
      T* __restrict ps = partial + b * 2 * HF;
      T* __restrict pd = ps + HF;
      std::fill(ps, ps + 2 * HF, T(0));
      const int64_t n_end = std::min(N, (b + 1) * kGatReduceBlock);
      for (int64_t n = b * kGatReduceBlock; n < n_end; ++n) {
        T* __restrict g = d_wh + n * HF;
        std::fill(g, g + HF, T(0));
        std::fill(del.begin(), del.end(), T(0));
        for (int64_t k = t_rowptr[n]; k < t_rowptr[n + 1]; ++k) {
          const int64_t e = t_eid[k];
          const T* __restrict go = dout + (int64_t)t_dst[k] * HF;
          for (int64_t h = 0; h < H; ++h) {
            const T a = alpha[e * H + h];
            del[h] += dz[e * H + h];
            T* __restrict gh = g + h * F;
            const T* __restrict goh = go + h * F;
            for (int64_t f = 0; f < F; ++f) gh[f] += a * goh[f];
          }
        }
        const T* v = wh + n * HF;
        for (int64_t h = 0; h < H; ++h) {
          const T dl = del[h], dr = der[n * H + h];
          const int64_t o = h * F;
          for (int64_t f = 0; f < F; ++f) {
            g[o + f] += dl * a_src[o + f] + dr * a_dst[o + f];
            ps[o + f] += dl * v[o + f];
            pd[o + f] += dr * v[o + f];
          }
        }
      }
    }
  });

  for (int64_t b = 0; b < n_blocks; ++b) {
    const T* ps = partial + b * 2 * HF;
    const T* pd = ps + HF;
    for (int64_t c = 0; c < HF; ++c) {
      d_a_src[c] += ps[c];
      d_a_dst[c] += pd[c];
    }
  }
}

#define RECFORGE_INSTANTIATE(T)                                                                                   \
  template void gat_forward<T>(int64_t, int64_t, int64_t, const int32_t*, const int32_t*, const T*, const T*,     \
                               const T*, double, T*, T*, T*, T*);                                                 \
  template void gat_backward<T>(int64_t, int64_t, int64_t, const int32_t*, const int32_t*, const int32_t*,        \
                                const int32_t*, const int32_t*, const T*, const T*, const T*, double, const T*,   \
                                const T*, const T*, const T*, T*, T*, T*, T*);
RECFORGE_INSTANTIATE(float)
RECFORGE_INSTANTIATE(double)
#undef RECFORGE_INSTANTIATE

}  // namespace recforge
