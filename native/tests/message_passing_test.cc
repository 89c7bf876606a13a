// Tests of graph_csr.h and message_passing.h against naive double-precision references that
// loop over the edge list: CSR construction and transpose, segment aggregation (sum / mean /
// max / min, with and without edge weights) forward and backward (analytic reference and
// finite differences), and thread-count independence.
#include <cstring>
#include <string>

#include "graph_test_util.h"
#include "recforge/graph_csr.h"
#include "recforge/message_passing.h"
#include "recforge/parallel.h"

using namespace rftest;
using recforge::ReduceOp;

const ReduceOp kOps[] = {ReduceOp::Sum, ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min};

namespace {

const char* reduce_name(ReduceOp r) {
  return r == ReduceOp::Sum ? "sum" : r == ReduceOp::Mean ? "mean" : r == ReduceOp::Max ? "max" : "min";
}
bool extreme(ReduceOp r) { return r == ReduceOp::Max || r == ReduceOp::Min; }

// ---- CSR construction ---------------------------------------------------------------------

void test_csr(Rng& r, int64_t n_dst, int64_t n_src, int64_t n_edges) {
  std::vector<int32_t> s(n_edges), d(n_edges);
  for (int64_t i = 0; i < n_edges; ++i) {
    s[i] = (int32_t)r.randint(0, n_src);
    d[i] = (int32_t)r.randint(0, n_dst);
  }
  std::vector<int32_t> rowptr(n_dst + 1, -7), csr_src(n_edges, -7), eid(n_edges, -7);
  recforge::coo_to_csr(n_dst, n_edges, s.data(), d.data(), rowptr.data(), csr_src.data(), eid.data());
  // Reference: stable order by destination.
  std::vector<int32_t> want_eid;
  for (int64_t dd = 0; dd < n_dst; ++dd)
    for (int64_t i = 0; i < n_edges; ++i)
      if (d[i] == dd) want_eid.push_back((int32_t)i);
  RF_CHECK(eid == want_eid, "coo_to_csr eid (n_dst=%lld E=%lld)", (long long)n_dst, (long long)n_edges);
  RF_CHECK(rowptr[0] == 0 && rowptr[n_dst] == n_edges, "coo_to_csr rowptr ends");
  bool ok = true;
  for (int64_t dd = 0; dd < n_dst; ++dd)
    for (int64_t e = rowptr[dd]; e < rowptr[dd + 1]; ++e) ok = ok && d[eid[e]] == dd && csr_src[e] == s[eid[e]];
  RF_CHECK(ok, "coo_to_csr rows/src (n_dst=%lld)", (long long)n_dst);

  TestGraph g;
  g.n_dst = n_dst;
  g.n_src = n_src;
  g.rowptr = rowptr;
  g.esrc = csr_src;
  for (int64_t dd = 0; dd < n_dst; ++dd)
    for (int64_t e = rowptr[dd]; e < rowptr[dd + 1]; ++e) g.edst.push_back((int32_t)dd);
  TestTranspose want = naive_transpose(g);
  std::vector<int32_t> tr(n_src + 1, -7), td(n_edges, -7), te(n_edges, -7);
  recforge::csr_transpose(n_dst, n_src, rowptr.data(), csr_src.data(), tr.data(), td.data(), te.data());
  RF_CHECK(tr == want.rowptr && td == want.dst && te == want.eid, "csr_transpose (n_dst=%lld n_src=%lld E=%lld)",
           (long long)n_dst, (long long)n_src, (long long)n_edges);
}

// ---- naive aggregation ----------------------------------------------------------------------

struct AggRef {
  std::vector<double> out;
  std::vector<int32_t> argmax;
};

AggRef naive_aggregate(const TestGraph& g, int64_t F, const std::vector<double>& x, const std::vector<double>& w,
                       ReduceOp red) {
  AggRef a;
  a.out.assign(g.n_dst * F, 0.0);
  a.argmax.assign(g.n_dst * F, -1);
  std::vector<int64_t> deg(g.n_dst, 0);
  for (int64_t e = 0; e < g.edges(); ++e) ++deg[g.edst[e]];
  for (int64_t e = 0; e < g.edges(); ++e) {
    int64_t d = g.edst[e], s = g.esrc[e];
    double we = w.empty() ? 1.0 : w[e];
    for (int64_t f = 0; f < F; ++f) {
      double m = we * x[s * F + f];
      if (extreme(red)) {
        const double cur = a.out[d * F + f];
        if (a.argmax[d * F + f] < 0 || (red == ReduceOp::Max ? m > cur : m < cur)) {
          a.out[d * F + f] = m;
          a.argmax[d * F + f] = (int32_t)e;
        }
      } else {
        a.out[d * F + f] += red == ReduceOp::Mean ? m / deg[d] : m;
      }
    }
  }
  return a;
}

void naive_aggregate_backward(const TestGraph& g, int64_t F, const std::vector<double>& x,
                              const std::vector<double>& w, ReduceOp red, const std::vector<int32_t>& argmax,
                              const std::vector<double>& dout, std::vector<double>& dx, std::vector<double>& dw) {
  dx.assign(g.n_src * F, 0.0);
  dw.assign(g.edges(), 0.0);
  std::vector<int64_t> deg(g.n_dst, 0);
  for (int64_t e = 0; e < g.edges(); ++e) ++deg[g.edst[e]];
  for (int64_t e = 0; e < g.edges(); ++e) {
    int64_t d = g.edst[e], s = g.esrc[e];
    double scale = red == ReduceOp::Mean ? 1.0 / deg[d] : 1.0;
    double we = w.empty() ? 1.0 : w[e];
    for (int64_t f = 0; f < F; ++f) {
      if (extreme(red) && argmax[d * F + f] != e) continue;
      dx[s * F + f] += we * scale * dout[d * F + f];
      dw[e] += scale * dout[d * F + f] * x[s * F + f];
    }
  }
}

// ---- aggregation tests ------------------------------------------------------------------------

template <typename T>
void test_aggregate(Rng& r, const TestGraph& g, int64_t F, ReduceOp red, bool weighted) {
  const double tol = sizeof(T) == 4 ? 2e-5 : 1e-12;
  char what[160];
  std::snprintf(what, sizeof what, "%s %s%s n_dst=%lld n_src=%lld F=%lld E=%lld", sizeof(T) == 4 ? "f32" : "f64",
                reduce_name(red), weighted ? " weighted" : "", (long long)g.n_dst, (long long)g.n_src, (long long)F,
                (long long)g.edges());
  std::vector<double> x = randn<double>(r, g.n_src * F), w = weighted ? randn<double>(r, g.edges()) : std::vector<double>();
  // Round the inputs to T so the reference sees exactly what the kernel sees.
  std::vector<T> xt = to<T>(x), wt = to<T>(w);
  x.assign(xt.begin(), xt.end());
  w.assign(wt.begin(), wt.end());
  AggRef ref = naive_aggregate(g, F, x, w, red);

  std::vector<T> out(g.n_dst * F);
  poison(out);
  std::vector<int32_t> argmax(g.n_dst * F, -99);
  recforge::segment_aggregate<T>(g.n_dst, g.n_src, F, g.rowptr.data(), ptr_or_null(g.esrc), xt.data(),
                                 weighted ? wt.data() : nullptr, red, out.data(), argmax.data());
  allclose(out, ref.out, tol, tol, (std::string(what) + " out").c_str());
  if (extreme(red)) RF_CHECK(argmax == ref.argmax, "%s arg", what);

  // Backward against the analytic reference.
  TestTranspose t = naive_transpose(g);
  std::vector<double> dout = to<double>(to<T>(randn<double>(r, g.n_dst * F)));
  std::vector<T> doutt = to<T>(dout);
  std::vector<double> dx_ref, dw_ref;
  naive_aggregate_backward(g, F, x, w, red, ref.argmax, dout, dx_ref, dw_ref);
  std::vector<T> dx(g.n_src * F), dw(g.edges());
  poison(dx);
  poison(dw);
  recforge::segment_aggregate_backward<T>(g.n_dst, g.n_src, F, g.rowptr.data(), ptr_or_null(g.esrc),
                                          t.rowptr.data(), ptr_or_null(t.dst), ptr_or_null(t.eid), xt.data(),
                                          weighted ? wt.data() : nullptr, red, argmax.data(), doutt.data(),
                                          dx.data(), dw.data());
  allclose(dx, dx_ref, tol, tol, (std::string(what) + " dx").c_str());
  allclose(dw, dw_ref, tol, tol, (std::string(what) + " dw").c_str());

  // Either output alone.
  std::vector<T> dx2(g.n_src * F), dw2(g.edges());
  poison(dx2);
  poison(dw2);
  recforge::segment_aggregate_backward<T>(g.n_dst, g.n_src, F, g.rowptr.data(), ptr_or_null(g.esrc),
                                          t.rowptr.data(), ptr_or_null(t.dst), ptr_or_null(t.eid), nullptr,
                                          weighted ? wt.data() : nullptr, red, argmax.data(), doutt.data(),
                                          dx2.data(), nullptr);
  recforge::segment_aggregate_backward<T>(g.n_dst, g.n_src, F, g.rowptr.data(), ptr_or_null(g.esrc), nullptr,
                                          nullptr, nullptr, xt.data(), nullptr, red, argmax.data(), doutt.data(),
                                          nullptr, dw2.data());
  RF_CHECK(std::memcmp(dx2.data(), dx.data(), dx.size() * sizeof(T)) == 0, "%s dx alone", what);
  RF_CHECK(std::memcmp(dw2.data(), dw.data(), dw.size() * sizeof(T)) == 0, "%s dw alone", what);
}

// Central finite differences of L = Σ out * G through the kernel's own forward (double).
void test_aggregate_fd(Rng& r, ReduceOp red, bool weighted) {
  TestGraph g = random_graph(r, 5, 4, 9, 2, false);
  const int64_t F = 3;
  std::vector<double> x = randn<double>(r, g.n_src * F), w = weighted ? randn<double>(r, g.edges()) : std::vector<double>();
  std::vector<double> G = randn<double>(r, g.n_dst * F);
  std::vector<int32_t> am(g.n_dst * F);
  auto loss = [&](const std::vector<double>& xx, const std::vector<double>& ww) {
    std::vector<double> out(g.n_dst * F);
    recforge::segment_aggregate<double>(g.n_dst, g.n_src, F, g.rowptr.data(), g.esrc.data(), xx.data(),
                                        ww.empty() ? nullptr : ww.data(), red, out.data(), am.data());
    double l = 0;
    for (size_t i = 0; i < out.size(); ++i) l += out[i] * G[i];
    return l;
  };
  loss(x, w);
  std::vector<int32_t> argmax = am;
  TestTranspose t = naive_transpose(g);
  std::vector<double> dx(g.n_src * F), dw(g.edges());
  recforge::segment_aggregate_backward<double>(g.n_dst, g.n_src, F, g.rowptr.data(), g.esrc.data(), t.rowptr.data(),
                                               t.dst.data(), t.eid.data(), x.data(), w.empty() ? nullptr : w.data(),
                                               red, argmax.data(), G.data(), dx.data(), dw.data());
  const double h = 1e-6;
  std::vector<double> fdx(x.size()), fdw(w.size());
  for (size_t i = 0; i < x.size(); ++i) {
    auto xp = x, xm = x;
    xp[i] += h;
    xm[i] -= h;
    fdx[i] = (loss(xp, w) - loss(xm, w)) / (2 * h);
  }
  for (size_t i = 0; i < w.size(); ++i) {
    auto wp = w, wm = w;
    wp[i] += h;
    wm[i] -= h;
    fdw[i] = (loss(x, wp) - loss(x, wm)) / (2 * h);
  }
  std::string what = std::string("fd ") + reduce_name(red) + (weighted ? " weighted" : "");
  allclose(dx, fdx, 1e-7, 1e-6, (what + " dx").c_str());
  if (weighted) allclose(dw, fdw, 1e-7, 1e-6, (what + " dw").c_str());
}

// ---- thread-count independence ----------------------------------------------------------------------

void test_determinism(Rng& r) {
  TestGraph g = random_graph(r, 3001, 2999, 30000, 500, false);
  TestTranspose t = naive_transpose(g);
  const int64_t F = 19;
  std::vector<float> x = to<float>(randn<double>(r, g.n_src * F)), w = to<float>(randn<double>(r, g.edges()));
  std::vector<float> dout = to<float>(randn<double>(r, g.n_dst * F));
  auto run = [&](int threads) {
    recforge::set_num_threads(threads);
    std::vector<float> all;
    for (ReduceOp red : {ReduceOp::Mean, ReduceOp::Max, ReduceOp::Min}) {
      std::vector<float> out(g.n_dst * F), dx(g.n_src * F), dw(g.edges());
      std::vector<int32_t> am(g.n_dst * F);
      recforge::segment_aggregate<float>(g.n_dst, g.n_src, F, g.rowptr.data(), g.esrc.data(), x.data(), w.data(), red,
                                         out.data(), am.data());
      recforge::segment_aggregate_backward<float>(g.n_dst, g.n_src, F, g.rowptr.data(), g.esrc.data(),
                                                  t.rowptr.data(), t.dst.data(), t.eid.data(), x.data(), w.data(), red,
                                                  am.data(), dout.data(), dx.data(), dw.data());
      for (auto* v : {&out, &dx, &dw}) all.insert(all.end(), v->begin(), v->end());
    }
    return all;
  };
  int saved = recforge::num_threads();
  auto a = run(1), b = run(2), c = run(3);
  recforge::set_num_threads(saved);
  RF_CHECK(std::memcmp(a.data(), b.data(), a.size() * 4) == 0, "1 vs 2 threads differ");
  RF_CHECK(std::memcmp(a.data(), c.data(), a.size() * 4) == 0, "1 vs 3 threads differ");
}

}  // namespace

int main() {
  Rng r(20240611);
  test_csr(r, 1, 1, 0);
  test_csr(r, 1, 1, 3);
  test_csr(r, 0, 3, 0);
  test_csr(r, 9, 4, 31);
  test_csr(r, 257, 130, 2000);

  struct Shape {
    int64_t n_dst, n_src, F, E, dup;
    bool loops;
  };
  const Shape shapes[] = {
      {1, 1, 1, 0, 0, false},    {1, 1, 3, 0, 0, true},       {5, 5, 4, 0, 0, false},     {0, 4, 3, 0, 0, false},
      {7, 5, 3, 20, 3, false},   {37, 37, 17, 150, 10, true}, {200, 150, 33, 1500, 50, false},
      {3000, 3000, 8, 24000, 100, true}, {12, 12, 0, 30, 2, false},
  };
  for (const Shape& s : shapes) {
    TestGraph g = random_graph(r, s.n_dst, s.n_src, s.E, s.dup, s.loops);
    for (ReduceOp red : kOps)
      for (bool weighted : {false, true}) {
        test_aggregate<float>(r, g, s.F, red, weighted);
        test_aggregate<double>(r, g, s.F, red, weighted);
      }
  }
  for (ReduceOp red : kOps)
    for (bool weighted : {false, true}) test_aggregate_fd(r, red, weighted);

  test_determinism(r);
  return finish("message_passing_test");
}
