// Parsers of the elementwise bindings (core_args.h): unary, binary, where, stridedCopy, cast,
// fill, axpby.
#include "core_args.h"

#include <string>

namespace recforge {
namespace napi {

UnaryArgs unary_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  Napi::Env env = info.Env();
  UnaryArgs a;
  a.dtype = dtype_arg(info, 0);
  const int64_t op = int_arg(info, 1, "unary op");
  if (op < 0 || op >= (int64_t)UnaryOp::Count) throw_range(env, "unknown unary op " + std::to_string(op));
  a.op = (UnaryOp)op;
  const int64_t n = a.n = nonneg_arg(info, 2, "numel");
  a.a = num_arg(info, backward ? 11 : 7, "a");
  a.b = num_arg(info, backward ? 12 : 8, "b");
  require_float(env, a.dtype);
  const int dt = a.dtype;
  a.x = mem.span(info, 3, dt, n, "x");
  if (backward) {
    a.y = mem.span(info, 5, dt, n, "y");
    a.grad = mem.span(info, 7, dt, n, "grad");
    a.out = mem.span(info, 9, dt, n, "gradInput");
  } else {
    a.out = mem.span(info, 5, dt, n, "out");
  }
  return a;
}

BinaryArgs binary_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  BinaryArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t op = int_arg(info, 1, "binary op");
  if (op < 0 || op >= (int64_t)BinaryOp::Count) throw_range(env, "unknown binary op " + std::to_string(op));
  if (dt == I32 && (op == (int64_t)BinaryOp::Div || op == (int64_t)BinaryOp::Pow))
    throw_type(env, "div/pow are not defined for int32 tensors (cast to float32 first)");
  a.op = (BinaryOp)op;
  a.shape = shape_arg(info, 2);
  a.sa = ints_arg(info, 5, "a strides");
  a.sb = ints_arg(info, 8, "b strides");
  const int64_t ea = strided_extent(env, a.shape, a.sa, "a"), eb = strided_extent(env, a.shape, a.sb, "b");
  a.a = mem.span(info, 3, dt, ea, "a");
  a.b = mem.span(info, 6, dt, eb, "b");
  a.out = mem.span(info, 9, dt, prod(a.shape), "out");
  return a;
}

WhereArgs where_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  WhereArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  a.shape = shape_arg(info, 1);
  a.sc = ints_arg(info, 4, "cond strides");
  a.sa = ints_arg(info, 7, "a strides");
  a.sb = ints_arg(info, 10, "b strides");
  const int64_t ec = strided_extent(env, a.shape, a.sc, "cond"), ea = strided_extent(env, a.shape, a.sa, "a"),
                eb = strided_extent(env, a.shape, a.sb, "b");
  a.cond = mem.span(info, 2, dt, ec, "cond");
  a.a = mem.span(info, 5, dt, ea, "a");
  a.b = mem.span(info, 8, dt, eb, "b");
  a.out = mem.span(info, 11, dt, prod(a.shape), "out");
  return a;
}

StridedCopyArgs strided_copy_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  StridedCopyArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  a.shape = shape_arg(info, 1);
  a.ss = ints_arg(info, 4, "src strides");
  a.sd = ints_arg(info, 7, "dst strides");
  const int64_t es = strided_extent(env, a.shape, a.ss, "src"), ed = strided_extent(env, a.shape, a.sd, "dst");
  a.src = mem.span(info, 2, dt, es, "src");
  a.dst = mem.span(info, 5, dt, ed, "dst");
  return a;
}

CastArgs cast_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  CastArgs a;
  a.src_dtype = dtype_arg(info, 0);
  a.dst_dtype = dtype_arg(info, 1);
  a.n = nonneg_arg(info, 2, "numel");
  a.src = mem.span(info, 3, a.src_dtype, a.n, "src");
  a.dst = mem.span(info, 5, a.dst_dtype, a.n, "dst");
  return a;
}

FillArgs fill_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  FillArgs a;
  a.dtype = dtype_arg(info, 0);
  a.n = nonneg_arg(info, 1, "numel");
  a.value = num_arg(info, 4, "value");
  a.dst = mem.span(info, 2, a.dtype, a.n, "dst");
  return a;
}

AxpbyArgs axpby_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  AxpbyArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t n = a.n = nonneg_arg(info, 1, "numel");
  a.s = num_arg(info, 4, "s");
  a.t = num_arg(info, 7, "t");
  require_float(info.Env(), dt);
  a.x = mem.span(info, 2, dt, n, "x");
  a.y = mem.span(info, 5, dt, n, "y");
  a.out = mem.span(info, 8, dt, n, "out");
  return a;
}

}  // namespace napi
}  // namespace recforge
