// Bindings of the core op kernels (elementwise, reductions, softmax, norms, indexing,
// losses, random, optimisers, sorting). Each function validates sizes, enum codes and
// index ranges, then calls the plain kernel. Tensors arrive as (storage, offset) pairs.
#include <cmath>
#include <limits>

#include "common.h"
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

bool is_null(const Napi::CallbackInfo& info, size_t i) {
  return i >= info.Length() || info[i].IsNull() || info[i].IsUndefined();
}
template <typename T>
T* opt_span(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) {
  return is_null(info, i) ? nullptr : span<T>(info, i, dtype, numel, what);
}

int64_t nonneg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  int64_t v = int_arg(info, i, what);
  if (v < 0) throw_range(info.Env(), std::string(what) + " must be >= 0, got " + std::to_string(v));
  return v;
}

// Shape + strides of a strided operand: returns the number of elements its storage
// must hold past the offset (max reachable index + 1), validating the stride list.
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

// ---- elementwise ---------------------------------------------------------------
// unary(dtype, op, n, x_s, x_o, y_s, y_o, a, b)
Napi::Value Unary(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t op = int_arg(info, 1, "unary op");
  if (op < 0 || op >= (int64_t)UnaryOp::Count) throw_range(info.Env(), "unknown unary op " + std::to_string(op));
  int64_t n = nonneg(info, 2, "numel");
  double a = num_arg(info, 7, "a"), b = num_arg(info, 8, "b");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    unary_forward<T>((UnaryOp)op, span<T>(info, 3, dt, n, "x"), span<T>(info, 5, dt, n, "out"), n, a, b);
  });
  return info.Env().Undefined();
}

// unaryBackward(dtype, op, n, x, y, gy, gx, a, b)
Napi::Value UnaryBackward(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t op = int_arg(info, 1, "unary op");
  if (op < 0 || op >= (int64_t)UnaryOp::Count) throw_range(info.Env(), "unknown unary op " + std::to_string(op));
  int64_t n = nonneg(info, 2, "numel");
  double a = num_arg(info, 11, "a"), b = num_arg(info, 12, "b");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    unary_backward<T>((UnaryOp)op, span<T>(info, 3, dt, n, "x"), span<T>(info, 5, dt, n, "y"),
                      span<T>(info, 7, dt, n, "grad"), span<T>(info, 9, dt, n, "gradInput"), n, a, b);
  });
  return info.Env().Undefined();
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
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    const T* a = span<T>(info, 3, dt, ea, "a");
    const T* b = span<T>(info, 6, dt, eb, "b");
    T* out = span<T>(info, 9, dt, n, "out");
    binary_forward<T>((BinaryOp)op, (int)shape.size(), shape.data(), a, sa.data(), b, sb.data(), out);
  });
  return info.Env().Undefined();
}

// where(dtype, shape, c_s, c_o, c_strides, a_s, a_o, a_strides, b_s, b_o, b_strides, out_s, out_o)
Napi::Value Where(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  auto shape = shape_arg(info, 1);
  auto sc = ints_arg(info, 4, "cond strides"), sa = ints_arg(info, 7, "a strides"), sb = ints_arg(info, 10, "b strides");
  int64_t ec = strided_extent(info.Env(), shape, sc, "cond"), ea = strided_extent(info.Env(), shape, sa, "a"),
          eb = strided_extent(info.Env(), shape, sb, "b");
  int64_t n = prod(shape);
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    where_forward<T>((int)shape.size(), shape.data(), span<T>(info, 2, dt, ec, "cond"), sc.data(),
                     span<T>(info, 5, dt, ea, "a"), sa.data(), span<T>(info, 8, dt, eb, "b"), sb.data(),
                     span<T>(info, 11, dt, n, "out"));
  });
  return info.Env().Undefined();
}

// stridedCopy(dtype, shape, src_s, src_o, src_strides, dst_s, dst_o, dst_strides)
Napi::Value StridedCopy(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  auto shape = shape_arg(info, 1);
  auto ss = ints_arg(info, 4, "src strides"), sd = ints_arg(info, 7, "dst strides");
  int64_t es = strided_extent(info.Env(), shape, ss, "src"), ed = strided_extent(info.Env(), shape, sd, "dst");
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    strided_copy<T>((int)shape.size(), shape.data(), span<T>(info, 2, dt, es, "src"), ss.data(),
                    span<T>(info, 5, dt, ed, "dst"), sd.data());
  });
  return info.Env().Undefined();
}

// cast(srcDtype, dstDtype, n, src_s, src_o, dst_s, dst_o)
Napi::Value Cast(const Napi::CallbackInfo& info) {
  int sdt = dtype_arg(info, 0), ddt = dtype_arg(info, 1);
  int64_t n = nonneg(info, 2, "numel");
  void* s = span_arg(info, 3, sdt, n, "src");
  void* d = span_arg(info, 5, ddt, n, "dst");
  auto pick = [&](auto* src) {
    using S = std::remove_pointer_t<decltype(src)>;
    if (ddt == F32) cast<S, float>(src, (float*)d, n);
    else if (ddt == F64) cast<S, double>(src, (double*)d, n);
    else cast<S, int32_t>(src, (int32_t*)d, n);
  };
  if (sdt == ddt) {
    std::memcpy(d, s, n * dtype_size(sdt));
  } else if (sdt == F32) {
    if (ddt == F64) cast<float, double>((float*)s, (double*)d, n); else cast<float, int32_t>((float*)s, (int32_t*)d, n);
  } else if (sdt == F64) {
    if (ddt == F32) cast<double, float>((double*)s, (float*)d, n); else cast<double, int32_t>((double*)s, (int32_t*)d, n);
  } else {
    if (ddt == F32) cast<int32_t, float>((int32_t*)s, (float*)d, n); else cast<int32_t, double>((int32_t*)s, (double*)d, n);
  }
  (void)pick;
  return info.Env().Undefined();
}

// fill(dtype, n, dst_s, dst_o, value)
Napi::Value Fill(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "numel");
  double v = num_arg(info, 4, "value");
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, { fill<T>(span<T>(info, 2, dt, n, "dst"), n, (T)v); });
  return info.Env().Undefined();
}

// axpby(dtype, n, x, s, y, t, out): out = x*s + y*t
Napi::Value Axpby(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "numel");
  double s = num_arg(info, 4, "s"), t = num_arg(info, 7, "t");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    axpby<T>(span<T>(info, 2, dt, n, "x"), (T)s, span<T>(info, 5, dt, n, "y"), (T)t, span<T>(info, 8, dt, n, "out"), n);
  });
  return info.Env().Undefined();
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
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    reduce_axis<T>((ReduceOp)op, span<T>(info, 5, dt, outer * r * inner, "x"), outer, r, inner,
                   span<T>(info, 7, dt, outer * inner, "out"), opt_span<int32_t>(info, 9, I32, outer * inner, "indices"));
  });
  return info.Env().Undefined();
}

// sumSquares(dtype, n, x_s, x_o) -> number
Napi::Value SumSquares(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "numel");
  double r = 0;
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, { r = sum_squares<T>(span<T>(info, 2, dt, n, "x"), n); });
  return Napi::Number::New(info.Env(), r);
}

// ---- softmax / norms ------------------------------------------------------------
// softmax(dtype, rows, n, log, x, y)
Napi::Value Softmax(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t rows = nonneg(info, 1, "rows"), n = nonneg(info, 2, "n");
  bool log = bool_arg(info, 3, "log");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    softmax_forward<T>(span<T>(info, 4, dt, rows * n, "x"), span<T>(info, 6, dt, rows * n, "out"), rows, n, log);
  });
  return info.Env().Undefined();
}
// softmaxBackward(dtype, rows, n, log, y, gy, gx)
Napi::Value SoftmaxBackward(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t rows = nonneg(info, 1, "rows"), n = nonneg(info, 2, "n");
  bool log = bool_arg(info, 3, "log");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    softmax_backward<T>(span<T>(info, 4, dt, rows * n, "y"), span<T>(info, 6, dt, rows * n, "grad"),
                        span<T>(info, 8, dt, rows * n, "gradInput"), rows, n, log);
  });
  return info.Env().Undefined();
}

// norm(dtype, rms, rows, n, eps, x, gamma|null, beta|null, y, mean|null, rstd)
Napi::Value Norm(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  bool rms = bool_arg(info, 1, "rms");
  int64_t rows = nonneg(info, 2, "rows"), n = nonneg(info, 3, "n");
  double eps = num_arg(info, 4, "eps");
  if (!(eps >= 0)) throw_range(info.Env(), "eps must be >= 0");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    norm_forward<T>(rms, span<T>(info, 5, dt, rows * n, "x"), opt_span<T>(info, 7, dt, n, "weight"),
                    opt_span<T>(info, 9, dt, n, "bias"), span<T>(info, 11, dt, rows * n, "out"),
                    opt_span<T>(info, 13, dt, rows, "mean"), span<T>(info, 15, dt, rows, "rstd"), rows, n, eps);
  });
  return info.Env().Undefined();
}
// normBackward(dtype, rms, rows, n, x, gamma|null, mean|null, rstd, gy, gx, ggamma|null, gbeta|null)
Napi::Value NormBackward(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  bool rms = bool_arg(info, 1, "rms");
  int64_t rows = nonneg(info, 2, "rows"), n = nonneg(info, 3, "n");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    T* mean = opt_span<T>(info, 8, dt, rows, "mean");
    if (!rms && !mean) throw_type(info.Env(), "layerNorm backward needs the saved mean");
    norm_backward<T>(rms, span<T>(info, 4, dt, rows * n, "x"), opt_span<T>(info, 6, dt, n, "weight"), mean,
                     span<T>(info, 10, dt, rows, "rstd"), span<T>(info, 12, dt, rows * n, "grad"),
                     span<T>(info, 14, dt, rows * n, "gradInput"), opt_span<T>(info, 16, dt, n, "gradWeight"),
                     opt_span<T>(info, 18, dt, n, "gradBias"), rows, n);
  });
  return info.Env().Undefined();
}

// ---- indexing -------------------------------------------------------------------
void check_indices(const Napi::CallbackInfo& info, const int32_t* idx, int64_t n, int64_t limit, const char* what) {
  for (int64_t i = 0; i < n; ++i)
    if (idx[i] < 0 || idx[i] >= limit)
      throw_range(info.Env(), std::string(what) + ": index " + std::to_string(idx[i]) + " at position " +
                                  std::to_string(i) + " is out of range [0, " + std::to_string(limit) + ")");
}

// gatherRows(dtype, n, d, tableRows, table_s, table_o, idx_s, idx_o, out_s, out_o)
Napi::Value GatherRows(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n"), d = nonneg(info, 2, "d"), rows = nonneg(info, 3, "rows");
  const int32_t* idx = span<int32_t>(info, 6, I32, n, "indices");
  check_indices(info, idx, n, rows, "gather");
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    gather_rows<T>(span<T>(info, 4, dt, rows * d, "table"), idx, n, d, span<T>(info, 8, dt, n * d, "out"));
  });
  return info.Env().Undefined();
}
// scatterAddRows(dtype, n, d, tableRows, g_s, g_o, idx_s, idx_o, tgrad_s, tgrad_o)
Napi::Value ScatterAddRows(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n"), d = nonneg(info, 2, "d"), rows = nonneg(info, 3, "rows");
  const int32_t* idx = span<int32_t>(info, 6, I32, n, "indices");
  check_indices(info, idx, n, rows, "scatterAdd");
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    scatter_add_rows<T>(span<T>(info, 4, dt, n * d, "src"), idx, n, d, span<T>(info, 8, dt, rows * d, "out"));
  });
  return info.Env().Undefined();
}
// gatherAxis(dtype, outer, dim, k, inner, x, idx, out) ; scatterAddAxis(dtype, outer, dim, k, inner, src, idx, out)
Napi::Value GatherAxis(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t outer = nonneg(info, 1, "outer"), dim = nonneg(info, 2, "dim"), k = nonneg(info, 3, "k"),
          inner = nonneg(info, 4, "inner");
  const int32_t* idx = span<int32_t>(info, 7, I32, outer * k * inner, "indices");
  check_indices(info, idx, outer * k * inner, dim, "gather");
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    gather_axis<T>(span<T>(info, 5, dt, outer * dim * inner, "x"), idx, outer, dim, k, inner,
                   span<T>(info, 9, dt, outer * k * inner, "out"));
  });
  return info.Env().Undefined();
}
Napi::Value ScatterAddAxis(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t outer = nonneg(info, 1, "outer"), dim = nonneg(info, 2, "dim"), k = nonneg(info, 3, "k"),
          inner = nonneg(info, 4, "inner");
  const int32_t* idx = span<int32_t>(info, 7, I32, outer * k * inner, "indices");
  check_indices(info, idx, outer * k * inner, dim, "scatterAdd");
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    scatter_add_axis<T>(span<T>(info, 5, dt, outer * k * inner, "src"), idx, outer, dim, k, inner,
                        span<T>(info, 9, dt, outer * dim * inner, "out"));
  });
  return info.Env().Undefined();
}

// ---- losses ---------------------------------------------------------------------
// bceLogits(dtype, n, posWeight, x, y, loss) ; bceLogitsBackward(dtype, n, posWeight, x, y, g, gx)
Napi::Value BceLogits(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n");
  double pw = num_arg(info, 2, "posWeight");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    bce_logits_forward<T>(span<T>(info, 3, dt, n, "logits"), span<T>(info, 5, dt, n, "target"),
                          span<T>(info, 7, dt, n, "loss"), n, pw);
  });
  return info.Env().Undefined();
}
Napi::Value BceLogitsBackward(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n");
  double pw = num_arg(info, 2, "posWeight");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    bce_logits_backward<T>(span<T>(info, 3, dt, n, "logits"), span<T>(info, 5, dt, n, "target"),
                           span<T>(info, 7, dt, n, "grad"), span<T>(info, 9, dt, n, "gradInput"), n, pw);
  });
  return info.Env().Undefined();
}
// crossEntropy(dtype, n, c, ignore, logits, target, loss, lse)
Napi::Value CrossEntropy(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n"), c = nonneg(info, 2, "classes");
  int64_t ignore = int_arg(info, 3, "ignoreIndex");
  const int32_t* t = span<int32_t>(info, 6, I32, n, "target");
  for (int64_t i = 0; i < n; ++i)
    if (t[i] != ignore && (t[i] < 0 || t[i] >= c))
      throw_range(info.Env(), "crossEntropy: target " + std::to_string(t[i]) + " at row " + std::to_string(i) +
                                  " is out of range [0, " + std::to_string(c) + ")");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    cross_entropy_forward<T>(span<T>(info, 4, dt, n * c, "logits"), t, n, c, (int32_t)ignore,
                             span<T>(info, 8, dt, n, "loss"), span<T>(info, 10, dt, n, "lse"));
  });
  return info.Env().Undefined();
}
// crossEntropyBackward(dtype, n, c, ignore, logits, target, lse, g, glogits)
Napi::Value CrossEntropyBackward(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n"), c = nonneg(info, 2, "classes");
  int64_t ignore = int_arg(info, 3, "ignoreIndex");
  const int32_t* t = span<int32_t>(info, 6, I32, n, "target");
  for (int64_t i = 0; i < n; ++i)
    if (t[i] != ignore && (t[i] < 0 || t[i] >= c)) throw_range(info.Env(), "crossEntropy: target out of range");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    cross_entropy_backward<T>(span<T>(info, 4, dt, n * c, "logits"), t, span<T>(info, 8, dt, n, "lse"),
                              span<T>(info, 10, dt, n, "grad"), n, c, (int32_t)ignore,
                              span<T>(info, 12, dt, n * c, "gradInput"));
  });
  return info.Env().Undefined();
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
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    random_fill<T>((RandomKind)kind, seed, off, span<T>(info, 5, dt, n, "out"), n, a, b);
  });
  return info.Env().Undefined();
}
// randomInt(seed, offset, n, out_s, out_o, lo, hi)
Napi::Value RandomInt(const Napi::CallbackInfo& info) {
  uint64_t seed = u64_arg(info, 0, "seed"), off = u64_arg(info, 1, "offset");
  int64_t n = nonneg(info, 2, "n");
  int64_t lo = int_arg(info, 5, "low"), hi = int_arg(info, 6, "high");
  if (hi <= lo) throw_range(info.Env(), "randint: high (" + std::to_string(hi) + ") must exceed low (" + std::to_string(lo) + ")");
  random_int(seed, off, span<int32_t>(info, 3, I32, n, "out"), n, lo, hi);
  return info.Env().Undefined();
}

// ---- optimisers -------------------------------------------------------------------
// sgdStep(dtype, n, p, g, buf|null, lr, momentum, dampening, wd, nesterov, first)
Napi::Value SgdStep(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    sgd_step<T>(span<T>(info, 2, dt, n, "param"), span<T>(info, 4, dt, n, "grad"), opt_span<T>(info, 6, dt, n, "momentum"),
                n, num_arg(info, 8, "lr"), num_arg(info, 9, "momentum"), num_arg(info, 10, "dampening"),
                num_arg(info, 11, "weightDecay"), bool_arg(info, 12, "nesterov"), bool_arg(info, 13, "first"));
  });
  return info.Env().Undefined();
}
// adamStep(dtype, n, p, g, m, v, lr, b1, b2, eps, wd, decoupled, step)
Napi::Value AdamStep(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n");
  int64_t step = int_arg(info, 16, "step");
  if (step < 1) throw_range(info.Env(), "adam step must be >= 1");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    adam_step<T>(span<T>(info, 2, dt, n, "param"), span<T>(info, 4, dt, n, "grad"), span<T>(info, 6, dt, n, "m"),
                 span<T>(info, 8, dt, n, "v"), n, num_arg(info, 10, "lr"), num_arg(info, 11, "beta1"),
                 num_arg(info, 12, "beta2"), num_arg(info, 13, "eps"), num_arg(info, 14, "weightDecay"),
                 bool_arg(info, 15, "decoupled"), step);
  });
  return info.Env().Undefined();
}
// scaleInplace(dtype, n, x_s, x_o, s)
Napi::Value ScaleInplace(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t n = nonneg(info, 1, "n");
  double s = num_arg(info, 4, "scale");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, { scale_inplace<T>(span<T>(info, 2, dt, n, "x"), n, s); });
  return info.Env().Undefined();
}

// ---- sorting ----------------------------------------------------------------------
// topk(dtype, rows, n, k, largest, x, values, indices)
Napi::Value Topk(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t rows = nonneg(info, 1, "rows"), n = nonneg(info, 2, "n"), k = nonneg(info, 3, "k");
  if (k > n) throw_range(info.Env(), "topk: k = " + std::to_string(k) + " exceeds the axis size " + std::to_string(n));
  bool largest = bool_arg(info, 4, "largest");
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    topk_rows<T>(span<T>(info, 5, dt, rows * n, "x"), rows, n, k, largest, span<T>(info, 7, dt, rows * k, "values"),
                 span<int32_t>(info, 9, I32, rows * k, "indices"));
  });
  return info.Env().Undefined();
}
// sort(dtype, rows, n, descending, x, values, indices)
Napi::Value Sort(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  int64_t rows = nonneg(info, 1, "rows"), n = nonneg(info, 2, "n");
  bool desc = bool_arg(info, 3, "descending");
  RECFORGE_ANY_DISPATCH(info.Env(), dt, T, {
    sort_rows<T>(span<T>(info, 4, dt, rows * n, "x"), rows, n, desc, span<T>(info, 6, dt, rows * n, "values"),
                 span<int32_t>(info, 8, I32, rows * n, "indices"));
  });
  return info.Env().Undefined();
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
