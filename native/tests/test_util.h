// Shared helpers for the native tests (ctest): a seeded RNG, poisoning of outputs so that
// unwritten elements show up as NaN, tolerance comparison and a tiny CHECK macro.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <vector>

namespace rftest {

// Built for the CUDA emulator (scripts/cuda-emulate.mjs): timing loops are skipped there (they would
// time the emulator, and take minutes).
#ifdef RECFORGE_CUDA_EMULATED
constexpr bool kEmulated = true;
#else
constexpr bool kEmulated = false;
#endif

inline int& failures() {
  static int f = 0;
  return f;
}

#define RF_CHECK(cond, ...)                                   \
  do {                                                        \
    if (!(cond)) {                                            \
      std::fprintf(stderr, "%s:%d: CHECK(%s) failed: ", __FILE__, __LINE__, #cond); \
      std::fprintf(stderr, __VA_ARGS__);                      \
      std::fprintf(stderr, "\n");                             \
      ++::rftest::failures();                                 \
    }                                                         \
  } while (0)

struct Rng {
  uint64_t s;
  explicit Rng(uint64_t seed) : s(seed * 0x9E3779B97F4A7C15ull + 1) {}
  uint64_t next() {  // splitmix64
    uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return (next() >> 11) * (1.0 / 9007199254740992.0); }
  double normal() {
    double u1 = uniform() + 1e-300, u2 = uniform();
    return std::sqrt(-2 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }
  int64_t randint(int64_t lo, int64_t hi) { return lo + (int64_t)(next() % (uint64_t)(hi - lo)); }
};

template <typename T>
std::vector<T> randn(Rng& r, size_t n, double scale = 1.0) {
  std::vector<T> v(n);
  for (auto& x : v) x = (T)(r.normal() * scale);
  return v;
}

template <typename T>
void poison(std::vector<T>& v) {
  for (auto& x : v) x = std::numeric_limits<T>::quiet_NaN();
}

// Max |a-b| / (atol + rtol*|b|); <= 1 means within tolerance. NaN anywhere fails.
template <typename A, typename B>
bool allclose(const std::vector<A>& a, const std::vector<B>& b, double atol, double rtol, const char* what) {
  if (a.size() != b.size()) {
    std::fprintf(stderr, "%s: size %zu vs %zu\n", what, a.size(), b.size());
    ++failures();
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    double x = (double)a[i], y = (double)b[i];
    if (!(std::fabs(x - y) <= atol + rtol * std::fabs(y))) {
      std::fprintf(stderr, "%s: mismatch at %zu: got %.9g want %.9g\n", what, i, x, y);
      ++failures();
      return false;
    }
  }
  return true;
}

inline int finish(const char* name) {
  if (failures()) {
    std::fprintf(stderr, "%s: %d failure(s)\n", name, failures());
    return 1;
  }
  std::printf("%s: ok\n", name);
  return 0;
}

}  // namespace rftest
