// Tests LS-DQN's fused Max-Cut Q forward (recforge/lsdqn_maxcut_q.h) against a naive float64 reference
// written here from the header's formulas (full [μ_v; H_o(v)] vectors, the 2d-wide W2 and Wa products,
// the softmax over the two sides, no shortcut the kernel takes): random graphs of odd sizes with real
// weights and zeros, an isolated node and a one-sided row (an empty side), widths on and off the
// kernel's vector path, 1-4 rounds, gains / residual on and off, float and double, 1 and 3 threads;
// outputs poisoned (NaN) before each call. ctest also runs it under each instruction-set variant
// (RECFORGE_CPU_ISA, CMakeLists.txt).
#include "recforge/lsdqn_maxcut_q.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "recforge/cpu_isa.h"
#include "recforge/parallel.h"
#include "test_util.h"

using namespace recforge;
using rftest::Rng;

namespace {

struct Csr {
  std::vector<int32_t> indptr, src;
  std::vector<double> weight;
};

// Destination-grouped CSR of a dense symmetric matrix: every pair with w != 0.
Csr csr_of(const std::vector<double>& w, int64_t n) {
  Csr g;
  g.indptr.push_back(0);
  for (int64_t v = 0; v < n; ++v) {
    for (int64_t u = 0; u < n; ++u)
      if (w[u * n + v] != 0) {
        g.src.push_back((int32_t)u);
        g.weight.push_back(w[u * n + v]);
      }
    g.indptr.push_back((int32_t)g.src.size());
  }
  return g;
}

struct Net {
  int64_t d, rounds;
  bool gains, residual;
  double lambda;
  std::vector<double> theta0, theta1, w1, w2, w0, wa, wg, et;
};

// The reference: the header's formulas in float64, with whole matrices.
void reference(const Net& p, const Csr& g, int64_t n, const int32_t* s, double* q, double* stop) {
  const int64_t d = p.d, D = p.gains ? 3 : 2;
  double scale = 0;
  for (double x : g.weight) scale += std::fabs(x);
  scale = scale > 0 ? scale / n : 1;
  std::vector<double> f(n), fixed(n * d), mu(n * d), nxt(n * d);
  for (int64_t v = 0; v < n; ++v) {
    double gain = 0;
    for (int32_t e = g.indptr[v]; e < g.indptr[v + 1]; ++e) gain += g.weight[e] * s[g.src[e]] * s[v];
    f[v] = gain / scale;
    const double x[3] = {s[v] < 0 ? 1.0 : 0.0, s[v] > 0 ? 1.0 : 0.0, f[v]};
    for (int64_t j = 0; j < d; ++j) {
      double a = p.et[v * d + j];
      for (int64_t c = 0; c < D; ++c) a += p.theta0[j * D + c] * x[c];
      fixed[v * d + j] = a;
      mu[v * d + j] = std::max(0.0, a);
    }
  }
  for (int64_t t = 1; t < p.rounds; ++t) {
    for (int64_t v = 0; v < n; ++v) {
      std::vector<double> agg(d, 0.0);
      const int32_t b = g.indptr[v], e1 = g.indptr[v + 1];
      for (int32_t e = b; e < e1; ++e)
        for (int64_t j = 0; j < d; ++j) agg[j] += g.weight[e] * mu[g.src[e] * d + j];
      for (int64_t j = 0; j < d; ++j) {
        double a = fixed[v * d + j];
        for (int64_t i = 0; i < d; ++i) a += p.theta1[j * d + i] * (e1 > b ? agg[i] / (e1 - b) : 0.0);
        nxt[v * d + j] = std::max(0.0, a);
      }
    }
    mu = nxt;
  }
  std::vector<double> H(2 * d, 0.0);
  int64_t cnt[2] = {0, 0};
  for (int64_t v = 0; v < n; ++v) cnt[s[v] > 0]++;
  for (int64_t v = 0; v < n; ++v)
    for (int64_t j = 0; j < d; ++j) H[(s[v] > 0) * d + j] += mu[v * d + j] / cnt[s[v] > 0];
  auto relu = [](double x) { return x > 0 ? x : 0.0; };
  for (int64_t v = 0; v < n; ++v) {
    const int o = s[v] > 0 ? 0 : 1;
    std::vector<double> ha(2 * d);
    for (int64_t j = 0; j < d; ++j) ha[j] = mu[v * d + j], ha[d + j] = H[o * d + j];
    double sc[2];
    for (int c = 0; c < 2; ++c) {  // H_cᵀ Wa ha
      sc[c] = 0;
      for (int64_t i = 0; i < d; ++i)
        for (int64_t j = 0; j < 2 * d; ++j) sc[c] += H[c * d + i] * p.wa[i * 2 * d + j] * ha[j];
    }
    const double m = std::max(sc[0], sc[1]), e0 = std::exp(sc[0] - m), e1 = std::exp(sc[1] - m);
    const double att[2] = {e0 / (e0 + e1), e1 / (e0 + e1)};
    double net = 0;
    for (int64_t j = 0; j < d; ++j) {
      double ws = 0, act = p.gains ? f[v] * p.wg[j] : 0.0;
      for (int64_t i = 0; i < d; ++i) ws += p.w1[j * d + i] * (att[0] * H[i] + att[1] * H[d + i]);
      for (int64_t i = 0; i < 2 * d; ++i) act += p.w2[j * 2 * d + i] * ha[i];
      net += p.w0[j] * relu(ws) + p.w0[d + j] * relu(act);
    }
    q[v] = p.residual ? f[v] + p.lambda * net : net;
  }
  double ns = 0;
  for (int64_t j = 0; j < d; ++j) {
    double u = 0;
    for (int64_t i = 0; i < d; ++i) u += p.w1[j * d + i] * 0.5 * (H[i] + H[d + i]);
    ns += p.w0[j] * relu(u);
  }
  *stop = p.residual ? p.lambda * ns : ns;
}

template <typename T>
std::vector<T> as(const std::vector<double>& v) {
  return std::vector<T>(v.begin(), v.end());
}

template <typename T>
void run_case(Rng& r, int64_t n, int64_t d, int64_t rounds, bool gains, bool residual, bool odd_nodes) {
  std::vector<double> w(n * n, 0.0);
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j) {
      if (odd_nodes && (i == 0 || j == 0)) continue;  // node 0 isolated
      if (r.uniform() < 0.4) w[i * n + j] = w[j * n + i] = 2 * r.uniform() - 1;
    }
  const Csr g = csr_of(w, n);
  Net p{d, rounds, gains, residual, 0.3, {}, {}, {}, {}, {}, {}, {}, {}};
  const double sc = 1 / std::sqrt((double)d);
  p.theta0 = rftest::randn<double>(r, d * (gains ? 3 : 2), 1.0);
  p.theta1 = rftest::randn<double>(r, d * d, sc);
  p.w1 = rftest::randn<double>(r, d * d, sc);
  p.w2 = rftest::randn<double>(r, d * 2 * d, sc);
  p.w0 = rftest::randn<double>(r, 2 * d, sc);
  p.wa = rftest::randn<double>(r, d * 2 * d, sc);
  p.wg = rftest::randn<double>(r, d, 1.0);
  p.et = rftest::randn<double>(r, n * d, 0.5);
  const int64_t R = 3;
  std::vector<int32_t> spins(R * n);
  for (int64_t x = 0; x < R * n; ++x) spins[x] = (odd_nodes && x < n) ? -1 : (r.uniform() < 0.5 ? -1 : 1);
  std::vector<double> want_q(R * n), want_s(R);
  for (int64_t b = 0; b < R; ++b) reference(p, g, n, spins.data() + b * n, want_q.data() + b * n, &want_s[b]);
  const auto th0 = as<T>(p.theta0), th1 = as<T>(p.theta1), w1 = as<T>(p.w1), w2 = as<T>(p.w2), w0 = as<T>(p.w0),
             wa = as<T>(p.wa), wg = as<T>(p.wg), et = as<T>(p.et);
  MaxCutQNetParams<T> kp;
  kp.d = d;
  kp.rounds = rounds;
  kp.gains = gains;
  kp.residual = residual;
  kp.lambda = T(p.lambda);
  kp.theta0 = th0.data();
  kp.theta1 = th1.data();
  kp.w1 = w1.data();
  kp.w2 = w2.data();
  kp.w0 = w0.data();
  kp.wa = wa.data();
  kp.wg = gains ? wg.data() : nullptr;
  kp.edge_term = et.data();
  double scale = 0;
  for (double x : g.weight) scale += std::fabs(x);
  MaxCutQGraph kg{n, g.indptr.data(), g.src.data(), g.weight.data(), scale > 0 ? scale / n : 1};
  std::vector<T> q(R * n), stop(R);
  rftest::poison(q);
  rftest::poison(stop);
  lsdqn_maxcut_q<T>(kp, kg, R, spins.data(), q.data(), stop.data());
  // The float parameters are the double ones rounded: compare against the reference of the rounded values.
  const double tol = sizeof(T) == 8 ? 1e-11 : 3e-4;
  char what[160];
  std::snprintf(what, sizeof what, "%s n=%lld d=%lld T=%lld gains=%d residual=%d isolated=%d: q", sizeof(T) == 8 ? "double" : "float",
                (long long)n, (long long)d, (long long)rounds, gains, residual, odd_nodes);
  if (sizeof(T) == 8) {
    rftest::allclose(q, want_q, tol, tol, what);
    rftest::allclose(stop, want_s, tol, tol, "stop (double)");
  } else {
    Net pf = p;  // reference on the float-rounded parameters
    for (auto* v : {&pf.theta0, &pf.theta1, &pf.w1, &pf.w2, &pf.w0, &pf.wa, &pf.wg, &pf.et})
      for (auto& x : *v) x = (double)(float)x;
    for (int64_t b = 0; b < R; ++b) reference(pf, g, n, spins.data() + b * n, want_q.data() + b * n, &want_s[b]);
    rftest::allclose(q, want_q, tol, tol, what);
    rftest::allclose(stop, want_s, tol, tol, "stop (float)");
  }
  // Incremental (per-row caches, poisoned, valid flags 0 at first) along random flips = no cache.
  std::vector<T> cache_values((size_t)(R * maxcut_q_cache_values(n, d, rounds)));
  rftest::poison(cache_values);
  std::vector<int32_t> cache_last((size_t)(R * (n + 1)), 0);
  const MaxCutQCache<T> cache{cache_values.data(), cache_last.data()};
  std::vector<T> q2(R * n), stop2(R);
  for (int step = 0; step < 6; ++step) {
    for (int64_t b = 0; b < R; ++b)
      for (int64_t k = 0; k < (b == 0 ? 0 : b); ++k) {  // row 0 unchanged, row b: b flips
        const int64_t v = r.randint(0, n);
        spins[b * n + v] = -spins[b * n + v];
      }
    rftest::poison(q);
    rftest::poison(q2);
    lsdqn_maxcut_q<T>(kp, kg, R, spins.data(), q.data(), stop.data(), &cache);
    lsdqn_maxcut_q<T>(kp, kg, R, spins.data(), q2.data(), stop2.data());
    rftest::allclose(q, q2, tol, tol, "incremental q vs no cache");
    rftest::allclose(stop, stop2, tol, tol, "incremental stop vs no cache");
  }
}

}  // namespace

int main() {
  // RECFORGE_CPU_ISA (ctest's lsdqn_maxcut_q_test_isa_*): the variant; one this CPU cannot run exits 77.
  std::printf("cpu isa: %s (%s)\n", cpu_isa_name(cpu_isa()), cpu_isa_reason());
  if (const char* isa = std::getenv("RECFORGE_CPU_ISA")) {
    if (std::strncmp(cpu_isa_reason(), "error:", 6) == 0) {
      std::printf("SKIPPED: %s\n", cpu_isa_reason());
      return 77;
    }
    RF_CHECK(std::strcmp(cpu_isa_name(cpu_isa()), isa) == 0, "RECFORGE_CPU_ISA=%s not honoured", isa);
  }
  Rng r(20261206);
  for (int threads : {1, 3}) {
    set_num_threads(threads);
    for (bool odd : {false, true}) {
      run_case<double>(r, 7, 5, 3, true, true, odd);
      run_case<float>(r, 7, 5, 3, true, true, odd);
      run_case<double>(r, 13, 16, 1, false, false, odd);
      run_case<float>(r, 13, 16, 1, false, false, odd);
      run_case<double>(r, 31, 17, 2, true, false, odd);
      run_case<float>(r, 31, 17, 2, true, false, odd);
      run_case<double>(r, 29, 48, 4, false, true, odd);
      run_case<float>(r, 29, 48, 4, false, true, odd);
      run_case<double>(r, 41, 64, 3, true, true, odd);
      run_case<float>(r, 41, 64, 3, true, true, odd);
      run_case<double>(r, 1, 8, 3, true, true, odd);
    }
  }
  return rftest::finish("lsdqn_maxcut_q_test");
}
