// Internal building blocks shared by the fused interval-attention kernel and the dense
// masked-attention baseline, so that the comparison between them measures tile skipping and
// not two different qualities of inner loop.
//
// Why GCC/Clang vector extensions: the auto-vectoriser does not reliably register-block a GEMM
// nor vectorise exp/max reductions without -ffast-math; explicit vectors give AVX2 code on
// x86-64-v3 and still compile (split in halves) on any other target.
//
// RECFORGE_ATTN_ISA_LEVEL, defined by the variant's .cc before including this header: 0 baseline
// (the default), 1 AVX2+FMA, 2 AVX-512. Not the compiler's ISA macros: GCC's `#pragma GCC target`
// does not define them in C++, so they would say "baseline" inside every variant.
//
// Width: 32-byte vectors (8 floats) in the baseline and AVX2 variants; 64-byte vectors (16 floats,
// zmm) in the AVX-512 variant: the AVX-512 variant's tiles of 16 keys are then one vector per row, and
// each FMA instruction does twice the work (Zen 4 runs a zmm FMA as two 256-bit halves, so the
// peak is the same, but half the instructions leave the front end room for the loads,
// broadcasts and softmax work around the FMAs).
#pragma once
#if !defined(RECFORGE_ATTN_ISA_LEVEL)
#define RECFORGE_ATTN_ISA_LEVEL 0
#endif
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#if RECFORGE_ATTN_ISA_LEVEL >= 1
#include <immintrin.h>
#endif

namespace recforge {
namespace attn {

#if RECFORGE_ATTN_ISA_LEVEL >= 2
constexpr int kVectorBytes = 64;
#else
constexpr int kVectorBytes = 32;
#endif

template <typename T>
struct Simd;

template <>
struct Simd<float> {
  static constexpr int W = kVectorBytes / 4;
  typedef float V __attribute__((vector_size(kVectorBytes)));
  typedef int32_t IE;  // lane type of I
  typedef int32_t I __attribute__((vector_size(kVectorBytes)));
  typedef int32_t I32 __attribute__((vector_size(kVectorBytes)));

  static inline I load_i32(const int32_t* p) {
    I v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static inline I iota() {
    I v;
    for (int i = 0; i < W; ++i) v[i] = i;
    return v;
  }
  // Broadcast. Not `V{} + x`: adding +0.0 is not an identity for -0.0, so the compiler must keep it.
  static inline V splat(float x) {
#if RECFORGE_ATTN_ISA_LEVEL >= 2
    return (V)_mm512_set1_ps(x);
#else
    return V{x, x, x, x, x, x, x, x};
#endif
  }
  static inline V fma(V a, V b, V c) {  // a*b + c
#if RECFORGE_ATTN_ISA_LEVEL >= 2
    return (V)_mm512_fmadd_ps((__m512)a, (__m512)b, (__m512)c);
#elif RECFORGE_ATTN_ISA_LEVEL >= 1
    return (V)_mm256_fmadd_ps((__m256)a, (__m256)b, (__m256)c);
#else
    return a * b + c;
#endif
  }
  // exp for x <= ~0 (all callers pass logit - max, or logit - lse). Cephes-style: x = n·ln2 + r,
  // degree-6 polynomial for e^r, 2^n from the exponent bits. Relative error ~2 ulp. Inputs below
  // -87.3 (including -inf) are clamped so 2^n stays a normal float: the caller zeroes masked lanes.
  static inline V exp(V x) {
    const V lo = V{} + -87.3f;
    x = select(x < lo, lo, x);
    const V magic = V{} + 12582912.0f;  // 1.5·2^23: adding and subtracting it rounds to an integer
    V n = (x * 1.44269504088896341f + magic) - magic;
    V r = x - n * 0.693359375f;
    r = r - n * -2.12194440e-4f;
    V y = V{} + 1.9875691500E-4f;
    y = fma(y, r, V{} + 1.3981999507E-3f);
    y = fma(y, r, V{} + 8.3334519073E-3f);
    y = fma(y, r, V{} + 4.1665795894E-2f);
    y = fma(y, r, V{} + 1.6666665459E-1f);
    y = fma(y, r, V{} + 5.0000001201E-1f);
    y = fma(y, r * r, r + 1.0f);
    I e = (__builtin_convertvector(n, I) + 127) << 23;
    return y * (V)e;
  }
  template <typename M>
  static inline V select(M m, V a, V b) {
    return (V)(((I)a & (I)m) | ((I)b & ~(I)m));
  }
};

template <>
struct Simd<double> {
  static constexpr int W = kVectorBytes / 8;
  typedef double V __attribute__((vector_size(kVectorBytes)));
  typedef int64_t IE;
  typedef int64_t I __attribute__((vector_size(kVectorBytes)));
  typedef int32_t I32 __attribute__((vector_size(kVectorBytes / 2)));

  static inline I load_i32(const int32_t* p) {
    I32 v;
    std::memcpy(&v, p, sizeof v);
    return __builtin_convertvector(v, I);
  }
  static inline I iota() {
    I v;
    for (int i = 0; i < W; ++i) v[i] = i;
    return v;
  }
  static inline V splat(double x) {
#if RECFORGE_ATTN_ISA_LEVEL >= 2
    return (V)_mm512_set1_pd(x);
#else
    return V{x, x, x, x};
#endif
  }
  static inline V fma(V a, V b, V c) {
#if RECFORGE_ATTN_ISA_LEVEL >= 2
    return (V)_mm512_fmadd_pd((__m512d)a, (__m512d)b, (__m512d)c);
#elif RECFORGE_ATTN_ISA_LEVEL >= 1
    return (V)_mm256_fmadd_pd((__m256d)a, (__m256d)b, (__m256d)c);
#else
    return a * b + c;
#endif
  }
  // Double precision is for gradient checks: the exact libm exp is worth more than speed.
  static inline V exp(V x) {
    for (int i = 0; i < W; ++i) x[i] = std::exp(x[i]);
    return x;
  }
  template <typename M>
  static inline V select(M m, V a, V b) {
    return (V)(((I)a & (I)m) | ((I)b & ~(I)m));
  }
};

template <typename V>
inline V loadv(const void* p) {
  V v;
  std::memcpy(&v, p, sizeof v);
  return v;
}
template <typename V>
inline void storev(void* p, V v) {
  std::memcpy(p, &v, sizeof v);
}

// Horizontal max / sum. 64-byte vectors are first folded to their 32-byte halves (one
// vextract and one vector op), then reduced lane by lane. (Not _mm512_reduce_*: GCC 12's versions
// trip -Wmaybe-uninitialized inside its own header.)
template <typename T>
inline T hmax(typename Simd<T>::V v) {
  if constexpr (Simd<T>::W * sizeof(T) == 64) {
    typedef T Half __attribute__((vector_size(32)));
    Half lo, hi;
    std::memcpy(&lo, &v, 32);
    std::memcpy(&hi, reinterpret_cast<const char*>(&v) + 32, 32);
    lo = hi > lo ? hi : lo;
    T m = lo[0];
    for (int i = 1; i < (int)(32 / sizeof(T)); ++i) m = lo[i] > m ? lo[i] : m;
    return m;
  } else {
    T m = v[0];
    for (int i = 1; i < Simd<T>::W; ++i) m = v[i] > m ? v[i] : m;
    return m;
  }
}
template <typename T>
inline T hsum(typename Simd<T>::V v) {
  if constexpr (Simd<T>::W * sizeof(T) == 64) {
    typedef T Half __attribute__((vector_size(32)));
    Half lo, hi;
    std::memcpy(&lo, &v, 32);
    std::memcpy(&hi, reinterpret_cast<const char*>(&v) + 32, 32);
    lo += hi;
    T s = 0;
    for (int i = 0; i < (int)(32 / sizeof(T)); ++i) s += lo[i];
    return s;
  } else {
    T s = 0;
    for (int i = 0; i < Simd<T>::W; ++i) s += v[i];
    return s;
  }
}

// Rounds n up to a multiple of m.
inline int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// One register block of gemm_acc: C[0..R) × [0, NV·W) of the block at (A rows, B and C columns
// already offset). R·NV accumulators stay in registers over the whole k loop; per k, NV vectors of
// B are loaded and R entries of A broadcast.
template <typename T, bool A_TRANSPOSED, int R, int NV>
inline void gemm_block(int64_t kdim, const T* A, int64_t lda, const T* B, int64_t ldb, T* C, int64_t ldc,
                       bool accumulate) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr int W = S::W;
  const int64_t ars = A_TRANSPOSED ? 1 : lda, aks = A_TRANSPOSED ? lda : 1;  // row / k strides of A
  V x[R][NV];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) x[r][v] = accumulate ? loadv<V>(C + r * ldc + v * W) : V{};
  const T* b = B;
  const T* a = A;
  for (int64_t k = 0; k < kdim; ++k, b += ldb, a += aks) {
    V bv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) bv[v] = loadv<V>(b + v * W);
#pragma GCC unroll 8
    for (int r = 0; r < R; ++r) {
      const V s = S::splat(a[r * ars]);
#pragma GCC unroll 4
      for (int v = 0; v < NV; ++v) x[r][v] = S::fma(s, bv[v], x[r][v]);
    }
  }
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < NV; ++v) storev(C + r * ldc + v * W, x[r][v]);
}

// C[r][c] = (accumulate ? C[r][c] : 0) + Σ_k A(r, k) · B[k·ldb + c]
// for r < rows (a multiple of 4) and c < cols (a multiple of Simd<T>::W), where A(r, k) is
// A[r·lda + k], or A[k·lda + r] when A_TRANSPOSED (so Pᵀ·dO needs no transposed copy of P).
// Register blocks (B rows read contiguously, A entries broadcast; callers pad operands so that
// no tail handling is needed):
// - 32-byte vectors: 4 rows × 2 vectors (8 independent FMA chains, enough to hide the 4-cycle FMA
//   latency on two 256-bit FMA ports), then 4 × 1 for a last single vector.
// - 64-byte vectors (AVX-512): 4 rows × 4 vectors (16 accumulators of the 32 zmm registers; per k
//   4 loads and 4 broadcasts feed 16 FMAs) for the D-wide products (P·V, dS·K, Pᵀ·dO, dSᵀ·Q);
//   8 rows × 1 vector for the one-vector-wide score tiles (Q·Kᵀ, dO·Vᵀ: 16 keys), so that 8 FMA
//   chains are in flight rather than the 4 of a 4 × 1 block.
// Every element of C is the same sequence of FMAs over k whichever block computes it.
template <typename T, bool A_TRANSPOSED = false>
inline void gemm_acc(int64_t rows, int64_t cols, int64_t kdim, const T* A, int64_t lda, const T* B, int64_t ldb, T* C,
                     int64_t ldc, bool accumulate) {
  constexpr int W = Simd<T>::W;
  const int64_t ars = A_TRANSPOSED ? 1 : lda;  // row stride of A
  int64_t c = 0;
  if constexpr (kVectorBytes >= 64) {
    for (; c + 4 * W <= cols; c += 4 * W)
      for (int64_t r = 0; r < rows; r += 4)
        gemm_block<T, A_TRANSPOSED, 4, 4>(kdim, A + r * ars, lda, B + c, ldb, C + r * ldc + c, ldc, accumulate);
  }
  for (; c + 2 * W <= cols; c += 2 * W)
    for (int64_t r = 0; r < rows; r += 4)
      gemm_block<T, A_TRANSPOSED, 4, 2>(kdim, A + r * ars, lda, B + c, ldb, C + r * ldc + c, ldc, accumulate);
  for (; c < cols; c += W) {
    int64_t r = 0;
    if constexpr (kVectorBytes >= 64)
      for (; r + 8 <= rows; r += 8)
        gemm_block<T, A_TRANSPOSED, 8, 1>(kdim, A + r * ars, lda, B + c, ldb, C + r * ldc + c, ldc, accumulate);
    for (; r < rows; r += 4)
      gemm_block<T, A_TRANSPOSED, 4, 1>(kdim, A + r * ars, lda, B + c, ldb, C + r * ldc + c, ldc, accumulate);
  }
}

// Σ_d a[d]·b[d] in T (used for delta_i = <dout_i, out_i>).
template <typename T>
inline T dot(const T* a, const T* b, int64_t n) {
  T s = 0;
  for (int64_t d = 0; d < n; ++d) s += a[d] * b[d];
  return s;
}

}  // namespace attn
}  // namespace recforge
