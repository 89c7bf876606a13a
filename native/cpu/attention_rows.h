// Internal: per-row pieces of tiled attention shared by the fused interval kernel and the dense
// baseline — turning a row of raw dot products into logits (scale, ALiBi, mask), the online-softmax
// step and the backward probability / dS rows. Both kernels use these exact loops.
#pragma once
#include <algorithm>
#include <cstdint>
#include <limits>
#include <vector>

#include "attention_simd.h"
#include "recforge/parallel.h"

namespace recforge {
namespace attn {

// The three intervals of one query row i: [pl, ph) ∪ [cl, ch) ∪ [sl, i].
struct RowIntervals {
  int32_t pl, ph, cl, ch, sl, i;

  static RowIntervals of(const int32_t* iv, int64_t L, int64_t i) {
    return {iv[i], iv[L + i], iv[2 * L + i], iv[3 * L + i], iv[4 * L + i], (int32_t)i};
  }
  bool sees(int64_t j) const { return (j >= pl && j < ph) || (j >= cl && j < ch) || (j >= sl && j <= i); }
  // Whether [j0, j1) is inside the union. Three sweeps over the three intervals follow any chain
  // of overlapping/adjacent intervals (at most three links), in any order.
  bool covers(int64_t j0, int64_t j1) const {
    int64_t at = j0;
    const int64_t lo[3] = {pl, cl, sl}, hi[3] = {ph, ch, (int64_t)i + 1};
    for (int sweep = 0; sweep < 3; ++sweep)
      for (int t = 0; t < 3; ++t)
        if (lo[t] <= at && at < hi[t]) at = hi[t];
    return at >= j1;
  }
};

// ALiBi for one (head, query row): logit -= slope · (pos_i - pos_j).
template <typename T>
struct RowBias {
  bool on = false;
  T slope = 0;
  int32_t pos_i = 0;
  const int32_t* pos_keys = nullptr;  // positions of the tile's keys, padded to the tile width
};

// s[0..cols) holds raw q·k for keys j0 .. j0+cols. Rewrites it in place into logits
// scale·s + bias, with keys outside the row's intervals set to -inf when `mask` is non-null
// (nullptr: the caller knows every key of the tile is visible). Returns the row maximum.
template <typename T>
inline T row_logits(T* s, int64_t cols, int64_t j0, T scale, const RowBias<T>& bias, const RowIntervals* mask) {
  using S = Simd<T>;
  using V = typename S::V;
  using I = typename S::I;
  constexpr int W = S::W;
  const V vscale = S::splat(scale), ninf = S::splat(-std::numeric_limits<T>::infinity());
  const V vslope = S::splat(bias.slope);
  const I vpos = I{} + bias.pos_i;
  I pl{}, ph{}, cl{}, ch{}, sl{}, vi{};
  if (mask) pl += mask->pl, ph += mask->ph, cl += mask->cl, ch += mask->ch, sl += mask->sl, vi += mask->i;
  V mx = ninf;
  for (int64_t c = 0; c < cols; c += W) {
    V x = loadv<V>(s + c) * vscale;
    if (bias.on) x = x - vslope * __builtin_convertvector(vpos - S::load_i32(bias.pos_keys + c), V);
    if (mask) {
      I j = S::iota() + (typename S::IE)(j0 + c);
      I vis = ((j >= pl) & (j < ph)) | ((j >= cl) & (j < ch)) | ((j >= sl) & (j <= vi));
      x = S::select(vis, x, ninf);
    }
    storev(s + c, x);
    mx = S::select(x > mx, x, mx);
  }
  return hmax<T>(mx);
}

// Online-softmax step for one row: s holds logits (masked = -inf) with maximum `tile_max`.
// Updates the running max m and sum l, overwrites s with unnormalised probabilities exp(s - m),
// and returns the factor by which the row's output accumulator must be rescaled.
template <typename T>
inline T row_softmax_step(T* s, int64_t cols, T tile_max, T& m, T& l) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr int W = S::W;
  const T ninf = -std::numeric_limits<T>::infinity();
  const T m_new = std::max(m, tile_max);
  if (m_new == ninf) {  // nothing visible to this row yet: contributes nothing
    std::fill(s, s + cols, T(0));
    return T(1);
  }
  const V vm = S::splat(m_new), vninf = S::splat(ninf);
  V sum = V{};
  for (int64_t c = 0; c < cols; c += W) {
    V x = loadv<V>(s + c);
    V p = S::select(x > vninf, S::exp(x - vm), V{});
    storev(s + c, p);
    sum += p;
  }
  const T corr = m == ninf ? T(0) : std::exp(m - m_new);
  l = l * corr + hsum<T>(sum);
  m = m_new;
  return corr;
}

// Backward: s holds logits (masked = -inf); dp holds dout_i·v_j. Writes p = exp(s - lse) into s
// and dS = p·(dp - delta)·scale into dp.
template <typename T>
inline void row_grad_step(T* s, T* dp, int64_t cols, T lse, T delta, T scale) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr int W = S::W;
  const V vl = S::splat(lse), vd = S::splat(delta), vs = S::splat(scale), vninf = S::splat(-std::numeric_limits<T>::infinity());
  for (int64_t c = 0; c < cols; c += W) {
    V x = loadv<V>(s + c);
    V p = S::select(x > vninf, S::exp(x - vl), V{});
    storev(s + c, p);
    storev(dp + c, p * (loadv<V>(dp + c) - vd) * vs);
  }
}

// ---- fused interval kernel: one pass per row of a tile of NV vectors (BK keys) -------------------
// The two-pass functions above store the logits and reload them; for a 16-key tile the row fits in
// one or two registers, so the fused kernel computes logits, exp and the running sums in registers.

// Whether any lane of a exceeds the same lane of b.
template <typename T>
inline bool any_greater(typename Simd<T>::V a, typename Simd<T>::V b) {
#if RECFORGE_ATTN_ISA_LEVEL >= 2
  if constexpr (sizeof(T) == 4)
    return _mm512_cmp_ps_mask((__m512)a, (__m512)b, _CMP_GT_OQ) != 0;
  else
    return _mm512_cmp_pd_mask((__m512d)a, (__m512d)b, _CMP_GT_OQ) != 0;
#elif RECFORGE_ATTN_ISA_LEVEL >= 1
  if constexpr (sizeof(T) == 4)
    return _mm256_movemask_ps(_mm256_cmp_ps((__m256)a, (__m256)b, _CMP_GT_OQ)) != 0;
  else
    return _mm256_movemask_pd(_mm256_cmp_pd((__m256d)a, (__m256d)b, _CMP_GT_OQ)) != 0;
#else
  for (int i = 0; i < Simd<T>::W; ++i)
    if (a[i] > b[i]) return true;
  return false;
#endif
}

// Logits of lanes [c, c + W) of a row (see row_logits), kept in a register.
template <typename T>
inline typename Simd<T>::V lane_logits(const T* s, int64_t c, int64_t j0, T scale, const RowBias<T>& bias,
                                       const RowIntervals* mask) {
  using S = Simd<T>;
  using V = typename S::V;
  using I = typename S::I;
  V x = loadv<V>(s + c) * S::splat(scale);
  if (bias.on) x = x - S::splat(bias.slope) * __builtin_convertvector((I{} + bias.pos_i) - S::load_i32(bias.pos_keys + c), V);
  if (mask) {
    const I j = S::iota() + (typename S::IE)(j0 + c);
    const I vis = ((j >= mask->pl) & (j < mask->ph)) | ((j >= mask->cl) & (j < mask->ch)) | ((j >= mask->sl) & (j <= mask->i));
    x = S::select(vis, x, S::splat(-std::numeric_limits<T>::infinity()));
  }
  return x;
}

// Forward online-softmax step of one row of a tile of NV·W keys, in one pass: s holds the raw q·k of
// keys j0 .. j0 + NV·W and receives the unnormalised probabilities exp(logit - m). The row's sum is
// kept per lane in lsum[0 .. W) (reduced once, after the last tile), so a tile costs no horizontal
// sum; the horizontal maximum is taken only when some logit exceeds the running maximum m (along a
// row that is the first tile and then rarely: ~ln(tiles) times). Returns the factor by which the
// row's output accumulator (and lsum, which this function rescales) must be multiplied.
template <typename T, int NV>
inline T row_online_softmax(T* s, int64_t j0, T scale, const RowBias<T>& bias, const RowIntervals* mask, T& m,
                            T* lsum) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr int W = S::W;
  const T ninf = -std::numeric_limits<T>::infinity();
  V x[NV];
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) x[v] = lane_logits<T>(s, v * W, j0, scale, bias, mask);
  V mx = x[0];
#pragma GCC unroll 4
  for (int v = 1; v < NV; ++v) mx = S::select(x[v] > mx, x[v], mx);
  T corr = T(1);
  if (any_greater<T>(mx, S::splat(m))) {  // m = -inf: any visible key; all masked: no change
    const T m_new = hmax<T>(mx);
    corr = m == ninf ? T(0) : std::exp(m - m_new);
    m = m_new;
  }
  if (m == ninf) {  // nothing visible to this row yet: contributes nothing
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) storev(s + v * W, V{});
    return T(1);
  }
  const V vm = S::splat(m), vninf = S::splat(ninf);
  V acc = loadv<V>(lsum);
  if (corr != T(1)) acc = acc * S::splat(corr);
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const V p = S::select(x[v] > vninf, S::exp(x[v] - vm), V{});
    storev(s + v * W, p);
    acc += p;
  }
  storev(lsum, acc);
  return corr;
}

// Backward of one row of a tile of NV·W keys, in one pass: s holds the raw q·k, dp holds dout_i·v_j;
// writes p = exp(logit - lse) into s and dS = p·(dp - delta)·scale into dp (row_logits followed by
// row_grad_step, without the round trip through memory).
template <typename T, int NV>
inline void row_grad_fused(T* s, T* dp, int64_t j0, T scale, const RowBias<T>& bias, const RowIntervals* mask, T lse,
                           T delta) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr int W = S::W;
  const V vl = S::splat(lse), vd = S::splat(delta), vs = S::splat(scale),
          vninf = S::splat(-std::numeric_limits<T>::infinity());
#pragma GCC unroll 4
  for (int v = 0; v < NV; ++v) {
    const V x = lane_logits<T>(s, v * W, j0, scale, bias, mask);
    const V p = S::select(x > vninf, S::exp(x - vl), V{});
    storev(s + v * W, p);
    storev(dp + v * W, p * (loadv<V>(dp + v * W) - vd) * vs);
  }
}

// Cuts [0, n) into num_threads() contiguous parts of about equal total cost (cost(i) >= 1):
// returns the parts' boundaries (parts + 1 ascending values from 0 to n; a part may be empty).
// Per-item cost varies a lot in sparse attention (a target tile sees few key tiles, a long-context
// tile many), so equal item counts would leave threads idle.
template <typename CostFn>
inline std::vector<int64_t> balanced_cuts(int64_t n, CostFn cost) {
  std::vector<int64_t> pre(n + 1, 0);
  for (int64_t i = 0; i < n; ++i) pre[i + 1] = pre[i] + cost(i);
  const int64_t parts = std::max<int64_t>(1, std::min<int64_t>(n, num_threads()));
  std::vector<int64_t> cut(parts + 1, n);
  cut[0] = 0;
  for (int64_t p = 1; p < parts; ++p)
    cut[p] = std::lower_bound(pre.begin(), pre.end(), pre[n] * p / parts) - pre.begin();
  return cut;
}

// Runs body(item_begin, item_end) over the balanced parts of [0, n) in parallel.
template <typename CostFn, typename Body>
inline void balanced_parallel(int64_t n, CostFn cost, Body body) {
  if (n <= 0) return;
  const std::vector<int64_t> cut = balanced_cuts(n, cost);
  parallel_for((int64_t)cut.size() - 1, 1, [&](int64_t b, int64_t e) {
    for (int64_t p = b; p < e; ++p)
      if (cut[p] < cut[p + 1]) body(cut[p], cut[p + 1]);
  });
}

}  // namespace attn
}  // namespace recforge
