// LS-DQN's fused Max-Cut Q forward on the CPU (contract: recforge/lsdqn_maxcut_q.h).
//
// Why fused: the generic-op forward (lib/methods/lsdqn/model/qnet.ts) spent ~4 ms per start and move
// at Gset size (n = 800, d = 64): per-op dispatch and allocation, the graph replicated once per start
// (B·E edges), and the W2 H_a linear over [μ; H_o] (2d wide) where its second half is one of two
// vectors. Here each start is one row, processed alone on one thread with its working set
// (4 n·d arrays, ~0.8 MB in float32) in the core's cache: gains and node features from the CSR,
// T−1 rounds of weighted mean aggregation (a gather per destination) and the θ1 product (the project's
// own GEMM, serial), then the readout with the H_o halves reduced to two vectors per side.
//
// This body is compiled once per instruction set (recforge/cpu_isa.h): lsdqn_maxcut_q_{baseline,avx2,
// avx512}.cc include it after their includes (the AVX ones after `#pragma GCC target`); the
// aggregation and readout loops over d vectorise for the variant's width. lsdqn_maxcut_q.cc dispatches.
#if !defined(RECFORGE_ISA)
#error "define RECFORGE_ISA before including lsdqn_maxcut_q_kernels.h"
#endif

#pragma GCC diagnostic ignored "-Wsubobject-linkage"

namespace recforge {
namespace RECFORGE_ISA {
namespace {

template <typename T>
struct MaxCutQWork {
  std::vector<double> gain, sd;
  std::vector<T> feat, agg, tmp, wt, tws, tact, th0;
  std::vector<uint8_t> chg, dirty;
  std::vector<int32_t> idx;
  // The row cache when the caller keeps none (every call then computes everything).
  std::vector<T> own;
  std::vector<int32_t> own_last;
  void size(int64_t n, int64_t d, int64_t E) {
    chg.resize(n);
    dirty.resize(n);
    idx.resize(n);
    gain.resize(n);
    sd.resize(n);
    wt.resize(E);
    tws.resize(d);
    tact.resize(d);
    th0.resize(3 * d);
    feat.resize(n);
    agg.resize(n * d);
    tmp.resize(n * d);
  }
};

template <typename T>
inline T relu_t(T x) {
  return x > T(0) ? x : T(0);
}

// 64-byte vectors (GCC vector extension: one zmm in the AVX-512 variant, two ymm / four xmm below). Rows
// of d values are processed L = 64 / sizeof(T) at a time when L divides d, by scalar loops otherwise.
template <typename T>
struct V64 {
  typedef T type __attribute__((vector_size(64)));
  static constexpr int64_t L = 64 / sizeof(T);
  static type load(const T* p) {
    type v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
  }
  static void store(T* p, type v) { __builtin_memcpy(p, &v, sizeof v); }
  static type splat(T x) { return type{} + x; }
  static T sum(type v) {
    T s = 0;
    for (int64_t l = 0; l < L; ++l) s += v[l];
    return s;
  }
};

// Σ_j a[j] b[j] over d: lane-wise partial sums (a float reduction does not vectorise without reassociation).
template <typename T>
inline T dot(const T* a, const T* b, int64_t d) {
  using V = V64<T>;
  if (d % V::L != 0) {
    T s = 0;
    for (int64_t j = 0; j < d; ++j) s += a[j] * b[j];
    return s;
  }
  typename V::type acc = V::splat(T(0));
  for (int64_t j = 0; j < d; j += V::L) acc += V::load(a + j) * V::load(b + j);
  return V::sum(acc);
}

// out[j] = Σ_i W[j·ldw + off + i] x[i] (a d×d block of a row-major matrix times a vector).
template <typename T>
inline void matvec(const T* W, int64_t ldw, int64_t off, const T* x, int64_t d, T* out) {
  for (int64_t j = 0; j < d; ++j) out[j] = dot(W + j * ldw + off, x, d);
}

// o = (1/deg v) Σ_{e into v} w_e μ_{src e}: the weighted mean aggregation of one destination, with the
// running sums in registers (up to 4 vectors = 64 floats at a time) instead of stored back per edge.
template <typename T>
inline void aggregate_node(const MaxCutQGraph& g, const T* wt, const T* mu, int64_t d, int64_t v, T* o) {
  using V = V64<T>;
  const int64_t b = g.indptr[v], e1 = g.indptr[v + 1];
  if (d % V::L != 0) {
    std::fill(o, o + d, T(0));
    for (int64_t e = b; e < e1; ++e) {
      const T we = wt[e];
      const T* xe = mu + (int64_t)g.src[e] * d;
      for (int64_t j = 0; j < d; ++j) o[j] += we * xe[j];
    }
  } else {
    for (int64_t c0 = 0; c0 < d; c0 += 4 * V::L) {
      const int64_t m = std::min<int64_t>(4, (d - c0) / V::L);
      typename V::type a0 = V::splat(T(0)), a1 = a0, a2 = a0, a3 = a0;
      if (m == 4) {
        for (int64_t e = b; e < e1; ++e) {
          const typename V::type w = V::splat(wt[e]);
          const T* x = mu + (int64_t)g.src[e] * d + c0;
          a0 += w * V::load(x);
          a1 += w * V::load(x + V::L);
          a2 += w * V::load(x + 2 * V::L);
          a3 += w * V::load(x + 3 * V::L);
        }
      } else {
        for (int64_t e = b; e < e1; ++e) {
          const typename V::type w = V::splat(wt[e]);
          const T* x = mu + (int64_t)g.src[e] * d + c0;
          a0 += w * V::load(x);
          if (m > 1) a1 += w * V::load(x + V::L);
          if (m > 2) a2 += w * V::load(x + 2 * V::L);
        }
      }
      V::store(o + c0, a0);
      if (m > 1) V::store(o + c0 + V::L, a1);
      if (m > 2) V::store(o + c0 + 2 * V::L, a2);
      if (m > 3) V::store(o + c0 + 3 * V::L, a3);
    }
  }
  if (e1 > b) {
    const T inv = T(1) / T(e1 - b);
    for (int64_t j = 0; j < d; ++j) o[j] *= inv;
  }
}

// The row's caches (recforge/lsdqn_maxcut_q.h, MaxCutQCache): fixed [n, d], μ¹..μ^T [T, n, d], P_t = θ1 agg(μ^t)
// [T−1, n, d] and Z = W2[:, :d] μ^T [n, d]; `valid` says they hold the values of the spins `last`.
template <typename T>
struct RowCache {
  T *fixed, *mu, *pre, *z;
  int32_t* last;  // [n] spins of the cached values, then the valid flag at last[n]
};

template <typename T>
void row_forward(const MaxCutQNetParams<T>& p, const MaxCutQGraph& g, const int32_t* s, T* q, T* stop,
                 MaxCutQWork<T>& w, const RowCache<T>& c) {
  const int64_t n = g.n, d = p.d, D = p.gains ? 3 : 2;
  const int32_t* ip = g.indptr;
  const bool valid = c.last[n] == 1;
  const size_t row_bytes = (size_t)d * sizeof(T);
  // Flip gains, in float64 and in the TS reference's order (flipGains): the feature and the reward.
  // Branch-free: sd = ±1 as float64; s_v Σ_e (w_e s_u) equals Σ_e (w_e s_u) s_v bit for bit (signs are exact).
  for (int64_t v = 0; v < n; ++v) w.sd[v] = s[v] > 0 ? 1.0 : -1.0;
  for (int64_t v = 0; v < n; ++v) {
    double acc = 0;
    for (int64_t e = ip[v]; e < ip[v + 1]; ++e) acc += g.weight[e] * w.sd[g.src[e]];
    acc *= w.sd[v];
    w.gain[v] = acc;
    w.feat[v] = T(acc / g.scale);
  }
  // Incremental recomputation: a value is recomputed only where one of its inputs changed since the cached
  // call (after one flip: the flipped node's neighbourhood, growing one hop per round), with the same
  // arithmetic as a full computation; `chg` marks the nodes whose newest layer changed (bitwise).
  uint8_t* chg = w.chg.data();
  uint8_t* dirty = w.dirty.data();
  // fixed = θ0 x + edge term (θ0's columns made contiguous: x has one non-zero label entry and the gain).
  T* th = w.th0.data();
  for (int64_t j = 0; j < d; ++j)
    for (int64_t k = 0; k < D; ++k) th[k * d + j] = p.theta0[j * D + k];
  T* __restrict fnew = w.tws.data();
  for (int64_t v = 0; v < n; ++v) {
    const T* __restrict cs = th + (s[v] > 0 ? d : 0);
    const T* __restrict cg = th + 2 * d;
    const T* __restrict et = p.edge_term + v * d;
    const T f = w.feat[v];
    if (p.gains)
      for (int64_t j = 0; j < d; ++j) fnew[j] = (cs[j] + cg[j] * f) + et[j];
    else
      for (int64_t j = 0; j < d; ++j) fnew[j] = cs[j] + et[j];
    T* fv = c.fixed + v * d;
    dirty[v] = !valid || std::memcmp(fnew, fv, row_bytes) != 0;  // bit 0: fixed_v changed (all rounds)
    if (dirty[v]) std::memcpy(fv, fnew, row_bytes);
  }
  // μ¹ = relu(fixed).
  for (int64_t v = 0; v < n; ++v) {
    chg[v] = 0;
    if (!dirty[v]) continue;
    T* __restrict mv = c.mu + v * d;
    const T* __restrict fv = c.fixed + v * d;
    for (int64_t j = 0; j < d; ++j) fnew[j] = relu_t(fv[j]);
    chg[v] = !valid || std::memcmp(fnew, mv, row_bytes) != 0;
    if (chg[v]) std::memcpy(mv, fnew, row_bytes);
  }
  // Rounds: agg_v = (1/deg v) Σ w_uv μ_u; P_t = agg θ1ᵀ; μ^{t+1} = relu(fixed + P_t). Only destinations with a
  // changed source are aggregated (gathered into a compact block for one product).
  T* __restrict agg = w.agg.data();
  T* __restrict tmp = w.tmp.data();
  int32_t* idx = w.idx.data();
  for (int64_t t = 1; t < p.rounds; ++t) {
    const T* mu_t = c.mu + (t - 1) * n * d;
    T* pre_t = c.pre + (t - 1) * n * d;
    T* mu_n = c.mu + t * n * d;
    int64_t m = 0;
    for (int64_t v = 0; v < n; ++v) {
      bool need = !valid;
      for (int64_t e = ip[v]; !need && e < ip[v + 1]; ++e) need = chg[g.src[e]] != 0;
      if (need) idx[m++] = (int32_t)v;
    }
    for (int64_t i = 0; i < m; ++i) aggregate_node(g, w.wt.data(), mu_t, d, idx[i], agg + i * d);
    if (m > 0) gemm_detail::own_gemm_one<T>(false, true, m, d, d, T(1), agg, d, p.theta1, d, T(0), tmp, d, /*serial=*/true);
    for (int64_t i = 0; i < m; ++i) {
      const int64_t v = idx[i];
      if (valid && std::memcmp(tmp + i * d, pre_t + v * d, row_bytes) == 0) continue;
      std::memcpy(pre_t + v * d, tmp + i * d, row_bytes);
      dirty[v] |= 2;  // bit 1: P_t changed (this round only)
    }
    for (int64_t v = 0; v < n; ++v) {
      const bool redo = dirty[v] != 0;
      dirty[v] &= 1;
      chg[v] = 0;
      if (!redo) continue;
      const T* __restrict fv = c.fixed + v * d;
      const T* __restrict pv = pre_t + v * d;
      for (int64_t j = 0; j < d; ++j) fnew[j] = relu_t(fv[j] + pv[j]);
      T* mv = mu_n + v * d;
      chg[v] = !valid || std::memcmp(fnew, mv, row_bytes) != 0;
      if (chg[v]) std::memcpy(mv, fnew, row_bytes);
    }
  }
  T* __restrict mu = c.mu + (p.rounds - 1) * n * d;  // μ^T
  // Z = μ^T W2[:, :d]ᵀ (the per-node half of W2 H_a), for the nodes whose μ^T changed.
  {
    int64_t m = 0;
    for (int64_t v = 0; v < n; ++v)
      if (!valid || chg[v]) {
        idx[m] = (int32_t)v;
        std::memcpy(agg + m * d, mu + v * d, row_bytes);
        ++m;
      }
    if (m > 0) gemm_detail::own_gemm_one<T>(false, true, m, d, d, T(1), agg, d, p.w2, 2 * d, T(0), tmp, d, /*serial=*/true);
    for (int64_t i = 0; i < m; ++i) std::memcpy(c.z + (int64_t)idx[i] * d, tmp + i * d, row_bytes);
  }
  std::memcpy(c.last, s, (size_t)n * sizeof(int32_t));
  c.last[n] = 1;
  // Readout. H_c: side means (0 for an empty side).
  std::vector<T> H(2 * d, T(0)), K(4 * d), V(2 * d), O(2 * d), u(d), hs(d);
  int64_t cnt[2] = {0, 0};
  for (int64_t v = 0; v < n; ++v) {
    const int64_t c = s[v] > 0 ? 1 : 0;
    ++cnt[c];
    const T* mv = mu + v * d;
    T* h = H.data() + c * d;
    for (int64_t j = 0; j < d; ++j) h[j] += mv[j];
  }
  for (int c = 0; c < 2; ++c)
    if (cnt[c] > 0) {
      const T inv = T(1) / T(cnt[c]);
      for (int64_t j = 0; j < d; ++j) H[c * d + j] *= inv;
    }
  // K_c = H_cᵀ Wa [2d]; V_c = W1 H_c; O_c = W2[:, d:] H_c.
  for (int c = 0; c < 2; ++c) {
    T* k = K.data() + c * 2 * d;
    std::fill(k, k + 2 * d, T(0));
    for (int64_t i = 0; i < d; ++i) {
      const T h = H[c * d + i];
      const T* row = p.wa + i * 2 * d;
      for (int64_t j = 0; j < 2 * d; ++j) k[j] += h * row[j];
    }
    matvec(p.w1, d, 0, H.data() + c * d, d, V.data() + c * d);
    matvec(p.w2, 2 * d, d, H.data() + c * d, d, O.data() + c * d);
  }
  // The attention score's H_o half: kb[c][o] = K_c[d:] · H_o.
  T kb[2][2];
  for (int c = 0; c < 2; ++c)
    for (int o = 0; o < 2; ++o) kb[c][o] = dot(K.data() + c * 2 * d + d, H.data() + o * d, d);
  const T* w0s = p.w0;
  const T* w0a = p.w0 + d;
  const T lam = p.lambda;
  for (int64_t v = 0; v < n; ++v) {
    const int o = s[v] > 0 ? 0 : 1;  // the other side
    const T* mv = mu + v * d;
    const T s0 = dot(mv, K.data(), d) + kb[0][o], s1 = dot(mv, K.data() + 2 * d, d) + kb[1][o];
    const T m = s0 > s1 ? s0 : s1;
    const T e0 = std::exp(s0 - m), e1 = std::exp(s1 - m), z = e0 + e1;
    const T a0 = e0 / z, a1 = e1 / z;
    const T f = w.feat[v];
    const T* __restrict zv = c.z + v * d;
    const T* __restrict ov = O.data() + o * d;
    T* __restrict tws = w.tws.data();
    T* __restrict tact = w.tact.data();
    const T* __restrict v0 = V.data();
    const T* __restrict v1 = V.data() + d;
    for (int64_t j = 0; j < d; ++j) tws[j] = relu_t(a0 * v0[j] + a1 * v1[j]);
    if (p.gains) {
      const T* __restrict wg = p.wg;
      for (int64_t j = 0; j < d; ++j) tact[j] = relu_t((zv[j] + ov[j]) + f * wg[j]);
    } else {
      for (int64_t j = 0; j < d; ++j) tact[j] = relu_t(zv[j] + ov[j]);
    }
    const T net = dot(w0s, tws, d) + dot(w0a, tact, d);
    q[v] = p.residual ? f + lam * net : net;
  }
  for (int64_t j = 0; j < d; ++j) hs[j] = (H[j] + H[d + j]) / T(2);
  matvec(p.w1, d, 0, hs.data(), d, u.data());
  T ns = 0;
  for (int64_t j = 0; j < d; ++j) ns += w0s[j] * relu_t(u[j]);
  *stop = p.residual ? lam * ns : ns;
}

}  // namespace

template <typename T>
void lsdqn_maxcut_q(const MaxCutQNetParams<T>& p, const MaxCutQGraph& g, int64_t R, const int32_t* spins, T* q,
                    T* stop, const MaxCutQCache<T>* cache) {
  const int64_t n = g.n, d = p.d, per_row = maxcut_q_cache_values(n, d, p.rounds);
  parallel_for(R, 1, [&](int64_t r0, int64_t r1) {
    MaxCutQWork<T> w;
    const int64_t E = g.indptr[g.n];
    w.size(g.n, p.d, E);
    for (int64_t e = 0; e < E; ++e) w.wt[e] = T(g.weight[e]);  // the network's edge weights, in T
    if (!cache) {
      w.own.resize(per_row);
      w.own_last.resize(n + 1);
    }
    for (int64_t r = r0; r < r1; ++r) {
      T* base = cache ? cache->values + r * per_row : w.own.data();
      int32_t* last = cache ? cache->last + r * (n + 1) : w.own_last.data();
      if (!cache) last[n] = 0;  // no cache: compute everything
      const RowCache<T> c{base, base + n * d, base + (1 + p.rounds) * n * d, base + 2 * p.rounds * n * d, last};
      row_forward(p, g, spins + r * n, q + r * n, stop + r, w, c);
    }
  });
}

template void lsdqn_maxcut_q<float>(const MaxCutQNetParams<float>&, const MaxCutQGraph&, int64_t, const int32_t*,
                                    float*, float*, const MaxCutQCache<float>*);
template void lsdqn_maxcut_q<double>(const MaxCutQNetParams<double>&, const MaxCutQGraph&, int64_t, const int32_t*,
                                     double*, double*, const MaxCutQCache<double>*);

}  // namespace RECFORGE_ISA
}  // namespace recforge
