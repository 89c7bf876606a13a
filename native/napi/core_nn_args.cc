// Parsers of the reduction, softmax, norm and loss bindings (core_args.h).
#include <cstdint>
#include <string>

#include "core_args.h"

namespace recforge {
namespace napi {

ReduceArgs reduce_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::Reduce f(info);
  Napi::Env env = info.Env();
  ReduceArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  const int64_t op = int_arg(f.op(), "reduce op");
  if (op < 0 || op > 3) throw_range(env, "unknown reduce op " + std::to_string(op));
  a.op = (ReduceOp)op;
  const int64_t outer = a.outer = nonneg_arg(f.outer(), "outer"), r = a.r = nonneg_arg(f.r(), "reduced size"),
                inner = a.inner = nonneg_arg(f.inner(), "inner");
  if (r == 0 && (a.op == ReduceOp::Max || a.op == ReduceOp::Min) && outer * inner > 0)
    throw_range(env, "max/min over an axis of size 0 is undefined");
  require_float(env, dt);
  a.x = mem.span(f.x(), dt, outer * r * inner, "x");
  a.out = mem.span(f.out(), dt, outer * inner, "out");
  a.indices = mem.maybe<int32_t>(f.indices(), I32, outer * inner, "indices");
  return a;
}

SumSquaresArgs sum_squares_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::SumSquares f(info);
  SumSquaresArgs a;
  a.dtype = dtype_arg(f.dtype());
  a.n = nonneg_arg(f.n(), "numel");
  require_float(info.Env(), a.dtype);
  a.x = mem.span(f.x(), a.dtype, a.n, "x");
  return a;
}

SoftmaxArgs softmax_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  const args::Softmax f(info);
  const args::SoftmaxBackward b(info);
  SoftmaxArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  a.rows = nonneg_arg(f.rows(), "rows");
  a.n = nonneg_arg(f.n(), "n");
  a.log = bool_arg(f.log(), "log");
  require_float(info.Env(), dt);
  const int64_t numel = a.rows * a.n;
  if (backward) {
    a.a = mem.span(b.y(), dt, numel, "y");
    a.grad = mem.span(b.grad(), dt, numel, "grad");
    a.out = mem.span(b.gradInput(), dt, numel, "gradInput");
  } else {
    a.a = mem.span(f.x(), dt, numel, "x");
    a.out = mem.span(f.out(), dt, numel, "out");
  }
  return a;
}

NormArgs norm_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::Norm f(info);
  Napi::Env env = info.Env();
  NormArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  a.rms = bool_arg(f.rms(), "rms");
  const int64_t rows = a.rows = nonneg_arg(f.rows(), "rows"), n = a.n = nonneg_arg(f.n(), "n");
  a.eps = num_arg(f.eps(), "eps");
  if (!(a.eps >= 0)) throw_range(env, "eps must be >= 0");
  require_float(env, dt);
  a.x = mem.span(f.x(), dt, rows * n, "x");
  a.weight = mem.maybe<void>(f.weight(), dt, n, "weight");
  a.bias = mem.maybe<void>(f.bias(), dt, n, "bias");
  a.out = mem.span(f.out(), dt, rows * n, "out");
  a.mean = mem.maybe<void>(f.mean(), dt, rows, "mean");
  a.rstd = mem.span(f.rstd(), dt, rows, "rstd");
  return a;
}

NormBackwardArgs norm_backward_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::NormBackward f(info);
  Napi::Env env = info.Env();
  NormBackwardArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  a.rms = bool_arg(f.rms(), "rms");
  const int64_t rows = a.rows = nonneg_arg(f.rows(), "rows"), n = a.n = nonneg_arg(f.n(), "n");
  require_float(env, dt);
  a.mean = mem.maybe<void>(f.mean(), dt, rows, "mean");
  if (!a.rms && !a.mean) throw_type(env, "layerNorm backward needs the saved mean");
  a.x = mem.span(f.x(), dt, rows * n, "x");
  a.weight = mem.maybe<void>(f.weight(), dt, n, "weight");
  a.rstd = mem.span(f.rstd(), dt, rows, "rstd");
  a.grad = mem.span(f.grad(), dt, rows * n, "grad");
  a.grad_input = mem.span(f.gradInput(), dt, rows * n, "gradInput");
  a.grad_weight = mem.maybe<void>(f.gradWeight(), dt, n, "gradWeight");
  a.grad_bias = mem.maybe<void>(f.gradBias(), dt, n, "gradBias");
  return a;
}

BceLogitsArgs bce_logits_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  const args::BceLogits f(info);
  const args::BceLogitsBackward b(info);
  BceLogitsArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  const int64_t n = a.n = nonneg_arg(f.n(), "n");
  a.pos_weight = num_arg(f.posWeight(), "posWeight");
  require_float(info.Env(), dt);
  a.logits = mem.span(f.logits(), dt, n, "logits");
  a.target = mem.span(f.target(), dt, n, "target");
  if (backward) {
    a.grad = mem.span(b.grad(), dt, n, "grad");
    a.out = mem.span(b.gradInput(), dt, n, "gradInput");
  } else {
    a.out = mem.span(f.loss(), dt, n, "loss");
  }
  return a;
}

CrossEntropyArgs cross_entropy_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  const args::CrossEntropy f(info);
  const args::CrossEntropyBackward b(info);
  Napi::Env env = info.Env();
  CrossEntropyArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  const int64_t n = a.n = nonneg_arg(f.n(), "n"), c = a.c = nonneg_arg(f.classes(), "classes");
  // The kernels compare int32 targets with the ignore index: one outside int32 would be
  // truncated there and skip rows this check accepted.
  const int64_t ignore = int_arg(f.ignoreIndex(), "ignoreIndex");
  if (ignore < INT32_MIN || ignore > INT32_MAX)
    throw_range(env, "ignoreIndex must fit in int32, got " + std::to_string(ignore));
  a.ignore = (int32_t)ignore;
  a.target = mem.typed<int32_t>(f.target(), I32, n, "target");
  const TensorArgs::BadIndex bad = mem.find_bad_index(env, a.target, n, c, true, a.ignore, "crossEntropy");
  if (bad.position >= 0)
    throw_range(env, "crossEntropy: target " + std::to_string(bad.value) + " at row " + std::to_string(bad.position) +
                         " is out of range [0, " + std::to_string(c) + ")");
  require_float(env, dt);
  a.logits = mem.span(f.logits(), dt, n * c, "logits");
  if (backward) {
    a.lse = mem.span(b.lse(), dt, n, "lse");
    a.grad = mem.span(b.grad(), dt, n, "grad");
    a.grad_input = mem.span(b.gradInput(), dt, n * c, "gradInput");
  } else {
    a.loss = mem.span(f.loss(), dt, n, "loss");
    a.lse = mem.span(f.lse(), dt, n, "lse");
  }
  return a;
}

}  // namespace napi
}  // namespace recforge
