// Parsers of the elementwise bindings (core_args.h): unary, binary, where, stridedCopy, cast,
// fill, axpby.
#include "core_args.h"

#include <string>

namespace recforge {
namespace napi {

UnaryArgs unary_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  const args::Unary f(info);
  const args::UnaryBackward b(info);
  Napi::Env env = info.Env();
  UnaryArgs a;
  a.dtype = dtype_arg(f.dtype());
  const int64_t op = int_arg(f.op(), "unary op");
  if (op < 0 || op >= (int64_t)UnaryOp::Count) throw_range(env, "unknown unary op " + std::to_string(op));
  a.op = (UnaryOp)op;
  const int64_t n = a.n = nonneg_arg(f.n(), "numel");
  a.a = num_arg(backward ? b.a() : f.a(), "a");
  a.b = num_arg(backward ? b.b() : f.b(), "b");
  require_float(env, a.dtype);
  const int dt = a.dtype;
  a.x = mem.span(f.x(), dt, n, "x");
  if (backward) {
    a.y = mem.span(b.y(), dt, n, "y");
    a.grad = mem.span(b.grad(), dt, n, "grad");
    a.out = mem.span(b.gradInput(), dt, n, "gradInput");
  } else {
    a.out = mem.span(f.out(), dt, n, "out");
  }
  return a;
}

BinaryArgs binary_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::Binary f(info);
  Napi::Env env = info.Env();
  BinaryArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  const int64_t op = int_arg(f.op(), "binary op");
  if (op < 0 || op >= (int64_t)BinaryOp::Count) throw_range(env, "unknown binary op " + std::to_string(op));
  if (dt == I32 && (op == (int64_t)BinaryOp::Div || op == (int64_t)BinaryOp::Pow))
    throw_type(env, "div/pow are not defined for int32 tensors (cast to float32 first)");
  a.op = (BinaryOp)op;
  a.shape = shape_arg(f.shape());
  a.sa = ints_arg(f.aStrides(), "a strides");
  a.sb = ints_arg(f.bStrides(), "b strides");
  const int64_t ea = strided_extent(env, a.shape, a.sa, "a"), eb = strided_extent(env, a.shape, a.sb, "b");
  a.a = mem.span(f.a(), dt, ea, "a");
  a.b = mem.span(f.b(), dt, eb, "b");
  a.out = mem.span(f.out(), dt, prod(a.shape), "out");
  return a;
}

WhereArgs where_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::Where f(info);
  Napi::Env env = info.Env();
  WhereArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  a.shape = shape_arg(f.shape());
  a.sc = ints_arg(f.condStrides(), "cond strides");
  a.sa = ints_arg(f.aStrides(), "a strides");
  a.sb = ints_arg(f.bStrides(), "b strides");
  const int64_t ec = strided_extent(env, a.shape, a.sc, "cond"), ea = strided_extent(env, a.shape, a.sa, "a"),
                eb = strided_extent(env, a.shape, a.sb, "b");
  a.cond = mem.span(f.cond(), dt, ec, "cond");
  a.a = mem.span(f.a(), dt, ea, "a");
  a.b = mem.span(f.b(), dt, eb, "b");
  a.out = mem.span(f.out(), dt, prod(a.shape), "out");
  return a;
}

StridedCopyArgs strided_copy_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::StridedCopy f(info);
  Napi::Env env = info.Env();
  StridedCopyArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  a.shape = shape_arg(f.shape());
  a.ss = ints_arg(f.srcStrides(), "src strides");
  a.sd = ints_arg(f.dstStrides(), "dst strides");
  const int64_t es = strided_extent(env, a.shape, a.ss, "src"), ed = strided_extent(env, a.shape, a.sd, "dst");
  a.src = mem.span(f.src(), dt, es, "src");
  a.dst = mem.span(f.dst(), dt, ed, "dst");
  return a;
}

CastArgs cast_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::Cast f(info);
  CastArgs a;
  a.src_dtype = dtype_arg(f.srcDtype());
  a.dst_dtype = dtype_arg(f.dstDtype());
  a.n = nonneg_arg(f.n(), "numel");
  a.src = mem.span(f.src(), a.src_dtype, a.n, "src");
  a.dst = mem.span(f.dst(), a.dst_dtype, a.n, "dst");
  return a;
}

FillArgs fill_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::Fill f(info);
  FillArgs a;
  a.dtype = dtype_arg(f.dtype());
  a.n = nonneg_arg(f.n(), "numel");
  a.value = num_arg(f.value(), "value");
  a.dst = mem.span(f.dst(), a.dtype, a.n, "dst");
  return a;
}

AxpbyArgs axpby_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::Axpby f(info);
  AxpbyArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  const int64_t n = a.n = nonneg_arg(f.n(), "numel");
  a.s = num_arg(f.s(), "s");
  a.t = num_arg(f.t(), "t");
  require_float(info.Env(), dt);
  a.x = mem.span(f.x(), dt, n, "x");
  a.y = mem.span(f.y(), dt, n, "y");
  a.out = mem.span(f.out(), dt, n, "out");
  return a;
}

}  // namespace napi
}  // namespace recforge
