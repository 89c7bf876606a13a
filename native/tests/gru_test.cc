// Tests of the fused GRU (gru.h) against the float64 step-by-step reference (gru_reference.h):
// forward (out, h_n) and backward (dx, dh0, every weight and bias gradient) in float and double on
// random shapes — T = 1, odd B / in / H, lengths 0, 1 and T, both directions, 1-3 layers, with
// and without h0 and biases, dout / dh_n absent. Padding of x and dout is NaN (never read); every
// output, the reserve and the workspace are NaN-poisoned before each call (unwritten elements show).
// The reference's own backward is checked against central finite differences of its forward.
// Results must be bit-identical for 1 and 2 threads (one direction per thread), and for 3 and 4
// (the batched per-step path); the reference checks run at 2 and at 4 threads, so a bidirectional
// network goes through both paths.
#include <cmath>
#include <cstring>
#include <string>

#include "gru_reference.h"
#include "recforge/gru.h"
#include "recforge/parallel.h"

using namespace rftest;
using recforge::GruDims;

namespace {

template <typename T>
std::vector<T> cast(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

// The kernel's inputs in T and all its outputs, poisoned.
template <typename T>
struct GruRun {
  std::vector<T> x, h0, dout, dh_n;
  std::vector<std::vector<T>> w_ih, w_hh, b_ih, b_hh, dw_ih, dw_hh, db_ih, db_hh;
  std::vector<T> out, h_n, reserve, fws, bws, dx, dh0;
  std::vector<const T*> pw_ih, pw_hh, pb_ih, pb_hh;
  std::vector<T*> pdw_ih, pdw_hh, pdb_ih, pdb_hh;

  GruRun(const GruProblem& p) {
    const GruDims& d = p.d;
    x = cast<T>(p.x);
    h0 = cast<T>(p.h0);
    dout = cast<T>(p.dout);
    dh_n = cast<T>(p.dh_n);
    for (int64_t k = 0; k < p.k_count(); ++k) {
      w_ih.push_back(cast<T>(p.w_ih[k]));
      w_hh.push_back(cast<T>(p.w_hh[k]));
      b_ih.push_back(cast<T>(p.b_ih[k]));
      b_hh.push_back(cast<T>(p.b_hh[k]));
      dw_ih.emplace_back(p.w_ih[k].size());
      dw_hh.emplace_back(p.w_hh[k].size());
      db_ih.emplace_back(p.b_ih[k].size());
      db_hh.emplace_back(p.b_hh[k].size());
    }
    for (int64_t k = 0; k < p.k_count(); ++k) {
      pw_ih.push_back(w_ih[k].data());
      pw_hh.push_back(w_hh[k].data());
      pb_ih.push_back(b_ih[k].data());
      pb_hh.push_back(b_hh[k].data());
      pdw_ih.push_back(dw_ih[k].data());
      pdw_hh.push_back(dw_hh[k].data());
      pdb_ih.push_back(db_ih[k].data());
      pdb_hh.push_back(db_hh[k].data());
    }
    out.resize(d.B * d.T * d.dirs * d.H);
    h_n.resize(p.k_count() * d.B * d.H);
    reserve.resize(recforge::gru_reserve_size(d));
    fws.resize(recforge::gru_forward_workspace_size(d));
    bws.resize(recforge::gru_backward_workspace_size(d));
    dx.resize(x.size());
    dh0.resize(h_n.size());
  }
  recforge::GruWeights<T> weights(bool bias) const {
    recforge::GruWeights<T> w;
    w.w_ih = pw_ih.data();
    w.w_hh = pw_hh.data();
    w.b_ih = bias ? pb_ih.data() : nullptr;
    w.b_hh = bias ? pb_hh.data() : nullptr;
    return w;
  }
  recforge::GruGrads<T> grads() const {
    recforge::GruGrads<T> g;
    g.dw_ih = pdw_ih.data();
    g.dw_hh = pdw_hh.data();
    g.db_ih = pdb_ih.data();
    g.db_hh = pdb_hh.data();
    return g;
  }
  void run(const GruProblem& p, bool with_dout, bool with_dhn) {
    for (auto* v : {&out, &h_n, &reserve, &fws, &bws, &dx, &dh0}) poison(*v);
    for (auto* vs : {&dw_ih, &dw_hh, &db_ih, &db_hh})
      for (auto& v : *vs) poison(v);
    const int32_t* lens = p.has_lengths ? p.lengths.data() : nullptr;
    const auto w = weights(p.bias);
    recforge::gru_forward<T>(p.d, x.data(), lens, p.has_h0 ? h0.data() : nullptr, w, out.data(), h_n.data(),
                             reserve.data(), fws.data());
    poison(fws);  // the backward must not depend on the forward's scratch
    recforge::gru_backward<T>(p.d, x.data(), lens, w, reserve.data(), with_dout ? dout.data() : nullptr,
                              with_dhn ? dh_n.data() : nullptr, dx.data(), dh0.data(), grads(), bws.data());
  }
};

template <typename T>
void check_case(const GruProblem& p0, const std::string& name, bool with_dout, bool with_dhn) {
  GruProblem p = p0;
  const double nan = std::numeric_limits<double>::quiet_NaN();
  // The reference folds a missing dout / dh_n in as zeros (on real steps; padding stays NaN).
  if (!with_dout)
    for (auto& v : p.dout) v = std::isnan(v) ? nan : 0.0;
  if (!with_dhn) std::fill(p.dh_n.begin(), p.dh_n.end(), 0.0);
  const GruRefResult ref = gru_reference(p);
  GruRun<T> k(p);
  k.run(p, with_dout, with_dhn);
  const bool f32 = sizeof(T) == 4;
  const double atol = f32 ? 2e-4 : 1e-11, rtol = f32 ? 2e-3 : 1e-9;
  const std::string tag = name + (f32 ? " float" : " double");
  allclose(k.out, ref.out, atol, rtol, (tag + " out").c_str());
  allclose(k.h_n, ref.h_n, atol, rtol, (tag + " h_n").c_str());
  // gradients accumulate over T steps: a little more room in float
  const double gatol = f32 ? 1e-3 : 1e-10;
  allclose(k.dx, ref.dx, gatol, rtol, (tag + " dx").c_str());
  allclose(k.dh0, ref.dh0, gatol, rtol, (tag + " dh0").c_str());
  for (int64_t i = 0; i < p.k_count(); ++i) {
    const std::string s = " [" + std::to_string(i) + "]";
    allclose(k.dw_ih[i], ref.dw_ih[i], gatol, rtol, (tag + " dw_ih" + s).c_str());
    allclose(k.dw_hh[i], ref.dw_hh[i], gatol, rtol, (tag + " dw_hh" + s).c_str());
    allclose(k.db_ih[i], ref.db_ih[i], gatol, rtol, (tag + " db_ih" + s).c_str());
    allclose(k.db_hh[i], ref.db_hh[i], gatol, rtol, (tag + " db_hh" + s).c_str());
  }
}

struct Case {
  int64_t B, T, in, H, layers;
  int dirs;
  bool bias, h0;
  std::vector<int32_t> lengths;  // empty: no lengths argument
};

// Central differences of the reference loss, to validate the reference's own backward.
void check_reference_fd(Rng& rng) {
  GruDims d;
  d.B = 3, d.T = 4, d.in = 3, d.H = 2, d.layers = 2, d.dirs = 2;
  GruProblem p = make_gru_problem(rng, d, true, true, {4, 0, 2});
  const GruRefResult ref = gru_reference(p);
  auto loss = [&](const GruProblem& q) {
    const GruRefResult r = gru_reference(q, false);
    double s = 0;
    for (size_t i = 0; i < r.out.size(); ++i)
      if (!std::isnan(q.dout[i])) s += r.out[i] * q.dout[i];
    for (size_t i = 0; i < r.h_n.size(); ++i) s += r.h_n[i] * q.dh_n[i];
    return s;
  };
  const double eps = 1e-6;
  auto fd = [&](double& v) {
    const double v0 = v;
    v = v0 + eps;
    const double up = loss(p);
    v = v0 - eps;
    const double down = loss(p);
    v = v0;
    return (up - down) / (2 * eps);
  };
  auto check = [&](std::vector<double>& param, const std::vector<double>& grad, const char* what) {
    for (size_t i = 0; i < param.size(); ++i) {
      if (std::isnan(param[i])) continue;  // padding of x
      const double num = fd(param[i]);
      RF_CHECK(std::fabs(num - grad[i]) <= 1e-6 + 1e-5 * std::fabs(num), "reference %s[%zu]: fd %.9g analytic %.9g",
               what, i, num, grad[i]);
    }
  };
  check(p.x, ref.dx, "dx");
  check(p.h0, ref.dh0, "dh0");
  for (int64_t k = 0; k < p.k_count(); ++k) {
    check(p.w_ih[k], ref.dw_ih[k], "dw_ih");
    check(p.w_hh[k], ref.dw_hh[k], "dw_hh");
    check(p.b_ih[k], ref.db_ih[k], "db_ih");
    check(p.b_hh[k], ref.db_hh[k], "db_hh");
  }
}

// Same bits for 1 and 2 threads, and for 3 and 4 (see gru.h: the bidirectional per-step work is split
// by direction up to as many threads as directions, batched over them above).
void check_threads(Rng& rng, int t1, int t2) {
  GruDims d;
  d.B = 37, d.T = 9, d.in = 21, d.H = 45, d.layers = 2, d.dirs = 2;
  std::vector<int32_t> lens(d.B);
  for (auto& v : lens) v = (int32_t)rng.randint(0, d.T + 1);
  const GruProblem p = make_gru_problem(rng, d, true, true, lens);
  const int saved = recforge::num_threads();
  recforge::set_num_threads(t1);
  GruRun<float> a(p);
  a.run(p, true, true);
  recforge::set_num_threads(t2);
  GruRun<float> b(p);
  b.run(p, true, true);
  recforge::set_num_threads(saved);
  auto same = [t1, t2](const std::vector<float>& u, const std::vector<float>& v, const char* what) {
    RF_CHECK(u.size() == v.size() && std::memcmp(u.data(), v.data(), u.size() * sizeof(float)) == 0,
             "%s differs between %d and %d threads", what, t1, t2);
  };
  same(a.out, b.out, "out");
  same(a.h_n, b.h_n, "h_n");
  same(a.dx, b.dx, "dx");
  same(a.dh0, b.dh0, "dh0");
  for (int64_t k = 0; k < p.k_count(); ++k) {
    same(a.dw_ih[k], b.dw_ih[k], "dw_ih");
    same(a.dw_hh[k], b.dw_hh[k], "dw_hh");
    same(a.db_ih[k], b.db_ih[k], "db_ih");
  }
}

}  // namespace

int main() {
  Rng rng(1212);
  check_reference_fd(rng);
  const std::vector<Case> cases = {
      {1, 1, 1, 1, 1, 1, true, false, {}},                 // smallest
      {3, 1, 5, 7, 2, 2, true, true, {}},                  // T = 1, bidirectional, 2 layers
      {5, 6, 3, 5, 2, 2, true, true, {6, 1, 0, 3, 6}},     // lengths 0, 1 and T
      {7, 9, 11, 13, 3, 1, false, true, {9, 2, 0, 1, 5, 9, 4}},  // no bias, 3 layers
      {4, 5, 9, 3, 1, 2, true, false, {1, 1, 1, 1}},       // every row one step
      {2, 4, 2, 4, 1, 1, true, true, {0, 0}},              // every row empty
      {33, 17, 20, 37, 1, 2, true, true, {}},              // larger, full lengths
      {0, 3, 4, 5, 2, 2, true, true, {}},                  // B = 0
      {3, 0, 4, 5, 2, 2, true, true, {}},                  // T = 0: h_n = h0, dh0 = dh_n
  };
  const int saved = recforge::num_threads();
  for (int threads : {2, 4}) {
    recforge::set_num_threads(threads);
    int idx = 0;
    for (const Case& c : cases) {
      GruDims d;
      d.B = c.B, d.T = c.T, d.in = c.in, d.H = c.H, d.layers = c.layers, d.dirs = c.dirs;
      const GruProblem p = make_gru_problem(rng, d, c.bias, c.h0, c.lengths);
      const std::string name = "case " + std::to_string(idx++) + " B=" + std::to_string(c.B) +
                               " T=" + std::to_string(c.T) + " in=" + std::to_string(c.in) +
                               " H=" + std::to_string(c.H) + " L=" + std::to_string(c.layers) +
                               " D=" + std::to_string(c.dirs) + " threads=" + std::to_string(threads);
      check_case<double>(p, name, true, true);
      check_case<float>(p, name, true, true);
    }
  }
  recforge::set_num_threads(saved);
  {  // dout or dh_n absent
    GruDims d;
    d.B = 6, d.T = 5, d.in = 4, d.H = 3, d.layers = 2, d.dirs = 2;
    const GruProblem p = make_gru_problem(rng, d, true, true, {5, 3, 0, 1, 2, 5});
    check_case<double>(p, "no dout", false, true);
    check_case<double>(p, "no dh_n", true, false);
  }
  {  // a shape whose GEMMs take the BLAS path when a library is loaded
    GruDims d;
    d.B = 40, d.T = 3, d.in = 300, d.H = 300, d.layers = 1, d.dirs = 2;
    std::vector<int32_t> lens(d.B);
    for (auto& v : lens) v = (int32_t)rng.randint(1, d.T + 1);
    const GruProblem p = make_gru_problem(rng, d, true, true, lens);
    check_case<float>(p, "wide", true, true);
  }
  check_threads(rng, 1, 2);
  check_threads(rng, 3, 4);
  return finish("gru_test");
}
