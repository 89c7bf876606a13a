// Bindings of the core op kernels (elementwise, reductions, softmax, norms, indexing,
// losses, random, optimisers, sorting). Each function parses its arguments with the parser
// the CUDA addon shares (core_args.h: sizes, enum codes, spans, index ranges), then calls the
// plain kernel. Tensors arrive as (storage, offset) pairs.
#include <cstring>

#include "common.h"
#include "core_args.h"
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

// ---- elementwise ---------------------------------------------------------------
Napi::Value Unary(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const UnaryArgs a = unary_args(info, mem, false);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T,
                          { unary_forward<T>(a.op, in<T>(a.x), out<T>(a.out), a.n, a.a, a.b); });
  return info.Env().Undefined();
}

Napi::Value UnaryBackward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const UnaryArgs a = unary_args(info, mem, true);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    unary_backward<T>(a.op, in<T>(a.x), in<T>(a.y), in<T>(a.grad), out<T>(a.out), a.n, a.a, a.b);
  });
  return info.Env().Undefined();
}

Napi::Value Binary(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const BinaryArgs a = binary_args(info, mem);
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, {
    binary_forward<T>(a.op, (int)a.shape.size(), a.shape.data(), in<T>(a.a), a.sa.data(), in<T>(a.b), a.sb.data(),
                      out<T>(a.out));
  });
  return info.Env().Undefined();
}

Napi::Value Where(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const WhereArgs a = where_args(info, mem);
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, {
    where_forward<T>((int)a.shape.size(), a.shape.data(), in<T>(a.cond), a.sc.data(), in<T>(a.a), a.sa.data(),
                     in<T>(a.b), a.sb.data(), out<T>(a.out));
  });
  return info.Env().Undefined();
}

Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const StridedCopyArgs a = strided_copy_args(info, mem);
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, {
    strided_copy<T>((int)a.shape.size(), a.shape.data(), in<T>(a.src), a.ss.data(), out<T>(a.dst), a.sd.data());
  });
  return info.Env().Undefined();
}

Napi::Value Cast(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const CastArgs a = cast_args(info, mem);
  const int sdt = a.src_dtype, ddt = a.dst_dtype;
  const int64_t n = a.n;
  if (sdt == ddt) {
    std::memcpy(a.dst, a.src, n * dtype_size(sdt));
  } else if (sdt == F32) {
    if (ddt == F64) cast<float, double>(in<float>(a.src), out<double>(a.dst), n);
    else cast<float, int32_t>(in<float>(a.src), out<int32_t>(a.dst), n);
  } else if (sdt == F64) {
    if (ddt == F32) cast<double, float>(in<double>(a.src), out<float>(a.dst), n);
    else cast<double, int32_t>(in<double>(a.src), out<int32_t>(a.dst), n);
  } else {
    if (ddt == F32) cast<int32_t, float>(in<int32_t>(a.src), out<float>(a.dst), n);
    else cast<int32_t, double>(in<int32_t>(a.src), out<double>(a.dst), n);
  }
  return info.Env().Undefined();
}

Napi::Value Fill(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const FillArgs a = fill_args(info, mem);
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, { fill<T>(out<T>(a.dst), a.n, (T)a.value); });
  return info.Env().Undefined();
}

Napi::Value Axpby(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const AxpbyArgs a = axpby_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T,
                          { axpby<T>(in<T>(a.x), (T)a.s, in<T>(a.y), (T)a.t, out<T>(a.out), a.n); });
  return info.Env().Undefined();
}

// ---- reductions -----------------------------------------------------------------
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const ReduceArgs a = reduce_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    reduce_axis<T>(a.op, in<T>(a.x), a.outer, a.r, a.inner, out<T>(a.out), a.indices);
  });
  return info.Env().Undefined();
}

Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const SumSquaresArgs a = sum_squares_args(info, mem);
  double r = 0;
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, { r = sum_squares<T>(in<T>(a.x), a.n); });
  return Napi::Number::New(info.Env(), r);
}

// ---- softmax / norms ------------------------------------------------------------
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const SoftmaxArgs a = softmax_args(info, mem, false);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T,
                          { softmax_forward<T>(in<T>(a.a), out<T>(a.out), a.rows, a.n, a.log); });
  return info.Env().Undefined();
}

Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const SoftmaxArgs a = softmax_args(info, mem, true);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T,
                          { softmax_backward<T>(in<T>(a.a), in<T>(a.grad), out<T>(a.out), a.rows, a.n, a.log); });
  return info.Env().Undefined();
}

Napi::Value Norm(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const NormArgs a = norm_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    norm_forward<T>(a.rms, in<T>(a.x), in<T>(a.weight), in<T>(a.bias), out<T>(a.out), out<T>(a.mean),
                    out<T>(a.rstd), a.rows, a.n, a.eps);
  });
  return info.Env().Undefined();
}

Napi::Value NormBackward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const NormBackwardArgs a = norm_backward_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    norm_backward<T>(a.rms, in<T>(a.x), in<T>(a.weight), in<T>(a.mean), in<T>(a.rstd), in<T>(a.grad),
                     out<T>(a.grad_input), out<T>(a.grad_weight), out<T>(a.grad_bias), a.rows, a.n);
  });
  return info.Env().Undefined();
}

// ---- indexing -------------------------------------------------------------------
Napi::Value GatherRows(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const IndexRowsArgs a = index_rows_args(info, mem, false);
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, { gather_rows<T>(in<T>(a.src), a.idx, a.n, a.d, out<T>(a.out)); });
  return info.Env().Undefined();
}

Napi::Value ScatterAddRows(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const IndexRowsArgs a = index_rows_args(info, mem, true);
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T,
                        { scatter_add_rows<T>(in<T>(a.src), a.idx, a.n, a.d, out<T>(a.out)); });
  return info.Env().Undefined();
}

Napi::Value GatherAxis(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const IndexAxisArgs a = index_axis_args(info, mem, false);
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T,
                        { gather_axis<T>(in<T>(a.src), a.idx, a.outer, a.dim, a.k, a.inner, out<T>(a.out)); });
  return info.Env().Undefined();
}

Napi::Value ScatterAddAxis(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const IndexAxisArgs a = index_axis_args(info, mem, true);
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T,
                        { scatter_add_axis<T>(in<T>(a.src), a.idx, a.outer, a.dim, a.k, a.inner, out<T>(a.out)); });
  return info.Env().Undefined();
}

// ---- losses ---------------------------------------------------------------------
Napi::Value BceLogits(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const BceLogitsArgs a = bce_logits_args(info, mem, false);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    bce_logits_forward<T>(in<T>(a.logits), in<T>(a.target), out<T>(a.out), a.n, a.pos_weight);
  });
  return info.Env().Undefined();
}

Napi::Value BceLogitsBackward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const BceLogitsArgs a = bce_logits_args(info, mem, true);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    bce_logits_backward<T>(in<T>(a.logits), in<T>(a.target), in<T>(a.grad), out<T>(a.out), a.n, a.pos_weight);
  });
  return info.Env().Undefined();
}

Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const CrossEntropyArgs a = cross_entropy_args(info, mem, false);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    cross_entropy_forward<T>(in<T>(a.logits), a.target, a.n, a.c, a.ignore, out<T>(a.loss), out<T>(a.lse));
  });
  return info.Env().Undefined();
}

Napi::Value CrossEntropyBackward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const CrossEntropyArgs a = cross_entropy_args(info, mem, true);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    cross_entropy_backward<T>(in<T>(a.logits), a.target, in<T>(a.lse), in<T>(a.grad), a.n, a.c, a.ignore,
                              out<T>(a.grad_input));
  });
  return info.Env().Undefined();
}

// ---- random ---------------------------------------------------------------------
Napi::Value RandomFill(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const RandomFillArgs a = random_fill_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T,
                          { random_fill<T>(a.kind, a.seed, a.offset, out<T>(a.out), a.n, a.a, a.b); });
  return info.Env().Undefined();
}

Napi::Value RandomInt(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const RandomIntArgs a = random_int_args(info, mem);
  random_int(a.seed, a.offset, a.out, a.n, a.low, a.high);
  return info.Env().Undefined();
}

// ---- optimisers -------------------------------------------------------------------
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const SgdArgs a = sgd_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    sgd_step<T>(out<T>(a.param), in<T>(a.grad), out<T>(a.buf), a.n, a.lr, a.momentum, a.dampening, a.weight_decay,
                a.nesterov, a.first);
  });
  return info.Env().Undefined();
}

Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const AdamArgs a = adam_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    adam_step<T>(out<T>(a.param), in<T>(a.grad), out<T>(a.m), out<T>(a.v), a.n, a.lr, a.beta1, a.beta2, a.eps,
                 a.weight_decay, a.decoupled, a.step);
  });
  return info.Env().Undefined();
}

Napi::Value ScaleInplace(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const ScaleArgs a = scale_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, { scale_inplace<T>(out<T>(a.x), a.n, a.scale); });
  return info.Env().Undefined();
}

// ---- sorting ----------------------------------------------------------------------
Napi::Value Topk(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const SortArgs a = topk_args(info, mem);
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T, {
    topk_rows<T>(in<T>(a.x), a.rows, a.n, a.k, a.descending, out<T>(a.values), a.indices);
  });
  return info.Env().Undefined();
}

Napi::Value Sort(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const SortArgs a = sort_args(info, mem);
  RECFORGE_ANY_DISPATCH(info.Env(), a.dtype, T,
                        { sort_rows<T>(in<T>(a.x), a.rows, a.n, a.descending, out<T>(a.values), a.indices); });
  return info.Env().Undefined();
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
