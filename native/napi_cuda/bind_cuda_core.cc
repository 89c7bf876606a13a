// Bindings of the core op kernels on the device. Every function has the CPU binding's name
// and arguments (native/ops.table.mjs, native/napi/bind_core.cc) and the same argument parser
// (native/napi/core_args.h) run over device storages (DeviceArgs: index tensors are checked
// by a device scan whose verdict is copied back), so lib/ops can call either addon through
// the same code and gets the same errors. What is checked here on top are the CUDA kernels'
// own size limits. Kernels are launched on recforge's stream and not waited for (reads of
// results synchronise).
#include <cstdint>
#include <string>

#include "core_args.h"
#include "cuda_common.h"
#include "recforge/elementwise.h"
#include "recforge/indexing.h"
#include "recforge/loss.h"
#include "recforge/norm.h"
#include "recforge/optim.h"
#include "recforge/random.h"
#include "recforge/reduce.h"
#include "recforge/softmax.h"
#include "recforge/sort.h"

namespace recforge {
namespace napi {
namespace {

template <typename T>
const T* in(const void* p) {
  return static_cast<const T*>(p);
}
template <typename T>
T* out(void* p) {
  return static_cast<T*>(p);
}

Napi::Value done(const Napi::CallbackInfo& info, const char* what) {
  check_launch(info.Env(), what);
  return info.Env().Undefined();
}

// ---- elementwise ---------------------------------------------------------------
Napi::Value Unary(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const UnaryArgs a = unary_args(info, mem, false);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T,
                          { unary_forward_cuda<T>(a.op, in<T>(a.x), out<T>(a.out), a.n, a.a, a.b, s); });
  return done(info, "unary");
}

Napi::Value UnaryBackward(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const UnaryArgs a = unary_args(info, mem, true);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    unary_backward_cuda<T>(a.op, in<T>(a.x), in<T>(a.y), in<T>(a.grad), out<T>(a.out), a.n, a.a, a.b, s);
  });
  return done(info, "unaryBackward");
}

Napi::Value Binary(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const BinaryArgs a = binary_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, {
    binary_forward_cuda<T>(a.op, (int)a.shape.size(), a.shape.data(), in<T>(a.a), a.sa.data(), in<T>(a.b),
                           a.sb.data(), out<T>(a.out), s);
  });
  return done(info, "binary");
}

Napi::Value Where(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const WhereArgs a = where_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, {
    where_forward_cuda<T>((int)a.shape.size(), a.shape.data(), in<T>(a.cond), a.sc.data(), in<T>(a.a), a.sa.data(),
                          in<T>(a.b), a.sb.data(), out<T>(a.out), s);
  });
  return done(info, "where");
}

Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const StridedCopyArgs a = strided_copy_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, {
    strided_copy_cuda<T>((int)a.shape.size(), a.shape.data(), in<T>(a.src), a.ss.data(), out<T>(a.dst), a.sd.data(),
                         s);
  });
  return done(info, "stridedCopy");
}

Napi::Value Cast(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const CastArgs a = cast_args(info, mem);
  const int sdt = a.src_dtype, ddt = a.dst_dtype;
  const int64_t n = a.n;
  auto* s = stream_or_throw(info.Env());
  if (sdt == ddt) {
    std::string err;
    if (!cuda_copy_device(a.dst, a.src, (size_t)n * dtype_size(sdt), s, &err)) throw_error(info.Env(), "cast: " + err);
  } else if (sdt == F32) {
    if (ddt == F64) cast_cuda<float, double>(in<float>(a.src), out<double>(a.dst), n, s);
    else cast_cuda<float, int32_t>(in<float>(a.src), out<int32_t>(a.dst), n, s);
  } else if (sdt == F64) {
    if (ddt == F32) cast_cuda<double, float>(in<double>(a.src), out<float>(a.dst), n, s);
    else cast_cuda<double, int32_t>(in<double>(a.src), out<int32_t>(a.dst), n, s);
  } else {
    if (ddt == F32) cast_cuda<int32_t, float>(in<int32_t>(a.src), out<float>(a.dst), n, s);
    else cast_cuda<int32_t, double>(in<int32_t>(a.src), out<double>(a.dst), n, s);
  }
  return done(info, "cast");
}

Napi::Value Fill(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const FillArgs a = fill_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, { fill_cuda<T>(out<T>(a.dst), a.n, (T)a.value, s); });
  return done(info, "fill");
}

Napi::Value Axpby(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const AxpbyArgs a = axpby_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T,
                          { axpby_cuda<T>(in<T>(a.x), (T)a.s, in<T>(a.y), (T)a.t, out<T>(a.out), a.n, s); });
  return done(info, "axpby");
}

// ---- reductions -----------------------------------------------------------------
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const ReduceArgs a = reduce_args(info, mem);
  if (a.r > INT32_MAX) throw_range(info.Env(), "reduce: axis of " + std::to_string(a.r) + " elements exceeds 2^31 - 1");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    reduce_axis_cuda<T>(a.op, in<T>(a.x), a.outer, a.r, a.inner, out<T>(a.out), a.indices, s);
  });
  return done(info, "reduce");
}

// sumSquares waits for its result (a number).
Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceArgs mem;
  const SumSquaresArgs a = sum_squares_args(info, mem);
  auto* s = stream_or_throw(env);
  Workspace result(env, 8, "sumSquares"), ws(env, sum_squares_cuda_workspace_bytes(a.n), "sumSquares");
  RECFORGE_FLOAT_DISPATCH(env, a.dtype, T,
                          { sum_squares_cuda<T>(in<T>(a.x), a.n, result.as<double>(), ws.get(), s); });
  check_launch(env, "sumSquares");
  double r = 0;
  std::string err;
  if (!cuda_copy_to_host(&r, result.get(), sizeof(double), s, &err)) throw_error(env, "sumSquares: " + err);
  return Napi::Number::New(env, r);
}

// ---- softmax / norms ------------------------------------------------------------
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const SoftmaxArgs a = softmax_args(info, mem, false);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T,
                          { softmax_forward_cuda<T>(in<T>(a.a), out<T>(a.out), a.rows, a.n, a.log, s); });
  return done(info, "softmax");
}

Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const SoftmaxArgs a = softmax_args(info, mem, true);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    softmax_backward_cuda<T>(in<T>(a.a), in<T>(a.grad), out<T>(a.out), a.rows, a.n, a.log, s);
  });
  return done(info, "softmaxBackward");
}

Napi::Value Norm(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const NormArgs a = norm_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    norm_forward_cuda<T>(a.rms, in<T>(a.x), in<T>(a.weight), in<T>(a.bias), out<T>(a.out), out<T>(a.mean),
                         out<T>(a.rstd), a.rows, a.n, a.eps, s);
  });
  return done(info, "norm");
}

Napi::Value NormBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceArgs mem;
  const NormBackwardArgs a = norm_backward_args(info, mem);
  auto* s = stream_or_throw(env);
  // The weight / bias gradients reduce over rows through a workspace.
  const int64_t wbytes = (a.grad_weight || a.grad_bias) ? norm_backward_cuda_workspace_bytes(a.rows, a.n) : 8;
  Workspace ws(env, wbytes, "normBackward");
  RECFORGE_FLOAT_DISPATCH(env, a.dtype, T, {
    norm_backward_cuda<T>(a.rms, in<T>(a.x), in<T>(a.weight), in<T>(a.mean), in<T>(a.rstd), in<T>(a.grad),
                          out<T>(a.grad_input), out<T>(a.grad_weight), out<T>(a.grad_bias), a.rows, a.n, ws.get(), s);
  });
  return done(info, "normBackward");
}

// ---- indexing -------------------------------------------------------------------
Napi::Value GatherRows(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const IndexRowsArgs a = index_rows_args(info, mem, false);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T,
                        { gather_rows_cuda<T>(in<T>(a.src), a.idx, a.n, a.d, out<T>(a.out), s); });
  return done(info, "gatherRows");
}

Napi::Value ScatterAddRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceArgs mem;
  const IndexRowsArgs a = index_rows_args(info, mem, true);
  // The CUDA kernel sorts (row, position) pairs with int32 positions.
  if (a.n > INT32_MAX) throw_range(env, "scatterAdd: " + std::to_string(a.n) + " indices exceed 2^31 - 1");
  auto* s = stream_or_throw(env);
  Workspace ws(env, scatter_add_rows_cuda_workspace_bytes(a.n, a.rows), "scatterAdd");
  RECFORGE_ANY_DISPATCH(env, a.dtype, T, {
    scatter_add_rows_cuda<T>(in<T>(a.src), a.idx, a.n, a.d, a.rows, out<T>(a.out), ws.get(), s);
  });
  return done(info, "scatterAddRows");
}

Napi::Value GatherAxis(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const IndexAxisArgs a = index_axis_args(info, mem, false);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, {
    gather_axis_cuda<T>(in<T>(a.src), a.idx, a.outer, a.dim, a.k, a.inner, out<T>(a.out), s);
  });
  return done(info, "gatherAxis");
}

Napi::Value ScatterAddAxis(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const IndexAxisArgs a = index_axis_args(info, mem, true);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, {
    scatter_add_axis_cuda<T>(in<T>(a.src), a.idx, a.outer, a.dim, a.k, a.inner, out<T>(a.out), s);
  });
  return done(info, "scatterAddAxis");
}

// ---- losses ---------------------------------------------------------------------
Napi::Value BceLogits(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const BceLogitsArgs a = bce_logits_args(info, mem, false);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    bce_logits_forward_cuda<T>(in<T>(a.logits), in<T>(a.target), out<T>(a.out), a.n, a.pos_weight, s);
  });
  return done(info, "bceLogits");
}

Napi::Value BceLogitsBackward(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const BceLogitsArgs a = bce_logits_args(info, mem, true);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    bce_logits_backward_cuda<T>(in<T>(a.logits), in<T>(a.target), in<T>(a.grad), out<T>(a.out), a.n, a.pos_weight,
                                s);
  });
  return done(info, "bceLogitsBackward");
}

Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const CrossEntropyArgs a = cross_entropy_args(info, mem, false);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    cross_entropy_forward_cuda<T>(in<T>(a.logits), a.target, a.n, a.c, a.ignore, out<T>(a.loss), out<T>(a.lse), s);
  });
  return done(info, "crossEntropy");
}

Napi::Value CrossEntropyBackward(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const CrossEntropyArgs a = cross_entropy_args(info, mem, true);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    cross_entropy_backward_cuda<T>(in<T>(a.logits), a.target, in<T>(a.lse), in<T>(a.grad), a.n, a.c, a.ignore,
                                   out<T>(a.grad_input), s);
  });
  return done(info, "crossEntropyBackward");
}

// ---- random ---------------------------------------------------------------------
Napi::Value RandomFill(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const RandomFillArgs a = random_fill_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T,
                          { random_fill_cuda<T>(a.kind, a.seed, a.offset, out<T>(a.out), a.n, a.a, a.b, s); });
  return done(info, "randomFill");
}

Napi::Value RandomInt(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const RandomIntArgs a = random_int_args(info, mem);
  random_int_cuda(a.seed, a.offset, a.out, a.n, a.low, a.high, stream_or_throw(info.Env()));
  return done(info, "randomInt");
}

// ---- optimisers -------------------------------------------------------------------
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const SgdArgs a = sgd_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    sgd_step_cuda<T>(out<T>(a.param), in<T>(a.grad), out<T>(a.buf), a.n, a.lr, a.momentum, a.dampening,
                     a.weight_decay, a.nesterov, a.first, s);
  });
  return done(info, "sgdStep");
}

Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const AdamArgs a = adam_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    adam_step_cuda<T>(out<T>(a.param), in<T>(a.grad), out<T>(a.m), out<T>(a.v), a.n, a.lr, a.beta1, a.beta2, a.eps,
                      a.weight_decay, a.decoupled, a.step, s);
  });
  return done(info, "adamStep");
}

Napi::Value ScaleInplace(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const ScaleArgs a = scale_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, { scale_inplace_cuda<T>(out<T>(a.x), a.n, a.scale, s); });
  return done(info, "scaleInplace");
}

// ---- sorting ----------------------------------------------------------------------
// The CUDA sort keys every element of the batch with an int32 position.
void check_sort_size(Napi::Env env, int64_t rows, int64_t n, const char* what) {
  if (rows * n > INT32_MAX)
    throw_range(env, std::string(what) + ": " + std::to_string(rows) + " x " + std::to_string(n) +
                         " elements exceed the CUDA sort's limit of 2^31 - 1");
}

Napi::Value Topk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceArgs mem;
  const SortArgs a = topk_args(info, mem);
  check_sort_size(env, a.rows, a.n, "topk");
  auto* s = stream_or_throw(env);
  Workspace ws(env, sort_rows_cuda_workspace_bytes(a.rows, a.n), "topk");
  RECFORGE_ANY_DISPATCH(env, a.dtype, T, {
    topk_rows_cuda<T>(in<T>(a.x), a.rows, a.n, a.k, a.descending, out<T>(a.values), a.indices, ws.get(), s);
  });
  return done(info, "topk");
}

Napi::Value Sort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceArgs mem;
  const SortArgs a = sort_args(info, mem);
  check_sort_size(env, a.rows, a.n, "sort");
  auto* s = stream_or_throw(env);
  Workspace ws(env, sort_rows_cuda_workspace_bytes(a.rows, a.n), "sort");
  RECFORGE_ANY_DISPATCH(env, a.dtype, T, {
    sort_rows_cuda<T>(in<T>(a.x), a.rows, a.n, a.descending, out<T>(a.values), a.indices, ws.get(), s);
  });
  return done(info, "sort");
}

}  // namespace

RECFORGE_BIND(unary, Unary)
RECFORGE_BIND(unaryBackward, UnaryBackward)
RECFORGE_BIND(binary, Binary)
RECFORGE_BIND(where, Where)
RECFORGE_BIND(stridedCopy, StridedCopy)
RECFORGE_BIND(cast, Cast)
RECFORGE_BIND(fill, Fill)
RECFORGE_BIND(axpby, Axpby)
RECFORGE_BIND(reduce, Reduce)
RECFORGE_BIND(sumSquares, SumSquares)
RECFORGE_BIND(softmax, Softmax)
RECFORGE_BIND(softmaxBackward, SoftmaxBackward)
RECFORGE_BIND(norm, Norm)
RECFORGE_BIND(normBackward, NormBackward)
RECFORGE_BIND(gatherRows, GatherRows)
RECFORGE_BIND(scatterAddRows, ScatterAddRows)
RECFORGE_BIND(gatherAxis, GatherAxis)
RECFORGE_BIND(scatterAddAxis, ScatterAddAxis)
RECFORGE_BIND(bceLogits, BceLogits)
RECFORGE_BIND(bceLogitsBackward, BceLogitsBackward)
RECFORGE_BIND(crossEntropy, CrossEntropy)
RECFORGE_BIND(crossEntropyBackward, CrossEntropyBackward)
RECFORGE_BIND(randomFill, RandomFill)
RECFORGE_BIND(randomInt, RandomInt)
RECFORGE_BIND(sgdStep, SgdStep)
RECFORGE_BIND(adamStep, AdamStep)
RECFORGE_BIND(scaleInplace, ScaleInplace)
RECFORGE_BIND(topk, Topk)
RECFORGE_BIND(sort, Sort)

}  // namespace napi
}  // namespace recforge
