// CPU MultiBalance kernel: two memory-bound passes over the T gradient rows (semantics, edge cases
// and determinism rules: recforge/balance_gradients.h), compiled once per instruction set
// (recforge/cpu_isa.h): balance_gradients_{baseline,avx2,avx512}.cc include this after their
// includes (the AVX ones after `#pragma GCC target`), RECFORGE_ISA names the variant's namespace and
// balance_gradients.cc dispatches on cpu_isa(). Why: built for baseline x86-64 (SSE2) the 4-lane
// double vectors below spill (8 accumulators of 2 xmm registers each) and the float -> double
// conversions go through the stack: 1.25 ms of CPU per call on 2 x [1024, 391] float gradients
// (Census MMoE's z), vs 0.20 ms built for AVX2+FMA (single thread, same code) — about 15% of a
// Census MMoE training step (issue 16 item 6). Within one variant the results are bit-identical
// across thread counts; variants may differ in the last bits (FMA contraction). Float gradients
// take the float-lane routines (block_sumsq_f32, weighted_sum_tile_f32, since session 6); the
// double-lane ones below serve double gradients and float fallbacks.
#if !defined(RECFORGE_ISA)
#error "define RECFORGE_ISA before including balance_gradients_kernels.h"
#endif

namespace recforge {
namespace RECFORGE_ISA {
namespace {

// The two inner loops are written with GCC/clang vector types: the compiler's own
// vectoriser is not allowed to reorder FP sums (and gave scalar code for pass 1), while
// explicit lanes fix the summation order AND the instruction mix. Other compilers get the
// same arithmetic one element at a time (also deterministic, other last bits).
#if (defined(__GNUC__) || defined(__clang__)) && !defined(RECFORGE_BALANCE_SCALAR)
#define RECFORGE_BALANCE_VECTOR 1
#define RF_VINLINE inline __attribute__((always_inline))
// Internal, always-inlined helpers: the 32-byte-vector ABI note GCC prints for targets
// without AVX (non-x86-64-v3 builds) does not apply.
#pragma GCC diagnostic ignored "-Wpsabi"
typedef double v4d __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

RF_VINLINE v4d load4(const double* p) {
  v4d v;
  std::memcpy(&v, p, sizeof v);  // unaligned load
  return v;
}
RF_VINLINE v4d load4(const float* p) {
  v4f v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_convertvector(v, v4d);
}
RF_VINLINE void store4(double* p, const v4d& v) { std::memcpy(p, &v, sizeof v); }
RF_VINLINE void store4(float* p, const v4d& v) {
  v4f f = __builtin_convertvector(v, v4f);
  std::memcpy(p, &f, sizeof f);
}
RF_VINLINE double hsum(const v4d& v) { return (v[0] + v[2]) + (v[1] + v[3]); }
// 8-wide double vectors: pass 1 uses them in the AVX-512 variant (RECFORGE_BALANCE_AVX512), pass 2
// in the AVX-512 and baseline variants (RECFORGE_BALANCE_PASS2_V8; both defined by the variant's
// .cc): one 512-bit convert / FMA / store with AVX-512 (pass 2: 0.135 -> 0.094 ms on 2 x [1024, 391]
// float, single thread). Built for AVX2, GCC keeps these 64-byte vectors in memory and moves them
// through general registers (session 6: the AVX2 kernel took 2.0 ms on that input, 0.196 with
// 4-wide vectors); for SSE2 the 8-wide pass 2 is the faster one (1.10 vs 1.20 ms). Pass 2 is
// element-wise and pass 1's lanes are the same in both layouts, so the width changes no bit.
typedef double v8d __attribute__((vector_size(64)));
typedef float v8f __attribute__((vector_size(32)));
RF_VINLINE v8d load8(const double* p) {
  v8d v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
RF_VINLINE v8d load8(const float* p) {
  v8f v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_convertvector(v, v8d);
}
RF_VINLINE void store8(double* p, const v8d& v) { std::memcpy(p, &v, sizeof v); }
RF_VINLINE void store8(float* p, const v8d& v) {
  v8f f = __builtin_convertvector(v, v8f);
  std::memcpy(p, &f, sizeof f);
}
RF_VINLINE v4d lo4(const v8d& v) { return __builtin_shufflevector(v, v, 0, 1, 2, 3); }
RF_VINLINE v4d hi4(const v8d& v) { return __builtin_shufflevector(v, v, 4, 5, 6, 7); }
// Float lanes for float gradients (block_sumsq_f32 / weighted_sum_tile_f32): the widest vector the
// variant holds in registers (AVX-512 16, AVX2 8, SSE2 4 floats).
#if defined(RECFORGE_BALANCE_AVX512)
constexpr int kFW = 16;
#elif defined(__AVX2__)
constexpr int kFW = 8;
#else
constexpr int kFW = 4;
#endif
typedef float vfw __attribute__((vector_size(4 * kFW)));
RF_VINLINE vfw loadf(const float* p) {
  vfw v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
RF_VINLINE void storef(float* p, const vfw& v) { std::memcpy(p, &v, sizeof v); }
#endif

// Sum of squares (double) of one block, fixed lane pattern: element k goes to lane k mod 32
// (4 vector accumulators of 8 lanes), the < 32 tail to a scalar, combined in a fixed tree. The
// same code runs wherever the block lands, so the result is independent of thread count.
// NaN/±Inf elements make the sum NaN/Inf; that is the only check on the hot path.
template <typename E>
double block_sumsq(const E* x, int64_t n) {
  int64_t i = 0;
  double total = 0;
#if defined(RECFORGE_BALANCE_VECTOR) && defined(RECFORGE_BALANCE_AVX512)
  // AVX-512: the 32 lanes as 4 vectors of 8. acc[a] lane l holds what the 8 x 4-lane layout below
  // holds in its acc[2a + l / 4] lane l % 4, and the tree combines those halves in that layout's
  // order, so the sums are bit-identical to it (checked on 2 x [1024, 391] float); but it takes
  // one 8-wide float -> double convert per 8 elements, and the converts bound this loop (one
  // thread, both rows: 0.081 -> 0.072 ms; a float sum of squares without converts: 0.036).
  constexpr int A = 4;
  v8d acc[A] = {};
  for (; i + 8 * A <= n; i += 8 * A) {
#pragma GCC unroll 4
    for (int a = 0; a < A; ++a) {
      const v8d v = load8(x + i + 8 * a);
      acc[a] += v * v;
    }
  }
  const v4d a0 = lo4(acc[0]), a1 = hi4(acc[0]), a2 = lo4(acc[1]), a3 = hi4(acc[1]);
  const v4d a4 = lo4(acc[2]), a5 = hi4(acc[2]), a6 = lo4(acc[3]), a7 = hi4(acc[3]);
  total = hsum(((a0 + a4) + (a2 + a6)) + ((a1 + a5) + (a3 + a7)));
#elif defined(RECFORGE_BALANCE_VECTOR)
  // Without AVX-512, 8 vectors of 4 (GCC keeps 8-wide double vectors in memory on AVX2 and
  // moves them through general registers: 2.3 ms instead of ~0.2 for this kernel).
  constexpr int A = 8;  // independent FMA chains: enough to hide the FMA latency
  v4d acc[A] = {};
  for (; i + 4 * A <= n; i += 4 * A) {
#pragma GCC unroll 8
    for (int a = 0; a < A; ++a) {
      const v4d v = load4(x + i + 4 * a);
      acc[a] += v * v;
    }
  }
  total = hsum(((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7])));
#endif
  double tail = 0;
  for (; i < n; ++i) tail += (double)x[i] * (double)x[i];
  return total + tail;
}

// Whether a block has a NaN/±Inf element: only run when its sum of squares is not finite
// (a float64 sum can overflow with finite elements; then this says no).
template <typename E>
bool block_has_nonfinite(const E* x, int64_t n) {
  for (int64_t i = 0; i < n; ++i)
    if (!std::isfinite(x[i])) return true;
  return false;
}

// out[j0, j0+n) = Σ_i w_i rows[i][j0, ...), accumulated in double in task order. Elements
// go in register blocks of 16: all T rows of a block are read before it is written (so
// out may be one of the rows), and the accumulators never leave registers.
constexpr int64_t kTile = 4096;  // elements per pass-2 work item

template <typename E>
void weighted_sum_tile(const E* const* rows, const double* w, int64_t T, int64_t j0, int64_t n, E* out) {
  const int64_t jend = j0 + n;
  int64_t j = j0;
#ifdef RECFORGE_BALANCE_VECTOR
  for (; j + 16 <= jend; j += 16) {
    const E* r0 = rows[0] + j;
    const double w0 = w[0];
#ifdef RECFORGE_BALANCE_PASS2_V8
    v8d a0 = w0 * load8(r0), a1 = w0 * load8(r0 + 8);
    for (int64_t i = 1; i < T; ++i) {
      const E* r = rows[i] + j;
      const double wi = w[i];
      a0 += wi * load8(r);
      a1 += wi * load8(r + 8);
    }
    store8(out + j, a0);
    store8(out + j + 8, a1);
#else
    // 4-wide vectors for AVX2: GCC lowers the 8-wide ones through memory there (the weighted sum
    // took ~1.9 ms instead of ~0.1 on 2 x [1024, 391] float).
    v4d a0 = w0 * load4(r0), a1 = w0 * load4(r0 + 4), a2 = w0 * load4(r0 + 8), a3 = w0 * load4(r0 + 12);
    for (int64_t i = 1; i < T; ++i) {
      const E* r = rows[i] + j;
      const double wi = w[i];
      a0 += wi * load4(r);
      a1 += wi * load4(r + 4);
      a2 += wi * load4(r + 8);
      a3 += wi * load4(r + 12);
    }
    store4(out + j, a0);
    store4(out + j + 4, a1);
    store4(out + j + 8, a2);
    store4(out + j + 12, a3);
#endif
  }
#endif
  for (; j < jend; ++j) {  // same arithmetic, one element at a time
    double a = w[0] * (double)rows[0][j];
    for (int64_t i = 1; i < T; ++i) a += w[i] * (double)rows[i][j];
    out[j] = (E)a;
  }
}

// Float gradients (since session 6): both passes in float lanes, without the float -> double
// converts that bound the double versions above (one 2 x [1024, 391] call, AVX-512, one thread:
// see bench/results/balance-qps.md). Pass 1: element k of a sub-block of kSub elements goes to
// float lane k mod 64 (FMA where the variant has it); every sub-block's 64 lanes are added into
// a double, in lane order, so a float lane sums at most kSub / 64 = 32 squares (relative error
// <= ~32 float ulps on the norm, ~2e-6, typically ~1e-7); the sub-blocks and blocks are then
// added in double as before. The same lanes and order in every variant: AVX2 and AVX-512 give
// the same bits (both FMA); SSE2 rounds the product first. A sub-block whose float sum leaves
// [kF32SumMin, FLT_MAX] (squares that underflow float, or overflow it with finite elements) is
// summed again in double, so tiny and huge gradients keep their exact float64 semantics.
constexpr int64_t kSub = 2048;
constexpr float kF32SumMin = 1e-30f;  // ~2^-100: below this, float squares lose bits to underflow

// The float64 sum of squares of a float range, one element at a time: the sub-block fallback
// (rare) and the < kSub tail of a block.
double sumsq_f64_scalar(const float* x, int64_t n) {
  double s = 0;
  for (int64_t k = 0; k < n; ++k) s += (double)x[k] * (double)x[k];
  return s;
}

double block_sumsq_f32(const float* x, int64_t n) {
  double total = 0;
  int64_t i = 0;
#ifdef RECFORGE_BALANCE_VECTOR
  constexpr int A = 64 / kFW;
  for (; i + kSub <= n; i += kSub) {
    vfw acc[A] = {};
    for (int64_t k = 0; k < kSub; k += 64) {
#pragma GCC unroll 16
      for (int a = 0; a < A; ++a) {
        const vfw v = loadf(x + i + k + kFW * a);
        acc[a] += v * v;
      }
    }
    float lanes[64];
    std::memcpy(lanes, acc, sizeof lanes);
    double s = 0;
    for (int l = 0; l < 64; ++l) s += (double)lanes[l];
    if (!(s >= (double)kF32SumMin && s <= (double)FLT_MAX)) s = sumsq_f64_scalar(x + i, kSub);
    total += s;
  }
#endif
  if (i < n) total += sumsq_f64_scalar(x + i, n - i);  // the < kSub tail (and scalar builds): in double
  return total;
}

// out[j0, j0+n) = Σ_i w_i rows[i][j0, ...) in float (w_i rounded to float once; acc = w_0·g_0,
// then acc = fma(w_i, g_i, acc) in task order where the variant has FMA), all T rows of a block
// read before it is written (out may be one of the rows).
void weighted_sum_tile_f32(const float* const* rows, const double* w, int64_t T, int64_t j0, int64_t n, float* out) {
  const int64_t jend = j0 + n;
  int64_t j = j0;
  float wf[64];
  const int64_t Tw = std::min<int64_t>(T, 64);
  for (int64_t i = 0; i < Tw; ++i) wf[i] = (float)w[i];
#ifdef RECFORGE_BALANCE_VECTOR
  if (T <= 64) {
    constexpr int A = 32 / kFW;
    for (; j + 32 <= jend; j += 32) {
      vfw acc[A];
#pragma GCC unroll 8
      for (int a = 0; a < A; ++a) acc[a] = wf[0] * loadf(rows[0] + j + kFW * a);
      for (int64_t i = 1; i < T; ++i) {
        const float* r = rows[i] + j;
        const float wi = wf[i];
#pragma GCC unroll 8
        for (int a = 0; a < A; ++a) acc[a] += wi * loadf(r + kFW * a);
      }
#pragma GCC unroll 8
      for (int a = 0; a < A; ++a) storef(out + j + kFW * a, acc[a]);
    }
  }
#endif
  for (; j < jend; ++j) {  // same arithmetic, one element at a time
    float a = (float)w[0] * rows[0][j];
    for (int64_t i = 1; i < T; ++i) a += (float)w[i] * rows[i][j];  // contracted like the lanes above
    out[j] = a;
  }
}

// Aim for ~64K elements per parallel chunk: enough work to amortise the pool wake-up.
constexpr int64_t kChunkElems = 65536;

}  // namespace

template <typename E>
BalanceStatus balance_run(const E* const* rows, int64_t T, int64_t N, double* m, int32_t* initialized, const BalanceParams& p,
                  E* out, double* weights, double* norms) {
  // ---- pass 1: per-block partials, then an in-order reduction per task ----
  // Work items run block-major (item = block b of every task in turn), so that a thread's share of
  // pass 1 is a range of columns [j0, j1) of all T rows — the same columns its share of pass 2
  // covers (both regions are split into equal contiguous chunks): pass 2 then reads the rows from
  // the core's own cache instead of memory. Task-major items gave thread 0 all of task 0 and
  // thread 1 all of task 1, so half of every pass-2 read came from the other core's cache or from
  // memory. The partials are stored and reduced per task in block order either way: same result.
  const int64_t nb = (N + kBalanceNormBlock - 1) / kBalanceNormBlock;
  std::vector<double> part((size_t)(T * nb));
  std::vector<char> bad((size_t)(T * nb));
  const int64_t item_elems = std::max<int64_t>(1, std::min(N, kBalanceNormBlock));
  parallel_for(T * nb, std::max<int64_t>(1, kChunkElems / item_elems), [&](int64_t b0, int64_t b1) {
    for (int64_t it = b0; it < b1; ++it) {
      const int64_t b = it / T, i = it % T;
      const int64_t j0 = b * kBalanceNormBlock, len = std::min(kBalanceNormBlock, N - j0);
      double ss;
      if constexpr (std::is_same<E, float>::value) ss = block_sumsq_f32(rows[i] + j0, len);
      else ss = block_sumsq(rows[i] + j0, len);
      part[(size_t)(i * nb + b)] = ss;
      bad[(size_t)(i * nb + b)] = !(ss <= DBL_MAX) && block_has_nonfinite(rows[i] + j0, len);
    }
  });
  std::vector<double> sumsq((size_t)T, 0.0);
  std::vector<int32_t> nonfinite((size_t)T, 0);
  for (int64_t i = 0; i < T; ++i)
    for (int64_t b = 0; b < nb; ++b) {
      sumsq[(size_t)i] += part[(size_t)(i * nb + b)];
      nonfinite[(size_t)i] |= bad[(size_t)(i * nb + b)];
    }

  // ---- state, reference and weights (nothing written when rejected) ----
  BalanceStatus st = balance_apply_rule(T, sumsq.data(), nonfinite.data(), m, initialized, p, weights, norms);
  if (!st.ok() || N == 0) return st;

  // ---- pass 2: weighted sum ----
  // Float gradients sum in float unless a weight leaves float's normal range (a weight > FLT_MAX
  // — m_ref/m_i up to DBL_MAX for a decayed task — would round to Inf and make Inf or NaN where
  // the double sum is finite): then the double-accumulating pass 2 runs instead.
  bool f32_pass2 = true;
  for (int64_t i = 0; i < T; ++i) f32_pass2 &= weights[i] == 0 || (weights[i] >= FLT_MIN && weights[i] <= FLT_MAX);
  const int64_t ntiles = (N + kTile - 1) / kTile;
  parallel_for(ntiles, std::max<int64_t>(1, kChunkElems / kTile), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t j0 = t * kTile;
      if constexpr (std::is_same<E, float>::value) {
        if (f32_pass2) weighted_sum_tile_f32(rows, weights, T, j0, std::min(kTile, N - j0), out);
        else weighted_sum_tile(rows, weights, T, j0, std::min(kTile, N - j0), out);
      } else {
        weighted_sum_tile(rows, weights, T, j0, std::min(kTile, N - j0), out);
      }
    }
  });
  return st;
}


template BalanceStatus balance_run<float>(const float* const*, int64_t, int64_t, double*, int32_t*, const BalanceParams&, float*, double*, double*);
template BalanceStatus balance_run<double>(const double* const*, int64_t, int64_t, double*, int32_t*, const BalanceParams&, double*, double*, double*);

}  // namespace RECFORGE_ISA
}  // namespace recforge
