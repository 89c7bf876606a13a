#include "recforge/random.h"

#include <cmath>

// No FMA contraction in this file: the uniform / normal transforms must round exactly like the CUDA
// kernels (native/cuda/random.cu, which use __dadd_rn / __dmul_rn), so that a seed gives the same
// numbers on both devices. GCC contracts a + b * u into an FMA under -march=x86-64-v3 even in ISO
// C++ mode; the CUDA emulator (scripts/cuda-emulate.mjs) caught the 1-ulp differences this caused.
#if defined(__clang__)
#pragma clang fp contract(off)
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif

#include "recforge/parallel.h"

namespace recforge {

void philox4x32(uint64_t seed, uint64_t counter, uint32_t out[4]) {
  uint32_t c0 = (uint32_t)counter, c1 = (uint32_t)(counter >> 32), c2 = 0, c3 = 0;
  uint32_t k0 = (uint32_t)seed, k1 = (uint32_t)(seed >> 32);
  for (int r = 0; r < 10; ++r) {
    uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
    uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c1 = (uint32_t)p1;
    c3 = (uint32_t)p0;
    c0 = n0;
    c2 = n2;
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// Uniform double in [0, 1) with 53 random bits.
static inline double u53(uint32_t hi, uint32_t lo) {
  return (double)(((uint64_t)hi << 21) ^ (uint64_t)(lo >> 11)) * (1.0 / 9007199254740992.0);
}

template <typename T>
void random_fill(RandomKind kind, uint64_t seed, uint64_t offset, T* out, int64_t n, double a, double b) {
  parallel_for(n, 8192, [&](int64_t s, int64_t e) {
    uint32_t r[4];
    for (int64_t i = s; i < e; ++i) {
      philox4x32(seed, offset + (uint64_t)i, r);
      double u = u53(r[0], r[1]);
      switch (kind) {
        case RandomKind::Uniform: {
          T v = (T)(a + (b - a) * u);
          out[i] = v < (T)b ? v : (T)a;  // rounding to float must not reach the open end
          break;
        }
        case RandomKind::Normal: {
          double u2 = u53(r[2], r[3]);
          double z = std::sqrt(-2.0 * std::log(1.0 - u)) * std::cos(6.283185307179586476925 * u2);
          out[i] = (T)(a + b * z);
          break;
        }
        case RandomKind::Bernoulli: out[i] = (T)(u < a ? 1 : 0); break;
      }
    }
  });
}

void random_int(uint64_t seed, uint64_t offset, int32_t* out, int64_t n, int64_t lo, int64_t hi) {
  parallel_for(n, 8192, [&](int64_t s, int64_t e) {
    uint32_t r[4];
    for (int64_t i = s; i < e; ++i) {
      philox4x32(seed, offset + (uint64_t)i, r);
      uint64_t x = ((uint64_t)r[0] << 32) | r[1];
      out[i] = (int32_t)(lo + (int64_t)(x % (uint64_t)(hi - lo)));
    }
  });
}

template void random_fill<float>(RandomKind, uint64_t, uint64_t, float*, int64_t, double, double);
template void random_fill<double>(RandomKind, uint64_t, uint64_t, double*, int64_t, double, double);

}  // namespace recforge
