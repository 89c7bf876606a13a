// balanceGradients on the device: the MultiBalance step (recforge/balance_gradients.h). The CPU
// binding's name, arguments and checks (native/napi/balance_args.h; the [T] state is copied to
// the host to be checked). The kernel reports a rejected step (NaN/Inf gradient, norm overflow)
// in a device status word; the binding copies it back (one small synchronous copy) so that JS
// gets the CPU addon's RangeError naming the task, with nothing updated.
#include <string>

#include "balance_args.h"
#include "cuda_common.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value BalanceGradients(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceArgs mem;
  const BalanceArgs a = balance_args(info, mem);
  if (a.T > 65535)
    throw_range(env, "balanceGradients: T = " + std::to_string(a.T) + " tasks exceed the CUDA kernel's limit of 65535");
  auto* s = stream_or_throw(env);
  Workspace ws(env, balance_gradients_cuda_workspace_bytes(a.T, a.N), "balanceGradients");
  Workspace status(env, 2 * sizeof(int32_t), "balanceGradients status");
  if (a.dtype == F32)
    balance_gradients_cuda(static_cast<const float*>(a.g), a.T, a.N, a.m, a.init, a.p, static_cast<float*>(a.out),
                           a.weights, a.norms, status.as<int32_t>(), ws.get(), s);
  else
    balance_gradients_cuda(static_cast<const double*>(a.g), a.T, a.N, a.m, a.init, a.p, static_cast<double*>(a.out),
                           a.weights, a.norms, status.as<int32_t>(), ws.get(), s);
  check_launch(env, "balanceGradients");
  int32_t host[2] = {0, -1};
  std::string err;
  if (!cuda_copy_to_host(host, status.get(), sizeof(host), s, &err)) throw_error(env, "balanceGradients: " + err);
  BalanceStatus st;
  st.reason = host[0];
  st.task = host[1];
  throw_if_rejected(env, st);
  return env.Undefined();
}

}  // namespace
RECFORGE_BIND(balanceGradients, BalanceGradients)
}  // namespace napi
}  // namespace recforge
