// Parsers of the random-fill and optimiser bindings (core_args.h).
#include <string>

#include "core_args.h"

namespace recforge {
namespace napi {

RandomFillArgs random_fill_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  RandomFillArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t kind = int_arg(info, 1, "kind");
  if (kind < 0 || kind > 2) throw_range(env, "unknown random kind");
  a.kind = (RandomKind)kind;
  a.seed = u64_arg(info, 2, "seed");
  a.offset = u64_arg(info, 3, "offset");
  a.n = nonneg_arg(info, 4, "n");
  a.a = num_arg(info, 7, "a");
  a.b = num_arg(info, 8, "b");
  require_float(env, dt);
  a.out = mem.span(info, 5, dt, a.n, "out");
  return a;
}

RandomIntArgs random_int_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  RandomIntArgs a;
  a.seed = u64_arg(info, 0, "seed");
  a.offset = u64_arg(info, 1, "offset");
  a.n = nonneg_arg(info, 2, "n");
  a.low = int_arg(info, 5, "low");
  a.high = int_arg(info, 6, "high");
  if (a.high <= a.low)
    throw_range(info.Env(), "randint: high (" + std::to_string(a.high) + ") must exceed low (" +
                                std::to_string(a.low) + ")");
  a.out = mem.typed<int32_t>(info, 3, I32, a.n, "out");
  return a;
}

SgdArgs sgd_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  SgdArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t n = a.n = nonneg_arg(info, 1, "n");
  require_float(info.Env(), dt);
  a.param = mem.span(info, 2, dt, n, "param");
  a.grad = mem.span(info, 4, dt, n, "grad");
  a.buf = mem.maybe<void>(info, 6, dt, n, "momentum");
  a.lr = num_arg(info, 8, "lr");
  a.momentum = num_arg(info, 9, "momentum");
  a.dampening = num_arg(info, 10, "dampening");
  a.weight_decay = num_arg(info, 11, "weightDecay");
  a.nesterov = bool_arg(info, 12, "nesterov");
  a.first = bool_arg(info, 13, "first");
  return a;
}

AdamArgs adam_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  AdamArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t n = a.n = nonneg_arg(info, 1, "n");
  a.step = int_arg(info, 16, "step");
  if (a.step < 1) throw_range(info.Env(), "adam step must be >= 1");
  require_float(info.Env(), dt);
  a.param = mem.span(info, 2, dt, n, "param");
  a.grad = mem.span(info, 4, dt, n, "grad");
  a.m = mem.span(info, 6, dt, n, "m");
  a.v = mem.span(info, 8, dt, n, "v");
  a.lr = num_arg(info, 10, "lr");
  a.beta1 = num_arg(info, 11, "beta1");
  a.beta2 = num_arg(info, 12, "beta2");
  a.eps = num_arg(info, 13, "eps");
  a.weight_decay = num_arg(info, 14, "weightDecay");
  a.decoupled = bool_arg(info, 15, "decoupled");
  return a;
}

ScaleArgs scale_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  ScaleArgs a;
  a.dtype = dtype_arg(info, 0);
  a.n = nonneg_arg(info, 1, "n");
  a.scale = num_arg(info, 4, "scale");
  require_float(info.Env(), a.dtype);
  a.x = mem.span(info, 2, a.dtype, a.n, "x");
  return a;
}

}  // namespace napi
}  // namespace recforge
