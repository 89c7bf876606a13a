// A dot product the compiler vectorises without -ffast-math: a plain `acc += a[i] * b[i]` loop
// is a serial FP reduction that GCC must keep in order (scalar, latency-bound), whereas
// kLanes independent partial sums are elementwise work it maps onto SIMD registers. The
// partials are combined in a fixed order, so results stay deterministic.
#pragma once
#include <cstdint>

namespace recforge {
namespace cpu {

template <typename T>
inline T dot_lanes(const T* __restrict a, const T* __restrict b, int64_t n) {
  constexpr int kLanes = 32 / sizeof(T) * 2;  // two AVX registers of partial sums
  T acc[kLanes] = {};
  int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int j = 0; j < kLanes; ++j) acc[j] += a[i + j] * b[i + j];
  T tail = 0;
  for (; i < n; ++i) tail += a[i] * b[i];
  for (int w = kLanes / 2; w > 0; w /= 2)
    for (int j = 0; j < w; ++j) acc[j] += acc[j + w];
  return acc[0] + tail;
}

}  // namespace cpu
}  // namespace recforge
