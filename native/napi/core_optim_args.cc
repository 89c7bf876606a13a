// Parsers of the random-fill and optimiser bindings (core_args.h).
#include <string>

#include "core_args.h"

namespace recforge {
namespace napi {

RandomFillArgs random_fill_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::RandomFill f(info);
  Napi::Env env = info.Env();
  RandomFillArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  const int64_t kind = int_arg(f.kind(), "kind");
  if (kind < 0 || kind > 2) throw_range(env, "unknown random kind");
  a.kind = (RandomKind)kind;
  a.seed = u64_arg(f.seed(), "seed");
  a.offset = u64_arg(f.offset(), "offset");
  a.n = nonneg_arg(f.n(), "n");
  a.a = num_arg(f.a(), "a");
  a.b = num_arg(f.b(), "b");
  require_float(env, dt);
  a.out = mem.span(f.out(), dt, a.n, "out");
  return a;
}

RandomIntArgs random_int_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::RandomInt f(info);
  RandomIntArgs a;
  a.seed = u64_arg(f.seed(), "seed");
  a.offset = u64_arg(f.offset(), "offset");
  a.n = nonneg_arg(f.n(), "n");
  a.low = int_arg(f.low(), "low");
  a.high = int_arg(f.high(), "high");
  if (a.high <= a.low)
    throw_range(info.Env(), "randint: high (" + std::to_string(a.high) + ") must exceed low (" +
                                std::to_string(a.low) + ")");
  a.out = mem.typed<int32_t>(f.out(), I32, a.n, "out");
  return a;
}

SgdArgs sgd_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::SgdStep f(info);
  SgdArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  const int64_t n = a.n = nonneg_arg(f.n(), "n");
  require_float(info.Env(), dt);
  a.param = mem.span(f.param(), dt, n, "param");
  a.grad = mem.span(f.grad(), dt, n, "grad");
  a.buf = mem.maybe<void>(f.momentumBuf(), dt, n, "momentum");
  a.lr = num_arg(f.lr(), "lr");
  a.momentum = num_arg(f.momentum(), "momentum");
  a.dampening = num_arg(f.dampening(), "dampening");
  a.weight_decay = num_arg(f.weightDecay(), "weightDecay");
  a.nesterov = bool_arg(f.nesterov(), "nesterov");
  a.first = bool_arg(f.first(), "first");
  return a;
}

AdamArgs adam_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::AdamStep f(info);
  AdamArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  const int64_t n = a.n = nonneg_arg(f.n(), "n");
  a.step = int_arg(f.step(), "step");
  if (a.step < 1) throw_range(info.Env(), "adam step must be >= 1");
  require_float(info.Env(), dt);
  a.param = mem.span(f.param(), dt, n, "param");
  a.grad = mem.span(f.grad(), dt, n, "grad");
  a.m = mem.span(f.m(), dt, n, "m");
  a.v = mem.span(f.v(), dt, n, "v");
  a.lr = num_arg(f.lr(), "lr");
  a.beta1 = num_arg(f.beta1(), "beta1");
  a.beta2 = num_arg(f.beta2(), "beta2");
  a.eps = num_arg(f.eps(), "eps");
  a.weight_decay = num_arg(f.weightDecay(), "weightDecay");
  a.decoupled = bool_arg(f.decoupled(), "decoupled");
  return a;
}

ScaleArgs scale_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::ScaleInplace f(info);
  ScaleArgs a;
  a.dtype = dtype_arg(f.dtype());
  a.n = nonneg_arg(f.n(), "n");
  a.scale = num_arg(f.scale(), "scale");
  require_float(info.Env(), a.dtype);
  a.x = mem.span(f.x(), a.dtype, a.n, "x");
  return a;
}

}  // namespace napi
}  // namespace recforge
