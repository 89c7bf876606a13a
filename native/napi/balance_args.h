// Argument parsers of balanceGradients and balanceGradientsRows (the MultiBalance step,
// recforge/balance_gradients.h), shared by the CPU addon (bind_balance_gradients.cc) and the CUDA
// addon (napi_cuda/bind_cuda_balance.cc; balanceGradients only).
//
// balanceGradients(dtype, T, N, g, m, init, beta, relax, refMode, target,
//                  strategy, out, weights, norms) -> undefined
//   g       dtype   [T, N]  per-task gradients at the representation (read)
// balanceGradientsRows: the same with gs, a list of T tensors of N elements each (row i = task i's
//   gradient, anywhere in memory; rows may overlap each other: they are only read), instead of g.
//   m       float64 [T]     moving averages (state, updated)
//   init    int32   [T]     0/1 per task: has had its first step (state, set to 1)
//   out     dtype   [N]     Σ_i w_i g_i; may be exactly one row of g (one of gs), no other overlap
//   weights float64 [T]     w_i (written)
//   norms   float64 [T]     ||g_i|| (written)
// Checks: dtype float32/float64, 1 <= T < 2^31, N >= 0, T*N <= 2^53, beta in [0, 1), relax in
// [0, 1], refMode / strategy codes, 0 <= target < T, every span inside its storage, the aliasing
// rules above, and the state the kernel trusts (init[i] in {0, 1}; m[i] finite and >= 0 for
// initialised tasks; read through TensorArgs::host).
#pragma once
#include <cstdint>
#include <vector>

#include "recforge/balance_gradients.h"
#include "op_args.generated.h"
#include "tensor_args.h"

namespace recforge {
namespace napi {

struct BalanceArgs {
  int dtype = F32;
  int64_t T = 0, N = 0;
  BalanceParams p;
  const void* g = nullptr;       // balanceGradients: the stacked [T, N] (rows[i] = g + i*N)
  std::vector<const void*> rows;  // row i = task i's gradient (both ops)
  void* out = nullptr;
  double *m = nullptr, *weights = nullptr, *norms = nullptr;
  int32_t* init = nullptr;
};
BalanceArgs balance_args(const Napi::CallbackInfo& info, TensorArgs& mem);
BalanceArgs balance_rows_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// The kernel's verdict as the binding's error: a RangeError naming the task for a NaN/Inf
// gradient or a norm overflow (nothing was updated); returns when the step was applied.
void throw_if_rejected(Napi::Env env, const BalanceStatus& st);

}  // namespace napi
}  // namespace recforge
