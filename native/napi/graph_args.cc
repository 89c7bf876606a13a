#include "graph_args.h"

#include <sstream>
#include <string>
#include <vector>

namespace recforge {
namespace napi {

int64_t count_arg(IntArg a, const char* what) {
  int64_t v = int_arg(a, what);
  if (v < 0 || v > INT32_MAX)
    throw_range(a.env(), std::string(what) + ": expected a count in [0, 2147483647], got " + std::to_string(v));
  return v;
}

int64_t checked_numel(Napi::Env env, const char* what, int64_t a, int64_t b, int64_t c) {
  const double p = (double)a * (double)b * (double)c;
  if (p > 9007199254740991.0)
    throw_range(env, std::string(what) + ": " + std::to_string(a) + " x " + std::to_string(b) + " x " +
                         std::to_string(c) + " elements is too large");
  return a * b * c;
}

void check_index_range(Napi::Env env, const char* fn, const char* name, const int32_t* idx, int64_t n, int64_t n_rows) {
  for (int64_t i = 0; i < n; ++i)
    if (idx[i] < 0 || idx[i] >= n_rows) {
      std::ostringstream m;
      m << fn << ": " << name << "[" << i << "] = " << idx[i] << " is outside [0, " << n_rows << ")";
      throw_range(env, m.str());
    }
}

namespace {

void check_rowptr(Napi::Env env, const char* fn, const char* name, const int32_t* rowptr, int64_t n_rows,
                  int64_t n_edges) {
  std::ostringstream m;
  m << fn << ": ";
  if (rowptr[0] != 0) {
    m << name << "[0] must be 0, got " << rowptr[0];
    throw_range(env, m.str());
  }
  for (int64_t r = 0; r < n_rows; ++r)
    if (rowptr[r + 1] < rowptr[r]) {
      m << name << "[" << r + 1 << "] = " << rowptr[r + 1] << " is less than " << name << "[" << r
        << "] = " << rowptr[r] << " (must be non-decreasing)";
      throw_range(env, m.str());
    }
  if (rowptr[n_rows] != n_edges) {
    m << name << "[" << n_rows << "] = " << rowptr[n_rows] << " must equal the edge count " << n_edges;
    throw_range(env, m.str());
  }
}

}  // namespace

Csr csr_arg(TensorArgs& mem, const char* fn, TensorArg rowptr, const TensorArg* col, int64_t n_rows, int64_t n_cols,
            int64_t n_edges, const char* rowptr_name, const char* col_name) {
  Napi::Env env = rowptr.env();
  Csr c;
  c.n_rows = n_rows;
  c.n_cols = n_cols;
  c.n_edges = n_edges;
  c.rowptr = mem.typed<const int32_t>(rowptr, I32, n_rows + 1, rowptr_name);
  c.host_rowptr = mem.host_view(env, c.rowptr, n_rows + 1, rowptr_name);
  check_rowptr(env, fn, rowptr_name, c.host_rowptr, n_rows, n_edges);
  if (col) {
    c.col = mem.typed<const int32_t>(*col, I32, n_edges, col_name);
    c.host_col = mem.host_view(env, c.col, n_edges, col_name);
    check_index_range(env, fn, col_name, c.host_col, n_edges, n_cols);
  }
  return c;
}

Transpose transpose_arg(TensorArgs& mem, const char* fn, TensorArg t_rowptr_arg, TensorArg t_dst_arg, TensorArg t_eid_arg,
                        const Csr& csr) {
  Napi::Env env = t_rowptr_arg.env();
  const int64_t n_src = csr.n_cols, E = csr.n_edges;
  Transpose t;
  t.rowptr = mem.typed<const int32_t>(t_rowptr_arg, I32, n_src + 1, "tRowptr");
  t.dst = mem.typed<const int32_t>(t_dst_arg, I32, E, "tDst");
  t.eid = mem.typed<const int32_t>(t_eid_arg, I32, E, "tEid");
  // Host views of everything the consistency check reads.
  const int32_t* t_rowptr = mem.host_view(env, t.rowptr, n_src + 1, "tRowptr");
  const int32_t* t_dst = mem.host_view(env, t.dst, E, "tDst");
  const int32_t* t_eid = mem.host_view(env, t.eid, E, "tEid");
  const int32_t *rowptr = csr.host_rowptr, *col = csr.host_col;
  check_rowptr(env, fn, "tRowptr", t_rowptr, n_src, E);
  std::vector<int32_t> dst_of(E);
  for (int64_t d = 0; d < csr.n_rows; ++d)
    for (int64_t e = rowptr[d]; e < rowptr[d + 1]; ++e) dst_of[e] = (int32_t)d;
  std::vector<uint8_t> seen(E, 0);
  // The message stream is built only on failure: constructing an ostringstream per edge cost
  // more than the GAT backward kernel itself on large graphs.
  auto fail = [&](auto&& write) {
    std::ostringstream m;
    m << fn << ": ";
    write(m);
    throw_range(env, m.str());
  };
  for (int64_t s = 0; s < n_src; ++s)
    for (int64_t k = t_rowptr[s]; k < t_rowptr[s + 1]; ++k) {
      const int32_t e = t_eid[k];
      if (e < 0 || e >= E) fail([&](std::ostringstream& m) { m << "tEid[" << k << "] = " << e << " is outside [0, " << E << ")"; });
      if (seen[e])
        fail([&](std::ostringstream& m) { m << "tEid[" << k << "] = " << e << " repeats an edge (not the transpose of this graph)"; });
      seen[e] = 1;
      if (col[e] != s)
        fail([&](std::ostringstream& m) {
          m << "tEid[" << k << "] = " << e << " sits under source " << s << " but edge " << e << " has source " << col[e]
            << " (not the transpose of this graph)";
        });
      if (t_dst[k] != dst_of[e])
        fail([&](std::ostringstream& m) {
          m << "tDst[" << k << "] = " << t_dst[k] << " but edge " << e << " goes to " << dst_of[e] << " (not the transpose of this graph)";
        });
    }
  return t;
}

}  // namespace napi
}  // namespace recforge
