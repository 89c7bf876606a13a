// Helpers the CPU benchmarks in bench/native share: a wall clock, the median of repeated timings, and a
// deterministic uniform fill (an LCG, so that runs and machines see the same inputs without a RNG dependency).
#pragma once

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <vector>

namespace rfbench_cpu {

inline double now_s() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

inline double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// n values uniform in [-scale/2, scale/2), the same for the same seed.
inline std::vector<float> random_vec(size_t n, uint64_t seed, float scale = 1.f) {
  std::vector<float> v(n);
  uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
  for (auto& x : v) {
    s = s * 6364136223846793005ull + 1442695040888963407ull;
    x = scale * (float)((double)(s >> 40) / (double)(1ull << 24) - 0.5);
  }
  return v;
}

}  // namespace rfbench_cpu
