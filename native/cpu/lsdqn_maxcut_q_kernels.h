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
  std::vector<T> feat, fixed, mu, agg, tmp, wt, tws, tact, th0;
  void size(int64_t n, int64_t d, int64_t E) {
    gain.resize(n);
    sd.resize(n);
    wt.resize(E);
    tws.resize(d);
    tact.resize(d);
    th0.resize(3 * d);
    feat.resize(n);
    fixed.resize(n * d);
    mu.resize(n * d);
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

template <typename T>
void row_forward(const MaxCutQNetParams<T>& p, const MaxCutQGraph& g, const int32_t* s, T* q, T* stop,
                 MaxCutQWork<T>& w) {
  const int64_t n = g.n, d = p.d, D = p.gains ? 3 : 2;
  const int32_t* ip = g.indptr;
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
  // fixed = θ0 x + edge term; μ¹ = relu(fixed).
  T* __restrict fixed = w.fixed.data();
  T* __restrict mu = w.mu.data();
  // θ0's columns made contiguous (x has one non-zero label entry and the gain).
  T* th = w.th0.data();
  for (int64_t j = 0; j < d; ++j)
    for (int64_t c = 0; c < D; ++c) th[c * d + j] = p.theta0[j * D + c];
  for (int64_t v = 0; v < n; ++v) {
    const T* __restrict cs = th + (s[v] > 0 ? d : 0);
    const T* __restrict cg = th + 2 * d;
    const T* __restrict et = p.edge_term + v * d;
    T* __restrict fv = fixed + v * d;
    const T f = w.feat[v];
    if (p.gains)
      for (int64_t j = 0; j < d; ++j) fv[j] = (cs[j] + cg[j] * f) + et[j];
    else
      for (int64_t j = 0; j < d; ++j) fv[j] = cs[j] + et[j];
  }
  for (int64_t x = 0; x < n * d; ++x) mu[x] = relu_t(fixed[x]);
  // Rounds: agg_v = (1/deg v) Σ w_uv μ_u; μ = relu(fixed + agg θ1ᵀ).
  T* __restrict agg = w.agg.data();
  T* __restrict tmp = w.tmp.data();
  for (int64_t t = 1; t < p.rounds; ++t) {
    for (int64_t v = 0; v < n; ++v) aggregate_node(g, w.wt.data(), mu, d, v, agg + v * d);
    std::copy(fixed, fixed + n * d, tmp);
    gemm_detail::own_gemm_one<T>(false, true, n, d, d, T(1), agg, d, p.theta1, d, T(1), tmp, d, /*serial=*/true);
    for (int64_t x = 0; x < n * d; ++x) mu[x] = relu_t(tmp[x]);
  }
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
  // Z = μ W2[:, :d]ᵀ (the per-node half of W2 H_a).
  gemm_detail::own_gemm_one<T>(false, true, n, d, d, T(1), mu, d, p.w2, 2 * d, T(0), tmp, d, /*serial=*/true);
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
    const T* __restrict zv = tmp + v * d;
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
                    T* stop) {
  parallel_for(R, 1, [&](int64_t r0, int64_t r1) {
    MaxCutQWork<T> w;
    const int64_t E = g.indptr[g.n];
    w.size(g.n, p.d, E);
    for (int64_t e = 0; e < E; ++e) w.wt[e] = T(g.weight[e]);  // the network's edge weights, in T
    for (int64_t r = r0; r < r1; ++r) row_forward(p, g, spins + r * g.n, q + r * g.n, stop + r, w);
  });
}

template void lsdqn_maxcut_q<float>(const MaxCutQNetParams<float>&, const MaxCutQGraph&, int64_t, const int32_t*,
                                    float*, float*);
template void lsdqn_maxcut_q<double>(const MaxCutQNetParams<double>&, const MaxCutQGraph&, int64_t, const int32_t*,
                                     double*, double*);

}  // namespace RECFORGE_ISA
}  // namespace recforge
