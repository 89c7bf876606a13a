// Parsers of the indexing and sorting bindings (core_args.h). Indices are checked before any
// kernel reads through them (core_args.cc check_indices).
#include <string>

#include "core_args.h"

namespace recforge {
namespace napi {

IndexRowsArgs index_rows_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool scatter) {
  Napi::Env env = info.Env();
  // gatherRows and scatterAddRows have the same arguments but for the name of the one read.
  const args::GatherRows g(info);
  const args::ScatterAddRows s(info);
  IndexRowsArgs a;
  const int dt = a.dtype = dtype_arg(g.dtype());
  const int64_t n = a.n = nonneg_arg(g.n(), "n"), d = a.d = nonneg_arg(g.d(), "d"), rows = a.rows = nonneg_arg(g.rows(), "rows");
  a.idx = mem.typed<int32_t>(g.indices(), I32, n, "indices");
  check_indices(env, mem, a.idx, n, rows, scatter ? "scatterAdd" : "gather");
  a.src = mem.span(scatter ? s.src() : g.table(), dt, (scatter ? n : rows) * d, scatter ? "src" : "table");
  a.out = mem.span(g.out(), dt, (scatter ? rows : n) * d, "out");
  return a;
}

IndexAxisArgs index_axis_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool scatter) {
  Napi::Env env = info.Env();
  // gatherAxis and scatterAddAxis have the same arguments but for the name of the one read.
  const args::GatherAxis g(info);
  const args::ScatterAddAxis s(info);
  IndexAxisArgs a;
  const int dt = a.dtype = dtype_arg(g.dtype());
  const int64_t outer = a.outer = nonneg_arg(g.outer(), "outer"), dim = a.dim = nonneg_arg(g.dim(), "dim"),
                k = a.k = nonneg_arg(g.k(), "k"), inner = a.inner = nonneg_arg(g.inner(), "inner");
  const int64_t picked = outer * k * inner, full = outer * dim * inner;
  a.idx = mem.typed<int32_t>(g.indices(), I32, picked, "indices");
  check_indices(env, mem, a.idx, picked, dim, scatter ? "scatterAdd" : "gather");
  a.src = mem.span(scatter ? s.src() : g.x(), dt, scatter ? picked : full, scatter ? "src" : "x");
  a.out = mem.span(g.out(), dt, scatter ? full : picked, "out");
  return a;
}

SortArgs topk_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::Topk f(info);
  Napi::Env env = info.Env();
  SortArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  const int64_t rows = a.rows = nonneg_arg(f.rows(), "rows"), n = a.n = nonneg_arg(f.n(), "n"),
                k = a.k = nonneg_arg(f.k(), "k");
  if (k > n) throw_range(env, "topk: k = " + std::to_string(k) + " exceeds the axis size " + std::to_string(n));
  a.descending = bool_arg(f.largest(), "largest");
  a.x = mem.span(f.x(), dt, rows * n, "x");
  a.values = mem.span(f.values(), dt, rows * k, "values");
  a.indices = mem.typed<int32_t>(f.indices(), I32, rows * k, "indices");
  return a;
}

SortArgs sort_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  const args::Sort f(info);
  SortArgs a;
  const int dt = a.dtype = dtype_arg(f.dtype());
  const int64_t rows = a.rows = nonneg_arg(f.rows(), "rows"), n = a.n = a.k = nonneg_arg(f.n(), "n");
  a.descending = bool_arg(f.descending(), "descending");
  a.x = mem.span(f.x(), dt, rows * n, "x");
  a.values = mem.span(f.values(), dt, rows * n, "values");
  a.indices = mem.typed<int32_t>(f.indices(), I32, rows * n, "indices");
  return a;
}

}  // namespace napi
}  // namespace recforge
