// CUDA fused GRU (gru.h) against the CPU kernel on the same inputs: forward (out, h_n, the reserve)
// and backward (dx, dh0, every weight and bias gradient), float and double, on random shapes — T = 1,
// odd sizes, lengths 0 / 1 / T, both directions, 1-3 layers, with and without h0 and biases — with
// NaN in x's padding and every device output, reserve and workspace NaN-poisoned first. The backward
// is run twice to check it is bit-reproducible.
#include <cmath>
#include <memory>
#include <string>

#include "../gru_reference.h"
#include "cuda_test_util.h"
#include "recforge/gru.h"

using namespace rftest;
using cudatest::Dev;
using recforge::GruDims;

namespace {

template <typename T>
std::vector<T> cast(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

template <typename T>
void test_case(const GruProblem& p, const std::string& name) {
  const GruDims& d = p.d;
  const int64_t K = p.k_count(), nh = K * d.B * d.H, nout = d.B * d.T * d.dirs * d.H;
  const bool f32 = sizeof(T) == 4;
  const std::string tag = name + (f32 ? " f32" : " f64");
  // host copies
  const std::vector<T> x = cast<T>(p.x), h0 = cast<T>(p.h0), dout = cast<T>(p.dout), dhn = cast<T>(p.dh_n);
  std::vector<std::vector<T>> w[4];  // w_ih, w_hh, b_ih, b_hh
  for (int64_t k = 0; k < K; ++k) {
    w[0].push_back(cast<T>(p.w_ih[k]));
    w[1].push_back(cast<T>(p.w_hh[k]));
    w[2].push_back(cast<T>(p.b_ih[k]));
    w[3].push_back(cast<T>(p.b_hh[k]));
  }
  const int32_t* lens_h = p.has_lengths ? p.lengths.data() : nullptr;

  // ---- CPU -----------------------------------------------------------------------------------
  std::vector<T> out(nout), hn(nh), res(recforge::gru_reserve_size(d)), fws(recforge::gru_forward_workspace_size(d)),
      bws(recforge::gru_backward_workspace_size(d)), dx(x.size()), dh0(nh);
  std::vector<std::vector<T>> g[4];
  std::vector<const T*> pw[4];
  std::vector<T*> pg[4];
  for (int q = 0; q < 4; ++q)
    for (int64_t k = 0; k < K; ++k) g[q].emplace_back(w[q][k].size());
  for (int q = 0; q < 4; ++q)
    for (int64_t k = 0; k < K; ++k) pw[q].push_back(w[q][k].data()), pg[q].push_back(g[q][k].data());
  recforge::GruWeights<T> cw{pw[0].data(), pw[1].data(), p.bias ? pw[2].data() : nullptr, p.bias ? pw[3].data() : nullptr};
  recforge::GruGrads<T> cg{pg[0].data(), pg[1].data(), pg[2].data(), pg[3].data()};
  recforge::gru_forward<T>(d, x.data(), lens_h, p.has_h0 ? h0.data() : nullptr, cw, out.data(), hn.data(), res.data(),
                           fws.data());
  recforge::gru_backward<T>(d, x.data(), lens_h, cw, res.data(), dout.data(), dhn.data(), dx.data(), dh0.data(), cg,
                            bws.data());

  // ---- CUDA ----------------------------------------------------------------------------------
  CUstream_st* s = cudatest::stream();
  Dev<T> dX(x), dH0(h0.empty() ? std::vector<T>(1) : h0), dDout(dout), dDhn(dhn);
  Dev<int32_t> dLens(p.lengths.empty() ? std::vector<int32_t>(1) : p.lengths);
  Dev<T> dOut(nout), dHn(nh), dRes(res.size()), dFws(fws.size()), dBws(bws.size()), dDx(x.size()), dDh0(nh);
  std::vector<std::unique_ptr<Dev<T>>> dw[4], dg[4];
  std::vector<const T*> qw[4];
  std::vector<T*> qg[4];
  for (int q = 0; q < 4; ++q)
    for (int64_t k = 0; k < K; ++k) {
      dw[q].emplace_back(new Dev<T>(w[q][k].empty() ? std::vector<T>(1) : w[q][k]));
      dg[q].emplace_back(new Dev<T>(std::max<size_t>(1, w[q][k].size())));
      dg[q].back()->poison();
      qw[q].push_back(dw[q].back()->p);
      qg[q].push_back(dg[q].back()->p);
    }
  for (auto* v : {&dOut, &dHn, &dRes, &dFws, &dBws, &dDx, &dDh0}) v->poison();
  recforge::GruWeights<T> gw{qw[0].data(), qw[1].data(), p.bias ? qw[2].data() : nullptr, p.bias ? qw[3].data() : nullptr};
  recforge::GruGrads<T> gg{qg[0].data(), qg[1].data(), qg[2].data(), qg[3].data()};
  const int32_t* lens_d = p.has_lengths ? dLens.p : nullptr;
  recforge::gru_forward_cuda<T>(d, dX.p, lens_d, p.has_h0 ? dH0.p : nullptr, gw, dOut.p, dHn.p, dRes.p, dFws.p, s);
  dFws.poison();
  recforge::gru_backward_cuda<T>(d, dX.p, lens_d, gw, dRes.p, dDout.p, dDhn.p, dDx.p, dDh0.p, gg, dBws.p, s);

  const double atol = f32 ? 5e-5 : 1e-12, rtol = f32 ? 5e-4 : 1e-10;
  cudatest::close(dOut.get(), out, atol, rtol, (tag + " out").c_str());
  cudatest::close(dHn.get(), hn, atol, rtol, (tag + " h_n").c_str());
  cudatest::close(dRes.get(), res, atol, rtol, (tag + " reserve").c_str());
  cudatest::close(dDx.get(), dx, atol, rtol, (tag + " dx").c_str());
  cudatest::close(dDh0.get(), dh0, atol, rtol, (tag + " dh0").c_str());
  const char* names[4] = {"dw_ih", "dw_hh", "db_ih", "db_hh"};
  std::vector<std::vector<T>> first[4];
  for (int q = 0; q < (p.bias ? 4 : 2); ++q)
    for (int64_t k = 0; k < K; ++k) {
      first[q].push_back(dg[q][k]->get());
      first[q].back().resize(g[q][k].size());
      cudatest::close(first[q].back(), g[q][k], atol, rtol, (tag + " " + names[q] + "[" + std::to_string(k) + "]").c_str());
    }
  // the same call again: identical bits
  const std::vector<T> dx1 = dDx.get();
  dDx.poison();
  recforge::gru_backward_cuda<T>(d, dX.p, lens_d, gw, dRes.p, dDout.p, dDhn.p, dDx.p, dDh0.p, gg, dBws.p, s);
  cudatest::same(dDx.get(), dx1, (tag + " dx rerun").c_str());
  for (int64_t k = 0; k < K; ++k) {
    std::vector<T> again = dg[1][k]->get();
    again.resize(g[1][k].size());
    cudatest::same(again, first[1][k], (tag + " dw_hh rerun").c_str());
  }
}

struct Case {
  int64_t B, T, in, H, layers;
  int dirs;
  bool bias, h0;
  std::vector<int32_t> lengths;
};

}  // namespace

int main() {
  Rng rng(2024);
  const std::vector<Case> cases = {
      {1, 1, 1, 1, 1, 1, true, false, {}},
      {3, 1, 5, 7, 2, 2, true, true, {}},
      {5, 6, 3, 5, 2, 2, true, true, {6, 1, 0, 3, 6}},
      {7, 9, 11, 13, 3, 1, false, true, {9, 2, 0, 1, 5, 9, 4}},
      {2, 4, 2, 4, 1, 1, true, true, {0, 0}},
      {33, 17, 20, 37, 1, 2, true, true, {}},
      {3, 0, 4, 5, 2, 2, true, true, {}},
  };
  int i = 0;
  for (const Case& c : cases) {
    GruDims d;
    d.B = c.B, d.T = c.T, d.in = c.in, d.H = c.H, d.layers = c.layers, d.dirs = c.dirs;
    const GruProblem p = make_gru_problem(rng, d, c.bias, c.h0, c.lengths);
    const std::string name = "case " + std::to_string(i++);
    test_case<float>(p, name);
    test_case<double>(p, name);
  }
  return finish("gru_cuda");
}
