#include "balance_args.h"

#include <cmath>
#include <sstream>
#include <string>

namespace recforge {
namespace napi {
namespace {

std::string num_str(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

}  // namespace

BalanceArgs balance_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::BalanceGradients f(info);
  Napi::Env env = info.Env();
  BalanceArgs a;
  a.dtype = dtype_arg(f.dtype());
  if (a.dtype != F32 && a.dtype != F64)
    throw_type(env, std::string("balanceGradients: expected a float dtype, got ") + dtype_name(a.dtype));
  const int64_t T = a.T = int_arg(f.T(), "balanceGradients T");
  const int64_t N = a.N = int_arg(f.N(), "balanceGradients N");
  if (T < 1 || T > 0x7fffffff) throw_range(env, "balanceGradients: T must be in [1, 2^31), got " + std::to_string(T));
  if (N < 0) throw_range(env, "balanceGradients: N must be >= 0, got " + std::to_string(N));
  if ((double)T * (double)N > 9007199254740991.0)
    throw_range(env, "balanceGradients: T*N = " + std::to_string(T) + "*" + std::to_string(N) + " is too large");

  BalanceParams& p = a.p;
  p.beta = num_arg(f.beta(), "balanceGradients beta");
  p.relax = num_arg(f.relax(), "balanceGradients relax");
  const int64_t ref_mode = int_arg(f.refMode(), "balanceGradients refMode");
  const int64_t target = int_arg(f.target(), "balanceGradients target");
  const int64_t strategy = int_arg(f.strategy(), "balanceGradients strategy");
  if (!(p.beta >= 0 && p.beta < 1)) throw_range(env, "balanceGradients: beta must be in [0, 1), got " + num_str(p.beta));
  if (!(p.relax >= 0 && p.relax <= 1))
    throw_range(env, "balanceGradients: relax must be in [0, 1], got " + num_str(p.relax));
  if (ref_mode < 0 || ref_mode > 2)
    throw_range(env, "balanceGradients: refMode must be 0 (target), 1 (mean) or 2 (max), got " +
                         std::to_string(ref_mode));
  if (target < 0 || target >= T)
    throw_range(env, "balanceGradients: target must be in [0, " + std::to_string(T) + "), got " +
                         std::to_string(target));
  if (strategy < 0 || strategy > 2)
    throw_range(env, "balanceGradients: strategy must be 0 (both), 1 (shrink only) or 2 (enlarge only), got " +
                         std::to_string(strategy));
  p.ref_mode = (int)ref_mode;
  p.target = (int)target;
  p.strategy = (int)strategy;

  const int64_t es = dtype_size(a.dtype);
  a.g = mem.span(f.g(), a.dtype, T * N, "balanceGradients g");
  a.m = mem.typed<double>(f.m(), F64, T, "balanceGradients m");
  a.init = mem.typed<int32_t>(f.init(), I32, T, "balanceGradients init");
  a.out = mem.span(f.out(), a.dtype, N, "balanceGradients out");
  a.weights = mem.typed<double>(f.weights(), F64, T, "balanceGradients weights");
  a.norms = mem.typed<double>(f.norms(), F64, T, "balanceGradients norms");

  // Aliasing: out may be exactly row k of g; nothing else may overlap.
  const ByteRange rg{"g", a.g, T * N * es}, rout{"out", a.out, N * es}, rm{"m", a.m, T * 8},
      rinit{"init", a.init, T * 4}, rw{"weights", a.weights, T * 8}, rn{"norms", a.norms, T * 8};
  if (overlaps(rout, rg)) {
    const ptrdiff_t d = static_cast<const char*>(rout.ptr) - static_cast<const char*>(rg.ptr);
    if (d < 0 || d % (ptrdiff_t)rout.bytes != 0)
      throw_range(env, "balanceGradients: out overlaps g without being exactly one of its rows");
  }
  const ByteRange* all[] = {&rg, &rout, &rm, &rinit, &rw, &rn};
  for (int x = 2; x < 6; ++x)
    for (int y = 0; y < x; ++y)
      if (overlaps(*all[x], *all[y]))
        throw_range(env, std::string("balanceGradients: ") + all[x]->what + " overlaps " + all[y]->what);

  // State sanity: the kernel trusts it.
  const double* m = mem.host_view(env, static_cast<const double*>(a.m), T, "balanceGradients m");
  const int32_t* init = mem.host_view(env, static_cast<const int32_t*>(a.init), T, "balanceGradients init");
  for (int64_t i = 0; i < T; ++i) {
    if (init[i] != 0 && init[i] != 1)
      throw_range(env, "balanceGradients: init[" + std::to_string(i) + "] must be 0 or 1, got " +
                           std::to_string(init[i]));
    if (init[i] && !(std::isfinite(m[i]) && m[i] >= 0))
      throw_range(env, "balanceGradients: m[" + std::to_string(i) + "] = " + num_str(m[i]) +
                           " is not a valid moving average (must be finite and >= 0)");
  }
  return a;
}

void throw_if_rejected(Napi::Env env, const BalanceStatus& st) {
  if (st.reason == kBalanceNonFinite)
    throw_range(env, "balanceGradients: task " + std::to_string(st.task) +
                         " gradient contains NaN/Inf (nothing was updated)");
  if (st.reason == kBalanceNormOverflow)
    throw_range(env, "balanceGradients: task " + std::to_string(st.task) +
                         " gradient norm overflows float64 (sum of squares > 1.8e308; nothing was updated)");
}

}  // namespace napi
}  // namespace recforge
