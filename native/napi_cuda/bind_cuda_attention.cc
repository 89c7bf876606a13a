// Interval attention and RoPE on the device. The CPU binding's names and arguments (native/ops.table.mjs);
// the argument parsers are the CPU addon's own (native/napi/attention_args.h), run over device
// storages (DeviceArgs: the [5, L] intervals and the ALiBi positions are copied to the host to be
// checked). Kernels are enqueued on recforge's stream and not waited for.
//
// Interval attention runs in float32 only here: the CUDA kernel takes float32 (or bf16 / fp16)
// inputs with fp32 accumulation and keeps lse and the ALiBi slopes in float32, so float64
// tensors are refused with a TypeError (the CPU kernel has float64). Sizes the kernel does not
// support (D > 256, H > 65535, L >= 2^28) are RangeErrors.
//
// intervalAttentionForwardLowp(...the 22 arguments of intervalAttentionForward..., kind)
// intervalAttentionBackwardLowp(...the 30 arguments of intervalAttentionBackward..., kind)
//   Autocast: float32 tensors in and out, the attention run with 16-bit inputs (kind 0 = bfloat16,
//   1 = float16) and fp32 accumulation. q, k, v (and the backward's dout) are rounded to 16 bits
//   (nearest even) into scratch memory first; out, lse, dq, dk, dv are float32. The backward
//   rounds q, k, v again (the same values as the forward saw) and takes the forward's float32 out.
//   dtype must be float32 (code 0). denseMaskedAttention (the O(L^2)
// benchmark baseline) has no CUDA kernel and is not bound.
#include <string>

#include "attention_args.h"
#include "cuda_common.h"
#include "recforge/gemm.h"  // float_to_half_cuda
#include "recforge/interval_attention.h"
#include "recforge/rope.h"

namespace recforge {
namespace napi {
namespace {

void check_supported(Napi::Env env, const char* fn, const AttentionArgs& a) {
  if (!interval_attention_cuda_supports(a.H, a.L, a.D))
    throw_range(env, std::string(fn) + ": H=" + std::to_string(a.H) + " L=" + std::to_string(a.L) +
                         " D=" + std::to_string(a.D) +
                         " is beyond the CUDA kernel's limits (D <= 256, H <= 65535, L < 2^28)");
}

Napi::Value IntervalForward(const Napi::CallbackInfo& info) {
  const char* fn = "intervalAttentionForward";
  Napi::Env env = info.Env();
  DeviceArgs mem;
  const AttentionArgs a = attention_args(info, mem, fn, false, /*allow_f64=*/false);
  check_supported(env, fn, a);
  auto* s = stream_or_throw(env);
  if (!interval_attention_forward_cuda<float>(a.H, a.L, a.D, (const float*)a.q, (const float*)a.k, (const float*)a.v,
                                              a.iv, (const float*)a.slopes, a.pos, (float)a.scale, (float*)a.out,
                                              (float*)a.lse, s))
    throw_error(env, std::string(fn) + ": the CUDA kernel refused its arguments");
  check_launch(env, fn);
  return env.Undefined();
}

Napi::Value IntervalBackward(const Napi::CallbackInfo& info) {
  const char* fn = "intervalAttentionBackward";
  Napi::Env env = info.Env();
  DeviceArgs mem;
  const AttentionArgs a = attention_args(info, mem, fn, true, /*allow_f64=*/false);
  check_supported(env, fn, a);
  auto* s = stream_or_throw(env);
  const size_t wbytes = interval_attention_backward_cuda_workspace_bytes(a.H, a.L);
  Workspace ws(env, (int64_t)wbytes, fn);
  if (!interval_attention_backward_cuda<float>(a.H, a.L, a.D, (const float*)a.q, (const float*)a.k,
                                               (const float*)a.v, (const float*)a.out, (const float*)a.lse,
                                               (const float*)a.dout, a.iv, (const float*)a.slopes, a.pos,
                                               (float)a.scale, (float*)a.dq, (float*)a.dk, (float*)a.dv, ws.get(),
                                               wbytes, s))
    throw_error(env, std::string(fn) + ": the CUDA kernel refused its arguments");
  check_launch(env, fn);
  return env.Undefined();
}

// The kind of a Lowp entry point (its last argument, after the float32 op's arguments).
template <typename In>
HalfKind kind_arg(const In& in, const char* fn) {
  const Napi::CallbackInfo& info = in.info;
  if (info.Length() != In::kSlots)
    throw_type(info.Env(), std::string(fn) + ": expected " + std::to_string(In::kSlots) + " arguments (kind last), got " +
                               std::to_string(info.Length()));
  const int64_t kind = int_arg(in.kind(), "kind");
  if (kind != 0 && kind != 1)
    throw_range(info.Env(), std::string(fn) + ": kind must be 0 (bfloat16) or 1 (float16), got " + std::to_string(kind));
  return kind == 0 ? HalfKind::BF16 : HalfKind::FP16;
}

// Rounded 16-bit copies of float32 device tensors, carved from one workspace (256-byte aligned).
struct HalfCopies {
  Workspace ws;
  int64_t stride;
  HalfCopies(Napi::Env env, int count, int64_t numel, size_t extra_bytes, const char* fn)
      : ws(env, count * ((numel * 2 + 255) / 256 * 256) + (int64_t)extra_bytes, fn), stride((numel * 2 + 255) / 256 * 256) {}
  uint16_t* at(int i) const { return reinterpret_cast<uint16_t*>(ws.as<char>() + i * stride); }
  void* extra(int count) const { return ws.as<char>() + count * stride; }
};

Napi::Value IntervalForwardLowp(const Napi::CallbackInfo& info) {
  const char* fn = "intervalAttentionForwardLowp";
  Napi::Env env = info.Env();
  const HalfKind kind = kind_arg(args::IntervalAttentionForwardLowp(info), fn);
  DeviceArgs mem;
  const AttentionArgs a = attention_args(info, mem, fn, false, /*allow_f64=*/false);
  check_supported(env, fn, a);
  auto* s = stream_or_throw(env);
  const int64_t n = a.H * a.L * a.D;
  HalfCopies h(env, 3, n, 0, fn);
  float_to_half_cuda(kind, (const float*)a.q, h.at(0), n, s);
  float_to_half_cuda(kind, (const float*)a.k, h.at(1), n, s);
  float_to_half_cuda(kind, (const float*)a.v, h.at(2), n, s);
  if (!interval_attention_forward_half_cuda(kind, a.H, a.L, a.D, h.at(0), h.at(1), h.at(2), a.iv,
                                            (const float*)a.slopes, a.pos, (float)a.scale, (float*)a.out,
                                            (float*)a.lse, s))
    throw_error(env, std::string(fn) + ": the CUDA kernel refused its arguments");
  check_launch(env, fn);
  return env.Undefined();
}

Napi::Value IntervalBackwardLowp(const Napi::CallbackInfo& info) {
  const char* fn = "intervalAttentionBackwardLowp";
  Napi::Env env = info.Env();
  const HalfKind kind = kind_arg(args::IntervalAttentionBackwardLowp(info), fn);
  DeviceArgs mem;
  const AttentionArgs a = attention_args(info, mem, fn, true, /*allow_f64=*/false);
  check_supported(env, fn, a);
  auto* s = stream_or_throw(env);
  const int64_t n = a.H * a.L * a.D;
  const size_t wbytes = interval_attention_backward_cuda_workspace_bytes(a.H, a.L);
  HalfCopies h(env, 4, n, wbytes, fn);
  float_to_half_cuda(kind, (const float*)a.q, h.at(0), n, s);
  float_to_half_cuda(kind, (const float*)a.k, h.at(1), n, s);
  float_to_half_cuda(kind, (const float*)a.v, h.at(2), n, s);
  float_to_half_cuda(kind, (const float*)a.dout, h.at(3), n, s);
  if (!interval_attention_backward_half_cuda(kind, a.H, a.L, a.D, h.at(0), h.at(1), h.at(2), (const float*)a.out,
                                             (const float*)a.lse, h.at(3), a.iv, (const float*)a.slopes, a.pos,
                                             (float)a.scale, (float*)a.dq, (float*)a.dk, (float*)a.dv, h.extra(4),
                                             wbytes, s))
    throw_error(env, std::string(fn) + ": the CUDA kernel refused its arguments");
  check_launch(env, fn);
  return env.Undefined();
}

Napi::Value RopeTables(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const RopeTablesArgs r = rope_tables_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), r.dtype, T,
                          { rope_tables_cuda<T>(r.L, r.D, r.pos, r.base, (T*)r.cos, (T*)r.sin, s); });
  check_launch(info.Env(), "ropeTables");
  return info.Env().Undefined();
}

Napi::Value RopeApply(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const RopeApplyArgs r = rope_apply_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), r.dtype, T, {
    rope_apply_cuda<T>(r.H, r.L, r.D, (const T*)r.x, r.x_sh, r.x_sl, (const T*)r.cos, (const T*)r.sin, r.inverse,
                       (T*)r.y, r.y_sh, r.y_sl, s);
  });
  check_launch(info.Env(), "ropeApply");
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND(intervalAttentionForward, IntervalForward)
RECFORGE_BIND(intervalAttentionBackward, IntervalBackward)
RECFORGE_BIND(intervalAttentionForwardLowp, IntervalForwardLowp)
RECFORGE_BIND(intervalAttentionBackwardLowp, IntervalBackwardLowp)
RECFORGE_BIND(ropeTables, RopeTables)
RECFORGE_BIND(ropeApply, RopeApply)
}  // namespace napi
}  // namespace recforge
