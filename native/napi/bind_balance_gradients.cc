// balanceGradients: the MultiBalance step (recforge/balance_gradients.h) for JS. Validates
// every size, range and aliasing rule the kernel relies on, then calls it once.
//
// balanceGradients(dtype, T, N, g_s, g_o, m_s, m_o, init_s, init_o, beta, relax, refMode, target,
//                  strategy, out_s, out_o, weights_s, weights_o, norms_s, norms_o) -> undefined
//   g       dtype   [T, N]  per-task gradients at the representation (read)
//   m       float64 [T]     moving averages (state, updated)
//   init    int32   [T]     0/1 per task: has had its first step (state, set to 1)
//   out     dtype   [N]     Σ_i w_i g_i; may be exactly one row of g, no other overlap
//   weights float64 [T]     w_i (written)
//   norms   float64 [T]     ||g_i|| (written)
// A NaN/Inf in g throws a RangeError naming the task, and nothing is written.
#include <cmath>
#include <sstream>
#include <string>

#include "common.h"
#include "recforge/balance_gradients.h"

namespace recforge {
namespace napi {
namespace {

std::string num_str(double v) {
  std::ostringstream s;
  s.precision(17);
  s << v;
  return s.str();
}

struct Range {
  const char* what;
  const char* begin;
  size_t bytes;
};
bool overlap(const Range& a, const Range& b) {
  return a.bytes && b.bytes && a.begin < b.begin + b.bytes && b.begin < a.begin + a.bytes;
}

Napi::Value BalanceGradients(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const int dtype = dtype_arg(info, 0);
  if (dtype != F32 && dtype != F64)
    throw_type(env, std::string("balanceGradients: expected a float dtype, got ") + dtype_name(dtype));
  const int64_t T = int_arg(info, 1, "balanceGradients T");
  const int64_t N = int_arg(info, 2, "balanceGradients N");
  if (T < 1 || T > 0x7fffffff) throw_range(env, "balanceGradients: T must be in [1, 2^31), got " + std::to_string(T));
  if (N < 0) throw_range(env, "balanceGradients: N must be >= 0, got " + std::to_string(N));
  if ((double)T * (double)N > 9007199254740991.0)
    throw_range(env, "balanceGradients: T*N = " + std::to_string(T) + "*" + std::to_string(N) + " is too large");

  BalanceParams p;
  p.beta = num_arg(info, 9, "balanceGradients beta");
  p.relax = num_arg(info, 10, "balanceGradients relax");
  const int64_t ref_mode = int_arg(info, 11, "balanceGradients refMode");
  const int64_t target = int_arg(info, 12, "balanceGradients target");
  const int64_t strategy = int_arg(info, 13, "balanceGradients strategy");
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

  const size_t es = dtype_size(dtype);
  void* g = span_arg(info, 3, dtype, T * N, "balanceGradients g");
  double* m = span<double>(info, 5, F64, T, "balanceGradients m");
  int32_t* init = span<int32_t>(info, 7, I32, T, "balanceGradients init");
  void* out = span_arg(info, 14, dtype, N, "balanceGradients out");
  double* weights = span<double>(info, 16, F64, T, "balanceGradients weights");
  double* norms = span<double>(info, 18, F64, T, "balanceGradients norms");

  // Aliasing: out may be exactly row k of g; nothing else may overlap.
  const Range rg{"g", (const char*)g, (size_t)(T * N) * es}, rout{"out", (const char*)out, (size_t)N * es},
      rm{"m", (const char*)m, (size_t)T * 8}, rinit{"init", (const char*)init, (size_t)T * 4},
      rw{"weights", (const char*)weights, (size_t)T * 8}, rn{"norms", (const char*)norms, (size_t)T * 8};
  if (overlap(rout, rg)) {
    const ptrdiff_t d = rout.begin - rg.begin;
    if (d < 0 || d % (ptrdiff_t)rout.bytes != 0)
      throw_range(env, "balanceGradients: out overlaps g without being exactly one of its rows");
  }
  const Range* all[] = {&rg, &rout, &rm, &rinit, &rw, &rn};
  for (int a = 2; a < 6; ++a)
    for (int b = 0; b < a; ++b)
      if (overlap(*all[a], *all[b]))
        throw_range(env, std::string("balanceGradients: ") + all[a]->what + " overlaps " + all[b]->what);

  // State sanity: the kernel trusts it.
  for (int64_t i = 0; i < T; ++i) {
    if (init[i] != 0 && init[i] != 1)
      throw_range(env, "balanceGradients: init[" + std::to_string(i) + "] must be 0 or 1, got " +
                           std::to_string(init[i]));
    if (init[i] && !(std::isfinite(m[i]) && m[i] >= 0))
      throw_range(env, "balanceGradients: m[" + std::to_string(i) + "] = " + num_str(m[i]) +
                           " is not a valid moving average (must be finite and >= 0)");
  }

  BalanceStatus st;
  if (dtype == F32)
    st = balance_gradients(static_cast<const float*>(g), T, N, m, init, p, static_cast<float*>(out), weights, norms);
  else
    st = balance_gradients(static_cast<const double*>(g), T, N, m, init, p, static_cast<double*>(out), weights,
                           norms);
  if (st.reason == kBalanceNonFinite)
    throw_range(env, "balanceGradients: task " + std::to_string(st.task) +
                         " gradient contains NaN/Inf (nothing was updated)");
  if (st.reason == kBalanceNormOverflow)
    throw_range(env, "balanceGradients: task " + std::to_string(st.task) +
                         " gradient norm overflows float64 (sum of squares > 1.8e308; nothing was updated)");
  return env.Undefined();
}

}  // namespace
RECFORGE_BIND("balanceGradients", BalanceGradients);
}  // namespace napi
}  // namespace recforge
