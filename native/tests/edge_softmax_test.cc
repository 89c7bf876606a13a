// Tests of edge_softmax.h against a naive double reference looping over the edge list:
// forward, backward (analytic formula and finite differences), empty groups, in-place use.
#include <cmath>
#include <string>

#include "graph_test_util.h"
#include "recforge/edge_softmax.h"

using namespace rftest;

namespace {

std::vector<double> naive_softmax(const TestGraph& g, int64_t H, const std::vector<double>& s) {
  std::vector<double> mx(g.n_dst * H, -INFINITY), sum(g.n_dst * H, 0.0), a(g.edges() * H);
  for (int64_t e = 0; e < g.edges(); ++e)
    for (int64_t h = 0; h < H; ++h) mx[g.edst[e] * H + h] = std::max(mx[g.edst[e] * H + h], s[e * H + h]);
  for (int64_t e = 0; e < g.edges(); ++e)
    for (int64_t h = 0; h < H; ++h) sum[g.edst[e] * H + h] += std::exp(s[e * H + h] - mx[g.edst[e] * H + h]);
  for (int64_t e = 0; e < g.edges(); ++e)
    for (int64_t h = 0; h < H; ++h)
      a[e * H + h] = std::exp(s[e * H + h] - mx[g.edst[e] * H + h]) / sum[g.edst[e] * H + h];
  return a;
}

std::vector<double> naive_softmax_backward(const TestGraph& g, int64_t H, const std::vector<double>& a,
                                           const std::vector<double>& da) {
  std::vector<double> dot(g.n_dst * H, 0.0), ds(g.edges() * H);
  for (int64_t e = 0; e < g.edges(); ++e)
    for (int64_t h = 0; h < H; ++h) dot[g.edst[e] * H + h] += a[e * H + h] * da[e * H + h];
  for (int64_t e = 0; e < g.edges(); ++e)
    for (int64_t h = 0; h < H; ++h) ds[e * H + h] = a[e * H + h] * (da[e * H + h] - dot[g.edst[e] * H + h]);
  return ds;
}

template <typename T>
void test_case(Rng& r, const TestGraph& g, int64_t H) {
  char what[96];
  std::snprintf(what, sizeof what, "%s n=%lld E=%lld H=%lld", sizeof(T) == 4 ? "f32" : "f64", (long long)g.n_dst,
                (long long)g.edges(), (long long)H);
  const double tol = sizeof(T) == 4 ? 1e-5 : 1e-13;
  std::vector<T> s = to<T>(randn<double>(r, g.edges() * H, 3.0));
  std::vector<double> sd(s.begin(), s.end());
  std::vector<double> want = naive_softmax(g, H, sd);
  std::vector<T> alpha(g.edges() * H);
  poison(alpha);
  recforge::edge_softmax<T>(g.n_dst, H, g.rowptr.data(), s.data(), alpha.data());
  allclose(alpha, want, tol, tol, (std::string(what) + " alpha").c_str());
  std::vector<T> inplace = s;
  recforge::edge_softmax<T>(g.n_dst, H, g.rowptr.data(), inplace.data(), inplace.data());
  allclose(inplace, want, tol, tol, (std::string(what) + " alpha in place").c_str());

  std::vector<T> da = to<T>(randn<double>(r, g.edges() * H));
  std::vector<double> ad(alpha.begin(), alpha.end()), dad(da.begin(), da.end());
  std::vector<double> dwant = naive_softmax_backward(g, H, ad, dad);
  std::vector<T> ds(g.edges() * H);
  poison(ds);
  recforge::edge_softmax_backward<T>(g.n_dst, H, g.rowptr.data(), alpha.data(), da.data(), ds.data());
  allclose(ds, dwant, tol, tol, (std::string(what) + " dscores").c_str());
  recforge::edge_softmax_backward<T>(g.n_dst, H, g.rowptr.data(), alpha.data(), da.data(), da.data());
  allclose(da, dwant, tol, tol, (std::string(what) + " dscores in place").c_str());
}

void test_fd(Rng& r) {
  TestGraph g = random_graph(r, 6, 6, 12, 2, true);
  const int64_t H = 3;
  std::vector<double> s = randn<double>(r, g.edges() * H), G = randn<double>(r, g.edges() * H);
  auto loss = [&](const std::vector<double>& ss) {
    std::vector<double> a(ss.size());
    recforge::edge_softmax<double>(g.n_dst, H, g.rowptr.data(), ss.data(), a.data());
    double l = 0;
    for (size_t i = 0; i < a.size(); ++i) l += a[i] * G[i];
    return l;
  };
  std::vector<double> a(s.size()), ds(s.size()), fd(s.size());
  recforge::edge_softmax<double>(g.n_dst, H, g.rowptr.data(), s.data(), a.data());
  recforge::edge_softmax_backward<double>(g.n_dst, H, g.rowptr.data(), a.data(), G.data(), ds.data());
  for (size_t i = 0; i < s.size(); ++i) {
    auto p = s, m = s;
    p[i] += 1e-6;
    m[i] -= 1e-6;
    fd[i] = (loss(p) - loss(m)) / 2e-6;
  }
  allclose(ds, fd, 1e-8, 1e-6, "edge_softmax fd");
}

}  // namespace

int main() {
  Rng r(77);
  struct Shape {
    int64_t n, E, dup, H;
    bool loops;
  };
  const Shape shapes[] = {{1, 0, 0, 1, false}, {1, 0, 0, 3, true}, {4, 0, 0, 2, false}, {0, 0, 0, 2, false},
                          {9, 25, 4, 1, false}, {31, 100, 9, 3, true}, {2000, 16000, 300, 4, true}};
  for (const Shape& s : shapes) {
    TestGraph g = random_graph(r, s.n, s.n, s.E, s.dup, s.loops);
    test_case<float>(r, g, s.H);
    test_case<double>(r, g, s.H);
  }
  test_fd(r);
  return finish("edge_softmax_test");
}
