// Node-API binding of interval attention (fused) and dense masked attention (baseline) on the
// CPU. Both take the same arguments (see attention_args.h, shared with the CUDA addon), which
// validates everything the kernels trust before either kernel runs.
// dtype 0 (float32) or 1 (float64) for q, k, v, out, lse, dout, dq, dk, dv and slopes; iv ([5, L]) and
// pos ([L]) are int32. When useAlibi is false, slopes/pos may be null or undefined.
#include <string>

#include "attention_args.h"
#include "recforge/dense_masked_attention.h"
#include "recforge/interval_attention.h"

namespace recforge {
namespace napi {
namespace {

template <bool kDense>
Napi::Value Forward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const AttentionArgs a =
      attention_args(info, mem, kDense ? "denseMaskedAttentionForward" : "intervalAttentionForward", false, true);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    auto f = kDense ? &dense_masked_attention_forward<T> : &interval_attention_forward<T>;
    f(a.H, a.L, a.D, (const T*)a.q, (const T*)a.k, (const T*)a.v, a.iv, (const T*)a.slopes, a.pos, a.scale, (T*)a.out,
      (T*)a.lse);
  });
  return info.Env().Undefined();
}

template <bool kDense>
Napi::Value Backward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const AttentionArgs a =
      attention_args(info, mem, kDense ? "denseMaskedAttentionBackward" : "intervalAttentionBackward", true, true);
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
RECFORGE_BIND(intervalAttentionForward, IntervalForward)
RECFORGE_BIND(intervalAttentionBackward, IntervalBackward)
RECFORGE_BIND(denseMaskedAttentionForward, DenseForward)
RECFORGE_BIND(denseMaskedAttentionBackward, DenseBackward)
}  // namespace napi
}  // namespace recforge
