// balanceGradients / balanceGradientsRows on the CPU: the MultiBalance step
// (recforge/balance_gradients.h) for JS, the gradients stacked [T, N] or as T separate rows.
// Arguments and checks: balance_args.h (shared with the CUDA addon); one kernel call, on row
// pointers either way.
#include "balance_args.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value run_rows(const Napi::CallbackInfo& info, const BalanceArgs& a) {
  BalanceStatus st;
  if (a.dtype == F32)
    st = balance_gradients_rows(reinterpret_cast<const float* const*>(a.rows.data()), a.T, a.N, a.m, a.init, a.p,
                                static_cast<float*>(a.out), a.weights, a.norms);
  else
    st = balance_gradients_rows(reinterpret_cast<const double* const*>(a.rows.data()), a.T, a.N, a.m, a.init, a.p,
                                static_cast<double*>(a.out), a.weights, a.norms);
  throw_if_rejected(info.Env(), st);
  return info.Env().Undefined();
}

Napi::Value BalanceGradients(const Napi::CallbackInfo& info) {
  HostArgs mem;
  return run_rows(info, balance_args(info, mem));
}

Napi::Value BalanceGradientsRows(const Napi::CallbackInfo& info) {
  HostArgs mem;
  return run_rows(info, balance_rows_args(info, mem));
}

}  // namespace
RECFORGE_BIND(balanceGradients, BalanceGradients)
RECFORGE_BIND(balanceGradientsRows, BalanceGradientsRows)
}  // namespace napi
}  // namespace recforge
