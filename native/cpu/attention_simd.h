// Internal building blocks shared by the fused interval-attention kernel and the dense
// masked-attention baseline, so that the comparison between them measures tile skipping and
// not two different qualities of inner loop.
//
// Why GCC/Clang vector extensions: the auto-vectoriser does not reliably register-block a GEMM
// nor vectorise exp/max reductions without -ffast-math; explicit 32-byte vectors give AVX2 code on
// x86-64-v3 and still compile (split in halves) on any other target.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#if defined(__FMA__)
#include <immintrin.h>
#endif

namespace recforge {
namespace attn {

template <typename T>
struct Simd;

template <>
struct Simd<float> {
  static constexpr int W = 8;
  typedef float V __attribute__((vector_size(32)));
  typedef int32_t IE;  // lane type of I
  typedef int32_t I __attribute__((vector_size(32)));
  typedef int32_t I32 __attribute__((vector_size(32)));

  static inline I load_i32(const int32_t* p) {
    I v;
    std::memcpy(&v, p, sizeof v);
    return v;
  }
  static inline I iota() { return I{0, 1, 2, 3, 4, 5, 6, 7}; }
  // Broadcast. Not `V{} + x`: adding +0.0 is not an identity for -0.0, so the compiler must keep it.
  static inline V splat(float x) { return V{x, x, x, x, x, x, x, x}; }
  static inline V fma(V a, V b, V c) {  // a*b + c
#if defined(__FMA__)
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
  static constexpr int W = 4;
  typedef double V __attribute__((vector_size(32)));
  typedef int64_t IE;
  typedef int64_t I __attribute__((vector_size(32)));
  typedef int32_t I32 __attribute__((vector_size(16)));

  static inline I load_i32(const int32_t* p) {
    I32 v;
    std::memcpy(&v, p, sizeof v);
    return __builtin_convertvector(v, I);
  }
  static inline I iota() { return I{0, 1, 2, 3}; }
  static inline V splat(double x) { return V{x, x, x, x}; }
  static inline V fma(V a, V b, V c) {
#if defined(__FMA__)
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

template <typename T>
inline T hmax(typename Simd<T>::V v) {
  T m = v[0];
  for (int i = 1; i < Simd<T>::W; ++i) m = v[i] > m ? v[i] : m;
  return m;
}
template <typename T>
inline T hsum(typename Simd<T>::V v) {
  T s = 0;
  for (int i = 0; i < Simd<T>::W; ++i) s += v[i];
  return s;
}

// Rounds n up to a multiple of m.
inline int64_t round_up(int64_t n, int64_t m) { return (n + m - 1) / m * m; }

// C[r][c] = (accumulate ? C[r][c] : 0) + Σ_k A(r, k) · B[k·ldb + c]
// for r < rows (a multiple of 4) and c < cols (a multiple of Simd<T>::W), where A(r, k) is
// A[r·lda + k], or A[k·lda + r] when A_TRANSPOSED (so Pᵀ·dO needs no transposed copy of P).
// Register block: 4 rows × 2 vectors (8 independent FMA chains, enough to hide FMA latency on two
// FMA ports); B rows are read contiguously, A entries broadcast. Callers pad operands so that no
// tail handling is needed.
template <typename T, bool A_TRANSPOSED = false>
inline void gemm_acc(int64_t rows, int64_t cols, int64_t kdim, const T* A, int64_t lda, const T* B, int64_t ldb, T* C,
                     int64_t ldc, bool accumulate) {
  using S = Simd<T>;
  using V = typename S::V;
  constexpr int W = S::W;
  for (int64_t r = 0; r < rows; r += 4) {
    const int64_t ars = A_TRANSPOSED ? 1 : lda, aks = A_TRANSPOSED ? lda : 1;  // row / k strides of A
    const T* a0 = A + r * ars;
    const T* a1 = a0 + ars;
    const T* a2 = a1 + ars;
    const T* a3 = a2 + ars;
    T* c0 = C + r * ldc;
    T* c1 = c0 + ldc;
    T* c2 = c1 + ldc;
    T* c3 = c2 + ldc;
    int64_t c = 0;
    for (; c + 2 * W <= cols; c += 2 * W) {
      V x00 = V{}, x01 = V{}, x10 = V{}, x11 = V{}, x20 = V{}, x21 = V{}, x30 = V{}, x31 = V{};
      if (accumulate) {
        x00 = loadv<V>(c0 + c), x01 = loadv<V>(c0 + c + W);
        x10 = loadv<V>(c1 + c), x11 = loadv<V>(c1 + c + W);
        x20 = loadv<V>(c2 + c), x21 = loadv<V>(c2 + c + W);
        x30 = loadv<V>(c3 + c), x31 = loadv<V>(c3 + c + W);
      }
      const T* b = B + c;
      for (int64_t k = 0; k < kdim; ++k, b += ldb) {
        V b0 = loadv<V>(b), b1 = loadv<V>(b + W);
        V s0 = S::splat(a0[k * aks]), s1 = S::splat(a1[k * aks]), s2 = S::splat(a2[k * aks]),
          s3 = S::splat(a3[k * aks]);
        x00 = S::fma(s0, b0, x00), x01 = S::fma(s0, b1, x01);
        x10 = S::fma(s1, b0, x10), x11 = S::fma(s1, b1, x11);
        x20 = S::fma(s2, b0, x20), x21 = S::fma(s2, b1, x21);
        x30 = S::fma(s3, b0, x30), x31 = S::fma(s3, b1, x31);
      }
      storev(c0 + c, x00), storev(c0 + c + W, x01);
      storev(c1 + c, x10), storev(c1 + c + W, x11);
      storev(c2 + c, x20), storev(c2 + c + W, x21);
      storev(c3 + c, x30), storev(c3 + c + W, x31);
    }
    for (; c < cols; c += W) {
      V x0 = V{}, x1 = V{}, x2 = V{}, x3 = V{};
      if (accumulate) x0 = loadv<V>(c0 + c), x1 = loadv<V>(c1 + c), x2 = loadv<V>(c2 + c), x3 = loadv<V>(c3 + c);
      const T* b = B + c;
      for (int64_t k = 0; k < kdim; ++k, b += ldb) {
        V b0 = loadv<V>(b);
        x0 = S::fma(S::splat(a0[k * aks]), b0, x0);
        x1 = S::fma(S::splat(a1[k * aks]), b0, x1);
        x2 = S::fma(S::splat(a2[k * aks]), b0, x2);
        x3 = S::fma(S::splat(a3[k * aks]), b0, x3);
      }
      storev(c0 + c, x0), storev(c1 + c, x1), storev(c2 + c, x2), storev(c3 + c, x3);
    }
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
