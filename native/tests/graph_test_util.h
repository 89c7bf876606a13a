// Random test graphs for the message-passing tests, built WITHOUT the kernels under test:
// an edge list sorted stably by destination gives the CSR, and the edge list in that order
// (esrc, edst) is what the naive references loop over.
#pragma once
#include <algorithm>
#include <cstdint>
#include <numeric>
#include <vector>

#include "test_util.h"

namespace rftest {

struct TestGraph {
  int64_t n_dst = 0, n_src = 0;
  std::vector<int32_t> esrc, edst;  // edge list in CSR order
  std::vector<int32_t> rowptr;      // [n_dst + 1]
  int64_t edges() const { return (int64_t)esrc.size(); }
};

// n_edges random edges; about a quarter of destinations (and sources) are never used, so the
// graph has isolated nodes; `dup` extra copies of random earlier edges; when `self_loops`
// (needs n_src == n_dst) one (n, n) edge per node is appended, as the GAT caller would.
inline TestGraph random_graph(Rng& r, int64_t n_dst, int64_t n_src, int64_t n_edges, int64_t dup, bool self_loops) {
  TestGraph g;
  g.n_dst = n_dst;
  g.n_src = n_src;
  std::vector<int32_t> s, d;
  int64_t live_dst = std::max<int64_t>(1, n_dst - n_dst / 4), live_src = std::max<int64_t>(1, n_src - n_src / 4);
  if (n_dst > 0 && n_src > 0) {
    for (int64_t i = 0; i < n_edges; ++i) {
      s.push_back((int32_t)r.randint(0, live_src));
      d.push_back((int32_t)r.randint(0, live_dst));
    }
    for (int64_t i = 0; i < dup && !s.empty(); ++i) {
      int64_t j = r.randint(0, (int64_t)s.size());
      s.push_back(s[j]);
      d.push_back(d[j]);
    }
    if (self_loops)
      for (int64_t n = 0; n < n_dst; ++n) {
        s.push_back((int32_t)n);
        d.push_back((int32_t)n);
      }
  }
  std::vector<int64_t> order(s.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) { return d[a] < d[b]; });
  for (int64_t i : order) {
    g.esrc.push_back(s[i]);
    g.edst.push_back(d[i]);
  }
  g.rowptr.assign(n_dst + 1, 0);
  for (int32_t x : g.edst) ++g.rowptr[x + 1];
  for (int64_t i = 0; i < n_dst; ++i) g.rowptr[i + 1] += g.rowptr[i];
  return g;
}

// Transposed CSR the naive way (for each source, its edges in increasing CSR position).
struct TestTranspose {
  std::vector<int32_t> rowptr, dst, eid;
};
inline TestTranspose naive_transpose(const TestGraph& g) {
  std::vector<std::vector<int32_t>> out_edges(g.n_src);
  for (int64_t e = 0; e < g.edges(); ++e) out_edges[g.esrc[e]].push_back((int32_t)e);
  TestTranspose t;
  t.rowptr.push_back(0);
  for (int64_t s = 0; s < g.n_src; ++s) {
    for (int32_t e : out_edges[s]) {
      t.dst.push_back(g.edst[e]);
      t.eid.push_back(e);
    }
    t.rowptr.push_back((int32_t)t.dst.size());
  }
  return t;
}

template <typename T, typename U>
std::vector<T> to(const std::vector<U>& v) {
  return std::vector<T>(v.begin(), v.end());
}

inline const int32_t* ptr_or_null(const std::vector<int32_t>& v) { return v.empty() ? nullptr : v.data(); }

}  // namespace rftest
