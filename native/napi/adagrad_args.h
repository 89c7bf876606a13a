// Argument parser of adagradStep (recforge/optim.h), shared by the CPU addon (bind_adagrad.cc)
// and the CUDA addon (napi_cuda/bind_cuda_adagrad.cc), so both refuse the same bad input with
// the same message.
//
// adagradStep({dtype, n, param, grad, sum, lr, lrDecay, eps, weightDecay, step}) -> undefined
// (native/ops.table.mjs; read through args::AdagradStep)
//   param, sum  dtype [n]  updated in place; grad dtype [n] read
// Checks: dtype float32/float64, n >= 0, every span inside its storage, no two of param /
// grad / sum overlapping, step >= 1, lr / lrDecay / eps / weightDecay finite and >= 0.
#pragma once
#include <cstdint>

#include "op_args.generated.h"
#include "tensor_args.h"

namespace recforge {
namespace napi {

struct AdagradArgs {
  int dtype = F32;
  int64_t n = 0, step = 1;
  void* param = nullptr;
  const void* grad = nullptr;
  void* sum = nullptr;
  double lr = 0, lr_decay = 0, eps = 0, weight_decay = 0;
};
AdagradArgs adagrad_args(const Napi::CallbackInfo& info, TensorArgs& mem);

}  // namespace napi
}  // namespace recforge
