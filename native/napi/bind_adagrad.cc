// adagradStep on the CPU (recforge/optim.h). Arguments and checks: adagrad_args.h (shared with
// the CUDA addon); one kernel call.
#include "adagrad_args.h"
#include "recforge/optim.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value AdagradStep(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const AdagradArgs a = adagrad_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    adagrad_step<T>(static_cast<T*>(a.param), static_cast<const T*>(a.grad), static_cast<T*>(a.sum), a.n, a.lr,
                    a.lr_decay, a.eps, a.weight_decay, a.step);
  });
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND(adagradStep, AdagradStep);
}  // namespace napi
}  // namespace recforge
