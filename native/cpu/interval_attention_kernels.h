// CPU interval attention (see recforge/interval_attention.h for the contract).
//
// Flash-attention style: query tiles of BQ rows stream over key tiles of BK keys with an online
// softmax, so no L×L buffer exists. A tile plan lists, per query tile, only the key tiles that
// some query of the tile may see (the union of its rows' intervals, in tile units), and marks the
// pairs where every row sees every key ("full": no per-element predicate). Backward uses the
// transpose of the same plan.
//
// This body is compiled once per instruction set (recforge/cpu_isa.h): interval_attention_baseline.cc and
// interval_attention_avx2.cc include it after their includes (and, for AVX2, after `#pragma GCC target`
// and `#define attn attn_isa_avx2`, which gives the shared inner loops of attention_simd.h /
// attention_rows.h their own AVX2 copy; interval_attention_avx512.cc likewise for AVX-512, where the
// inner loops use 16-float vectors: a tile row of 16 keys is one register). RECFORGE_ISA names the
// variant's namespace; interval_attention.cc dispatches on cpu_isa().
#if !defined(RECFORGE_ISA)
#error "define RECFORGE_ISA before including interval_attention_kernels.h"
#endif

// The variant's entry points (external linkage, so the dispatcher can call them) capture this
// file's internal types in lambdas; GCC warns about that (-Wsubobject-linkage), but each variant's
// namespace is distinct and the lambdas never leave this translation unit.
#pragma GCC diagnostic ignored "-Wsubobject-linkage"

namespace recforge {
namespace RECFORGE_ISA {
namespace {

using attn::gemm_acc;
using attn::RowBias;
using attn::RowIntervals;

// 8 query rows × 16 keys. Narrow tiles follow the edges of the visible region closely: a DTI query
// tile's key range is the union of its rows' windows, which start at a different token for each
// interaction or target, so wide tiles visit many masked pairs. Measured 2026-11-26 on this 2-core
// machine, fused forward + backward, against the previous 32 × 32: MovieLens DTI k = 40 rows at
// H = 4, D = 32 (the bench model's heads), one thread: −10% forward, −17% backward (SW rows −11%,
// −18%); dtiKernelLayout at 2 threads: n = k = 40, D = 64: 44.4 vs 47.3 ms; n = k = 20: 25.3 vs
// 29.4 ms; D = 128: 41.9 vs 44.9 ms. 8 × 8 and 32 × 16 were slower, 16 × 16 between.
constexpr int64_t BQ = 8;
constexpr int64_t BK = 16;

// Which key tiles each query tile visits (CSR by query tile), and the transpose (CSR by key tile).
struct TilePlan {
  int64_t nqt = 0, nkt = 0;
  std::vector<int64_t> q_ptr;   // [nqt + 1]
  std::vector<int32_t> q_kt;    // key tile of each visited pair, ascending within a query tile
  std::vector<uint8_t> q_full;  // 1 when every row of the query tile sees every key of the key tile
  std::vector<int64_t> k_ptr;   // [nkt + 1] (only with the transpose)
  std::vector<int32_t> k_qt;
  std::vector<uint8_t> k_full;
};

// True when every query row of tile qt sees every key of tile kt (and the key tile is not cut by L).
bool tile_is_full(const int32_t* iv, int64_t L, int64_t qt, int64_t kt) {
  const int64_t j0 = kt * BK, j1 = j0 + BK;
  if (j1 > L) return false;
  const int64_t i1 = std::min(L, (qt + 1) * BQ);
  for (int64_t i = qt * BQ; i < i1; ++i)
    if (!RowIntervals::of(iv, L, i).covers(j0, j1)) return false;
  return true;
}

TilePlan build_plan(int64_t L, const int32_t* iv, bool with_transpose) {
  TilePlan plan;
  plan.nqt = (L + BQ - 1) / BQ;
  plan.nkt = (L + BK - 1) / BK;
  std::vector<std::vector<int32_t>> tiles(plan.nqt);
  std::vector<std::vector<uint8_t>> fulls(plan.nqt);
  // Per query tile: the rows' non-empty intervals as key-tile ranges, sorted and merged. Cost is
  // O(BQ log BQ + visited tiles) per query tile, never O(number of key tiles).
  parallel_for(plan.nqt, 8, [&](int64_t b, int64_t e) {
    std::vector<std::pair<int32_t, int32_t>> ranges;
    for (int64_t qt = b; qt < e; ++qt) {
      ranges.clear();
      const int64_t i1 = std::min(L, (qt + 1) * BQ);
      for (int64_t i = qt * BQ; i < i1; ++i) {
        const RowIntervals r = RowIntervals::of(iv, L, i);
        const int64_t lo[3] = {r.pl, r.cl, r.sl}, hi[3] = {r.ph, r.ch, i + 1};
        for (int t = 0; t < 3; ++t)
          if (lo[t] < hi[t]) ranges.emplace_back((int32_t)(lo[t] / BK), (int32_t)((hi[t] - 1) / BK));
      }
      std::sort(ranges.begin(), ranges.end());
      int32_t next = 0;  // first key tile not yet emitted
      for (auto [a, z] : ranges) {
        for (int32_t kt = std::max(a, next); kt <= z; ++kt) {
          tiles[qt].push_back(kt);
          fulls[qt].push_back(tile_is_full(iv, L, qt, kt));
        }
        next = std::max(next, z + 1);
      }
    }
  });
  plan.q_ptr.assign(plan.nqt + 1, 0);
  for (int64_t qt = 0; qt < plan.nqt; ++qt) plan.q_ptr[qt + 1] = plan.q_ptr[qt] + (int64_t)tiles[qt].size();
  plan.q_kt.resize(plan.q_ptr[plan.nqt]);
  plan.q_full.resize(plan.q_ptr[plan.nqt]);
  for (int64_t qt = 0; qt < plan.nqt; ++qt) {
    std::copy(tiles[qt].begin(), tiles[qt].end(), plan.q_kt.begin() + plan.q_ptr[qt]);
    std::copy(fulls[qt].begin(), fulls[qt].end(), plan.q_full.begin() + plan.q_ptr[qt]);
  }
  if (with_transpose) {  // counting sort by key tile; query tiles stay ascending within a key tile
    plan.k_ptr.assign(plan.nkt + 1, 0);
    for (int32_t kt : plan.q_kt) ++plan.k_ptr[kt + 1];
    for (int64_t kt = 0; kt < plan.nkt; ++kt) plan.k_ptr[kt + 1] += plan.k_ptr[kt];
    plan.k_qt.resize(plan.q_kt.size());
    plan.k_full.resize(plan.q_kt.size());
    std::vector<int64_t> fill(plan.k_ptr.begin(), plan.k_ptr.end() - 1);
    for (int64_t qt = 0; qt < plan.nqt; ++qt)
      for (int64_t e = plan.q_ptr[qt]; e < plan.q_ptr[qt + 1]; ++e) {
        const int64_t at = fill[plan.q_kt[e]]++;
        plan.k_qt[at] = (int32_t)qt;
        plan.k_full[at] = plan.q_full[e];
      }
  }
  return plan;
}

template <typename T>
struct Problem {
  int64_t H, L, D, Dp;  // Dp: D rounded up to the vector width (padded tile rows)
  const T *q, *k, *v;
  const int32_t* iv;
  const T* slopes;
  const int32_t* pos;
  T scale;
};

// dst[d·BK + jj] = src[(j0 + jj)·D + d]: a key tile transposed so that S = Q·Kᵀ reads it by rows.
// Columns past the end of the sequence are zeroed (they are masked, but must stay finite).
template <typename T>
void pack_transposed(const T* src, int64_t D, int64_t j0, int64_t nk, T* dst) {
  for (int64_t jj = 0; jj < nk; ++jj) {
    const T* row = src + (j0 + jj) * D;
    for (int64_t d = 0; d < D; ++d) dst[d * BK + jj] = row[d];
  }
  if (nk < BK)
    for (int64_t d = 0; d < D; ++d) std::fill(dst + d * BK + nk, dst + d * BK + BK, T(0));
}

// dst[r·Dp + d] = src[(r0 + r)·D + d] for r < n; rows n..rows zeroed. Columns D..Dp are never
// written, so they keep the zeros the scratch buffers start with.
template <typename T>
void pack_rows(const T* src, int64_t D, int64_t Dp, int64_t r0, int64_t n, int64_t rows, T* dst) {
  for (int64_t r = 0; r < n; ++r) std::copy(src + (r0 + r) * D, src + (r0 + r + 1) * D, dst + r * Dp);
  if (n < rows) std::fill(dst + n * Dp, dst + rows * Dp, T(0));
}

template <typename T>
void pack_positions(const int32_t* pos, int64_t j0, int64_t nk, int32_t* dst) {
  if (!pos) return;
  std::copy(pos + j0, pos + j0 + nk, dst);
  std::fill(dst + nk, dst + BK, 0);
}

template <typename T>
RowBias<T> row_bias(const Problem<T>& p, int64_t h, int64_t i, const int32_t* posb) {
  RowBias<T> b;
  if (p.slopes) b = {true, p.slopes[h], p.pos[i], posb};
  return b;
}

// Kᵀ of every key tile, packed once per call ([H][nkt][D][BK], tile-contiguous): a visited key tile
// is read by many query tiles, and transposing it for each of them would cost as much as a
// quarter of the Q·Kᵀ product itself.
template <typename T>
std::vector<T> pack_all_keys_transposed(const Problem<T>& p, int64_t nkt) {
  std::vector<T> kt(p.H * nkt * p.D * BK);
  parallel_for(p.H * nkt, 4, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      const int64_t h = t / nkt, j0 = (t % nkt) * BK;
      pack_transposed(p.k + h * p.L * p.D, p.D, j0, std::min(BK, p.L - j0), kt.data() + t * p.D * BK);
    }
  });
  return kt;
}

// ---------------------------------------------------------------------------------- forward
template <typename T>
void forward_range(const Problem<T>& p, const TilePlan& plan, const T* kt_packed, int64_t item_begin,
                   int64_t item_end, T* out, T* lse) {
  constexpr int W = attn::Simd<T>::W, NV = BK / W;  // a tile row: NV vectors
  static_assert(BK % W == 0, "a key tile is a whole number of vectors");
  const int64_t L = p.L, D = p.D, Dp = p.Dp;
  std::vector<T> Qb(BQ * Dp), Ob(BQ * Dp), Vb(BK * Dp), S(BQ * BK), m(BQ), lsum(BQ * W);
  std::vector<int32_t> posb(BK);
  const T ninf = -std::numeric_limits<T>::infinity();
  for (int64_t item = item_begin; item < item_end; ++item) {
    const int64_t h = item / plan.nqt, qt = item % plan.nqt;
    const int64_t i0 = qt * BQ, nq = std::min(BQ, L - i0);
    const T *qh = p.q + h * L * D, *vh = p.v + h * L * D;
    pack_rows(qh, D, Dp, i0, nq, BQ, Qb.data());
    std::fill(Ob.begin(), Ob.end(), T(0));
    std::fill(m.begin(), m.end(), ninf);
    std::fill(lsum.begin(), lsum.end(), T(0));
    for (int64_t e = plan.q_ptr[qt]; e < plan.q_ptr[qt + 1]; ++e) {
      const int64_t kt = plan.q_kt[e], j0 = kt * BK, nk = std::min(BK, L - j0);
      const bool full = plan.q_full[e];
      // V rows serve as the B operand directly when D is a multiple of the vector width.
      const T* vb = vh + j0 * D;
      if (Dp != D) pack_rows(vh, D, Dp, j0, nk, nk, Vb.data()), vb = Vb.data();
      pack_positions<T>(p.pos, j0, nk, posb.data());
      gemm_acc<T>(BQ, BK, D, Qb.data(), Dp, kt_packed + (h * plan.nkt + kt) * D * BK, BK, S.data(), BK, false);
      for (int64_t r = 0; r < nq; ++r) {
        const RowIntervals ri = RowIntervals::of(p.iv, L, i0 + r);
        const T corr = attn::row_online_softmax<T, NV>(S.data() + r * BK, j0, p.scale,
                                                       row_bias(p, h, i0 + r, posb.data()), full ? nullptr : &ri, m[r],
                                                       lsum.data() + r * W);
        if (corr != T(1))
          for (int64_t d = 0; d < Dp; ++d) Ob[r * Dp + d] *= corr;
      }
      if (nq < BQ) std::fill(S.begin() + nq * BK, S.end(), T(0));
      gemm_acc<T>(BQ, Dp, nk, S.data(), BK, vb, Dp, Ob.data(), Dp, true);
    }
    for (int64_t r = 0; r < nq; ++r) {
      // l > 0: every row sees at least its own key.
      const T l = attn::hsum<T>(attn::loadv<typename attn::Simd<T>::V>(lsum.data() + r * W));
      const T inv = T(1) / l;
      T* o = out + (h * L + i0 + r) * D;
      for (int64_t d = 0; d < D; ++d) o[d] = Ob[r * Dp + d] * inv;
      lse[h * L + i0 + r] = m[r] + std::log(l);
    }
  }
}

// --------------------------------------------------------------------------------- backward
// One backward part: the items [item_begin, item_end) (item = head · nkt + key tile). For each key
// tile, dK and dV accumulate over the query tiles that see it (private to the item: no races);
// dQ contributions go to `dq_of(h)`, which is dq itself for heads this part owns entirely and a
// private [L, D] buffer for heads shared with a neighbouring part (summed afterwards).
// Per (query tile, key tile) pair: P = exp(logits - lse), dS = P·(dO·Vᵀ - delta)·scale, then
// dV += Pᵀ·dO, dK += dSᵀ·Q, dQ += dS·K.
template <typename T, typename DqOf>
void backward_range(const Problem<T>& p, const TilePlan& plan, int64_t item_begin, int64_t item_end, const T* lse,
                    const T* delta, const T* dout, T* dk, T* dv, DqOf dq_of) {
  const int64_t L = p.L, D = p.D, Dp = p.Dp;
  std::vector<T> Qb(BQ * Dp), dOb(BQ * Dp), Kt(D * BK), Vt(D * BK), Kb(BK * Dp), P(BQ * BK), dS(BQ * BK);
  std::vector<T> dKa(BK * Dp), dVa(BK * Dp), dQt(BQ * Dp);
  std::vector<int32_t> posb(BK);
  for (int64_t item = item_begin; item < item_end; ++item) {
    const int64_t h = item / plan.nkt, kt = item % plan.nkt;
    const int64_t j0 = kt * BK, nk = std::min(BK, L - j0);
    const T *qh = p.q + h * L * D, *kh = p.k + h * L * D, *doh = dout + h * L * D;
    T* dqh = dq_of(h);
    pack_transposed(kh, D, j0, nk, Kt.data());
    pack_transposed(p.v + h * L * D, D, j0, nk, Vt.data());
    const T* kb = kh + j0 * D;  // K rows as the B operand of dS·K (padded copy when D % W != 0)
    if (Dp != D) pack_rows(kh, D, Dp, j0, nk, nk, Kb.data()), kb = Kb.data();
    pack_positions<T>(p.pos, j0, nk, posb.data());
    std::fill(dKa.begin(), dKa.end(), T(0));
    std::fill(dVa.begin(), dVa.end(), T(0));
    for (int64_t e = plan.k_ptr[kt]; e < plan.k_ptr[kt + 1]; ++e) {
      const int64_t i0 = plan.k_qt[e] * BQ, nq = std::min(BQ, L - i0);
      // Q and dO rows are used in place unless they need padding (D % W != 0 or a cut last tile).
      const T *qa = qh + i0 * D, *doa = doh + i0 * D;
      if (Dp != D || nq < BQ) {
        pack_rows(qh, D, Dp, i0, nq, BQ, Qb.data()), qa = Qb.data();
        pack_rows(doh, D, Dp, i0, nq, BQ, dOb.data()), doa = dOb.data();
      }
      gemm_acc<T>(BQ, BK, D, qa, Dp, Kt.data(), BK, P.data(), BK, false);
      gemm_acc<T>(BQ, BK, D, doa, Dp, Vt.data(), BK, dS.data(), BK, false);
      for (int64_t r = 0; r < nq; ++r) {
        const int64_t i = i0 + r;
        const RowIntervals ri = RowIntervals::of(p.iv, L, i);
        attn::row_grad_fused<T, BK / attn::Simd<T>::W>(P.data() + r * BK, dS.data() + r * BK, j0, p.scale,
                                                        row_bias(p, h, i, posb.data()), plan.k_full[e] ? nullptr : &ri,
                                                        lse[h * L + i], delta[h * L + i]);
      }
      // Rows past nq never reach dK/dV/dQ: kdim = nq below, and dQ rows past nq are not stored.
      gemm_acc<T, true>(BK, Dp, nq, P.data(), BK, doa, Dp, dVa.data(), Dp, true);
      gemm_acc<T, true>(BK, Dp, nq, dS.data(), BK, qa, Dp, dKa.data(), Dp, true);
      if (Dp == D && nq == BQ) {  // dQ rows accumulate in place (no padding to strip)
        gemm_acc<T>(BQ, D, nk, dS.data(), BK, kb, Dp, dqh + i0 * D, D, true);
      } else {
        gemm_acc<T>(BQ, Dp, nk, dS.data(), BK, kb, Dp, dQt.data(), Dp, false);
        for (int64_t r = 0; r < nq; ++r) {
          T* dst = dqh + (i0 + r) * D;
          const T* src = dQt.data() + r * Dp;
          for (int64_t d = 0; d < D; ++d) dst[d] += src[d];
        }
      }
    }
    for (int64_t jj = 0; jj < nk; ++jj) {
      std::copy(dKa.begin() + jj * Dp, dKa.begin() + jj * Dp + D, dk + (h * L + j0 + jj) * D);
      std::copy(dVa.begin() + jj * Dp, dVa.begin() + jj * Dp + D, dv + (h * L + j0 + jj) * D);
    }
  }
}

template <typename T>
Problem<T> make_problem(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v, const int32_t* iv,
                        const T* slopes, const int32_t* pos, double scale) {
  const bool alibi = slopes != nullptr && pos != nullptr;
  return {H, L, D, attn::round_up(D, attn::Simd<T>::W), q, k, v, iv, alibi ? slopes : nullptr,
          alibi ? pos : nullptr, (T)scale};
}

}  // namespace

template <typename T>
void interval_attention_forward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* out,
                                T* lse) {
  if (H <= 0 || L <= 0) return;
  const Problem<T> p = make_problem(H, L, D, q, k, v, iv, slopes, pos, scale);
  const TilePlan plan = build_plan(L, iv, false);
  const std::vector<T> kt_packed = pack_all_keys_transposed(p, plan.nkt);
  attn::balanced_parallel(
      H * plan.nqt,
      [&](int64_t item) {
        const int64_t qt = item % plan.nqt;
        return 1 + plan.q_ptr[qt + 1] - plan.q_ptr[qt];
      },
      [&](int64_t b, int64_t e) { forward_range(p, plan, kt_packed.data(), b, e, out, lse); });
}

template <typename T>
void interval_attention_backward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                 const T* out, const T* lse, const T* dout, const int32_t* iv, const T* slopes,
                                 const int32_t* pos, double scale, T* dq, T* dk, T* dv) {
  if (H <= 0 || L <= 0) return;
  const Problem<T> p = make_problem(H, L, D, q, k, v, iv, slopes, pos, scale);
  const TilePlan plan = build_plan(L, iv, true);
  const int64_t nkt = plan.nkt, HLD = H * L * D;
  std::vector<T> delta(H * L);  // delta_i = <dout_i, out_i>, used by every key tile that row i sees
  parallel_for(H * L, 256, [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) delta[t] = attn::dot(dout + t * D, out + t * D, D);
  });
  const std::vector<int64_t> cut = attn::balanced_cuts(H * nkt, [&](int64_t item) {
    const int64_t kt = item % nkt;
    return 1 + plan.k_ptr[kt + 1] - plan.k_ptr[kt];
  });
  // dq of head h gathers contributions from every key tile of h. A part owning all of h's items
  // writes dq[h] directly; a head split between parts (at most the first and last head of a part)
  // gets one private buffer per part, summed into dq[h] after the parallel region.
  const int64_t parts = (int64_t)cut.size() - 1;
  auto first_head = [&](int64_t part) { return cut[part] / nkt; };
  auto last_head = [&](int64_t part) { return (cut[part + 1] - 1) / nkt; };
  auto owns = [&](int64_t part, int64_t h) { return cut[part] <= h * nkt && (h + 1) * nkt <= cut[part + 1]; };
  std::vector<std::vector<T>> priv(2 * parts);  // [part][0: first head, 1: last head]
  parallel_for(parts, 1, [&](int64_t b, int64_t e) {
    for (int64_t part = b; part < e; ++part) {
      if (cut[part] >= cut[part + 1]) continue;
      const int64_t h0 = first_head(part), h1 = last_head(part);
      for (int64_t h = h0; h <= h1; ++h) {
        if (owns(part, h)) {
          std::fill(dq + h * L * D, dq + (h + 1) * L * D, T(0));
        } else {
          priv[2 * part + (h == h0 ? 0 : 1)].assign(L * D, T(0));
        }
      }
      auto dq_of = [&](int64_t h) -> T* {
        if (owns(part, h)) return dq + h * L * D;
        return priv[2 * part + (h == h0 ? 0 : 1)].data();
      };
      backward_range(p, plan, cut[part], cut[part + 1], lse, delta.data(), dout, dk, dv, dq_of);
    }
  });
  // Sum the shared heads' private buffers (each head: the parts whose range cuts into it).
  parallel_for(HLD ? L : 0, 64, [&](int64_t b, int64_t e) {
    for (int64_t h = 0; h < H; ++h) {
      bool shared = false;
      for (int64_t part = 0; part < parts; ++part)
        if (cut[part] < cut[part + 1] && first_head(part) <= h && h <= last_head(part) && !owns(part, h)) {
          const T* src = priv[2 * part + (h == first_head(part) ? 0 : 1)].data();
          T* dst = dq + h * L * D;
          if (!shared) std::copy(src + b * D, src + e * D, dst + b * D);
          else
            for (int64_t t = b * D; t < e * D; ++t) dst[t] += src[t];
          shared = true;
        }
    }
  });
}

#define RECFORGE_INSTANTIATE(T)                                                                                      \
  template void interval_attention_forward<T>(int64_t, int64_t, int64_t, const T*, const T*, const T*,              \
                                              const int32_t*, const T*, const int32_t*, double, T*, T*);            \
  template void interval_attention_backward<T>(int64_t, int64_t, int64_t, const T*, const T*, const T*, const T*,  \
                                               const T*, const T*, const int32_t*, const T*, const int32_t*, double, \
                                               T*, T*, T*);
RECFORGE_INSTANTIATE(float)
RECFORGE_INSTANTIATE(double)
#undef RECFORGE_INSTANTIATE

}  // namespace RECFORGE_ISA
}  // namespace recforge
