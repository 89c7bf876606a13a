// float32 -> bfloat16 / float16 -> float32 on the CPU (recforge/half.h), bit for bit the rounding
// of the device conversions (__float2bfloat16_rn, __float2half_rn) and of lib/amp/round.ts.
#include <cmath>
#include <cstring>
#include <limits>

#include "recforge/half.h"
#include "recforge/parallel.h"

namespace recforge {
namespace {

float round_bf16(float x) {
  uint32_t u;
  std::memcpy(&u, &x, 4);
  if ((u & 0x7fffffffu) > 0x7f800000u) return std::numeric_limits<float>::quiet_NaN();
  // Add half an ulp of the 16-bit result minus one, plus the result's lowest bit (ties to even); a
  // carry into the exponent gives ±inf, the correct rounding of values beyond the largest bf16.
  u = (u + 0x7fffu + ((u >> 16) & 1u)) & 0xffff0000u;
  float y;
  std::memcpy(&y, &u, 4);
  return y;
}

float round_fp16(float x) {
  if (std::isnan(x) || std::isinf(x) || x == 0.f) return x;
  const double a = std::fabs((double)x);
  // 65520 lies halfway between 65504 (odd mantissa) and 2^16 (even): the tie and above round to inf.
  if (a >= 65520.0) return x > 0 ? std::numeric_limits<float>::infinity() : -std::numeric_limits<float>::infinity();
  uint32_t u;
  std::memcpy(&u, &x, 4);
  int e = (int)((u >> 23) & 0xffu) - 127;
  if (e < -14) e = -14;  // subnormal binary16: quantum 2^-24
  const double q = std::ldexp(1.0, e - 10);
  const double y = a / q;  // exact: a power-of-two scaling
  double r = std::floor(y);
  const double frac = y - r;
  if (frac > 0.5 || (frac == 0.5 && std::fmod(r, 2.0) == 1.0)) r += 1;
  const double out = r * q;
  return (float)(x < 0 ? -out : out);
}

}  // namespace

void round_half(HalfKind kind, const float* x, float* y, int64_t n) {
  const bool bf16 = kind == HalfKind::BF16;
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    if (bf16)
      for (int64_t i = b; i < e; ++i) y[i] = round_bf16(x[i]);
    else
      for (int64_t i = b; i < e; ++i) y[i] = round_fp16(x[i]);
  });
}

}  // namespace recforge
