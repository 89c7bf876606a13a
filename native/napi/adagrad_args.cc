#include "adagrad_args.h"

#include <cmath>
#include <string>

namespace recforge {
namespace napi {

AdagradArgs adagrad_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::AdagradStep f(info);
  Napi::Env env = info.Env();
  AdagradArgs a;
  a.dtype = dtype_arg(f.dtype());
  if (a.dtype != F32 && a.dtype != F64)
    throw_type(env, std::string("adagradStep: expected a float dtype, got ") + dtype_name(a.dtype));
  const int64_t n = a.n = int_arg(f.n(), "adagradStep n");
  if (n < 0) throw_range(env, "adagradStep: n must be >= 0, got " + std::to_string(n));
  a.lr = num_arg(f.lr(), "adagradStep lr");
  a.lr_decay = num_arg(f.lrDecay(), "adagradStep lrDecay");
  a.eps = num_arg(f.eps(), "adagradStep eps");
  a.weight_decay = num_arg(f.weightDecay(), "adagradStep weightDecay");
  a.step = int_arg(f.step(), "adagradStep step");
  if (a.step < 1) throw_range(env, "adagradStep: step must be >= 1, got " + std::to_string(a.step));
  const struct {
    const char* name;
    double v;
  } hyper[] = {{"lr", a.lr}, {"lrDecay", a.lr_decay}, {"eps", a.eps}, {"weightDecay", a.weight_decay}};
  for (const auto& h : hyper)
    if (!(std::isfinite(h.v) && h.v >= 0))
      throw_range(env, std::string("adagradStep: ") + h.name + " must be finite and >= 0, got " + std::to_string(h.v));
  a.param = mem.span(f.param(), a.dtype, n, "adagradStep param");
  a.grad = mem.span(f.grad(), a.dtype, n, "adagradStep grad");
  a.sum = mem.span(f.sum(), a.dtype, n, "adagradStep sum");
  const int64_t bytes = n * (int64_t)dtype_size(a.dtype);
  const ByteRange rp{"param", a.param, bytes}, rg{"grad", a.grad, bytes}, rs{"sum", a.sum, bytes};
  if (overlaps(rp, rg) || overlaps(rp, rs) || overlaps(rg, rs))
    throw_range(env, "adagradStep: param, grad and sum must not overlap");
  return a;
}

}  // namespace napi
}  // namespace recforge
