// Parsers of the reduction, softmax, norm and loss bindings (core_args.h).
#include <cstdint>
#include <string>

#include "core_args.h"

namespace recforge {
namespace napi {

ReduceArgs reduce_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  ReduceArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t op = int_arg(info, 1, "reduce op");
  if (op < 0 || op > 3) throw_range(env, "unknown reduce op " + std::to_string(op));
  a.op = (ReduceOp)op;
  const int64_t outer = a.outer = nonneg_arg(info, 2, "outer"), r = a.r = nonneg_arg(info, 3, "reduced size"),
                inner = a.inner = nonneg_arg(info, 4, "inner");
  if (r == 0 && (a.op == ReduceOp::Max || a.op == ReduceOp::Min) && outer * inner > 0)
    throw_range(env, "max/min over an axis of size 0 is undefined");
  require_float(env, dt);
  a.x = mem.span(info, 5, dt, outer * r * inner, "x");
  a.out = mem.span(info, 7, dt, outer * inner, "out");
  a.indices = mem.maybe<int32_t>(info, 9, I32, outer * inner, "indices");
  return a;
}

SumSquaresArgs sum_squares_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  SumSquaresArgs a;
  a.dtype = dtype_arg(info, 0);
  a.n = nonneg_arg(info, 1, "numel");
  require_float(info.Env(), a.dtype);
  a.x = mem.span(info, 2, a.dtype, a.n, "x");
  return a;
}

SoftmaxArgs softmax_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  SoftmaxArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  a.rows = nonneg_arg(info, 1, "rows");
  a.n = nonneg_arg(info, 2, "n");
  a.log = bool_arg(info, 3, "log");
  require_float(info.Env(), dt);
  const int64_t numel = a.rows * a.n;
  if (backward) {
    a.a = mem.span(info, 4, dt, numel, "y");
    a.grad = mem.span(info, 6, dt, numel, "grad");
    a.out = mem.span(info, 8, dt, numel, "gradInput");
  } else {
    a.a = mem.span(info, 4, dt, numel, "x");
    a.out = mem.span(info, 6, dt, numel, "out");
  }
  return a;
}

NormArgs norm_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  NormArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  a.rms = bool_arg(info, 1, "rms");
  const int64_t rows = a.rows = nonneg_arg(info, 2, "rows"), n = a.n = nonneg_arg(info, 3, "n");
  a.eps = num_arg(info, 4, "eps");
  if (!(a.eps >= 0)) throw_range(env, "eps must be >= 0");
  require_float(env, dt);
  a.x = mem.span(info, 5, dt, rows * n, "x");
  a.weight = mem.maybe<void>(info, 7, dt, n, "weight");
  a.bias = mem.maybe<void>(info, 9, dt, n, "bias");
  a.out = mem.span(info, 11, dt, rows * n, "out");
  a.mean = mem.maybe<void>(info, 13, dt, rows, "mean");
  a.rstd = mem.span(info, 15, dt, rows, "rstd");
  return a;
}

NormBackwardArgs norm_backward_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  NormBackwardArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  a.rms = bool_arg(info, 1, "rms");
  const int64_t rows = a.rows = nonneg_arg(info, 2, "rows"), n = a.n = nonneg_arg(info, 3, "n");
  require_float(env, dt);
  a.mean = mem.maybe<void>(info, 8, dt, rows, "mean");
  if (!a.rms && !a.mean) throw_type(env, "layerNorm backward needs the saved mean");
  a.x = mem.span(info, 4, dt, rows * n, "x");
  a.weight = mem.maybe<void>(info, 6, dt, n, "weight");
  a.rstd = mem.span(info, 10, dt, rows, "rstd");
  a.grad = mem.span(info, 12, dt, rows * n, "grad");
  a.grad_input = mem.span(info, 14, dt, rows * n, "gradInput");
  a.grad_weight = mem.maybe<void>(info, 16, dt, n, "gradWeight");
  a.grad_bias = mem.maybe<void>(info, 18, dt, n, "gradBias");
  return a;
}

BceLogitsArgs bce_logits_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  BceLogitsArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t n = a.n = nonneg_arg(info, 1, "n");
  a.pos_weight = num_arg(info, 2, "posWeight");
  require_float(info.Env(), dt);
  a.logits = mem.span(info, 3, dt, n, "logits");
  a.target = mem.span(info, 5, dt, n, "target");
  if (backward) {
    a.grad = mem.span(info, 7, dt, n, "grad");
    a.out = mem.span(info, 9, dt, n, "gradInput");
  } else {
    a.out = mem.span(info, 7, dt, n, "loss");
  }
  return a;
}

CrossEntropyArgs cross_entropy_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  Napi::Env env = info.Env();
  CrossEntropyArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t n = a.n = nonneg_arg(info, 1, "n"), c = a.c = nonneg_arg(info, 2, "classes");
  // The kernels compare int32 targets with the ignore index: one outside int32 would be
  // truncated there and skip rows this check accepted.
  const int64_t ignore = int_arg(info, 3, "ignoreIndex");
  if (ignore < INT32_MIN || ignore > INT32_MAX)
    throw_range(env, "ignoreIndex must fit in int32, got " + std::to_string(ignore));
  a.ignore = (int32_t)ignore;
  a.target = mem.typed<int32_t>(info, 6, I32, n, "target");
  const TensorArgs::BadIndex bad = mem.find_bad_index(env, a.target, n, c, true, a.ignore, "crossEntropy");
  if (bad.position >= 0)
    throw_range(env, "crossEntropy: target " + std::to_string(bad.value) + " at row " + std::to_string(bad.position) +
                         " is out of range [0, " + std::to_string(c) + ")");
  require_float(env, dt);
  a.logits = mem.span(info, 4, dt, n * c, "logits");
  if (backward) {
    a.lse = mem.span(info, 8, dt, n, "lse");
    a.grad = mem.span(info, 10, dt, n, "grad");
    a.grad_input = mem.span(info, 12, dt, n * c, "gradInput");
  } else {
    a.loss = mem.span(info, 8, dt, n, "loss");
    a.lse = mem.span(info, 10, dt, n, "lse");
  }
  return a;
}

}  // namespace napi
}  // namespace recforge
