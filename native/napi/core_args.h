// Argument parsers of the core op bindings (elementwise, reductions, softmax, norms, indexing,
// losses, random, optimisers, sorting), shared by the CPU addon (bind_core.cc) and the CUDA
// addon (napi_cuda/bind_cuda_core.cc) so both validate the same things with the same messages.
// Each parser reads the named arguments of its op (native/ops.table.mjs, through the args::<Op>
// accessors of op_args.generated.h; their names are listed next to it), checks sizes, enum codes,
// spans (through TensorArgs: host or device storages) and index ranges (TensorArgs::
// find_bad_index: a host loop, or a device scan whose verdict is copied back), and returns the
// kernel's arguments; pointers are in the addon's memory. A parser that returns has checked
// everything the kernel could read or write out of bounds, so a binding is parse-then-call.
//
// Float-only ops reject int32 with "expected a float dtype, got int32" (the message of
// RECFORGE_FLOAT_DISPATCH, so the bindings' dispatch never throws after a parser returned).
// Device-specific limits (the CUDA kernels' 2^31 - 1 caps) are checked by the CUDA bindings.
#pragma once
#include <cstdint>
#include <vector>

#include "op_args.generated.h"
#include "tensor_args.h"
#include "recforge/elementwise.h"
#include "recforge/random.h"
#include "recforge/reduce.h"

namespace recforge {
namespace napi {

// ---- helpers shared by the parsers (core_args.cc) -------------------------------------
// Arguments are named through the accessors of op_args.generated.h (the op table).
int64_t nonneg_arg(IntArg a, const char* what);
uint64_t u64_arg(IntArg a, const char* what);
// TypeError "expected a float dtype, got int32" unless dtype is float32 / float64.
void require_float(Napi::Env env, int dtype);
// A shape of at most kMaxDims non-negative dimensions.
std::vector<int64_t> shape_arg(IntsArg a);
// Elements the storage of a strided operand must hold past its offset (max index + 1), after
// checking that the strides match the shape and are non-negative.
int64_t strided_extent(Napi::Env env, const std::vector<int64_t>& shape, const std::vector<int64_t>& strides,
                       const char* what);
// RangeError "what: index V at position P is out of range [0, limit)" on the first bad index.
void check_indices(Napi::Env env, TensorArgs& mem, const int32_t* idx, int64_t n, int64_t limit, const char* what);

// ---- elementwise (core_elementwise_args.cc) -------------------------------------------
// unary(dtype, op, n, x, out, a, b)
// unaryBackward(dtype, op, n, x, y, grad, gradInput, a, b)
struct UnaryArgs {
  int dtype = F32;
  UnaryOp op = UnaryOp(0);
  int64_t n = 0;
  double a = 0, b = 0;
  const void *x = nullptr, *y = nullptr, *grad = nullptr;  // y, grad: backward only
  void* out = nullptr;                                      // out, or gradInput (backward)
};
UnaryArgs unary_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward);

// binary(dtype, op, shape, a, aStrides, b, bStrides, out); out is contiguous.
struct BinaryArgs {
  int dtype = F32;
  BinaryOp op = BinaryOp(0);
  std::vector<int64_t> shape, sa, sb;
  const void *a = nullptr, *b = nullptr;
  void* out = nullptr;
};
BinaryArgs binary_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// where(dtype, shape, cond, cStrides, a, aStrides, b, bStrides, out)
struct WhereArgs {
  int dtype = F32;
  std::vector<int64_t> shape, sc, sa, sb;
  const void *cond = nullptr, *a = nullptr, *b = nullptr;
  void* out = nullptr;
};
WhereArgs where_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// stridedCopy(dtype, shape, src, srcStrides, dst, dstStrides)
struct StridedCopyArgs {
  int dtype = F32;
  std::vector<int64_t> shape, ss, sd;
  const void* src = nullptr;
  void* dst = nullptr;
};
StridedCopyArgs strided_copy_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// cast(srcDtype, dstDtype, n, src, dst)
struct CastArgs {
  int src_dtype = F32, dst_dtype = F32;
  int64_t n = 0;
  const void* src = nullptr;
  void* dst = nullptr;
};
CastArgs cast_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// fill(dtype, n, dst, value)
struct FillArgs {
  int dtype = F32;
  int64_t n = 0;
  double value = 0;
  void* dst = nullptr;
};
FillArgs fill_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// axpby(dtype, n, x, s, y, t, out): out = x*s + y*t
struct AxpbyArgs {
  int dtype = F32;
  int64_t n = 0;
  double s = 0, t = 0;
  const void *x = nullptr, *y = nullptr;
  void* out = nullptr;
};
AxpbyArgs axpby_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// ---- reductions, softmax, norms, losses (core_nn_args.cc) -----------------------------
// reduce(dtype, op, outer, r, inner, x, out, indices|null); op: ReduceOp 0..3.
struct ReduceArgs {
  int dtype = F32;
  ReduceOp op = ReduceOp::Sum;
  int64_t outer = 0, r = 0, inner = 0;
  const void* x = nullptr;
  void* out = nullptr;
  int32_t* indices = nullptr;
};
ReduceArgs reduce_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// sumSquares(dtype, n, x) -> number
struct SumSquaresArgs {
  int dtype = F32;
  int64_t n = 0;
  const void* x = nullptr;
};
SumSquaresArgs sum_squares_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// softmax(dtype, rows, n, log, x, out)
// softmaxBackward(dtype, rows, n, log, y, grad, gradInput)
struct SoftmaxArgs {
  int dtype = F32;
  int64_t rows = 0, n = 0;
  bool log = false;
  const void *a = nullptr, *grad = nullptr;  // a: x (forward) or y (backward); grad: backward only
  void* out = nullptr;                        // out, or gradInput (backward)
};
SoftmaxArgs softmax_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward);

// norm(dtype, rms, rows, n, eps, x, weight|null, bias|null, out, mean|null, rstd)
struct NormArgs {
  int dtype = F32;
  bool rms = false;
  int64_t rows = 0, n = 0;
  double eps = 0;
  const void *x = nullptr, *weight = nullptr, *bias = nullptr;
  void *out = nullptr, *mean = nullptr, *rstd = nullptr;
};
NormArgs norm_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// normBackward(dtype, rms, rows, n, x, weight|null, mean|null, rstd, grad, gradInput,
//              gradWeight|null, gradBias|null); layerNorm (rms false) needs mean.
struct NormBackwardArgs {
  int dtype = F32;
  bool rms = false;
  int64_t rows = 0, n = 0;
  const void *x = nullptr, *weight = nullptr, *mean = nullptr, *rstd = nullptr, *grad = nullptr;
  void *grad_input = nullptr, *grad_weight = nullptr, *grad_bias = nullptr;
};
NormBackwardArgs norm_backward_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// bceLogits(dtype, n, posWeight, logits, target, loss)
// bceLogitsBackward(dtype, n, posWeight, logits, target, grad, gradInput)
struct BceLogitsArgs {
  int dtype = F32;
  int64_t n = 0;
  double pos_weight = 1;
  const void *logits = nullptr, *target = nullptr, *grad = nullptr;  // grad: backward only
  void* out = nullptr;                                                // loss, or gradInput (backward)
};
BceLogitsArgs bce_logits_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward);

// crossEntropy(dtype, n, classes, ignoreIndex, logits, target, loss, lse)
// crossEntropyBackward(dtype, n, classes, ignoreIndex, logits, target, lse, grad, gradInput)
// Targets other than ignoreIndex must lie in [0, classes); ignoreIndex must fit in int32.
struct CrossEntropyArgs {
  int dtype = F32;
  int64_t n = 0, c = 0;
  int32_t ignore = -100;
  const void* logits = nullptr;
  const int32_t* target = nullptr;
  const void* grad = nullptr;       // backward only
  void *loss = nullptr;             // forward only
  void* lse = nullptr;              // written forward, read backward
  void* grad_input = nullptr;       // backward only
};
CrossEntropyArgs cross_entropy_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward);

// ---- indexing, sorting (core_index_args.cc) -------------------------------------------
// gatherRows(dtype, n, d, rows, table, indices, out): out[n, d] = table[rows, d][indices]
// scatterAddRows(dtype, n, d, rows, src, indices, out): out[rows, d] += src[n, d] by indices
struct IndexRowsArgs {
  int dtype = F32;
  int64_t n = 0, d = 0, rows = 0;
  const void* src = nullptr;  // table (gather) or src (scatter)
  const int32_t* idx = nullptr;
  void* out = nullptr;
};
IndexRowsArgs index_rows_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool scatter);

// gatherAxis(dtype, outer, dim, k, inner, x, indices, out)
// scatterAddAxis(dtype, outer, dim, k, inner, src, indices, out); indices [outer, k, inner]
struct IndexAxisArgs {
  int dtype = F32;
  int64_t outer = 0, dim = 0, k = 0, inner = 0;
  const void* src = nullptr;  // x [outer, dim, inner] (gather) or src [outer, k, inner] (scatter)
  const int32_t* idx = nullptr;
  void* out = nullptr;  // [outer, k, inner] (gather) or [outer, dim, inner] (scatter)
};
IndexAxisArgs index_axis_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool scatter);

// topk(dtype, rows, n, k, largest, x, values, indices)
// sort(dtype, rows, n, descending, x, values, indices)  (k = n, largest = descending)
struct SortArgs {
  int dtype = F32;
  int64_t rows = 0, n = 0, k = 0;
  bool descending = false;
  const void* x = nullptr;
  void* values = nullptr;
  int32_t* indices = nullptr;
};
SortArgs topk_args(const Napi::CallbackInfo& info, TensorArgs& mem);
SortArgs sort_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// ---- random, optimisers (core_optim_args.cc) ------------------------------------------
// randomFill(dtype, kind, seed, offset, n, out, a, b); kind: RandomKind 0..2
struct RandomFillArgs {
  int dtype = F32;
  RandomKind kind = RandomKind(0);
  uint64_t seed = 0, offset = 0;
  int64_t n = 0;
  double a = 0, b = 0;
  void* out = nullptr;
};
RandomFillArgs random_fill_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// randomInt(seed, offset, n, out, low, high): int32 in [low, high)
struct RandomIntArgs {
  uint64_t seed = 0, offset = 0;
  int64_t n = 0, low = 0, high = 0;
  int32_t* out = nullptr;
};
RandomIntArgs random_int_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// sgdStep(dtype, n, param, grad, momentumBuf|null, lr, momentum, dampening, weightDecay,
//         nesterov, first)
struct SgdArgs {
  int dtype = F32;
  int64_t n = 0;
  void* param = nullptr;
  const void* grad = nullptr;
  void* buf = nullptr;
  double lr = 0, momentum = 0, dampening = 0, weight_decay = 0;
  bool nesterov = false, first = false;
};
SgdArgs sgd_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// adamStep(dtype, n, param, grad, m, v, lr, beta1, beta2, eps, weightDecay, decoupled, step)
struct AdamArgs {
  int dtype = F32;
  int64_t n = 0, step = 1;
  void* param = nullptr;
  const void* grad = nullptr;
  void *m = nullptr, *v = nullptr;
  double lr = 0, beta1 = 0, beta2 = 0, eps = 0, weight_decay = 0;
  bool decoupled = false;
};
AdamArgs adam_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// scaleInplace(dtype, n, x, scale)
struct ScaleArgs {
  int dtype = F32;
  int64_t n = 0;
  double scale = 1;
  void* x = nullptr;
};
ScaleArgs scale_args(const Napi::CallbackInfo& info, TensorArgs& mem);

}  // namespace napi
}  // namespace recforge
