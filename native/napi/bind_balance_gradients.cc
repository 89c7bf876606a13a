// balanceGradients on the CPU: the MultiBalance step (recforge/balance_gradients.h) for JS.
// Arguments and checks: balance_args.h (shared with the CUDA addon); one kernel call.
#include "balance_args.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value BalanceGradients(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const BalanceArgs a = balance_args(info, mem);
  BalanceStatus st;
  if (a.dtype == F32)
    st = balance_gradients(static_cast<const float*>(a.g), a.T, a.N, a.m, a.init, a.p, static_cast<float*>(a.out),
                           a.weights, a.norms);
  else
    st = balance_gradients(static_cast<const double*>(a.g), a.T, a.N, a.m, a.init, a.p, static_cast<double*>(a.out),
                           a.weights, a.norms);
  throw_if_rejected(info.Env(), st);
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND(balanceGradients, BalanceGradients)
}  // namespace napi
}  // namespace recforge
