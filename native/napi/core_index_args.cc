// Parsers of the indexing and sorting bindings (core_args.h). Indices are checked before any
// kernel reads through them (core_args.cc check_indices).
#include <string>

#include "core_args.h"

namespace recforge {
namespace napi {

IndexRowsArgs index_rows_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool scatter) {
  Napi::Env env = info.Env();
  IndexRowsArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t n = a.n = nonneg_arg(info, 1, "n"), d = a.d = nonneg_arg(info, 2, "d"),
                rows = a.rows = nonneg_arg(info, 3, "rows");
  a.idx = mem.typed<int32_t>(info, 6, I32, n, "indices");
  check_indices(env, mem, a.idx, n, rows, scatter ? "scatterAdd" : "gather");
  a.src = mem.span(info, 4, dt, (scatter ? n : rows) * d, scatter ? "src" : "table");
  a.out = mem.span(info, 8, dt, (scatter ? rows : n) * d, "out");
  return a;
}

IndexAxisArgs index_axis_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool scatter) {
  Napi::Env env = info.Env();
  IndexAxisArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t outer = a.outer = nonneg_arg(info, 1, "outer"), dim = a.dim = nonneg_arg(info, 2, "dim"),
                k = a.k = nonneg_arg(info, 3, "k"), inner = a.inner = nonneg_arg(info, 4, "inner");
  const int64_t picked = outer * k * inner, full = outer * dim * inner;
  a.idx = mem.typed<int32_t>(info, 7, I32, picked, "indices");
  check_indices(env, mem, a.idx, picked, dim, scatter ? "scatterAdd" : "gather");
  a.src = mem.span(info, 5, dt, scatter ? picked : full, scatter ? "src" : "x");
  a.out = mem.span(info, 9, dt, scatter ? full : picked, "out");
  return a;
}

SortArgs topk_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  SortArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t rows = a.rows = nonneg_arg(info, 1, "rows"), n = a.n = nonneg_arg(info, 2, "n"),
                k = a.k = nonneg_arg(info, 3, "k");
  if (k > n) throw_range(env, "topk: k = " + std::to_string(k) + " exceeds the axis size " + std::to_string(n));
  a.descending = bool_arg(info, 4, "largest");
  a.x = mem.span(info, 5, dt, rows * n, "x");
  a.values = mem.span(info, 7, dt, rows * k, "values");
  a.indices = mem.typed<int32_t>(info, 9, I32, rows * k, "indices");
  return a;
}

SortArgs sort_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  SortArgs a;
  const int dt = a.dtype = dtype_arg(info, 0);
  const int64_t rows = a.rows = nonneg_arg(info, 1, "rows"), n = a.n = a.k = nonneg_arg(info, 2, "n");
  a.descending = bool_arg(info, 3, "descending");
  a.x = mem.span(info, 4, dt, rows * n, "x");
  a.values = mem.span(info, 6, dt, rows * n, "values");
  a.indices = mem.typed<int32_t>(info, 8, I32, rows * n, "indices");
  return a;
}

}  // namespace napi
}  // namespace recforge
