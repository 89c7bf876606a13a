// CUDA message-passing kernels (message_passing.h, edge_softmax.h, and the row pair of
// indexing.h) against the CPU kernels on random graphs with isolated nodes, self-loops,
// duplicate edges, no edges, odd sizes; device outputs are NaN-poisoned first. Exits non-zero
// on mismatch.
#include <cstring>
#include <memory>
#include <string>
#include <tuple>

#include "graph_cuda_test_util.cuh"
#include "recforge/edge_softmax.h"
#include "recforge/indexing.h"
#include "recforge/message_passing.h"

using namespace rftest;
using recforge::ReduceOp;

namespace {

template <typename T>
void test_aggregate(Rng& r, const TestGraph& g, int64_t F, ReduceOp red, bool weighted) {
  char what[128];
  std::snprintf(what, sizeof what, "%s reduce=%d%s n_dst=%lld n_src=%lld F=%lld E=%lld", sizeof(T) == 4 ? "f32" : "f64",
                (int)red, weighted ? " weighted" : "", (long long)g.n_dst, (long long)g.n_src, (long long)F,
                (long long)g.edges());
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  TestTranspose t = naive_transpose(g);
  std::vector<T> x = to<T>(randn<double>(r, g.n_src * F)), w = to<T>(randn<double>(r, g.edges()));
  std::vector<T> dout = to<T>(randn<double>(r, g.n_dst * F));
  const T* wp_host = weighted ? w.data() : nullptr;
  // CPU
  std::vector<T> out(g.n_dst * F), dx(g.n_src * F), dw(g.edges());
  std::vector<int32_t> am(g.n_dst * F);
  recforge::segment_aggregate<T>(g.n_dst, g.n_src, F, g.rowptr.data(), ptr_or_null(g.esrc), x.data(), wp_host, red,
                                 out.data(), am.data());
  recforge::segment_aggregate_backward<T>(g.n_dst, g.n_src, F, g.rowptr.data(), ptr_or_null(g.esrc), t.rowptr.data(),
                                          ptr_or_null(t.dst), ptr_or_null(t.eid), x.data(), wp_host, red, am.data(),
                                          dout.data(), dx.data(), dw.data());
  // GPU
  DevBuf<int32_t> d_rowptr(g.rowptr), d_src(g.esrc), d_tr(t.rowptr), d_td(t.dst), d_te(t.eid);
  DevBuf<T> d_x(x), d_w(w), d_dout(dout);
  std::unique_ptr<DevBuf<T>> d_out(poisoned<T>(out.size())), d_dx(poisoned<T>(dx.size())), d_dw(poisoned<T>(dw.size()));
  std::unique_ptr<DevBuf<int32_t>> d_am(poisoned<int32_t>(am.size()));
  recforge::segment_aggregate_cuda<T>(g.n_dst, g.n_src, F, d_rowptr.ptr, d_src.ptr, d_x.ptr,
                                      weighted ? d_w.ptr : nullptr, red, d_out->ptr, d_am->ptr, nullptr);
  RF_CUDA(cudaGetLastError());
  allclose(d_out->get(), to<double>(out), tol, tol, (std::string(what) + " out").c_str());
  if (red == ReduceOp::Max || red == ReduceOp::Min) RF_CHECK(d_am->get() == am, "%s arg", what);
  // Backward uses the CPU argmax so that both sides differentiate the same selection.
  DevBuf<int32_t> d_am_cpu(am);
  recforge::segment_aggregate_backward_cuda<T>(g.n_dst, g.n_src, F, d_rowptr.ptr, d_src.ptr, d_tr.ptr, d_td.ptr,
                                               d_te.ptr, d_x.ptr, weighted ? d_w.ptr : nullptr, red, d_am_cpu.ptr,
                                               d_dout.ptr, d_dx->ptr, d_dw->ptr, nullptr);
  RF_CUDA(cudaGetLastError());
  allclose(d_dx->get(), to<double>(dx), tol, tol, (std::string(what) + " dx").c_str());
  allclose(d_dw->get(), to<double>(dw), tol, tol, (std::string(what) + " dw").c_str());
}

template <typename T>
void test_gather_scatter(Rng& r, int64_t n_rows, int64_t n_idx, int64_t F) {
  std::vector<int32_t> idx(n_idx);
  for (auto& i : idx) i = (int32_t)r.randint(0, n_rows);  // repeats on purpose
  std::vector<T> x = to<T>(randn<double>(r, n_rows * F)), src = to<T>(randn<double>(r, n_idx * F));
  std::vector<T> base = to<T>(randn<double>(r, n_rows * F));
  std::vector<T> g_cpu(n_idx * F), a_cpu = base;
  recforge::gather_rows<T>(x.data(), ptr_or_null(idx), n_idx, F, g_cpu.data());
  recforge::scatter_add_rows<T>(src.data(), ptr_or_null(idx), n_idx, F, a_cpu.data());
  DevBuf<int32_t> d_idx(idx);
  DevBuf<T> d_x(x), d_src(src), d_acc(base);
  std::unique_ptr<DevBuf<T>> d_g(poisoned<T>(g_cpu.size()));
  recforge::gather_rows_cuda<T>(d_x.ptr, d_idx.ptr, n_idx, F, d_g->ptr, nullptr);
  // The deterministic scatter (indexing.cu) sorts the indices in a caller-provided workspace.
  DevBuf<unsigned char> d_ws((size_t)recforge::scatter_add_rows_cuda_workspace_bytes(n_idx, n_rows));
  recforge::scatter_add_rows_cuda<T>(d_src.ptr, d_idx.ptr, n_idx, F, n_rows, d_acc.ptr, d_ws.ptr, nullptr);
  RF_CUDA(cudaGetLastError());
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  char what[64];
  std::snprintf(what, sizeof what, "rows=%lld idx=%lld F=%lld", (long long)n_rows, (long long)n_idx, (long long)F);
  allclose(d_g->get(), to<double>(g_cpu), 0, 0, (std::string("gather ") + what).c_str());
  allclose(d_acc.get(), to<double>(a_cpu), tol, tol, (std::string("scatter_add ") + what).c_str());
}

template <typename T>
void test_edge_softmax(Rng& r, const TestGraph& g, int64_t H) {
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-12;
  std::vector<T> s = to<T>(randn<double>(r, g.edges() * H, 3.0)), da = to<T>(randn<double>(r, g.edges() * H));
  std::vector<T> a(s.size()), ds(s.size());
  recforge::edge_softmax<T>(g.n_dst, H, g.rowptr.data(), s.data(), a.data());
  recforge::edge_softmax_backward<T>(g.n_dst, H, g.rowptr.data(), a.data(), da.data(), ds.data());
  DevBuf<int32_t> d_rowptr(g.rowptr);
  DevBuf<T> d_s(s), d_da(da), d_a_cpu(a);
  std::unique_ptr<DevBuf<T>> d_a(poisoned<T>(a.size())), d_ds(poisoned<T>(ds.size()));
  recforge::edge_softmax_cuda<T>(g.n_dst, H, d_rowptr.ptr, d_s.ptr, d_a->ptr, nullptr);
  recforge::edge_softmax_backward_cuda<T>(g.n_dst, H, d_rowptr.ptr, d_a_cpu.ptr, d_da.ptr, d_ds->ptr, nullptr);
  RF_CUDA(cudaGetLastError());
  char what[64];
  std::snprintf(what, sizeof what, "edge_softmax n=%lld E=%lld H=%lld", (long long)g.n_dst, (long long)g.edges(),
                (long long)H);
  allclose(d_a->get(), to<double>(a), tol, tol, (std::string(what) + " alpha").c_str());
  allclose(d_ds->get(), to<double>(ds), tol, tol, (std::string(what) + " dscores").c_str());
}

}  // namespace

int main() {
  require_device();
  Rng r(9001);
  struct Shape {
    int64_t n_dst, n_src, F, E, dup;
    bool loops;
  };
  const Shape shapes[] = {{1, 1, 1, 0, 0, false},   {1, 1, 3, 0, 0, true},        {5, 5, 4, 0, 0, false},
                          {7, 5, 3, 20, 3, false},  {37, 37, 17, 150, 10, true},  {200, 150, 33, 1500, 50, false},
                          {3001, 3001, 67, 24000, 100, true}};
  for (const Shape& s : shapes) {
    TestGraph g = random_graph(r, s.n_dst, s.n_src, s.E, s.dup, s.loops);
    for (ReduceOp red : {ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min})
      for (bool weighted : {false, true}) {
        test_aggregate<float>(r, g, s.F, red, weighted);
        test_aggregate<double>(r, g, s.F, red, weighted);
      }
    if (s.n_src == s.n_dst)
      for (int64_t H : {1, 3}) {
        test_edge_softmax<float>(r, g, H);
        test_edge_softmax<double>(r, g, H);
      }
  }
  for (auto [rows, n, F] : {std::tuple<int64_t, int64_t, int64_t>{1, 0, 3}, {1, 5, 1}, {13, 40, 7}, {500, 20000, 33}}) {
    test_gather_scatter<float>(r, rows, n, F);
    test_gather_scatter<double>(r, rows, n, F);
  }
  test_gather_scatter<int32_t>(r, 77, 5000, 9);
  return finish("message_passing_cuda");
}
