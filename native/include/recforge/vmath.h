// Vectorisable float math. std::exp on float is a scalar libm call, which makes exp-
// heavy kernels (softmax, sigmoid, attention) compute-bound; this version is written
// with plain arithmetic so GCC/Clang vectorise loops that call it (AVX2: 8 lanes).
// Accuracy: max relative error ~2e-7 (≈ 2 ulp); results below ~2.4e-38 (x < -86.64) flush
// to 0, +inf above 88.72, NaN propagates.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace recforge {

inline float exp_f32(float x) {
  // exp(x) = 2^n * exp(r), n = round(x / ln2), r = x - n ln2 (Cody–Waite split).
  // Branch-free so that loops calling it vectorise.
  const float hi = 88.7228391f, lo = -86.6433233f;  // n in [-125, 128]
  float xc = x > hi ? hi : (x < lo ? lo : x);
  // n = round(xc / ln2) by the 1.5·2^23 shift (valid for |v| < 2^22; here |v| <= 128) instead of
  // std::floor(v + 0.5f): without SSE4.1's roundps (the baseline x86-64 build) floor is a scalar
  // compare-and-convert sequence that keeps GCC from vectorising the loop, which made softmax and
  // the GRU's gates ~10x slower than the -march=native build (issue 16 item 2). Nearest-even here
  // vs half-up there differ only when v is a half-integer, where r = ±ln2/2 is in the
  // polynomial's range either way.
  const float shift = 12582912.0f;  // 1.5 * 2^23
  float n = (xc * 1.44269504088896341f + shift) - shift;
  float r = xc - n * 0.693359375f;
  r = r - n * -2.12194440e-4f;
  float p = 1.9875691500e-4f;  // minimax polynomial for exp(r) on [-ln2/2, ln2/2]
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t bits = ((int32_t)n + 126) << 23;  // 2^(n-1): stays finite for n = 128
  float scale;
  std::memcpy(&scale, &bits, 4);
  float res = p * scale * 2.0f;
  res = x < lo ? 0.0f : res;  // results below ~2.4e-38 flush to 0
  res = x > hi ? INFINITY : res;
  return x != x ? x : res;
}

template <typename T>
inline T vexp(T x) {
  return std::exp(x);
}
template <>
inline float vexp<float>(float x) {
  return exp_f32(x);
}

// The CPU's math library for the shared per-element rules (unary_rule.h, loss_rule.h): fast_exp is
// the vectorisable exp above for float (std::exp for double), the rest are libm's. The CUDA
// kernels pass DeviceMath (native/cuda/common.cuh) to the same rules.
struct HostMath {
  template <typename T> static T fast_exp(T x) { return vexp<T>(x); }
  template <typename T> static T exp(T x) { return std::exp(x); }
  template <typename T> static T expm1(T x) { return std::expm1(x); }
  template <typename T> static T log(T x) { return std::log(x); }
  template <typename T> static T log1p(T x) { return std::log1p(x); }
  template <typename T> static T sqrt(T x) { return std::sqrt(x); }
  template <typename T> static T fabs(T x) { return std::fabs(x); }
  template <typename T> static T erf(T x) { return std::erf(x); }
  template <typename T> static T tanh(T x) { return std::tanh(x); }
  template <typename T> static T pow(T x, T y) { return std::pow(x, y); }
};

// Row reductions with 8 independent accumulators: without -ffast-math the compiler
// may not reorder a single running sum, but it does vectorise 8 separate ones.
template <typename T>
inline T row_sum(const T* x, int64_t n) {
  T acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += x[i + j];
  T s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) s += x[i];
  return s;
}

// Σ x and Σ (x - c)² accumulated in double (8 lanes; vectorises as 2×4 doubles).
template <typename T>
inline double row_sum_d(const T* x, int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += (double)x[i + j];
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) s += (double)x[i];
  return s;
}
template <typename T>
inline double row_sqdev_d(const T* x, int64_t n, double c) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) {
      double d = (double)x[i + j] - c;
      acc[j] += d * d;
    }
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) s += ((double)x[i] - c) * ((double)x[i] - c);
  return s;
}
template <typename T>
inline double row_dot_d(const T* x, const T* y, int64_t n) {
  double acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] += (double)x[i + j] * (double)y[i + j];
  double s = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
  for (; i < n; ++i) s += (double)x[i] * (double)y[i];
  return s;
}

// Max ignoring nothing special: a NaN in x makes the later exp/sum NaN anyway.
template <typename T>
inline T row_max(const T* x, int64_t n, T init) {
  T acc[8] = {init, init, init, init, init, init, init, init};
  int64_t i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; ++j) acc[j] = acc[j] < x[i + j] ? x[i + j] : acc[j];
  T m = init;
  for (int j = 0; j < 8; ++j) m = m < acc[j] ? acc[j] : m;
  for (; i < n; ++i) m = m < x[i] ? x[i] : m;
  return m;
}

}  // namespace recforge
