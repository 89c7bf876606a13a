// Dense masked attention (the baseline; see recforge/dense_masked_attention.h). Same inner loops as
// the fused kernel (attention_simd.h / attention_rows.h) but over the full L×L score matrix with a
// materialised additive mask: the honest "generic mask" implementation, so that the benchmark's
// difference is tile skipping and memory traffic, not code quality.
//
// This body is compiled once per instruction set (recforge/cpu_isa.h): dense_masked_attention_baseline.cc and
// dense_masked_attention_avx2.cc include it after their includes (and, for AVX2, after `#pragma GCC target`
// and `#define attn attn_isa_avx2`, which gives the shared inner loops of attention_simd.h /
// attention_rows.h their own AVX2 copy). RECFORGE_ISA names the variant's namespace; dense_masked_attention.cc
// dispatches on cpu_isa(); dense_masked_attention_avx512.cc is the AVX-512 copy (16-float vectors).
#if !defined(RECFORGE_ISA)
#error "define RECFORGE_ISA before including dense_masked_attention_kernels.h"
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

constexpr int64_t BQ = 32;  // row block
constexpr int64_t BK = 64;  // key block (column panel of Kᵀ that stays in L1 while a row block uses it)

template <typename T>
struct Dense {
  int64_t H, L, D, Dp, Lp, Lq;  // Lp: L padded to BK (columns), Lq: L padded to BQ (rows)
  const T *q, *k, *v;
  const T* slopes;
  T scale;
  std::vector<T> mask;          // [L, Lp] additive: 0 where visible, -inf elsewhere (and past L)
  std::vector<int32_t> pos_pad;  // [Lp] positions, zero-padded (empty without ALiBi)

  Dense(int64_t H_, int64_t L_, int64_t D_, const T* q_, const T* k_, const T* v_, const int32_t* iv,
        const T* slopes_, const int32_t* pos, double scale_)
      : H(H_), L(L_), D(D_), Dp(attn::round_up(D_, attn::Simd<T>::W)), Lp(attn::round_up(L_, BK)),
        Lq(attn::round_up(L_, BQ)), q(q_), k(k_), v(v_), slopes(slopes_ && pos ? slopes_ : nullptr),
        scale((T)scale_) {
    mask.resize(L * Lp);
    const T ninf = -std::numeric_limits<T>::infinity();
    parallel_for(L, 64, [&](int64_t b, int64_t e) {
      for (int64_t i = b; i < e; ++i) {
        const RowIntervals r = RowIntervals::of(iv, L, i);
        T* row = mask.data() + i * Lp;
        for (int64_t j = 0; j < Lp; ++j) row[j] = (j < L && r.sees(j)) ? T(0) : ninf;
      }
    });
    if (slopes) {
      pos_pad.assign(Lp, 0);
      std::copy(pos, pos + L, pos_pad.begin());
    }
  }

  RowBias<T> bias(int64_t h, int64_t i) const {
    RowBias<T> b;
    if (slopes) b = {true, slopes[h], pos_pad[i], pos_pad.data()};
    return b;
  }

  // Row i of S (raw q·k over all Lp columns) → logits with the mask added; returns the row max.
  T logits(T* s, int64_t h, int64_t i) const {
    using S = attn::Simd<T>;
    using V = typename S::V;
    attn::row_logits<T>(s, Lp, 0, scale, bias(h, i), nullptr);
    const T* mrow = mask.data() + i * Lp;
    V mx = S::splat(-std::numeric_limits<T>::infinity());
    for (int64_t c = 0; c < Lp; c += S::W) {
      V x = attn::loadv<V>(s + c) + attn::loadv<V>(mrow + c);
      attn::storev(s + c, x);
      mx = S::select(x > mx, x, mx);
    }
    return attn::hmax<T>(mx);
  }

  // dst[d·Lp + j] = src[j·D + d] for j < L; zero-padded.
  void pack_transposed(const T* src, T* dst) const {
    std::fill(dst, dst + D * Lp, T(0));
    parallel_for(L, 256, [&](int64_t b, int64_t e) {
      for (int64_t j = b; j < e; ++j)
        for (int64_t d = 0; d < D; ++d) dst[d * Lp + j] = src[j * D + d];
    });
  }
  // dst[j·Dp + d] = src[j·D + d] for j < L; zero-padded to `rows` rows and Dp columns.
  void pack_rows(const T* src, int64_t rows, T* dst) const {
    std::fill(dst, dst + rows * Dp, T(0));
    for (int64_t j = 0; j < L; ++j) std::copy(src + j * D, src + (j + 1) * D, dst + j * Dp);
  }
  // S[i0 .. i0+BQ, 0 .. Lp) = A[i0 .. i0+BQ] · Bt, one BK-wide column panel at a time.
  void scores(const T* A, const T* Bt, T* S, int64_t i0) const {
    for (int64_t c = 0; c < Lp; c += BK)
      gemm_acc<T>(BQ, BK, D, A + i0 * Dp, Dp, Bt + c, Lp, S + i0 * Lp + c, Lp, false);
  }
};

}  // namespace

template <typename T>
void dense_masked_attention_forward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                    const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* out,
                                    T* lse) {
  if (H <= 0 || L <= 0) return;
  Dense<T> g(H, L, D, q, k, v, iv, slopes, pos, scale);
  const int64_t Lp = g.Lp, Lq = g.Lq, Dp = g.Dp;
  std::vector<T> S(Lq * Lp), Qp(Lq * Dp), Kt(D * Lp), Vp(Lp * Dp);
  for (int64_t h = 0; h < H; ++h) {
    g.pack_rows(q + h * L * D, Lq, Qp.data());
    g.pack_transposed(k + h * L * D, Kt.data());
    g.pack_rows(v + h * L * D, Lp, Vp.data());
    parallel_for(Lq / BQ, 1, [&](int64_t b, int64_t e) {
      std::vector<T> Ob(BQ * Dp);
      for (int64_t blk = b; blk < e; ++blk) {
        const int64_t i0 = blk * BQ, nq = std::min(BQ, L - i0);
        g.scores(Qp.data(), Kt.data(), S.data(), i0);
        T m[BQ], l[BQ];
        for (int64_t r = 0; r < nq; ++r) {
          T* s = S.data() + (i0 + r) * Lp;
          m[r] = -std::numeric_limits<T>::infinity(), l[r] = 0;
          attn::row_softmax_step<T>(s, Lp, g.logits(s, h, i0 + r), m[r], l[r]);
        }
        std::fill(S.begin() + (i0 + nq) * Lp, S.begin() + (i0 + BQ) * Lp, T(0));
        gemm_acc<T>(BQ, Dp, L, S.data() + i0 * Lp, Lp, Vp.data(), Dp, Ob.data(), Dp, false);
        for (int64_t r = 0; r < nq; ++r) {
          const T inv = T(1) / l[r];
          for (int64_t d = 0; d < D; ++d) out[(h * L + i0 + r) * D + d] = Ob[r * Dp + d] * inv;
          lse[h * L + i0 + r] = m[r] + std::log(l[r]);
        }
      }
    });
  }
}

template <typename T>
void dense_masked_attention_backward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                     const T* out, const T* lse, const T* dout, const int32_t* iv, const T* slopes,
                                     const int32_t* pos, double scale, T* dq, T* dk, T* dv) {
  if (H <= 0 || L <= 0) return;
  Dense<T> g(H, L, D, q, k, v, iv, slopes, pos, scale);
  const int64_t Lp = g.Lp, Lq = g.Lq, Dp = g.Dp;
  std::vector<T> P(Lq * Lp), dS(Lq * Lp), Qp(Lq * Dp), dOp(Lq * Dp), Kt(D * Lp), Vt(D * Lp), Kp(Lp * Dp);
  for (int64_t h = 0; h < H; ++h) {
    g.pack_rows(q + h * L * D, Lq, Qp.data());
    g.pack_rows(dout + h * L * D, Lq, dOp.data());
    g.pack_transposed(k + h * L * D, Kt.data());
    g.pack_transposed(v + h * L * D, Vt.data());
    g.pack_rows(k + h * L * D, Lp, Kp.data());
    // Rows: P, dS = P·(dO·Vᵀ - delta)·scale, dQ = dS·K.
    parallel_for(Lq / BQ, 1, [&](int64_t b, int64_t e) {
      std::vector<T> dQb(BQ * Dp);
      for (int64_t blk = b; blk < e; ++blk) {
        const int64_t i0 = blk * BQ, nq = std::min(BQ, L - i0);
        g.scores(Qp.data(), Kt.data(), P.data(), i0);
        g.scores(dOp.data(), Vt.data(), dS.data(), i0);
        for (int64_t r = 0; r < nq; ++r) {
          const int64_t i = i0 + r;
          T* s = P.data() + i * Lp;
          g.logits(s, h, i);
          const T delta = attn::dot(dout + (h * L + i) * D, out + (h * L + i) * D, D);
          attn::row_grad_step<T>(s, dS.data() + i * Lp, Lp, lse[h * L + i], delta, g.scale);
        }
        std::fill(P.begin() + (i0 + nq) * Lp, P.begin() + (i0 + BQ) * Lp, T(0));
        std::fill(dS.begin() + (i0 + nq) * Lp, dS.begin() + (i0 + BQ) * Lp, T(0));
        gemm_acc<T>(BQ, Dp, Lp, dS.data() + i0 * Lp, Lp, Kp.data(), Dp, dQb.data(), Dp, false);
        for (int64_t r = 0; r < nq; ++r)
          std::copy(dQb.begin() + r * Dp, dQb.begin() + r * Dp + D, dq + (h * L + i0 + r) * D);
      }
    });
    // Key blocks: dV = Pᵀ·dO, dK = dSᵀ·Q (columns of P and dS read as the transposed A operand).
    parallel_for(Lp / BK, 1, [&](int64_t b, int64_t e) {
      std::vector<T> dKb(BK * Dp), dVb(BK * Dp);
      for (int64_t blk = b; blk < e; ++blk) {
        const int64_t j0 = blk * BK, nk = std::min(BK, L - j0);
        gemm_acc<T, true>(BK, Dp, Lq, P.data() + j0, Lp, dOp.data(), Dp, dVb.data(), Dp, false);
        gemm_acc<T, true>(BK, Dp, Lq, dS.data() + j0, Lp, Qp.data(), Dp, dKb.data(), Dp, false);
        for (int64_t jj = 0; jj < nk; ++jj) {
          std::copy(dKb.begin() + jj * Dp, dKb.begin() + jj * Dp + D, dk + (h * L + j0 + jj) * D);
          std::copy(dVb.begin() + jj * Dp, dVb.begin() + jj * Dp + D, dv + (h * L + j0 + jj) * D);
        }
      }
    });
  }
}

#define RECFORGE_INSTANTIATE(T)                                                                                     \
  template void dense_masked_attention_forward<T>(int64_t, int64_t, int64_t, const T*, const T*, const T*,         \
                                                  const int32_t*, const T*, const int32_t*, double, T*, T*);       \
  template void dense_masked_attention_backward<T>(int64_t, int64_t, int64_t, const T*, const T*, const T*,        \
                                                   const T*, const T*, const T*, const int32_t*, const T*,         \
                                                   const int32_t*, double, T*, T*, T*);
RECFORGE_INSTANTIATE(float)
RECFORGE_INSTANTIATE(double)
#undef RECFORGE_INSTANTIATE

}  // namespace RECFORGE_ISA
}  // namespace recforge
