// roundHalf(kind, n, x, y): float32 values rounded to bfloat16 (kind 0) or float16 (kind 1), as
// float32 (recforge/half.h). The emulated CUDA device of lib/native.ts rounds the inputs of its
// 16-bit entry points (gemmLowp, intervalAttention*Lowp) with it; x and y may be the same span.
#include <string>

#include "op_args.generated.h"
#include "recforge/half.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value RoundHalf(const Napi::CallbackInfo& info) {
  const args::RoundHalf in(info);
  const int64_t kind = int_arg(in.kind(), "roundHalf kind");
  if (kind != (int64_t)HalfKind::BF16 && kind != (int64_t)HalfKind::FP16)
    throw_range(info.Env(), "roundHalf: kind must be 0 (bfloat16) or 1 (float16), got " + std::to_string(kind));
  const int64_t n = int_arg(in.n(), "roundHalf n");
  if (n < 0) throw_range(info.Env(), "roundHalf: n must be >= 0, got " + std::to_string(n));
  const float* x = span<const float>(in.x(), F32, n, "roundHalf x");
  float* y = span<float>(in.y(), F32, n, "roundHalf y");
  round_half((HalfKind)kind, x, y, n);
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND(roundHalf, RoundHalf)
}  // namespace napi
}  // namespace recforge
