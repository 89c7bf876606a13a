// Tests of the fused GAT layer (gat.h) against a naive double reference written op by op over
// the edge list: forward (out, el, er, alpha), backward (analytic reference and central finite
// differences in double), graphs with isolated nodes, self-loops, duplicate edges, no edges,
// N = 1, odd H and F; thread-count independence. Then an informative timing at GREENer's batch
// shape against an op-by-op version built from the generic kernels that materialises per-edge
// features [E, H, F], as a scatter/gather framework would.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>

#include "graph_test_util.h"
#include "recforge/edge_softmax.h"
#include "recforge/gat.h"
#include "recforge/graph_csr.h"
#include "recforge/indexing.h"
#include "recforge/parallel.h"

using namespace rftest;

namespace {

const double kSlope = 0.2;

struct GatRef {
  std::vector<double> out, el, er, alpha;
};

GatRef naive_forward(const TestGraph& g, int64_t H, int64_t F, const std::vector<double>& wh,
                     const std::vector<double>& as, const std::vector<double>& ad) {
  const int64_t N = g.n_dst, E = g.edges();
  GatRef r;
  r.el.assign(N * H, 0.0);
  r.er.assign(N * H, 0.0);
  for (int64_t n = 0; n < N; ++n)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t f = 0; f < F; ++f) {
        r.el[n * H + h] += wh[(n * H + h) * F + f] * as[h * F + f];
        r.er[n * H + h] += wh[(n * H + h) * F + f] * ad[h * F + f];
      }
  std::vector<double> z(E * H), mx(N * H, -INFINITY), sum(N * H, 0.0);
  for (int64_t e = 0; e < E; ++e)
    for (int64_t h = 0; h < H; ++h) {
      double v = r.el[g.esrc[e] * H + h] + r.er[g.edst[e] * H + h];
      z[e * H + h] = v > 0 ? v : kSlope * v;
      mx[g.edst[e] * H + h] = std::max(mx[g.edst[e] * H + h], z[e * H + h]);
    }
  for (int64_t e = 0; e < E; ++e)
    for (int64_t h = 0; h < H; ++h) sum[g.edst[e] * H + h] += std::exp(z[e * H + h] - mx[g.edst[e] * H + h]);
  r.alpha.assign(E * H, 0.0);
  r.out.assign(N * H * F, 0.0);
  for (int64_t e = 0; e < E; ++e)
    for (int64_t h = 0; h < H; ++h) {
      double a = std::exp(z[e * H + h] - mx[g.edst[e] * H + h]) / sum[g.edst[e] * H + h];
      r.alpha[e * H + h] = a;
      for (int64_t f = 0; f < F; ++f) r.out[(g.edst[e] * H + h) * F + f] += a * wh[(g.esrc[e] * H + h) * F + f];
    }
  return r;
}

struct GatGrads {
  std::vector<double> dwh, das, dad;
};

GatGrads naive_backward(const TestGraph& g, int64_t H, int64_t F, const std::vector<double>& wh,
                        const std::vector<double>& as, const std::vector<double>& ad, const GatRef& fw,
                        const std::vector<double>& dout) {
  const int64_t N = g.n_dst, E = g.edges();
  GatGrads gr;
  gr.dwh.assign(N * H * F, 0.0);
  gr.das.assign(H * F, 0.0);
  gr.dad.assign(H * F, 0.0);
  // out = Σ alpha * Wh[src]
  std::vector<double> dalpha(E * H, 0.0);
  for (int64_t e = 0; e < E; ++e)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t f = 0; f < F; ++f) {
        const int64_t io = (g.edst[e] * H + h) * F + f, is = (g.esrc[e] * H + h) * F + f;
        dalpha[e * H + h] += dout[io] * wh[is];
        gr.dwh[is] += fw.alpha[e * H + h] * dout[io];
      }
  // softmax
  std::vector<double> dot(N * H, 0.0), dz(E * H);
  for (int64_t e = 0; e < E; ++e)
    for (int64_t h = 0; h < H; ++h) dot[g.edst[e] * H + h] += fw.alpha[e * H + h] * dalpha[e * H + h];
  for (int64_t e = 0; e < E; ++e)
    for (int64_t h = 0; h < H; ++h) dz[e * H + h] = fw.alpha[e * H + h] * (dalpha[e * H + h] - dot[g.edst[e] * H + h]);
  // leaky relu and the el / er sums
  std::vector<double> del(N * H, 0.0), der(N * H, 0.0);
  for (int64_t e = 0; e < E; ++e)
    for (int64_t h = 0; h < H; ++h) {
      double pre = fw.el[g.esrc[e] * H + h] + fw.er[g.edst[e] * H + h];
      double d = dz[e * H + h] * (pre > 0 ? 1.0 : kSlope);
      del[g.esrc[e] * H + h] += d;
      der[g.edst[e] * H + h] += d;
    }
  for (int64_t n = 0; n < N; ++n)
    for (int64_t h = 0; h < H; ++h)
      for (int64_t f = 0; f < F; ++f) {
        const int64_t i = (n * H + h) * F + f;
        gr.dwh[i] += del[n * H + h] * as[h * F + f] + der[n * H + h] * ad[h * F + f];
        gr.das[h * F + f] += del[n * H + h] * wh[i];
        gr.dad[h * F + f] += der[n * H + h] * wh[i];
      }
  return gr;
}

template <typename T>
struct GatRun {
  std::vector<T> out, el, er, alpha, dwh, das, dad;
};

template <typename T>
GatRun<T> run_kernels(const TestGraph& g, const TestTranspose& t, int64_t H, int64_t F, const std::vector<T>& wh,
                      const std::vector<T>& as, const std::vector<T>& ad, const std::vector<T>& dout) {
  const int64_t N = g.n_dst, E = g.edges();
  GatRun<T> r;
  r.out.resize(N * H * F);
  r.el.resize(N * H);
  r.er.resize(N * H);
  r.alpha.resize(E * H);
  r.dwh.resize(N * H * F);
  r.das.resize(H * F);
  r.dad.resize(H * F);
  for (auto* v : {&r.out, &r.el, &r.er, &r.alpha, &r.dwh, &r.das, &r.dad}) poison(*v);
  std::vector<T> ws(recforge::gat_backward_workspace_size(N, E, H, F));
  poison(ws);
  recforge::gat_forward<T>(N, H, F, g.rowptr.data(), ptr_or_null(g.esrc), wh.data(), as.data(), ad.data(), kSlope,
                           r.out.data(), r.el.data(), r.er.data(), r.alpha.data());
  recforge::gat_backward<T>(N, H, F, g.rowptr.data(), ptr_or_null(g.esrc), t.rowptr.data(), ptr_or_null(t.dst),
                            ptr_or_null(t.eid), wh.data(), as.data(), ad.data(), kSlope, r.el.data(), r.er.data(),
                            r.alpha.data(), dout.data(), r.dwh.data(), r.das.data(), r.dad.data(), ws.data());
  return r;
}

template <typename T>
void test_case(Rng& rng, const TestGraph& g, int64_t H, int64_t F) {
  char what[96];
  std::snprintf(what, sizeof what, "%s N=%lld E=%lld H=%lld F=%lld", sizeof(T) == 4 ? "f32" : "f64",
                (long long)g.n_dst, (long long)g.edges(), (long long)H, (long long)F);
  const int64_t N = g.n_dst;
  const double scale = 1.0 / std::sqrt((double)std::max<int64_t>(F, 1));
  std::vector<T> wh = to<T>(randn<double>(rng, N * H * F)), as = to<T>(randn<double>(rng, H * F, scale)),
                 ad = to<T>(randn<double>(rng, H * F, scale)), dout = to<T>(randn<double>(rng, N * H * F));
  std::vector<double> whd = to<double>(wh), asd = to<double>(as), add = to<double>(ad), doutd = to<double>(dout);
  GatRef ref = naive_forward(g, H, F, whd, asd, add);
  GatGrads gref = naive_backward(g, H, F, whd, asd, add, ref, doutd);
  TestTranspose t = naive_transpose(g);
  GatRun<T> got = run_kernels(g, t, H, F, wh, as, ad, dout);
  const double tol = sizeof(T) == 4 ? 3e-5 : 1e-11;
  auto check = [&](const std::vector<T>& a, const std::vector<double>& b, const char* name, double atol_scale) {
    allclose(a, b, tol * atol_scale, tol * 10, (std::string(what) + " " + name).c_str());
  };
  check(got.out, ref.out, "out", 1);
  check(got.el, ref.el, "el", 1);
  check(got.er, ref.er, "er", 1);
  check(got.alpha, ref.alpha, "alpha", 1);
  check(got.dwh, gref.dwh, "dWh", 3);
  // d_a_* sum over all nodes: allow error growing with sqrt(N).
  check(got.das, gref.das, "da_src", 3 * std::sqrt((double)N + 1));
  check(got.dad, gref.dad, "da_dst", 3 * std::sqrt((double)N + 1));
}

// Central differences of L = Σ out * G through the kernel's own double forward.
void test_fd(Rng& rng, const TestGraph& g, int64_t H, int64_t F) {
  const int64_t N = g.n_dst, E = g.edges();
  std::vector<double> wh = randn<double>(rng, N * H * F), as = randn<double>(rng, H * F),
                      ad = randn<double>(rng, H * F), G = randn<double>(rng, N * H * F);
  auto loss = [&](const std::vector<double>& w, const std::vector<double>& s, const std::vector<double>& d) {
    std::vector<double> out(N * H * F), el(N * H), er(N * H), alpha(E * H);
    recforge::gat_forward<double>(N, H, F, g.rowptr.data(), ptr_or_null(g.esrc), w.data(), s.data(), d.data(), kSlope,
                                  out.data(), el.data(), er.data(), alpha.data());
    double l = 0;
    for (int64_t i = 0; i < N * H * F; ++i) l += out[i] * G[i];
    return l;
  };
  TestTranspose t = naive_transpose(g);
  GatRun<double> got = run_kernels<double>(g, t, H, F, wh, as, ad, G);
  const double h = 1e-6;
  auto fd = [&](std::vector<double>& v, int which) {
    std::vector<double> grad(v.size());
    for (size_t i = 0; i < v.size(); ++i) {
      double keep = v[i];
      v[i] = keep + h;
      double lp = loss(wh, as, ad);
      v[i] = keep - h;
      double lm = loss(wh, as, ad);
      v[i] = keep;
      grad[i] = (lp - lm) / (2 * h);
    }
    (void)which;
    return grad;
  };
  char what[80];
  std::snprintf(what, sizeof what, "fd N=%lld E=%lld H=%lld F=%lld", (long long)N, (long long)E, (long long)H,
                (long long)F);
  allclose(got.dwh, fd(wh, 0), 1e-7, 1e-6, (std::string(what) + " dWh").c_str());
  allclose(got.das, fd(as, 1), 1e-7, 1e-6, (std::string(what) + " da_src").c_str());
  allclose(got.dad, fd(ad, 2), 1e-7, 1e-6, (std::string(what) + " da_dst").c_str());
}

void test_determinism(Rng& rng) {
  TestGraph g = random_graph(rng, 2100, 2100, 16000, 200, true);
  TestTranspose t = naive_transpose(g);
  const int64_t H = 3, F = 21, N = g.n_dst;
  std::vector<float> wh = to<float>(randn<double>(rng, N * H * F)), as = to<float>(randn<double>(rng, H * F, 0.2)),
                     ad = to<float>(randn<double>(rng, H * F, 0.2)), dout = to<float>(randn<double>(rng, N * H * F));
  auto flat = [&](int threads) {
    recforge::set_num_threads(threads);
    GatRun<float> r = run_kernels<float>(g, t, H, F, wh, as, ad, dout);
    std::vector<float> all;
    for (auto* v : {&r.out, &r.el, &r.er, &r.alpha, &r.dwh, &r.das, &r.dad}) all.insert(all.end(), v->begin(), v->end());
    return all;
  };
  int saved = recforge::num_threads();
  auto a = flat(1), b = flat(2), c = flat(3);
  recforge::set_num_threads(saved);
  RF_CHECK(std::memcmp(a.data(), b.data(), a.size() * 4) == 0, "gat: 1 vs 2 threads differ");
  RF_CHECK(std::memcmp(a.data(), c.data(), a.size() * 4) == 0, "gat: 1 vs 3 threads differ");
}

// ---- timing: fused vs op-by-op (materialising [E, H, F]) ------------------------------------------

// Elementwise loops of the op-by-op version, parallel like a framework's elementwise kernels.
template <typename Fn>
void each(int64_t n, Fn fn) {
  recforge::parallel_for(n, 4096, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) fn(i);
  });
}

struct OpByOp {
  int64_t N, E, H, F;
  const int32_t *rowptr, *src, *dst;
  std::vector<float> el, er, pre, z, alpha, xj, msg, out;                  // forward saves
  std::vector<float> dmsg, dalpha, dxj, dz, del, der, dwh, das, dad;       // backward
  void forward(const float* wh, const float* as, const float* ad) {
    const int64_t HF = H * F;
    std::vector<float> t(N * HF);
    el.resize(N * H);
    er.resize(N * H);
    each(N * HF, [&](int64_t i) { t[i] = wh[i] * as[i % HF]; });
    each(N * H, [&](int64_t i) { float s = 0; for (int64_t f = 0; f < F; ++f) s += t[i * F + f]; el[i] = s; });
    each(N * HF, [&](int64_t i) { t[i] = wh[i] * ad[i % HF]; });
    each(N * H, [&](int64_t i) { float s = 0; for (int64_t f = 0; f < F; ++f) s += t[i * F + f]; er[i] = s; });
    xj.resize(E * HF);
    recforge::gather_rows<float>(wh, src, E, HF, xj.data());
    std::vector<float> el_e(E * H), er_e(E * H);
    recforge::gather_rows<float>(el.data(), src, E, H, el_e.data());
    recforge::gather_rows<float>(er.data(), dst, E, H, er_e.data());
    pre.resize(E * H);
    z.resize(E * H);
    alpha.resize(E * H);
    each(E * H, [&](int64_t i) { pre[i] = el_e[i] + er_e[i]; });
    each(E * H, [&](int64_t i) { z[i] = pre[i] > 0 ? pre[i] : pre[i] * (float)kSlope; });
    recforge::edge_softmax<float>(N, H, rowptr, z.data(), alpha.data());
    msg.resize(E * HF);
    each(E * HF, [&](int64_t i) { msg[i] = xj[i] * alpha[i / F]; });
    out.assign(N * HF, 0.f);
    recforge::scatter_add_rows<float>(msg.data(), dst, E, HF, out.data());
  }
  void backward(const float* wh, const float* as, const float* ad, const float* dout) {
    const int64_t HF = H * F;
    dmsg.resize(E * HF);
    recforge::gather_rows<float>(dout, dst, E, HF, dmsg.data());
    std::vector<float> prod(E * HF);
    each(E * HF, [&](int64_t i) { prod[i] = dmsg[i] * xj[i]; });
    dalpha.resize(E * H);
    each(E * H, [&](int64_t i) { float s = 0; for (int64_t f = 0; f < F; ++f) s += prod[i * F + f]; dalpha[i] = s; });
    dxj.resize(E * HF);
    each(E * HF, [&](int64_t i) { dxj[i] = dmsg[i] * alpha[i / F]; });
    dwh.assign(N * HF, 0.f);
    recforge::scatter_add_rows<float>(dxj.data(), src, E, HF, dwh.data());
    dz.resize(E * H);
    recforge::edge_softmax_backward<float>(N, H, rowptr, alpha.data(), dalpha.data(), dz.data());
    each(E * H, [&](int64_t i) { dz[i] *= pre[i] > 0 ? 1.f : (float)kSlope; });
    del.assign(N * H, 0.f);
    der.assign(N * H, 0.f);
    recforge::scatter_add_rows<float>(dz.data(), src, E, H, del.data());
    recforge::scatter_add_rows<float>(dz.data(), dst, E, H, der.data());
    each(N * HF, [&](int64_t i) { dwh[i] += del[i / F] * as[i % HF] + der[i / F] * ad[i % HF]; });
    das.assign(HF, 0.f);
    dad.assign(HF, 0.f);
    for (int64_t n = 0; n < N; ++n)
      for (int64_t c = 0; c < HF; ++c) {
        das[c] += del[n * H + c / F] * wh[n * HF + c];
        dad[c] += der[n * H + c / F] * wh[n * HF + c];
      }
  }
};

double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

template <typename Fn>
double median_ms(int reps, Fn fn) {
  std::vector<double> t;
  fn();  // warm-up
  for (int i = 0; i < reps; ++i) {
    double t0 = now_ms();
    fn();
    t.push_back(now_ms() - t0);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void bench(Rng& rng) {
  // 32 graphs of ~500 nodes, 8 random in-edges per node inside its own graph, plus self-loops.
  const int64_t graphs = 32, H = 4, F = 64, HF = H * F;
  std::vector<int32_t> s, d;
  int64_t N = 0;
  for (int64_t gi = 0; gi < graphs; ++gi) {
    int64_t n = 450 + rng.randint(0, 101);
    for (int64_t v = 0; v < n; ++v) {
      for (int k = 0; k < 8; ++k) {
        s.push_back((int32_t)(N + rng.randint(0, n)));
        d.push_back((int32_t)(N + v));
      }
      s.push_back((int32_t)(N + v));
      d.push_back((int32_t)(N + v));
    }
    N += n;
  }
  const int64_t E = (int64_t)s.size();
  std::vector<int32_t> rowptr(N + 1), src(E), eid(E), tr(N + 1), td(E), te(E);
  double t_csr = median_ms(5, [&] { recforge::coo_to_csr(N, E, s.data(), d.data(), rowptr.data(), src.data(), eid.data()); });
  double t_tr = median_ms(5, [&] { recforge::csr_transpose(N, N, rowptr.data(), src.data(), tr.data(), td.data(), te.data()); });
  std::vector<int32_t> dst(E);
  for (int64_t v = 0; v < N; ++v)
    for (int64_t e = rowptr[v]; e < rowptr[v + 1]; ++e) dst[e] = (int32_t)v;

  std::vector<float> wh = to<float>(randn<double>(rng, N * HF)), as = to<float>(randn<double>(rng, HF, 0.125)),
                     ad = to<float>(randn<double>(rng, HF, 0.125)), dout = to<float>(randn<double>(rng, N * HF));
  std::vector<float> out(N * HF), el(N * H), er(N * H), alpha(E * H), dwh(N * HF), das(HF), dad(HF),
      ws(recforge::gat_backward_workspace_size(N, E, H, F));
  auto fused_fwd = [&] {
    recforge::gat_forward<float>(N, H, F, rowptr.data(), src.data(), wh.data(), as.data(), ad.data(), kSlope,
                                 out.data(), el.data(), er.data(), alpha.data());
  };
  auto fused_bwd = [&] {
    recforge::gat_backward<float>(N, H, F, rowptr.data(), src.data(), tr.data(), td.data(), te.data(), wh.data(),
                                  as.data(), ad.data(), kSlope, el.data(), er.data(), alpha.data(), dout.data(),
                                  dwh.data(), das.data(), dad.data(), ws.data());
  };
  OpByOp op{N, E, H, F, rowptr.data(), src.data(), dst.data(), {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}};
  const int reps = 7;
  double f_fwd = median_ms(reps, fused_fwd), f_bwd = median_ms(reps, fused_bwd);
  double o_fwd = median_ms(reps, [&] { op.forward(wh.data(), as.data(), ad.data()); });
  double o_bwd = median_ms(reps, [&] { op.backward(wh.data(), as.data(), ad.data(), dout.data()); });
  // The two must agree (a sanity check that both did the same work; the accurate checks are
  // above). Norm-wise: an attention logit within rounding of LeakyReLU's kink may take the
  // other derivative branch in one of them, which moves a few gradient entries slightly.
  auto close_normwise = [](const std::vector<float>& a, const std::vector<float>& b, const char* what) {
    double err = 0, mag = 0;
    for (size_t i = 0; i < a.size(); ++i) {
      err = std::max(err, std::fabs((double)a[i] - b[i]));
      mag = std::max(mag, std::fabs((double)b[i]));
    }
    RF_CHECK(err <= 1e-3 * (mag + 1e-30), "%s: max error %g vs max magnitude %g", what, err, mag);
  };
  close_normwise(op.out, out, "bench op-by-op vs fused out");
  close_normwise(op.dwh, dwh, "bench op-by-op vs fused dWh");
  close_normwise(op.das, das, "bench op-by-op vs fused da_src");
  close_normwise(op.dad, dad, "bench op-by-op vs fused da_dst");
  const double flops = 2.0 * (2 * N * HF) + 2.0 * E * HF   // forward: el/er, aggregation
                       + 3 * 2.0 * E * HF + 4.0 * N * HF;  // backward: dalpha, dWh gather, attention terms
  std::printf(
      "gat bench (%d threads, float): N=%lld E=%lld (incl. self-loops) H=%lld F=%lld\n"
      "  coo_to_csr %.2f ms, csr_transpose %.2f ms (once per batch)\n"
      "  fused:    forward %.2f ms, backward %.2f ms, total %.2f ms (%.1f GFLOP/s)\n"
      "  op-by-op: forward %.2f ms, backward %.2f ms, total %.2f ms; per-edge features %.0f MiB each\n"
      "  speed-up fused vs op-by-op: %.1fx\n",
      recforge::num_threads(), (long long)N, (long long)E, (long long)H, (long long)F, t_csr, t_tr, f_fwd, f_bwd,
      f_fwd + f_bwd, flops / ((f_fwd + f_bwd) * 1e6), o_fwd, o_bwd, o_fwd + o_bwd, E * HF * 4.0 / (1 << 20),
      (o_fwd + o_bwd) / (f_fwd + f_bwd));
}

}  // namespace

int main(int argc, char** argv) {
  Rng rng(4242);
  struct Shape {
    int64_t N, E, dup;
    bool loops;
    int64_t H, F;
  };
  const Shape shapes[] = {
      {1, 0, 0, false, 1, 1},   {1, 0, 0, true, 2, 3},     {5, 0, 0, false, 3, 5},     {0, 0, 0, false, 2, 4},
      {9, 20, 3, true, 1, 7},   {40, 160, 10, true, 3, 5}, {300, 2000, 20, false, 2, 33}, {500, 4000, 50, true, 4, 64},
      {6, 10, 2, true, 2, 0},
  };
  for (const Shape& s : shapes) {
    TestGraph g = random_graph(rng, s.N, s.N, s.E, s.dup, s.loops);
    test_case<float>(rng, g, s.H, s.F);
    test_case<double>(rng, g, s.H, s.F);
  }
  test_fd(rng, random_graph(rng, 5, 5, 8, 2, true), 3, 3);
  test_fd(rng, random_graph(rng, 4, 4, 6, 1, false), 1, 5);  // an isolated destination
  test_fd(rng, random_graph(rng, 1, 1, 0, 0, true), 2, 1);   // N = 1, self-loop only
  test_determinism(rng);
  if (!(argc > 1 && std::strcmp(argv[1], "--no-bench") == 0)) bench(rng);
  return finish("gat_test");
}
