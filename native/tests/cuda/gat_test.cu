// CUDA fused GAT (gat.h) against the CPU kernels: forward outputs and saved tensors, backward
// gradients, on graphs with isolated nodes, self-loops, duplicate edges, no edges, N = 1, odd
// H and F, and GREENer's batch shape (with a timing line, informative). Device outputs are
// NaN-poisoned first; the backward is also run twice to check it is bit-reproducible.
#include <cmath>
#include <cstring>
#include <memory>
#include <string>

#include "graph_cuda_test_util.cuh"
#include "recforge/gat.h"

using namespace rftest;

namespace {

template <typename T>
void test_case(Rng& r, const TestGraph& g, int64_t H, int64_t F, bool timing) {
  const int64_t N = g.n_dst, E = g.edges(), HF = H * F;
  char what[96];
  std::snprintf(what, sizeof what, "%s N=%lld E=%lld H=%lld F=%lld", sizeof(T) == 4 ? "f32" : "f64", (long long)N,
                (long long)E, (long long)H, (long long)F);
  const double scale = 1.0 / std::sqrt((double)(F > 0 ? F : 1));
  std::vector<T> wh = to<T>(randn<double>(r, N * HF)), as = to<T>(randn<double>(r, HF, scale)),
                 ad = to<T>(randn<double>(r, HF, scale)), dout = to<T>(randn<double>(r, N * HF));
  TestTranspose t = naive_transpose(g);
  const double slope = 0.2;
  // CPU
  std::vector<T> out(N * HF), el(N * H), er(N * H), alpha(E * H), dwh(N * HF), das(HF), dad(HF);
  std::vector<T> ws(recforge::gat_backward_workspace_size(N, E, H, F));
  recforge::gat_forward<T>(N, H, F, g.rowptr.data(), ptr_or_null(g.esrc), wh.data(), as.data(), ad.data(), slope,
                           out.data(), el.data(), er.data(), alpha.data());
  recforge::gat_backward<T>(N, H, F, g.rowptr.data(), ptr_or_null(g.esrc), t.rowptr.data(), ptr_or_null(t.dst),
                            ptr_or_null(t.eid), wh.data(), as.data(), ad.data(), slope, el.data(), er.data(),
                            alpha.data(), dout.data(), dwh.data(), das.data(), dad.data(), ws.data());
  // GPU
  DevBuf<int32_t> d_rowptr(g.rowptr), d_src(g.esrc), d_tr(t.rowptr), d_td(t.dst), d_te(t.eid);
  DevBuf<T> d_wh(wh), d_as(as), d_ad(ad), d_dout(dout), d_ws(ws.size());
  std::unique_ptr<DevBuf<T>> d_out(poisoned<T>(out.size())), d_el(poisoned<T>(el.size())),
      d_er(poisoned<T>(er.size())), d_alpha(poisoned<T>(alpha.size())), d_dwh(poisoned<T>(dwh.size())),
      d_das(poisoned<T>(das.size())), d_dad(poisoned<T>(dad.size()));
  auto fwd = [&] {
    recforge::gat_forward_cuda<T>(N, H, F, d_rowptr.ptr, d_src.ptr, d_wh.ptr, d_as.ptr, d_ad.ptr, slope, d_out->ptr,
                                  d_el->ptr, d_er->ptr, d_alpha->ptr, nullptr);
  };
  // The backward differentiates the CPU's saved el / er / alpha: an attention logit within
  // rounding of LeakyReLU's kink could otherwise take the other derivative branch on one side.
  DevBuf<T> d_el_cpu(el), d_er_cpu(er), d_alpha_cpu(alpha);
  auto bwd = [&] {
    recforge::gat_backward_cuda<T>(N, H, F, d_rowptr.ptr, d_src.ptr, d_tr.ptr, d_td.ptr, d_te.ptr, d_wh.ptr, d_as.ptr,
                                   d_ad.ptr, slope, d_el_cpu.ptr, d_er_cpu.ptr, d_alpha_cpu.ptr, d_dout.ptr,
                                   d_dwh->ptr, d_das->ptr, d_dad->ptr, d_ws.ptr, nullptr);
  };
  fwd();
  bwd();
  RF_CUDA(cudaGetLastError());
  const double tol = sizeof(T) == 4 ? 2e-5 : 1e-11;
  auto check = [&](const DevBuf<T>& dv, const std::vector<T>& want, const char* name, double scale_tol) {
    allclose(dv.get(), to<double>(want), tol * scale_tol, tol * 10, (std::string(what) + " " + name).c_str());
  };
  check(*d_out, out, "out", 1);
  check(*d_el, el, "el", 1);
  check(*d_er, er, "er", 1);
  check(*d_alpha, alpha, "alpha", 1);
  check(*d_dwh, dwh, "dWh", 3);
  check(*d_das, das, "da_src", 3 * std::sqrt((double)N + 1));
  check(*d_dad, dad, "da_dst", 3 * std::sqrt((double)N + 1));
  std::vector<T> first = d_dwh->get();
  bwd();
  std::vector<T> second = d_dwh->get();
  RF_CHECK(first.empty() || std::memcmp(first.data(), second.data(), first.size() * sizeof(T)) == 0,
           "%s backward not reproducible", what);

  if (timing && !rftest::kEmulated) {
    cudaEvent_t a, b;
    RF_CUDA(cudaEventCreate(&a));
    RF_CUDA(cudaEventCreate(&b));
    const int reps = 50;
    float ms_f = 0, ms_b = 0;
    RF_CUDA(cudaEventRecord(a));
    for (int i = 0; i < reps; ++i) fwd();
    RF_CUDA(cudaEventRecord(b));
    RF_CUDA(cudaEventSynchronize(b));
    RF_CUDA(cudaEventElapsedTime(&ms_f, a, b));
    RF_CUDA(cudaEventRecord(a));
    for (int i = 0; i < reps; ++i) bwd();
    RF_CUDA(cudaEventRecord(b));
    RF_CUDA(cudaEventSynchronize(b));
    RF_CUDA(cudaEventElapsedTime(&ms_b, a, b));
    std::printf("gat cuda timing (%s): forward %.3f ms, backward %.3f ms\n", what, ms_f / reps, ms_b / reps);
  }
}

// GREENer's batch: 32 graphs of ~500 nodes, 8 in-edges per node within its graph, self-loops.
TestGraph batch_graph(Rng& r) {
  TestGraph g;
  std::vector<int32_t> s, d;
  int64_t N = 0;
  for (int gi = 0; gi < 32; ++gi) {
    int64_t n = 450 + r.randint(0, 101);
    for (int64_t v = 0; v < n; ++v) {
      for (int k = 0; k < 8; ++k) {
        g.esrc.push_back((int32_t)(N + r.randint(0, n)));
        g.edst.push_back((int32_t)(N + v));
      }
      g.esrc.push_back((int32_t)(N + v));
      g.edst.push_back((int32_t)(N + v));
    }
    N += n;
  }
  g.n_dst = g.n_src = N;
  g.rowptr.assign(N + 1, 0);
  for (int32_t x : g.edst) ++g.rowptr[x + 1];
  for (int64_t i = 0; i < N; ++i) g.rowptr[i + 1] += g.rowptr[i];
  return g;
}

}  // namespace

int main() {
  require_device();
  Rng r(31337);
  struct Shape {
    int64_t N, E, dup;
    bool loops;
    int64_t H, F;
  };
  const Shape shapes[] = {{1, 0, 0, false, 1, 1},     {1, 0, 0, true, 2, 3},        {5, 0, 0, false, 3, 5},
                          {9, 20, 3, true, 1, 7},     {40, 160, 10, true, 3, 5},    {300, 2000, 20, false, 2, 33},
                          {700, 5000, 50, true, 4, 64}, {257, 3000, 0, true, 1, 256}, {100, 20000, 0, false, 3, 40}};
  for (const Shape& s : shapes) {
    TestGraph g = random_graph(r, s.N, s.N, s.E, s.dup, s.loops);
    test_case<float>(r, g, s.H, s.F, false);
    test_case<double>(r, g, s.H, s.F, false);
  }
  TestGraph big = batch_graph(r);
  test_case<float>(r, big, 4, 64, true);
  test_case<float>(r, big, 1, 256, true);
  return finish("gat_cuda");
}
