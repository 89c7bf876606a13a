#include "recforge/random.h"

#include <cmath>

// The CPU's random kernels: the per-element math (Philox and the transforms) is recforge/philox.h,
// shared with the CUDA kernels (native/cuda/random.cu). No FMA contraction in this file, before any
// include: the transforms must round exactly like the device's __dadd_rn / __dmul_rn, so that a seed
// gives the same numbers on both devices. GCC contracts a + b * u into an FMA under
// -march=x86-64-v3 even in ISO C++ mode; the CUDA emulator (scripts/cuda-emulate.mjs) caught the
// 1-ulp differences this caused.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "recforge/parallel.h"
#include "recforge/philox.h"

namespace recforge {

void philox4x32(uint64_t seed, uint64_t counter, uint32_t out[4]) { philox4x32_10(seed, counter, out); }

template <typename T>
void random_fill(RandomKind kind, uint64_t seed, uint64_t offset, T* out, int64_t n, double a, double b) {
  parallel_for(n, 8192, [&](int64_t s, int64_t e) {
    uint32_t r[4];
    for (int64_t i = s; i < e; ++i) {
      philox4x32_10(seed, offset + (uint64_t)i, r);
      out[i] = random_value<T>(kind, r, a, b);
    }
  });
}

void random_int(uint64_t seed, uint64_t offset, int32_t* out, int64_t n, int64_t lo, int64_t hi) {
  parallel_for(n, 8192, [&](int64_t s, int64_t e) {
    uint32_t r[4];
    for (int64_t i = s; i < e; ++i) {
      philox4x32_10(seed, offset + (uint64_t)i, r);
      out[i] = random_int_value(r, lo, (uint64_t)(hi - lo));
    }
  });
}

template void random_fill<float>(RandomKind, uint64_t, uint64_t, float*, int64_t, double, double);
template void random_fill<double>(RandomKind, uint64_t, uint64_t, double*, int64_t, double, double);

}  // namespace recforge
