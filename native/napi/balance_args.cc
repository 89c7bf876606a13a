#include "balance_args.h"

#include <cmath>
#include <sstream>
#include <string>
#include <vector>

namespace recforge {
namespace napi {
namespace {

std::string num_str(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

// Everything but the gradients (F: args::BalanceGradients or args::BalanceGradientsRows; fn names
// the op in every message). The rows are read and their aliasing checked by the callers below.
template <typename F>
BalanceArgs scalar_and_state_args(const F& f, Napi::Env env, TensorArgs& mem, const std::string& fn) {
  BalanceArgs a;
  a.dtype = dtype_arg(f.dtype());
  if (a.dtype != F32 && a.dtype != F64) throw_type(env, fn + ": expected a float dtype, got " + dtype_name(a.dtype));
  const int64_t T = a.T = int_arg(f.T(), (fn + " T").c_str());
  const int64_t N = a.N = int_arg(f.N(), (fn + " N").c_str());
  if (T < 1 || T > 0x7fffffff) throw_range(env, fn + ": T must be in [1, 2^31), got " + std::to_string(T));
  if (N < 0) throw_range(env, fn + ": N must be >= 0, got " + std::to_string(N));
  if ((double)T * (double)N > 9007199254740991.0)
    throw_range(env, fn + ": T*N = " + std::to_string(T) + "*" + std::to_string(N) + " is too large");

  BalanceParams& p = a.p;
  p.beta = num_arg(f.beta(), (fn + " beta").c_str());
  p.relax = num_arg(f.relax(), (fn + " relax").c_str());
  const int64_t ref_mode = int_arg(f.refMode(), (fn + " refMode").c_str());
  const int64_t target = int_arg(f.target(), (fn + " target").c_str());
  const int64_t strategy = int_arg(f.strategy(), (fn + " strategy").c_str());
  if (!(p.beta >= 0 && p.beta < 1)) throw_range(env, fn + ": beta must be in [0, 1), got " + num_str(p.beta));
  if (!(p.relax >= 0 && p.relax <= 1)) throw_range(env, fn + ": relax must be in [0, 1], got " + num_str(p.relax));
  if (ref_mode < 0 || ref_mode > 2)
    throw_range(env, fn + ": refMode must be 0 (target), 1 (mean) or 2 (max), got " + std::to_string(ref_mode));
  if (target < 0 || target >= T)
    throw_range(env, fn + ": target must be in [0, " + std::to_string(T) + "), got " + std::to_string(target));
  if (strategy < 0 || strategy > 2)
    throw_range(env, fn + ": strategy must be 0 (both), 1 (shrink only) or 2 (enlarge only), got " +
                         std::to_string(strategy));
  p.ref_mode = (int)ref_mode;
  p.target = (int)target;
  p.strategy = (int)strategy;

  a.m = mem.typed<double>(f.m(), F64, T, (fn + " m").c_str());
  a.init = mem.typed<int32_t>(f.init(), I32, T, (fn + " init").c_str());
  a.out = mem.span(f.out(), a.dtype, N, (fn + " out").c_str());
  a.weights = mem.typed<double>(f.weights(), F64, T, (fn + " weights").c_str());
  a.norms = mem.typed<double>(f.norms(), F64, T, (fn + " norms").c_str());
  return a;
}

// Aliasing and the state the kernel trusts. `grads` are the byte ranges the gradients occupy (the
// stacked G, or each row): out may be exactly one row (out_row_bytes apart from a range's start
// when the range is the stacked G) and must not overlap them otherwise; m, init, weights and norms
// overlap nothing.
void check_aliasing_and_state(Napi::Env env, TensorArgs& mem, const BalanceArgs& a, const std::vector<ByteRange>& grads,
                              const std::string& fn) {
  const int64_t es = dtype_size(a.dtype), T = a.T, N = a.N;
  const ByteRange rout{"out", a.out, N * es}, rm{"m", a.m, T * 8}, rinit{"init", a.init, T * 4},
      rw{"weights", a.weights, T * 8}, rn{"norms", a.norms, T * 8};
  for (const ByteRange& rg : grads)
    if (overlaps(rout, rg)) {
      const ptrdiff_t d = static_cast<const char*>(rout.ptr) - static_cast<const char*>(rg.ptr);
      if (d < 0 || d % (ptrdiff_t)rout.bytes != 0)
        throw_range(env, fn + ": out overlaps " + rg.what + " without being exactly one of its rows");
    }
  const ByteRange* state[] = {&rm, &rinit, &rw, &rn};
  for (int x = 0; x < 4; ++x) {
    for (const ByteRange& rg : grads)
      if (overlaps(*state[x], rg)) throw_range(env, fn + ": " + state[x]->what + " overlaps " + rg.what);
    if (overlaps(*state[x], rout)) throw_range(env, fn + ": " + state[x]->what + " overlaps out");
    for (int y = 0; y < x; ++y)
      if (overlaps(*state[x], *state[y])) throw_range(env, fn + ": " + state[x]->what + " overlaps " + state[y]->what);
  }

  // State sanity: the kernel trusts it.
  const double* m = mem.host_view(env, static_cast<const double*>(a.m), T, (fn + " m").c_str());
  const int32_t* init = mem.host_view(env, static_cast<const int32_t*>(a.init), T, (fn + " init").c_str());
  for (int64_t i = 0; i < T; ++i) {
    if (init[i] != 0 && init[i] != 1)
      throw_range(env, fn + ": init[" + std::to_string(i) + "] must be 0 or 1, got " + std::to_string(init[i]));
    if (init[i] && !(std::isfinite(m[i]) && m[i] >= 0))
      throw_range(env, fn + ": m[" + std::to_string(i) + "] = " + num_str(m[i]) +
                           " is not a valid moving average (must be finite and >= 0)");
  }
}

}  // namespace

BalanceArgs balance_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::BalanceGradients f(info);
  const std::string fn = "balanceGradients";
  BalanceArgs a = scalar_and_state_args(f, info.Env(), mem, fn);
  a.g = mem.span(f.g(), a.dtype, a.T * a.N, "balanceGradients g");
  const int64_t es = dtype_size(a.dtype);
  a.rows.resize((size_t)a.T);
  for (int64_t i = 0; i < a.T; ++i) a.rows[(size_t)i] = static_cast<const char*>(a.g) + i * a.N * es;
  check_aliasing_and_state(info.Env(), mem, a, {{"g", a.g, a.T * a.N * es}}, fn);
  return a;
}

BalanceArgs balance_rows_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::BalanceGradientsRows f(info);
  const std::string fn = "balanceGradientsRows";
  Napi::Env env = info.Env();
  BalanceArgs a = scalar_and_state_args(f, env, mem, fn);
  const size_t got = tensors_count(f.gs(), "balanceGradientsRows gs");
  if ((int64_t)got != a.T)
    throw_range(env, fn + ": gs must hold T = " + std::to_string(a.T) + " tensors, got " + std::to_string(got));
  const int64_t es = dtype_size(a.dtype);
  std::vector<std::string> names((size_t)a.T);
  std::vector<ByteRange> ranges;
  a.rows.resize((size_t)a.T);
  for (int64_t i = 0; i < a.T; ++i) {
    names[(size_t)i] = "gradient of task " + std::to_string(i);
    a.rows[(size_t)i] = mem.span(f.gs(), (size_t)i, a.dtype, a.N, (fn + " " + names[(size_t)i]).c_str());
    ranges.push_back({names[(size_t)i].c_str(), a.rows[(size_t)i], a.N * es});
  }
  check_aliasing_and_state(env, mem, a, ranges, fn);
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
