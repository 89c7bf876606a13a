// Fused GRU on the CPU (see gru.h for the contract). Per layer: one input-projection GEMM per
// direction over all B*T steps; per time step one batched GEMM (both directions at once, each
// its own batch entry: the project's GEMM runs small entries one per thread) and one gate pass
// over the D*B rows on the thread pool, or, bidirectional with no more threads than directions,
// one direction per thread (its product, then its gate pass: one_direction_per_thread). Backward
// through time mirrors it, then per direction GEMMs over all steps for the weight gradients and dx.
//
// This body is compiled once per instruction set (recforge/cpu_isa.h): gru_{baseline,avx2,avx512}.cc
// include it after their includes (the AVX ones after `#pragma GCC target`), RECFORGE_ISA names the
// variant's namespace and gru.cc dispatches on cpu_isa(). Why: the gate passes (sigmoid, tanh: exp
// per element) are compute-bound; single thread, B = 100, T = 30, in = H = 50 forward, the baseline
// x86-64 build took 6.9 ms against 1.8 ms for the file built with -march=native (issue 16 item 2).
#if !defined(RECFORGE_ISA)
#error "define RECFORGE_ISA before including gru_kernels.h"
#endif

// The variant's entry points capture this file's internal types in lambdas (see
// interval_attention_kernels.h): each variant's namespace is distinct.
#pragma GCC diagnostic ignored "-Wsubobject-linkage"

namespace recforge {
namespace RECFORGE_ISA {
namespace {

// The project's GEMM, except that products with a narrow output (N < 64: the input projection of
// a small hidden size, 3H = 30 at the CTA shape) go to recforge's own kernels: the CBLAS dispatch
// sends 800x500 · 500x30 to OpenBLAS, which ran it 2.5x slower than the own kernels here
// (0.9 vs 0.35 ms, OpenBLAS 0.3.21, 2 threads).
constexpr int64_t kNarrowN = 64;
inline void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                 int64_t sA, const float* B, int64_t ldb, int64_t sB, float beta, float* C, int64_t ldc, int64_t sC,
                 int64_t batch) {
  if (N < kNarrowN)
    gemm_f32_own(ta, tb, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch);
  else
    gemm_f32(ta, tb, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch);
}
inline void gemm(bool ta, bool tb, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
                 int64_t sA, const double* B, int64_t ldb, int64_t sB, double beta, double* C, int64_t ldc,
                 int64_t sC, int64_t batch) {
  gemm_f64(ta, tb, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch);
}

// The per-step work split by direction, one direction per thread, when the pool has no more threads
// than there are directions (bidirectional on the project's 2-core machines): each thread runs its
// direction's recurrent GEMM with the own kernel serially and then that direction's gate pass while
// the GEMM's output is still in its core's cache, so a step costs one pool hand-off instead of the
// GEMM's own thread synchronisation (twice: the library runs the two directions' products one after
// the other, each on both threads) plus the gate pass's.
bool one_direction_per_thread(const GruDims& d) { return d.dirs > 1 && num_threads() <= d.dirs; }

// Directions per pool chunk on that path: all of them on the calling thread when one direction's
// product is below ~1 MFLOP (the CTA shape, B = 100, H = 10: 60 kFLOP), where waking a thread
// costs more than it saves (kParallelFlops in gemm_own_kernels.h; the batched path ran such steps
// on the caller too).
int64_t direction_grain(const GruDims& d) { return 2.0 * d.B * 3 * d.H * d.H < double(1 << 20) ? d.dirs : 1; }

// One direction's per-step product C = A·op(B) (+ C when beta = 1) on the calling thread.
template <typename T>
void recurrent_gemm_serial(bool ta, bool tb, int64_t M, int64_t N, int64_t K, const T* A, int64_t lda, const T* Bm,
                           int64_t ldb, T beta, T* C, int64_t ldc) {
  gemm_detail::own_gemm_one<T>(ta, tb, M, N, K, T(1), A, lda, Bm, ldb, beta, C, ldc, /*serial=*/true);
}

// Branch-free (vectorisable) and stable on both tails.
template <typename T>
inline T sigmoid(T x) {
  T e = vexp<T>(-std::fabs(x));
  T inv = T(1) / (T(1) + e);
  return x >= T(0) ? inv : e * inv;
}
// tanh(|x|) = (1 - e) / (1 + e) with e = exp(-2|x|) <= 1: no overflow; absolute error ~1e-7 in
// float (relative error grows only where tanh itself is below ~1e-3). double: libm.
inline float tanh_v(float x) {
  float e = exp_f32(-2.0f * std::fabs(x));
  float t = (1.0f - e) / (1.0f + e);
  return x >= 0.0f ? t : -t;
}
inline double tanh_v(double x) { return std::tanh(x); }

// Rows of the gate passes per thread chunk: about 4k elements (a pool hand-off costs a few µs).
inline int64_t row_grain(int64_t H) { return std::max<int64_t>(1, 4096 / std::max<int64_t>(H, 1)); }

inline int64_t row_len(const int32_t* lengths, int64_t b, int64_t T) { return lengths ? lengths[b] : T; }

bool is_ragged(const int32_t* lengths, int64_t B, int64_t T) {
  if (!lengths) return false;
  for (int64_t b = 0; b < B; ++b)
    if (lengths[b] < T) return true;
  return false;
}

// x with padding steps replaced by zeros, so that the all-steps GEMMs (input projection, dW_ih)
// never read padding (0 * NaN would leak into dW_ih otherwise).
template <typename T>
const T* clean_input(const GruDims& d, const T* x, const int32_t* lengths, T* dst) {
  if (!is_ragged(lengths, d.B, d.T)) return x;
  parallel_for(d.B * d.T, std::max<int64_t>(1, 8192 / std::max<int64_t>(d.in, 1)), [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t b = r / d.T, t = r - b * d.T;
      if (t < lengths[b])
        std::memcpy(dst + r * d.in, x + r * d.in, sizeof(T) * d.in);
      else
        std::fill(dst + r * d.in, dst + (r + 1) * d.in, T(0));
    }
  });
  return dst;
}

// Column sums of src [R, C] (rows ld apart) into out [C], rows in order (same result for any thread count).
template <typename T>
void column_sums(const T* src, int64_t R, int64_t C, int64_t ld, T* out) {
  parallel_for(C, 64, [&](int64_t c0, int64_t c1) {
    std::fill(out + c0, out + c1, T(0));
    for (int64_t r = 0; r < R; ++r) {
      const T* row = src + r * ld;
      for (int64_t c = c0; c < c1; ++c) out[c] += row[c];
    }
  });
}

// One forward step of one row: gi = g[0, 3H) (W_ih x, no bias yet), gh = W_hh h (no bias);
// writes g = (r, z, n, hn, h_prev), the new state and the output row.
template <typename T>
void gate_forward_row(int64_t H, T* __restrict__ g, const T* __restrict__ gh, const T* __restrict__ bi,
                      const T* __restrict__ bh, T* __restrict__ h, T* __restrict__ y) {
  for (int64_t j = 0; j < H; ++j) {
    const T r = sigmoid<T>(g[j] + bi[j] + gh[j] + bh[j]);
    const T z = sigmoid<T>(g[H + j] + bi[H + j] + gh[H + j] + bh[H + j]);
    const T hn = gh[2 * H + j] + bh[2 * H + j];
    const T n = tanh_v(g[2 * H + j] + bi[2 * H + j] + r * hn);
    const T hp = h[j];
    const T hy = n + z * (hp - n);  // = (1 - z) n + z h, in PyTorch's form
    g[j] = r;
    g[H + j] = z;
    g[2 * H + j] = n;
    g[3 * H + j] = hn;
    g[4 * H + j] = hp;
    h[j] = hy;
    y[j] = hy;
  }
}

// One backward step of one row. dh in: gradient w.r.t. this step's output state (carried);
// out: its direct part dh * z (the recurrent GEMM adds dgh · W_hh afterwards).
template <typename T>
void gate_backward_row(int64_t H, const T* __restrict__ g, const T* __restrict__ dy, T* __restrict__ dh,
                       T* __restrict__ dgi, T* __restrict__ dgh) {
  for (int64_t j = 0; j < H; ++j) dh[j] = gru_gate_backward(g, H, j, dh[j] + dy[j], dgi, dgh);
}

}  // namespace

template <typename T>
void gru_forward(const GruDims& d, const T* x, const int32_t* lengths, const T* h0, const GruWeights<T>& w, T* out,
                 T* h_n, T* reserve, T* ws) {
  const GruLayout lay(d);
  const int64_t B = d.B, Tn = d.T, H = d.H, D = d.dirs, H3 = 3 * H, H5 = 5 * H, bt = lay.bt;
  if (B == 0) return;
  T* state = ws + lay.f_state;
  T* gh = ws + lay.f_gh;
  T* whh = ws + lay.f_whh;
  const T* x0 = clean_input(d, x, lengths, ws + lay.f_xclean);
  const std::vector<T> zero_bias(w.b_ih ? 0 : H3, T(0));
  const bool per_direction = one_direction_per_thread(d);
  const int64_t dir_grain = direction_grain(d);
  for (int64_t l = 0; l < d.layers; ++l) {
    const int64_t in_l = d.in_of(l);
    const T* X = l == 0 ? x0 : reserve + lay.layer_output(d.layers, l - 1);
    T* Y = l == d.layers - 1 ? out : reserve + lay.layer_output(d.layers, l);
    for (int64_t dir = 0; dir < D; ++dir) {
      const int64_t k = l * D + dir;
      // Input projection of every step at once: G[:, :, 0:3H] = X W_ih^T (bias added in the gate pass).
      if (bt > 0) gemm(false, true, bt, H3, in_l, T(1), X, in_l, 0, w.w_ih[k], in_l, 0, T(0), reserve + lay.gates(l, dir), H5, 0, 1);
      // W_hh of both directions side by side: one batched GEMM per step.
      std::memcpy(whh + dir * H3 * H, w.w_hh[k], sizeof(T) * H3 * H);
      if (h0)
        std::memcpy(state + dir * B * H, h0 + k * B * H, sizeof(T) * B * H);
      else
        std::fill(state + dir * B * H, state + (dir + 1) * B * H, T(0));
    }
    // Gate pass of step s over rows [r0, r1) of the D*B (direction, batch row) rows.
    const auto gate_rows = [&](int64_t s, int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t dir = r / B, b = r - dir * B, k = l * D + dir;
        const int64_t t = dir == 0 ? s : Tn - 1 - s;
        T* g = reserve + lay.gates(l, dir) + (b * Tn + t) * H5;
        T* y = Y + (b * Tn + t) * D * H + dir * H;
        if (t >= row_len(lengths, b, Tn)) {  // padding: defined zeros, state untouched
          std::fill(g, g + H5, T(0));
          std::fill(y, y + H, T(0));
          continue;
        }
        const T* bi = w.b_ih ? w.b_ih[k] : zero_bias.data();
        const T* bh = w.b_hh ? w.b_hh[k] : zero_bias.data();
        gate_forward_row<T>(H, g, gh + r * H3, bi, bh, state + r * H, y);
      }
    };
    for (int64_t s = 0; s < Tn; ++s) {
      if (per_direction) {
        parallel_for(D, dir_grain, [&](int64_t d0, int64_t d1) {
          for (int64_t dir = d0; dir < d1; ++dir) {
            recurrent_gemm_serial(false, true, B, H3, H, state + dir * B * H, H, whh + dir * H3 * H, H, T(0),
                                  gh + dir * B * H3, H3);
            gate_rows(s, dir * B, (dir + 1) * B);
          }
        });
        continue;
      }
      gemm(false, true, B, H3, H, T(1), state, H, B * H, whh, H, H3 * H, T(0), gh, H3, B * H3, D);
      parallel_for(D * B, row_grain(H), [&](int64_t r0, int64_t r1) { gate_rows(s, r0, r1); });
    }
    std::memcpy(h_n + l * D * B * H, state, sizeof(T) * D * B * H);
  }
}

template <typename T>
void gru_backward(const GruDims& d, const T* x, const int32_t* lengths, const GruWeights<T>& w, const T* reserve,
                  const T* dout, const T* dh_n, T* dx, T* dh0, const GruGrads<T>& gr, T* ws) {
  const GruLayout lay(d);
  const int64_t B = d.B, Tn = d.T, H = d.H, D = d.dirs, H3 = 3 * H, H5 = 5 * H, bt = lay.bt;
  if (bt == 0) {  // no step: zero weight gradients, dh0 = dh_n
    for (int64_t l = 0; l < d.layers; ++l)
      for (int64_t dir = 0; dir < D; ++dir) {
        const int64_t k = l * D + dir;
        std::fill(gr.dw_ih[k], gr.dw_ih[k] + H3 * d.in_of(l), T(0));
        std::fill(gr.dw_hh[k], gr.dw_hh[k] + H3 * H, T(0));
        if (w.b_ih) {
          std::fill(gr.db_ih[k], gr.db_ih[k] + H3, T(0));
          std::fill(gr.db_hh[k], gr.db_hh[k] + H3, T(0));
        }
      }
    if (dh0) {
      const int64_t n = d.layers * D * B * H;
      if (dh_n)
        std::memcpy(dh0, dh_n, sizeof(T) * n);
      else
        std::fill(dh0, dh0 + n, T(0));
    }
    return;
  }
  T* dgi = ws + lay.b_dgi;
  T* dgh = ws + lay.b_dgh;
  T* dh = ws + lay.b_dh;
  T* whh = ws + lay.b_whh;
  const T* x0 = clean_input(d, x, lengths, ws + lay.b_xclean);
  const std::vector<T> zero_row(H, T(0));
  const bool per_direction = one_direction_per_thread(d);
  const int64_t dir_grain = direction_grain(d);
  const T* dy_in = dout;  // gradient w.r.t. this layer's output (nullptr: zero)
  for (int64_t l = d.layers - 1; l >= 0; --l) {
    const int64_t in_l = d.in_of(l);
    // dX of this layer is dY of the layer below (ping-pong between the two buffers), or dx.
    T* dx_l = l > 0 ? ws + ((d.layers - 1 - l) % 2 == 0 ? lay.b_dy0 : lay.b_dy1) : dx;
    for (int64_t dir = 0; dir < D; ++dir) {
      const int64_t k = l * D + dir;
      std::memcpy(whh + dir * H3 * H, w.w_hh[k], sizeof(T) * H3 * H);
      if (dh_n)
        std::memcpy(dh + dir * B * H, dh_n + k * B * H, sizeof(T) * B * H);
      else
        std::fill(dh + dir * B * H, dh + (dir + 1) * B * H, T(0));
    }
    // Gate pass of backward step s over rows [r0, r1) of the D*B (direction, batch row) rows.
    const auto gate_rows = [&](int64_t s, int64_t r0, int64_t r1) {
      for (int64_t r = r0; r < r1; ++r) {
        const int64_t dir = r / B, b = r - dir * B;
        const int64_t t = dir == 0 ? Tn - 1 - s : s;  // reverse of the forward's order
        T* gi = dgi + dir * bt * H3 + (b * Tn + t) * H3;
        T* gh = dgh + dir * bt * H3 + (b * Tn + t) * H3;
        if (t >= row_len(lengths, b, Tn)) {  // padding: zero gate gradients, dh carried unchanged
          std::fill(gi, gi + H3, T(0));
          std::fill(gh, gh + H3, T(0));
          continue;
        }
        const T* g = reserve + lay.gates(l, dir) + (b * Tn + t) * H5;
        const T* dy = dy_in ? dy_in + (b * Tn + t) * D * H + dir * H : zero_row.data();
        gate_backward_row<T>(H, g, dy, dh + r * H, gi, gh);
      }
    };
    for (int64_t s = 0; s < Tn; ++s) {
      if (per_direction) {  // each direction's gate pass, then its dh += dgh_t · W_hh, on one thread
        parallel_for(D, dir_grain, [&](int64_t d0, int64_t d1) {
          for (int64_t dir = d0; dir < d1; ++dir) {
            gate_rows(s, dir * B, (dir + 1) * B);
            const int64_t t = dir == 0 ? Tn - 1 - s : s;
            recurrent_gemm_serial(false, false, B, H, H3, dgh + dir * bt * H3 + t * H3, Tn * H3, whh + dir * H3 * H, H,
                                  T(1), dh + dir * B * H, H);
          }
        });
        continue;
      }
      parallel_for(D * B, row_grain(H), [&](int64_t r0, int64_t r1) { gate_rows(s, r0, r1); });
      // dh[dir] += dgh[dir][:, t_dir, :] · W_hh[dir], both directions in one batched GEMM.
      const int64_t t0 = Tn - 1 - s, t1 = s;
      const T* a0 = dgh + t0 * H3;
      const int64_t stride_a = D > 1 ? (bt * H3 + t1 * H3) - t0 * H3 : 0;
      gemm(false, false, B, H, H3, T(1), a0, Tn * H3, stride_a, whh, H, H3 * H, T(1), dh, H, B * H, D);
    }
    const T* X = l == 0 ? x0 : reserve + lay.layer_output(d.layers, l - 1);
    for (int64_t dir = 0; dir < D; ++dir) {
      const int64_t k = l * D + dir;
      const T* gi = dgi + dir * bt * H3;
      const T* gh = dgh + dir * bt * H3;
      gemm(true, false, H3, in_l, bt, T(1), gi, H3, 0, X, in_l, 0, T(0), gr.dw_ih[k], in_l, 0, 1);
      gemm(true, false, H3, H, bt, T(1), gh, H3, 0, reserve + lay.gates(l, dir) + 4 * H, H5, 0, T(0), gr.dw_hh[k], H, 0, 1);
      if (w.b_ih) {
        // The r and z columns of dgi and dgh are the same numbers (gru_gate_backward writes one value
        // to both), so their sums are computed once; only the n gate's differ (dgh's is scaled by r).
        column_sums(gh, bt, H3, H3, gr.db_hh[k]);
        std::copy(gr.db_hh[k], gr.db_hh[k] + 2 * H, gr.db_ih[k]);
        column_sums(gi + 2 * H, bt, H, H3, gr.db_ih[k] + 2 * H);
      }
      if (dx_l) gemm(false, false, bt, in_l, H3, T(1), gi, H3, 0, w.w_ih[k], in_l, 0, dir == 0 ? T(0) : T(1), dx_l, in_l, 0, 1);
      if (dh0) std::memcpy(dh0 + k * B * H, dh + dir * B * H, sizeof(T) * B * H);
    }
    dy_in = dx_l;
  }
}

template void gru_forward<float>(const GruDims&, const float*, const int32_t*, const float*, const GruWeights<float>&,
                                 float*, float*, float*, float*);
template void gru_forward<double>(const GruDims&, const double*, const int32_t*, const double*,
                                  const GruWeights<double>&, double*, double*, double*, double*);
template void gru_backward<float>(const GruDims&, const float*, const int32_t*, const GruWeights<float>&, const float*,
                                  const float*, const float*, float*, float*, const GruGrads<float>&, float*);
template void gru_backward<double>(const GruDims&, const double*, const int32_t*, const GruWeights<double>&,
                                   const double*, const double*, const double*, double*, double*,
                                   const GruGrads<double>&, double*);

}  // namespace RECFORGE_ISA
}  // namespace recforge
