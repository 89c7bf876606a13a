// Bindings of the core op kernels on the device. Every function has the CPU binding's name
// and positional arguments (native/napi/bind_core.cc), so lib/ops can call either addon
// through the same code; storages must be device storages. Sizes, enum codes and storage
// bounds are validated on the host; index tensors (on the device) are checked by a small
// device kernel whose verdict is copied back before the op runs. Kernels are launched on
// recforge's stream and not waited for (reads of results synchronise).
#include <cmath>
#include <cstring>
#include <limits>

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

int64_t nonneg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  int64_t v = int_arg(info, i, what);
  if (v < 0) throw_range(info.Env(), std::string(what) + " must be >= 0, got " + std::to_string(v));
  return v;
}

int64_t strided_extent(Napi::Env env, const std::vector<int64_t>& shape, const std::vector<int64_t>& st,
                       const char* what) {
  if (st.size() != shape.size())
    throw_range(env, std::string(what) + ": strides " + shape_str(st) + " do not match shape " + shape_str(shape));
  int64_t ext = 0;
  for (size_t d = 0; d < shape.size(); ++d) {
    if (shape[d] == 0) return 0;
    if (st[d] < 0) throw_range(env, std::string(what) + ": negative stride " + std::to_string(st[d]));
    ext += (shape[d] - 1) * st[d];
  }
  return ext + 1;
}

std::vector<int64_t> shape_arg(const Napi::CallbackInfo& info, size_t i) {
  auto s = ints_arg(info, i, "shape");
  if (s.size() > (size_t)kMaxDims) throw_range(info.Env(), "at most 6 dims are supported, got shape " + shape_str(s));
  for (auto v : s)
    if (v < 0) throw_range(info.Env(), "negative dimension in shape " + shape_str(s));
  return s;
}

Napi::Value done(const Napi::CallbackInfo& info, const char* what) {
  check_launch(info.Env(), what);
  return info.Env().Undefined();
}

// ---- elementwise ---------------------------------------------------------------
// unary(dtype, op, n, x_s, x_o, y_s, y_o, a, b)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t op = int_arg(info, 1, "unary op");
  if (op < 0 || op >= (int64_t)UnaryOp::Count) throw_range(info.Env(), "unknown unary op " + std::to_string(op));
  int64_t n = nonneg(info, 2, "numel");
  double a = num_arg(info, 7, "a"), b = num_arg(info, 8, "b");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    unary_forward_cuda<T>((UnaryOp)op, dev_span<T>(info, 3, dt, n, "x"), dev_span<T>(info, 5, dt, n, "out"), n, a, b,
                          s);
  });
  return done(info, "unary");
}

// unaryBackward(dtype, op, n, x, y, gy, gx, a, b)
Napi::Value UnaryBackward(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t op = int_arg(info, 1, "unary op");
  if (op < 0 || op >= (int64_t)UnaryOp::Count) throw_range(info.Env(), "unknown unary op " + std::to_string(op));
  int64_t n = nonneg(info, 2, "numel");
  double a = num_arg(info, 11, "a"), b = num_arg(info, 12, "b");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    unary_backward_cuda<T>((UnaryOp)op, dev_span<T>(info, 3, dt, n, "x"), dev_span<T>(info, 5, dt, n, "y"),
                           dev_span<T>(info, 7, dt, n, "grad"), dev_span<T>(info, 9, dt, n, "gradInput"), n, a, b, s);
  });
  return done(info, "unaryBackward");
}

// binary(dtype, op, shape, a_s, a_o, a_strides, b_s, b_o, b_strides, out_s, out_o)
Napi::Value Binary(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t op = int_arg(info, 1, "binary op");
  if (op < 0 || op >= (int64_t)BinaryOp::Count) throw_range(info.Env(), "unknown binary op " + std::to_string(op));
  if (dt == I32 && (op == (int64_t)BinaryOp::Div || op == (int64_t)BinaryOp::Pow))
    throw_type(info.Env(), "div/pow are not defined for int32 tensors (cast to float32 first)");
  auto shape = shape_arg(info, 2);
  auto sa = ints_arg(info, 5, "a strides"), sb = ints_arg(info, 8, "b strides");
  int64_t ea = strided_extent(info.Env(), shape, sa, "a"), eb = strided_extent(info.Env(), shape, sb, "b");
  int64_t n = prod(shape);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    const T* a = dev_span<T>(info, 3, dt, ea, "a");
    const T* b = dev_span<T>(info, 6, dt, eb, "b");
    T* out = dev_span<T>(info, 9, dt, n, "out");
    binary_forward_cuda<T>((BinaryOp)op, (int)shape.size(), shape.data(), a, sa.data(), b, sb.data(), out, s);
  });
  return done(info, "binary");
}

// where(dtype, shape, c_s, c_o, c_strides, a_s, a_o, a_strides, b_s, b_o, b_strides, out_s, out_o)
Napi::Value Where(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  auto shape = shape_arg(info, 1);
  auto sc = ints_arg(info, 4, "cond strides"), sa = ints_arg(info, 7, "a strides"), sb = ints_arg(info, 10, "b strides");
  int64_t ec = strided_extent(info.Env(), shape, sc, "cond"), ea = strided_extent(info.Env(), shape, sa, "a"),
          eb = strided_extent(info.Env(), shape, sb, "b");
  int64_t n = prod(shape);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    where_forward_cuda<T>((int)shape.size(), shape.data(), dev_span<T>(info, 2, dt, ec, "cond"), sc.data(),
                          dev_span<T>(info, 5, dt, ea, "a"), sa.data(), dev_span<T>(info, 8, dt, eb, "b"), sb.data(),
                          dev_span<T>(info, 11, dt, n, "out"), s);
  });
  return done(info, "where");
}

// stridedCopy(dtype, shape, src_s, src_o, src_strides, dst_s, dst_o, dst_strides)
Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  auto shape = shape_arg(info, 1);
  auto ss = ints_arg(info, 4, "src strides"), sd = ints_arg(info, 7, "dst strides");
  int64_t es = strided_extent(info.Env(), shape, ss, "src"), ed = strided_extent(info.Env(), shape, sd, "dst");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    strided_copy_cuda<T>((int)shape.size(), shape.data(), dev_span<T>(info, 2, dt, es, "src"), ss.data(),
                         dev_span<T>(info, 5, dt, ed, "dst"), sd.data(), s);
  });
  return done(info, "stridedCopy");
}

// cast(srcDtype, dstDtype, n, src_s, src_o, dst_s, dst_o)
Napi::Value Cast(const Napi::CallbackInfo& info) {
  int sdt = dtype_arg(info, 0), ddt = dtype_arg(info, 1);
  int64_t n = nonneg(info, 2, "numel");
  void* sp = dev_span_arg(info, 3, sdt, n, "src");
  void* dp = dev_span_arg(info, 5, ddt, n, "dst");
  auto* s = stream_or_throw(info.Env());
  if (sdt == ddt) {
    std::string err;
    if (!cuda_copy_device(dp, sp, (size_t)n * dtype_size(sdt), s, &err)) throw_error(info.Env(), "cast: " + err);
  } else if (sdt == F32) {
    if (ddt == F64) cast_cuda<float, double>((float*)sp, (double*)dp, n, s);
    else cast_cuda<float, int32_t>((float*)sp, (int32_t*)dp, n, s);
  } else if (sdt == F64) {
    if (ddt == F32) cast_cuda<double, float>((double*)sp, (float*)dp, n, s);
    else cast_cuda<double, int32_t>((double*)sp, (int32_t*)dp, n, s);
  } else {
    if (ddt == F32) cast_cuda<int32_t, float>((int32_t*)sp, (float*)dp, n, s);
    else cast_cuda<int32_t, double>((int32_t*)sp, (double*)dp, n, s);
  }
  return done(info, "cast");
}

// fill(dtype, n, dst_s, dst_o, value)
Napi::Value Fill(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "numel");
  double v = num_arg(info, 4, "value");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, { fill_cuda<T>(dev_span<T>(info, 2, dt, n, "dst"), n, (T)v, s); });
  return done(info, "fill");
}

// axpby(dtype, n, x, s, y, t, out): out = x*s + y*t
Napi::Value Axpby(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "numel");
  double sc = num_arg(info, 4, "s"), t = num_arg(info, 7, "t");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    axpby_cuda<T>(dev_span<T>(info, 2, dt, n, "x"), (T)sc, dev_span<T>(info, 5, dt, n, "y"), (T)t,
                  dev_span<T>(info, 8, dt, n, "out"), n, s);
  });
  return done(info, "axpby");
}

// ---- reductions -----------------------------------------------------------------
// reduce(dtype, op, outer, r, inner, x_s, x_o, out_s, out_o, idx_s|null, idx_o)
Napi::Value Reduce(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t op = int_arg(info, 1, "reduce op");
  if (op < 0 || op > 3) throw_range(info.Env(), "unknown reduce op " + std::to_string(op));
  int64_t outer = nonneg(info, 2, "outer"), r = nonneg(info, 3, "reduced size"), inner = nonneg(info, 4, "inner");
  if (r == 0 && (op == 2 || op == 3) && outer * inner > 0)
    throw_range(info.Env(), "max/min over an axis of size 0 is undefined");
  if (r > INT32_MAX) throw_range(info.Env(), "reduce: axis of " + std::to_string(r) + " elements exceeds 2^31 - 1");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    reduce_axis_cuda<T>((ReduceOp)op, dev_span<T>(info, 5, dt, outer * r * inner, "x"), outer, r, inner,
                        dev_span<T>(info, 7, dt, outer * inner, "out"),
                        opt_dev_span<int32_t>(info, 9, I32, outer * inner, "indices"), s);
  });
  return done(info, "reduce");
}

// sumSquares(dtype, n, x_s, x_o) -> number (waits for the result)
Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "numel");
  auto* s = stream_or_throw(env);
  Workspace out(env, 8, "sumSquares"), ws(env, sum_squares_cuda_workspace_bytes(n), "sumSquares");
  RECFORGE_FLOAT_DISPATCH(env, dt, T, {
    sum_squares_cuda<T>(dev_span<T>(info, 2, dt, n, "x"), n, out.as<double>(), ws.get(), s);
  });
  check_launch(env, "sumSquares");
  double r = 0;
  std::string err;
  if (!cuda_copy_to_host(&r, out.get(), sizeof(double), s, &err)) throw_error(env, "sumSquares: " + err);
  return Napi::Number::New(env, r);
}

// ---- softmax / norms ------------------------------------------------------------
// softmax(dtype, rows, n, log, x, y)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t rows = nonneg(info, 1, "rows"), n = nonneg(info, 2, "n");
  bool log = bool_arg(info, 3, "log");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    softmax_forward_cuda<T>(dev_span<T>(info, 4, dt, rows * n, "x"), dev_span<T>(info, 6, dt, rows * n, "out"), rows, n,
                            log, s);
  });
  return done(info, "softmax");
}
// softmaxBackward(dtype, rows, n, log, y, gy, gx)
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t rows = nonneg(info, 1, "rows"), n = nonneg(info, 2, "n");
  bool log = bool_arg(info, 3, "log");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    softmax_backward_cuda<T>(dev_span<T>(info, 4, dt, rows * n, "y"), dev_span<T>(info, 6, dt, rows * n, "grad"),
                             dev_span<T>(info, 8, dt, rows * n, "gradInput"), rows, n, log, s);
  });
  return done(info, "softmaxBackward");
}

// norm(dtype, rms, rows, n, eps, x, gamma|null, beta|null, y, mean|null, rstd)
Napi::Value Norm(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  bool rms = bool_arg(info, 1, "rms");
  int64_t rows = nonneg(info, 2, "rows"), n = nonneg(info, 3, "n");
  double eps = num_arg(info, 4, "eps");
  if (!(eps >= 0)) throw_range(info.Env(), "eps must be >= 0");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    norm_forward_cuda<T>(rms, dev_span<T>(info, 5, dt, rows * n, "x"), opt_dev_span<T>(info, 7, dt, n, "weight"),
                         opt_dev_span<T>(info, 9, dt, n, "bias"), dev_span<T>(info, 11, dt, rows * n, "out"),
                         opt_dev_span<T>(info, 13, dt, rows, "mean"), dev_span<T>(info, 15, dt, rows, "rstd"), rows, n,
                         eps, s);
  });
  return done(info, "norm");
}
// normBackward(dtype, rms, rows, n, x, gamma|null, mean|null, rstd, gy, gx, ggamma|null, gbeta|null)
Napi::Value NormBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  bool rms = bool_arg(info, 1, "rms");
  int64_t rows = nonneg(info, 2, "rows"), n = nonneg(info, 3, "n");
  auto* s = stream_or_throw(env);
  RECFORGE_FLOAT_DISPATCH(env, dt, T, {
    T* mean = opt_dev_span<T>(info, 8, dt, rows, "mean");
    if (!rms && !mean) throw_type(env, "layerNorm backward needs the saved mean");
    T* gg = opt_dev_span<T>(info, 16, dt, n, "gradWeight");
    T* gb = opt_dev_span<T>(info, 18, dt, n, "gradBias");
    const int64_t wbytes = (gg || gb) ? norm_backward_cuda_workspace_bytes(rows, n) : 8;
    Workspace ws(env, wbytes, "normBackward");
    norm_backward_cuda<T>(rms, dev_span<T>(info, 4, dt, rows * n, "x"), opt_dev_span<T>(info, 6, dt, n, "weight"), mean,
                          dev_span<T>(info, 10, dt, rows, "rstd"), dev_span<T>(info, 12, dt, rows * n, "grad"),
                          dev_span<T>(info, 14, dt, rows * n, "gradInput"), gg, gb, rows, n, ws.get(), s);
  });
  return done(info, "normBackward");
}

// ---- indexing -------------------------------------------------------------------
// gatherRows(dtype, n, d, tableRows, table_s, table_o, idx_s, idx_o, out_s, out_o)
Napi::Value GatherRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n"), d = nonneg(info, 2, "d"), rows = nonneg(info, 3, "rows");
  const int32_t* idx = dev_span<int32_t>(info, 6, I32, n, "indices");
  auto* s = stream_or_throw(env);
  RECFORGE_ANY_DISPATCH(env, dt, T, {
    const T* table = dev_span<T>(info, 4, dt, rows * d, "table");
    T* out = dev_span<T>(info, 8, dt, n * d, "out");
    check_device_indices(env, idx, n, rows, "gather");
    gather_rows_cuda<T>(table, idx, n, d, out, s);
  });
  return done(info, "gatherRows");
}
// scatterAddRows(dtype, n, d, tableRows, g_s, g_o, idx_s, idx_o, tgrad_s, tgrad_o)
Napi::Value ScatterAddRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n"), d = nonneg(info, 2, "d"), rows = nonneg(info, 3, "rows");
  if (n > INT32_MAX) throw_range(env, "scatterAdd: " + std::to_string(n) + " indices exceed 2^31 - 1");
  const int32_t* idx = dev_span<int32_t>(info, 6, I32, n, "indices");
  auto* s = stream_or_throw(env);
  RECFORGE_ANY_DISPATCH(env, dt, T, {
    const T* src = dev_span<T>(info, 4, dt, n * d, "src");
    T* out = dev_span<T>(info, 8, dt, rows * d, "out");
    check_device_indices(env, idx, n, rows, "scatterAdd");
    Workspace ws(env, scatter_add_rows_cuda_workspace_bytes(n, rows), "scatterAdd");
    scatter_add_rows_cuda<T>(src, idx, n, d, rows, out, ws.get(), s);
  });
  return done(info, "scatterAddRows");
}
// gatherAxis(dtype, outer, dim, k, inner, x, idx, out) ; scatterAddAxis(dtype, outer, dim, k, inner, src, idx, out)
Napi::Value GatherAxis(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  int64_t outer = nonneg(info, 1, "outer"), dim = nonneg(info, 2, "dim"), k = nonneg(info, 3, "k"),
          inner = nonneg(info, 4, "inner");
  const int32_t* idx = dev_span<int32_t>(info, 7, I32, outer * k * inner, "indices");
  auto* s = stream_or_throw(env);
  RECFORGE_ANY_DISPATCH(env, dt, T, {
    const T* x = dev_span<T>(info, 5, dt, outer * dim * inner, "x");
    T* out = dev_span<T>(info, 9, dt, outer * k * inner, "out");
    check_device_indices(env, idx, outer * k * inner, dim, "gather");
    gather_axis_cuda<T>(x, idx, outer, dim, k, inner, out, s);
  });
  return done(info, "gatherAxis");
}
Napi::Value ScatterAddAxis(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  int64_t outer = nonneg(info, 1, "outer"), dim = nonneg(info, 2, "dim"), k = nonneg(info, 3, "k"),
          inner = nonneg(info, 4, "inner");
  const int32_t* idx = dev_span<int32_t>(info, 7, I32, outer * k * inner, "indices");
  auto* s = stream_or_throw(env);
  RECFORGE_ANY_DISPATCH(env, dt, T, {
    const T* src = dev_span<T>(info, 5, dt, outer * k * inner, "src");
    T* out = dev_span<T>(info, 9, dt, outer * dim * inner, "out");
    check_device_indices(env, idx, outer * k * inner, dim, "scatterAdd");
    scatter_add_axis_cuda<T>(src, idx, outer, dim, k, inner, out, s);
  });
  return done(info, "scatterAddAxis");
}

// ---- losses ---------------------------------------------------------------------
// bceLogits(dtype, n, posWeight, x, y, loss) ; bceLogitsBackward(dtype, n, posWeight, x, y, g, gx)
Napi::Value BceLogits(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n");
  double pw = num_arg(info, 2, "posWeight");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    bce_logits_forward_cuda<T>(dev_span<T>(info, 3, dt, n, "logits"), dev_span<T>(info, 5, dt, n, "target"),
                               dev_span<T>(info, 7, dt, n, "loss"), n, pw, s);
  });
  return done(info, "bceLogits");
}
Napi::Value BceLogitsBackward(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n");
  double pw = num_arg(info, 2, "posWeight");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    bce_logits_backward_cuda<T>(dev_span<T>(info, 3, dt, n, "logits"), dev_span<T>(info, 5, dt, n, "target"),
                                dev_span<T>(info, 7, dt, n, "grad"), dev_span<T>(info, 9, dt, n, "gradInput"), n, pw, s);
  });
  return done(info, "bceLogitsBackward");
}
int32_t ignore_arg(const Napi::CallbackInfo& info, size_t i) {
  int64_t v = int_arg(info, i, "ignoreIndex");
  if (v < INT32_MIN || v > INT32_MAX) throw_range(info.Env(), "ignoreIndex must fit in int32, got " + std::to_string(v));
  return (int32_t)v;
}
// crossEntropy(dtype, n, c, ignore, logits, target, loss, lse)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n"), c = nonneg(info, 2, "classes");
  int32_t ignore = ignore_arg(info, 3);
  const int32_t* t = dev_span<int32_t>(info, 6, I32, n, "target");
  auto* s = stream_or_throw(env);
  RECFORGE_FLOAT_DISPATCH(env, dt, T, {
    const T* x = dev_span<T>(info, 4, dt, n * c, "logits");
    T* loss = dev_span<T>(info, 8, dt, n, "loss");
    T* lse = dev_span<T>(info, 10, dt, n, "lse");
    check_device_indices(env, t, n, c, "crossEntropy: target", true, ignore);
    cross_entropy_forward_cuda<T>(x, t, n, c, ignore, loss, lse, s);
  });
  return done(info, "crossEntropy");
}
// crossEntropyBackward(dtype, n, c, ignore, logits, target, lse, g, glogits)
Napi::Value CrossEntropyBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n"), c = nonneg(info, 2, "classes");
  int32_t ignore = ignore_arg(info, 3);
  const int32_t* t = dev_span<int32_t>(info, 6, I32, n, "target");
  auto* s = stream_or_throw(env);
  RECFORGE_FLOAT_DISPATCH(env, dt, T, {
    const T* x = dev_span<T>(info, 4, dt, n * c, "logits");
    const T* lse = dev_span<T>(info, 8, dt, n, "lse");
    const T* g = dev_span<T>(info, 10, dt, n, "grad");
    T* gx = dev_span<T>(info, 12, dt, n * c, "gradInput");
    check_device_indices(env, t, n, c, "crossEntropy: target", true, ignore);
    cross_entropy_backward_cuda<T>(x, t, lse, g, n, c, ignore, gx, s);
  });
  return done(info, "crossEntropyBackward");
}

// ---- random ---------------------------------------------------------------------
uint64_t u64_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  int64_t v = int_arg(info, i, what);
  if (v < 0) throw_range(info.Env(), std::string(what) + " must be >= 0");
  return (uint64_t)v;
}
// randomFill(dtype, kind, seed, offset, n, out_s, out_o, a, b)
Napi::Value RandomFill(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t kind = int_arg(info, 1, "kind");
  if (kind < 0 || kind > 2) throw_range(info.Env(), "unknown random kind");
  uint64_t seed = u64_arg(info, 2, "seed"), off = u64_arg(info, 3, "offset");
  int64_t n = nonneg(info, 4, "n");
  double a = num_arg(info, 7, "a"), b = num_arg(info, 8, "b");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    random_fill_cuda<T>((RandomKind)kind, seed, off, dev_span<T>(info, 5, dt, n, "out"), n, a, b, s);
  });
  return done(info, "randomFill");
}
// randomInt(seed, offset, n, out_s, out_o, lo, hi)
Napi::Value RandomInt(const Napi::CallbackInfo& info) {
  uint64_t seed = u64_arg(info, 0, "seed"), off = u64_arg(info, 1, "offset");
  int64_t n = nonneg(info, 2, "n");
  int64_t lo = int_arg(info, 5, "low"), hi = int_arg(info, 6, "high");
  if (hi <= lo)
    throw_range(info.Env(), "randint: high (" + std::to_string(hi) + ") must exceed low (" + std::to_string(lo) + ")");
  random_int_cuda(seed, off, dev_span<int32_t>(info, 3, I32, n, "out"), n, lo, hi, stream_or_throw(info.Env()));
  return done(info, "randomInt");
}

// ---- optimisers -------------------------------------------------------------------
// sgdStep(dtype, n, p, g, buf|null, lr, momentum, dampening, wd, nesterov, first)
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    sgd_step_cuda<T>(dev_span<T>(info, 2, dt, n, "param"), dev_span<T>(info, 4, dt, n, "grad"),
                     opt_dev_span<T>(info, 6, dt, n, "momentum"), n, num_arg(info, 8, "lr"),
                     num_arg(info, 9, "momentum"), num_arg(info, 10, "dampening"), num_arg(info, 11, "weightDecay"),
                     bool_arg(info, 12, "nesterov"), bool_arg(info, 13, "first"), s);
  });
  return done(info, "sgdStep");
}
// adamStep(dtype, n, p, g, m, v, lr, b1, b2, eps, wd, decoupled, step)
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n");
  int64_t step = int_arg(info, 16, "step");
  if (step < 1) throw_range(info.Env(), "adam step must be >= 1");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    adam_step_cuda<T>(dev_span<T>(info, 2, dt, n, "param"), dev_span<T>(info, 4, dt, n, "grad"),
                      dev_span<T>(info, 6, dt, n, "m"), dev_span<T>(info, 8, dt, n, "v"), n, num_arg(info, 10, "lr"),
                      num_arg(info, 11, "beta1"), num_arg(info, 12, "beta2"), num_arg(info, 13, "eps"),
                      num_arg(info, 14, "weightDecay"), bool_arg(info, 15, "decoupled"), step, s);
  });
  return done(info, "adamStep");
}
// scaleInplace(dtype, n, x_s, x_o, s)
Napi::Value ScaleInplace(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n");
  double sc = num_arg(info, 4, "scale");
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, { scale_inplace_cuda<T>(dev_span<T>(info, 2, dt, n, "x"), n, sc, s); });
  return done(info, "scaleInplace");
}

// ---- sorting ----------------------------------------------------------------------
void check_sort_size(Napi::Env env, int64_t rows, int64_t n, const char* what) {
  if (rows * n > INT32_MAX)
    throw_range(env, std::string(what) + ": " + std::to_string(rows) + " x " + std::to_string(n) +
                         " elements exceed the CUDA sort's limit of 2^31 - 1");
}
// topk(dtype, rows, n, k, largest, x, values, indices)
Napi::Value Topk(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  int64_t rows = nonneg(info, 1, "rows"), n = nonneg(info, 2, "n"), k = nonneg(info, 3, "k");
  if (k > n) throw_range(env, "topk: k = " + std::to_string(k) + " exceeds the axis size " + std::to_string(n));
  bool largest = bool_arg(info, 4, "largest");
  check_sort_size(env, rows, n, "topk");
  auto* s = stream_or_throw(env);
  RECFORGE_ANY_DISPATCH(env, dt, T, {
    const T* x = dev_span<T>(info, 5, dt, rows * n, "x");
    T* v = dev_span<T>(info, 7, dt, rows * k, "values");
    int32_t* ix = dev_span<int32_t>(info, 9, I32, rows * k, "indices");
    Workspace ws(env, sort_rows_cuda_workspace_bytes(rows, n), "topk");
    topk_rows_cuda<T>(x, rows, n, k, largest, v, ix, ws.get(), s);
  });
  return done(info, "topk");
}
// sort(dtype, rows, n, descending, x, values, indices)
Napi::Value Sort(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  int64_t rows = nonneg(info, 1, "rows"), n = nonneg(info, 2, "n");
  bool desc = bool_arg(info, 3, "descending");
  check_sort_size(env, rows, n, "sort");
  auto* s = stream_or_throw(env);
  RECFORGE_ANY_DISPATCH(env, dt, T, {
    const T* x = dev_span<T>(info, 4, dt, rows * n, "x");
    T* v = dev_span<T>(info, 6, dt, rows * n, "values");
    int32_t* ix = dev_span<int32_t>(info, 8, I32, rows * n, "indices");
    Workspace ws(env, sort_rows_cuda_workspace_bytes(rows, n), "sort");
    sort_rows_cuda<T>(x, rows, n, desc, v, ix, ws.get(), s);
  });
  return done(info, "sort");
}

}  // namespace

RECFORGE_BIND("unary", Unary);
RECFORGE_BIND("unaryBackward", UnaryBackward);
RECFORGE_BIND("binary", Binary);
RECFORGE_BIND("where", Where);
RECFORGE_BIND("stridedCopy", StridedCopy);
RECFORGE_BIND("cast", Cast);
RECFORGE_BIND("fill", Fill);
RECFORGE_BIND("axpby", Axpby);
RECFORGE_BIND("reduce", Reduce);
RECFORGE_BIND("sumSquares", SumSquares);
RECFORGE_BIND("softmax", Softmax);
RECFORGE_BIND("softmaxBackward", SoftmaxBackward);
RECFORGE_BIND("norm", Norm);
RECFORGE_BIND("normBackward", NormBackward);
RECFORGE_BIND("gatherRows", GatherRows);
RECFORGE_BIND("scatterAddRows", ScatterAddRows);
RECFORGE_BIND("gatherAxis", GatherAxis);
RECFORGE_BIND("scatterAddAxis", ScatterAddAxis);
RECFORGE_BIND("bceLogits", BceLogits);
RECFORGE_BIND("bceLogitsBackward", BceLogitsBackward);
RECFORGE_BIND("crossEntropy", CrossEntropy);
RECFORGE_BIND("crossEntropyBackward", CrossEntropyBackward);
RECFORGE_BIND("randomFill", RandomFill);
RECFORGE_BIND("randomInt", RandomInt);
RECFORGE_BIND("sgdStep", SgdStep);
RECFORGE_BIND("adamStep", AdamStep);
RECFORGE_BIND("scaleInplace", ScaleInplace);
RECFORGE_BIND("topk", Topk);
RECFORGE_BIND("sort", Sort);

}  // namespace napi
}  // namespace recforge
