// adagradStep on the device (recforge/optim.h): the CPU binding's name, arguments and checks
// (native/napi/adagrad_args.h); one kernel launch on recforge's stream, not waited for.
#include "adagrad_args.h"
#include "cuda_common.h"
#include "recforge/optim.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value AdagradStep(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const AdagradArgs a = adagrad_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    adagrad_step_cuda<T>(static_cast<T*>(a.param), static_cast<const T*>(a.grad), static_cast<T*>(a.sum), a.n, a.lr,
                         a.lr_decay, a.eps, a.weight_decay, a.step, s);
  });
  check_launch(info.Env(), "adagradStep");
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND(adagradStep, AdagradStep);
}  // namespace napi
}  // namespace recforge
