// Node-API binding of interval attention (fused) and dense masked attention (baseline): both take
// the same arguments, so one parser validates everything the kernels trust (sizes, spans, every
// token's intervals, positions) before either kernel runs.
//
//   intervalAttentionForward(dtype, H, L, D, q_s, q_o, k_s, k_o, v_s, v_o, iv_s, iv_o,
//                            useAlibi, slopes_s, slopes_o, pos_s, pos_o, scale, out_s, out_o, lse_s, lse_o)
//   intervalAttentionBackward(dtype, H, L, D, q_s, q_o, k_s, k_o, v_s, v_o, out_s, out_o, lse_s, lse_o,
//                             dout_s, dout_o, iv_s, iv_o, useAlibi, slopes_s, slopes_o, pos_s, pos_o, scale,
//                             dq_s, dq_o, dk_s, dk_o, dv_s, dv_o)
//   denseMaskedAttentionForward / denseMaskedAttentionBackward: same arguments.
// dtype 0 (float32) or 1 (float64) for q, k, v, out, lse, dout, dq, dk, dv and slopes; iv ([5, L]) and
// pos ([L]) are int32. When useAlibi is false, slopes/pos may be null or undefined.
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common.h"
#include "recforge/dense_masked_attention.h"
#include "recforge/interval_attention.h"

namespace recforge {
namespace napi {
namespace {

struct Span {
  const char* what;
  const void* ptr;
  int64_t bytes;
};

struct AttnArgs {
  int dtype = F32;
  int64_t H = 0, L = 0, D = 0;
  void *q = nullptr, *k = nullptr, *v = nullptr, *out = nullptr, *lse = nullptr, *dout = nullptr;
  void *dq = nullptr, *dk = nullptr, *dv = nullptr, *slopes = nullptr;
  const int32_t *iv = nullptr, *pos = nullptr;
  double scale = 1;
  std::vector<Span> inputs, outputs;
};

// |pos| <= 2^30 keeps every pos[i] - pos[j] inside int32 (the kernels subtract in int32).
constexpr int64_t kMaxPosition = int64_t(1) << 30;

void check_intervals(const Napi::CallbackInfo& info, const std::string& fn, const int32_t* iv, int64_t L) {
  static const char* names[2] = {"prefix", "context"};
  for (int64_t i = 0; i < L; ++i) {
    for (int t = 0; t < 2; ++t) {
      const int64_t lo = iv[(2 * t) * L + i], hi = iv[(2 * t + 1) * L + i];
      if (lo < 0 || hi > L)
        throw_range(info.Env(), fn + ": token " + std::to_string(i) + ": " + names[t] + " interval [" +
                                    std::to_string(lo) + ", " + std::to_string(hi) + ") must satisfy 0 <= lo and hi <= L = " +
                                    std::to_string(L));
    }
    const int64_t sl = iv[4 * L + i];
    if (sl < 0 || sl > i)
      throw_range(info.Env(), fn + ": token " + std::to_string(i) + ": selfLo = " + std::to_string(sl) +
                                  " must satisfy 0 <= selfLo <= " + std::to_string(i) + " (the token's own index)");
  }
}

// Reads a tensor span and records it for the aliasing check.
void* tensor(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what,
             std::vector<Span>& into) {
  void* p = span_arg(info, i, dtype, numel, what);
  into.push_back({what, p, numel * (int64_t)dtype_size(dtype)});
  return p;
}

AttnArgs parse(const Napi::CallbackInfo& info, const std::string& fn, bool backward) {
  AttnArgs a;
  a.dtype = dtype_arg(info, 0);
  if (a.dtype != F32 && a.dtype != F64)
    throw_type(info.Env(), fn + ": expected dtype float32 or float64, got " + dtype_name(a.dtype));
  a.H = int_arg(info, 1, "H"), a.L = int_arg(info, 2, "L"), a.D = int_arg(info, 3, "D");
  if (a.H < 0 || a.L < 0 || a.D < 0 || a.L > std::numeric_limits<int32_t>::max() || a.H > (int64_t(1) << 31) ||
      a.D > (int64_t(1) << 31) || (a.H * a.L > 0 && a.D > (int64_t(1) << 50) / (a.H * a.L)))
    throw_range(info.Env(), fn + ": invalid sizes H=" + std::to_string(a.H) + " L=" + std::to_string(a.L) +
                                " D=" + std::to_string(a.D) + " (need H, D >= 0 and 0 <= L < 2^31)");
  const int64_t HLD = a.H * a.L * a.D, HL = a.H * a.L;
  const int dt = a.dtype;
  a.q = tensor(info, 4, dt, HLD, "q", a.inputs);
  a.k = tensor(info, 6, dt, HLD, "k", a.inputs);
  a.v = tensor(info, 8, dt, HLD, "v", a.inputs);
  size_t at = 10;
  if (backward) {
    a.out = tensor(info, 10, dt, HLD, "out", a.inputs);
    a.lse = tensor(info, 12, dt, HL, "lse", a.inputs);
    a.dout = tensor(info, 14, dt, HLD, "dout", a.inputs);
    at = 16;
  }
  a.iv = static_cast<const int32_t*>(tensor(info, at, I32, 5 * a.L, "iv ([5, L] intervals)", a.inputs));
  const bool alibi = bool_arg(info, at + 2, "useAlibi");
  if (alibi) {
    a.slopes = tensor(info, at + 3, dt, a.H, "slopes", a.inputs);
    a.pos = static_cast<const int32_t*>(tensor(info, at + 5, I32, a.L, "pos", a.inputs));
  }
  a.scale = num_arg(info, at + 7, "scale");
  if (!std::isfinite(a.scale)) throw_range(info.Env(), fn + ": scale must be finite, got " + std::to_string(a.scale));
  if (backward) {
    a.dq = tensor(info, at + 8, dt, HLD, "dq", a.outputs);
    a.dk = tensor(info, at + 10, dt, HLD, "dk", a.outputs);
    a.dv = tensor(info, at + 12, dt, HLD, "dv", a.outputs);
  } else {
    a.out = tensor(info, at + 8, dt, HLD, "out", a.outputs);
    a.lse = tensor(info, at + 10, dt, HL, "lse", a.outputs);
  }

  check_intervals(info, fn, a.iv, a.L);
  if (alibi)
    for (int64_t i = 0; i < a.L; ++i)
      if (a.pos[i] < -kMaxPosition || a.pos[i] > kMaxPosition)
        throw_range(info.Env(), fn + ": token " + std::to_string(i) + ": position " + std::to_string(a.pos[i]) +
                                    " outside [-2^30, 2^30]");
  // Outputs are written while inputs are still being read: no overlap allowed.
  auto overlap = [](const Span& x, const Span& y) {
    const auto xb = reinterpret_cast<uintptr_t>(x.ptr), yb = reinterpret_cast<uintptr_t>(y.ptr);
    return x.bytes > 0 && y.bytes > 0 && xb < yb + (uintptr_t)y.bytes && yb < xb + (uintptr_t)x.bytes;
  };
  for (size_t o = 0; o < a.outputs.size(); ++o) {
    for (const Span& in : a.inputs)
      if (overlap(a.outputs[o], in))
        throw_range(info.Env(), fn + ": output " + a.outputs[o].what + " overlaps input " + in.what);
    for (size_t p = o + 1; p < a.outputs.size(); ++p)
      if (overlap(a.outputs[o], a.outputs[p]))
        throw_range(info.Env(), fn + ": outputs " + a.outputs[o].what + " and " + a.outputs[p].what + " overlap");
  }
  return a;
}

template <bool kDense>
Napi::Value Forward(const Napi::CallbackInfo& info) {
  const std::string fn = kDense ? "denseMaskedAttentionForward" : "intervalAttentionForward";
  const AttnArgs a = parse(info, fn, false);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    auto f = kDense ? &dense_masked_attention_forward<T> : &interval_attention_forward<T>;
    f(a.H, a.L, a.D, (const T*)a.q, (const T*)a.k, (const T*)a.v, a.iv, (const T*)a.slopes, a.pos, a.scale, (T*)a.out,
      (T*)a.lse);
  });
  return info.Env().Undefined();
}

template <bool kDense>
Napi::Value Backward(const Napi::CallbackInfo& info) {
  const std::string fn = kDense ? "denseMaskedAttentionBackward" : "intervalAttentionBackward";
  const AttnArgs a = parse(info, fn, true);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    auto f = kDense ? &dense_masked_attention_backward<T> : &interval_attention_backward<T>;
    f(a.H, a.L, a.D, (const T*)a.q, (const T*)a.k, (const T*)a.v, (const T*)a.out, (const T*)a.lse, (const T*)a.dout,
      a.iv, (const T*)a.slopes, a.pos, a.scale, (T*)a.dq, (T*)a.dk, (T*)a.dv);
  });
  return info.Env().Undefined();
}

Napi::Value IntervalForward(const Napi::CallbackInfo& info) { return Forward<false>(info); }
Napi::Value IntervalBackward(const Napi::CallbackInfo& info) { return Backward<false>(info); }
Napi::Value DenseForward(const Napi::CallbackInfo& info) { return Forward<true>(info); }
Napi::Value DenseBackward(const Napi::CallbackInfo& info) { return Backward<true>(info); }

}  // namespace
RECFORGE_BIND("intervalAttentionForward", IntervalForward);
RECFORGE_BIND("intervalAttentionBackward", IntervalBackward);
RECFORGE_BIND("denseMaskedAttentionForward", DenseForward);
RECFORGE_BIND("denseMaskedAttentionBackward", DenseBackward);
}  // namespace napi
}  // namespace recforge
