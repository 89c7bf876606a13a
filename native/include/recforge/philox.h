// The per-element math of every random kernel, shared by the CPU (native/cpu/random.cc) and the
// CUDA kernels (native/cuda/random.cu): Philox-4x32-10 (Salmon et al. 2011) on (seed, counter),
// and the transforms of its four words into one uniform / normal / Bernoulli / integer value.
// One definition, so a seed gives the same stream on both devices (see random.h for how exact).
//
// Exact rounding. The float transforms must round identically on both sides, so no a + b * u may
// become a fused multiply-add: on the device they use the explicitly rounded __dadd_rn / __dmul_rn
// (nvcc never fuses those); on the host they are plain + and * behind an optimisation barrier
// (host_rounded_once), so the includer's -ffp-contract does not matter; native/cpu/random.cc also
// turns contraction off before its includes (GCC contracts under -march=x86-64-v3 even in ISO C++
// mode), and `cuda-emulate.mjs --fma` checks the emulated CUDA build with contraction on.
#pragma once
#include <cmath>
#include <cstdint>

#include "recforge/host_device.h"
#include "recforge/random.h"

namespace recforge {

// One Philox-4x32-10 block on a full 128-bit counter and 64-bit key, in Random123's word order
// (ctr[0] lowest). native/tests/philox_kat_test.cc checks it against Random123's published
// known-answer vectors, so the stream is Philox itself, not just self-consistent.
RECFORGE_HD inline void philox4x32_10_block(const uint32_t ctr[4], const uint32_t key[2], uint32_t out[4]) {
  uint32_t c0 = ctr[0], c1 = ctr[1], c2 = ctr[2], c3 = ctr[3];
  uint32_t k0 = key[0], k1 = key[1];
#if defined(__CUDA_ARCH__)
#pragma unroll
#endif
  for (int r = 0; r < 10; ++r) {
    // 32 x 32 -> 64-bit products: the high and low words of each (mul.wide on the device).
    const uint64_t p0 = (uint64_t)0xD2511F53u * c0, p1 = (uint64_t)0xCD9E8D57u * c2;
    const uint32_t n0 = (uint32_t)(p1 >> 32) ^ c1 ^ k0, n2 = (uint32_t)(p0 >> 32) ^ c3 ^ k1;
    c1 = (uint32_t)p1;
    c3 = (uint32_t)p0;
    c0 = n0;
    c2 = n2;
    // The key schedule: Random123 bumps before rounds 2..10; bumping after every round is the same.
    k0 += 0x9E3779B9u;
    k1 += 0xBB67AE85u;
  }
  out[0] = c0;
  out[1] = c1;
  out[2] = c2;
  out[3] = c3;
}

// recforge's streams: key = seed, counter = (element index, 0) — element i of a draw depends only
// on (seed, offset + i).
RECFORGE_HD inline void philox4x32_10(uint64_t seed, uint64_t counter, uint32_t out[4]) {
  const uint32_t ctr[4] = {(uint32_t)counter, (uint32_t)(counter >> 32), 0u, 0u};
  const uint32_t key[2] = {(uint32_t)seed, (uint32_t)(seed >> 32)};
  philox4x32_10_block(ctr, key, out);
}

// Uniform double in [0, 1) with 53 random bits (exact: an integer times 2^-53).
RECFORGE_HD inline double philox_u53(uint32_t hi, uint32_t lo) {
  return (double)(((uint64_t)hi << 21) ^ (uint64_t)(lo >> 11)) * (1.0 / 9007199254740992.0);
}

#if !defined(__CUDA_ARCH__)
// Host: hide a rounded value from the optimiser, so it cannot be fused with a neighbour into an FMA
// whatever the including file's -ffp-contract (random.cc turns contraction off, but the emulated CUDA
// build of random.cu under `cuda-emulate.mjs --fma` compiles this header with -ffp-contract=fast, and
// that run caught the 1-ulp differences a contracted host path gives).
inline double host_rounded_once(double r) {
#if (defined(__GNUC__) || defined(__clang__)) && defined(__x86_64__)
  __asm__("" : "+x"(r));
#elif (defined(__GNUC__) || defined(__clang__)) && defined(__aarch64__)
  __asm__("" : "+w"(r));
#else
  volatile double v = r;
  r = v;
#endif
  return r;
}
#endif

// a + b and a * b, each rounded once (never fused with a neighbour).
RECFORGE_HD inline double add_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dadd_rn(a, b);
#else
  return host_rounded_once(a + b);
#endif
}
RECFORGE_HD inline double mul_rn(double a, double b) {
#if defined(__CUDA_ARCH__)
  return __dmul_rn(a, b);
#else
  return host_rounded_once(a * b);
#endif
}

// Element value of a draw from the Philox words r: Uniform in [a, b), Normal(mean a, std b)
// by Box-Muller, Bernoulli P(1) = a. log / cos are each side's own (see random.h).
template <typename T>
RECFORGE_HD inline T random_value(RandomKind kind, const uint32_t r[4], double a, double b) {
  const double u = philox_u53(r[0], r[1]);
  if (kind == RandomKind::Uniform) {
    const T v = (T)add_rn(a, mul_rn(add_rn(b, -a), u));
    return v < (T)b ? v : (T)a;  // rounding to float must not reach the open end
  }
  if (kind == RandomKind::Normal) {
    const double u2 = philox_u53(r[2], r[3]);
    const double rad = ::sqrt(mul_rn(-2.0, ::log(add_rn(1.0, -u))));
    const double z = mul_rn(rad, ::cos(mul_rn(6.283185307179586476925, u2)));
    return (T)add_rn(a, mul_rn(b, z));
  }
  return (T)(u < a ? 1 : 0);
}

// Integer uniform in [lo, lo + range) from the Philox words r.
RECFORGE_HD inline int32_t random_int_value(const uint32_t r[4], int64_t lo, uint64_t range) {
  const uint64_t x = ((uint64_t)r[0] << 32) | r[1];
  return (int32_t)(lo + (int64_t)(x % range));
}

}  // namespace recforge
