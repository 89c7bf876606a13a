// Tests the CPU MultiBalance kernel (recforge/balance_gradients.h) against a naive float64
// reference of the rule written here from the spec: random shapes (N = 0, 1, odd, > 1e5),
// every reference mode and strategy, multi-step state evolution, zero-norm tasks,
// NaN/Inf rejection that leaves everything untouched, T = 1, N = 0, the row-pointer
// variant, bit-identical results across thread counts, and the AVX2 and AVX-512 variants
// giving the same bits (their vector layouts differ; the lanes and order must not). Prints an
// informative timing.
#include "recforge/balance_gradients.h"

#include <algorithm>
#include <cfloat>
#include <type_traits>
#include <chrono>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "recforge/parallel.h"
#include "test_util.h"

using namespace recforge;
using rftest::Rng;

// The instruction-set variants (balance_gradients_{avx2,avx512}.cc), called directly.
namespace recforge {
#define RF_DECLARE_VARIANT(NS)                                                                                \
  namespace NS {                                                                                              \
  template <typename E>                                                                                       \
  BalanceStatus balance_run(const E* const* rows, int64_t T, int64_t N, double* m, int32_t* initialized,       \
                            const BalanceParams& p, E* out, double* weights, double* norms);                  \
  }
RF_DECLARE_VARIANT(isa_avx2)
RF_DECLARE_VARIANT(isa_avx512)
#undef RF_DECLARE_VARIANT
}  // namespace recforge

namespace {

// ---- naive reference: plain loops, double everywhere, formula as the spec writes it ----
struct Ref {
  int reason = 0, task = -1;
  std::vector<double> m, w, n, out;
  std::vector<int32_t> init;
};

template <typename E>
Ref reference(const std::vector<E>& G, int64_t T, int64_t N, const std::vector<double>& m0,
              const std::vector<int32_t>& init0, const BalanceParams& p) {
  Ref r;
  r.m = m0;
  r.init = init0;
  r.n.assign(T, 0);
  r.w.assign(T, 0);
  for (int64_t i = 0; i < T && r.reason == 0; ++i) {
    double s = 0;
    bool bad = false;
    for (int64_t j = 0; j < N; ++j) {
      double v = (double)G[i * N + j];
      if (!std::isfinite(v)) bad = true;
      s += v * v;
    }
    if (bad) r.reason = 1, r.task = (int)i;
    else if (std::isinf(s)) r.reason = 2, r.task = (int)i;
    r.n[i] = std::sqrt(s);
  }
  if (r.reason) return r;
  for (int64_t i = 0; i < T; ++i) {
    r.m[i] = r.init[i] ? p.beta * r.m[i] + (1 - p.beta) * r.n[i] : r.n[i];
    r.init[i] = 1;
  }
  double ref = 0;
  if (p.ref_mode == 0) ref = r.m[p.target];
  if (p.ref_mode == 1) {
    for (int64_t i = 0; i < T; ++i) ref += r.m[i];
    ref /= T;
  }
  if (p.ref_mode == 2) ref = *std::max_element(r.m.begin(), r.m.end());
  for (int64_t i = 0; i < T; ++i) {
    double w = 1;
    if (r.m[i] != 0) w = p.relax * std::min(ref / r.m[i], DBL_MAX) + (1 - p.relax);
    if (p.strategy == 1) w = std::min(w, 1.0);
    if (p.strategy == 2) w = std::max(w, 1.0);
    r.w[i] = w;
  }
  r.out.assign(N, 0);
  for (int64_t j = 0; j < N; ++j)
    for (int64_t i = 0; i < T; ++i) r.out[j] += r.w[i] * (double)G[i * N + j];
  return r;
}

bool close(double got, double want, double rtol) {
  return std::fabs(got - want) <= rtol * std::fabs(want) + 1e-300;
}

// Compares one step of the kernel with the reference. out: rounding of the element type on
// |want| plus double-rounding slack on Σ|w_i g_i| (cancellation). Float gradients (float lanes,
// recforge/balance_gradients.h "Precision"): norms, m and weights within 1e-5 relative, out
// within that plus (T + 1) float roundings of Σ|w_i g_i|; and out against Σ w_i g_i with the
// kernel's OWN weights within (T + 1) roundings (pass 2 alone).
template <typename E>
constexpr double kStateTol = std::is_same<E, float>::value ? 1e-5 : 1e-12;

template <typename E>
void compare(const char* what, const std::vector<E>& G, int64_t T, int64_t N, const Ref& r, BalanceStatus st,
             const std::vector<double>& m, const std::vector<int32_t>& init, const std::vector<double>& w,
             const std::vector<double>& n, const std::vector<E>& out) {
  RF_CHECK(st.reason == r.reason && st.task == r.task, "%s: status (%d,%d) want (%d,%d)", what, st.reason, st.task,
           r.reason, r.task);
  for (int64_t i = 0; i < T; ++i) {
    RF_CHECK(close(n[i], r.n[i], kStateTol<E>), "%s: norm[%ld] %.17g want %.17g", what, (long)i, n[i], r.n[i]);
    RF_CHECK(close(m[i], r.m[i], kStateTol<E>), "%s: m[%ld] %.17g want %.17g", what, (long)i, m[i], r.m[i]);
    RF_CHECK(close(w[i], r.w[i], kStateTol<E>), "%s: w[%ld] %.17g want %.17g", what, (long)i, w[i], r.w[i]);
    RF_CHECK(init[i] == 1, "%s: initialized[%ld] = %d", what, (long)i, init[i]);
  }
  const double eps = std::numeric_limits<E>::epsilon();
  int bad = 0;
  for (int64_t j = 0; j < N && bad < 3; ++j) {
    double abs_sum = 0, own = 0;
    for (int64_t i = 0; i < T; ++i) {
      abs_sum += std::fabs(r.w[i] * (double)G[i * N + j]);
      own += w[i] * (double)G[i * N + j];
    }
    const bool f32 = std::is_same<E, float>::value;
    double tol = eps * std::fabs(r.out[j]) + (f32 ? 1e-5 + (T + 1) * eps : 1e-12) * abs_sum;
    if (!(std::fabs((double)out[j] - r.out[j]) <= tol)) {
      RF_CHECK(false, "%s: out[%ld] = %.9g want %.9g (T=%ld N=%ld)", what, (long)j, (double)out[j], r.out[j],
               (long)T, (long)N);
      ++bad;
    }
    if (f32 && !(std::fabs((double)out[j] - own) <= (T + 1) * eps * abs_sum * 1.001 + 1e-300)) {
      RF_CHECK(false, "%s: out[%ld] = %.9g, with the kernel's weights %.9g (T=%ld N=%ld)", what, (long)j,
               (double)out[j], own, (long)T, (long)N);
      ++bad;
    }
  }
}

const BalanceParams kDefault{};

BalanceParams random_params(Rng& rng, int64_t T) {
  BalanceParams p;
  const double betas[] = {0.0, 0.5, 0.9, 0.99};
  const double relaxes[] = {0.0, 0.3, 0.7, 1.0};
  p.beta = betas[rng.randint(0, 4)];
  p.relax = relaxes[rng.randint(0, 4)];
  p.ref_mode = (int)rng.randint(0, 3);
  p.strategy = (int)rng.randint(0, 3);
  p.target = (int)rng.randint(0, T);
  return p;
}

// Per-task scales spread over 6 decades so the weights are far from 1.
template <typename E>
std::vector<E> random_grads(Rng& rng, int64_t T, int64_t N, const std::vector<double>& scale) {
  std::vector<E> G((size_t)(T * N));
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = 0; j < N; ++j) G[i * N + j] = (E)(rng.normal() * scale[i]);
  return G;
}

// Random shapes, all modes and strategies, several steps of state evolution (tasks may start
// at different steps), contiguous and row-pointer variants (which must agree bit for bit).
template <typename E>
void test_random(const char* tname, uint64_t seed) {
  Rng rng(seed);
  const int64_t sizes[] = {0, 1, 2, 7, 15, 16, 17, 1023, 8191, 8192, 8193, 24577, 100003, 131071};
  int trial = 0;
  for (int64_t N : sizes) {
    for (int rep = 0; rep < 4; ++rep, ++trial) {
      const int64_t T = rng.randint(1, 9);
      BalanceParams p = random_params(rng, T);
      if (rep < 3) p.ref_mode = rep;  // every mode at every size
      p.strategy = (rep + trial) % 3;
      std::vector<double> scale(T);
      for (auto& s : scale) s = std::pow(10.0, rng.uniform() * 6 - 3);
      std::vector<double> m(T, std::numeric_limits<double>::quiet_NaN());  // uninitialised state is ignored
      std::vector<int32_t> init(T, 0);
      if (rep == 3)  // a task that joins later: some tasks already carry state
        for (int64_t i = 0; i < T; i += 2) init[i] = 1, m[i] = scale[i] * std::sqrt((double)N);
      std::vector<double> m2 = m;
      std::vector<int32_t> init2 = init;
      for (int step = 0; step < 3; ++step) {
        // drift the scales so the moving average has something to average
        for (auto& s : scale) s *= std::pow(2.0, rng.uniform() * 2 - 1);
        auto G = random_grads<E>(rng, T, N, scale);
        Ref r = reference(G, T, N, m, init, p);
        std::vector<E> out(N);
        std::vector<double> w(T), n(T), w2(T), n2(T);
        rftest::poison(out);
        rftest::poison(w);
        rftest::poison(n);
        auto st = balance_gradients(G.data(), T, N, m.data(), init.data(), p, out.data(), w.data(), n.data());
        char what[160];
        std::snprintf(what, sizeof what, "%s random T=%ld N=%ld mode=%d strat=%d beta=%g relax=%g step=%d", tname,
                      (long)T, (long)N, p.ref_mode, p.strategy, p.beta, p.relax, step);
        compare(what, G, T, N, r, st, m, init, w, n, out);

        // Row-pointer variant on separately allocated rows: bit-identical to the stacked one.
        std::vector<std::vector<E>> rows_store(T);
        std::vector<const E*> rows(T);
        for (int64_t i = 0; i < T; ++i) {
          rows_store[i].assign(G.begin() + i * N, G.begin() + (i + 1) * N);
          rows[i] = rows_store[i].data();
        }
        std::vector<E> out2(N);
        rftest::poison(out2);
        auto st2 = balance_gradients_rows(rows.data(), T, N, m2.data(), init2.data(), p, out2.data(), w2.data(),
                                          n2.data());
        RF_CHECK(st2.reason == st.reason && st2.task == st.task, "%s: rows variant status", what);
        RF_CHECK(N == 0 || std::memcmp(out.data(), out2.data(), N * sizeof(E)) == 0, "%s: rows variant out", what);
        RF_CHECK(std::memcmp(w.data(), w2.data(), T * 8) == 0 && std::memcmp(n.data(), n2.data(), T * 8) == 0 &&
                     std::memcmp(m.data(), m2.data(), T * 8) == 0,
                 "%s: rows variant weights/norms/state", what);
      }
    }
  }
}

// Explicit first-step and moving-average values on a hand-checkable case.
void test_state_evolution() {
  const int64_t T = 2, N = 3;
  BalanceParams p;  // beta 0.9, relax 0.7, target 0, both
  std::vector<double> m(T), w(T), n(T);
  std::vector<int32_t> init(T, 0);
  std::vector<double> out(N);
  std::vector<double> G = {3, 0, 4, /* norm 5 */ 0, 0, 1 /* norm 1 */};
  auto st = balance_gradients(G.data(), T, N, m.data(), init.data(), p, out.data(), w.data(), n.data());
  RF_CHECK(st.ok(), "state step 1 status");
  RF_CHECK(m[0] == 5 && m[1] == 1, "first step m = norm: got %g %g", m[0], m[1]);
  RF_CHECK(w[0] == 1 && close(w[1], 0.7 * 5 + 0.3, 1e-15), "step 1 weights %g %g", w[0], w[1]);
  RF_CHECK(close(out[2], 4 + 3.8 * 1, 1e-15), "step 1 out[2] %g", out[2]);
  G = {0, 0, 1, /* norm 1 */ 0, 2, 0 /* norm 2 */};
  st = balance_gradients(G.data(), T, N, m.data(), init.data(), p, out.data(), w.data(), n.data());
  RF_CHECK(close(m[0], 0.9 * 5 + 0.1 * 1, 1e-15) && close(m[1], 0.9 * 1 + 0.1 * 2, 1e-15),
           "moving average m: got %.17g %.17g", m[0], m[1]);
  RF_CHECK(n[0] == 1 && n[1] == 2, "norms %g %g", n[0], n[1]);
  RF_CHECK(close(w[1], 0.7 * (4.6 / 1.1) + 0.3, 1e-14), "step 2 w[1] %.17g", w[1]);
}

// Zero-norm tasks: weight exactly 1, no division by zero; a decayed (tiny) m never makes
// NaN/Inf; target zero → others get 1 - relax.
void test_zero_norm() {
  const int64_t T = 3, N = 1001;
  Rng rng(7);
  for (int mode = 0; mode < 3; ++mode)
    for (int strat = 0; strat < 3; ++strat) {
      BalanceParams p;
      p.ref_mode = mode;
      p.strategy = strat;
      p.target = 1;
      auto G = random_grads<float>(rng, T, N, {1.0, 0.0, 10.0});
      std::vector<double> m(T), w(T), n(T);
      std::vector<int32_t> init(T, 0);
      std::vector<float> out(N);
      rftest::poison(out);
      Ref r = reference(G, T, N, m, init, p);
      auto st = balance_gradients(G.data(), T, N, m.data(), init.data(), p, out.data(), w.data(), n.data());
      compare("zero-norm", G, T, N, r, st, m, init, w, n, out);
      RF_CHECK(w[1] == 1.0 && m[1] == 0.0 && n[1] == 0.0, "zero task weight %g m %g", w[1], m[1]);
      if (mode == 0 && strat == 0)
        RF_CHECK(close(w[0], 0.3, 1e-15) && close(w[2], 0.3, 1e-15), "target zero: w = 1-r, got %g %g", w[0], w[2]);
    }
  // A task whose m decayed to a subnormal while its gradient stays zero: ratio would
  // overflow; it is clamped, the weight is finite and out has no NaN.
  {
    BalanceParams p;
    p.target = 0;
    std::vector<double> G(2 * 5, 0.0);
    for (int j = 0; j < 5; ++j) G[j] = 1e10;
    std::vector<double> m = {1e10, 1e-310}, w(2), n(2), out(5);
    std::vector<int32_t> init = {1, 1};
    auto st = balance_gradients(G.data(), 2, 5, m.data(), init.data(), p, out.data(), w.data(), n.data());
    RF_CHECK(st.ok(), "decayed: status");
    RF_CHECK(std::isfinite(w[1]) && w[1] > 1e300, "decayed: weight %g", w[1]);
    for (double v : out) RF_CHECK(v == 1e10, "decayed: out %g", v);
  }
}

// NaN / +Inf / -Inf anywhere (first block, a later block, the tail) → status names the
// smallest bad task and nothing at all is written.
template <typename E>
void test_nonfinite(const char* tname) {
  Rng rng(11);
  const E bads[] = {std::numeric_limits<E>::quiet_NaN(), std::numeric_limits<E>::infinity(),
                    -std::numeric_limits<E>::infinity()};
  const int64_t sizes[] = {1, 37, 8192 * 2 + 5, 100003};
  for (int64_t N : sizes)
    for (const E bad : bads)
      for (int where = 0; where < 3; ++where) {
        const int64_t T = 4;
        auto G = random_grads<E>(rng, T, N, {1, 2, 3, 4});
        const int64_t k = rng.randint(0, T);
        const int64_t j = where == 0 ? 0 : where == 1 ? N / 2 : N - 1;
        G[k * N + j] = bad;
        if (where == 2 && k + 1 < T) G[(k + 1) * N] = bad;  // a later bad task too: k is still reported
        std::vector<double> m = {1.5, 2.5, 3.5, 4.5}, w(T), n(T);
        std::vector<int32_t> init = {1, 0, 1, 0};
        std::vector<E> out(N);
        for (auto& x : out) x = (E)rng.normal();
        for (auto& x : w) x = rng.normal();
        for (auto& x : n) x = rng.normal();
        const auto m0 = m, w0 = w, n0 = n;
        const auto init0 = init;
        const auto out0 = out;
        BalanceParams p;
        p.ref_mode = (int)rng.randint(0, 3);
        auto st = balance_gradients(G.data(), T, N, m.data(), init.data(), p, out.data(), w.data(), n.data());
        RF_CHECK(st.reason == kBalanceNonFinite && st.task == k, "%s nonfinite N=%ld: status (%d,%d) want (1,%ld)",
                 tname, (long)N, st.reason, st.task, (long)k);
        RF_CHECK(std::memcmp(out.data(), out0.data(), N * sizeof(E)) == 0, "%s nonfinite: out changed", tname);
        RF_CHECK(m == m0 && init == init0 && std::memcmp(w.data(), w0.data(), T * 8) == 0 &&
                     std::memcmp(n.data(), n0.data(), T * 8) == 0,
                 "%s nonfinite: state/weights/norms changed", tname);
      }
}

// float64 gradients with finite elements whose squares overflow: rejected with its own
// reason. float gradients at FLT_MAX never overflow the double sum.
void test_overflow() {
  const int64_t T = 2, N = 100;
  std::vector<double> G(T * N, 1.0);
  for (int64_t j = 0; j < N; ++j) G[N + j] = 1e200;
  std::vector<double> m(T, 0), w(T, -1), n(T, -1), out(N, -7);
  std::vector<int32_t> init(T, 0);
  auto st = balance_gradients(G.data(), T, N, m.data(), init.data(), kDefault, out.data(), w.data(), n.data());
  RF_CHECK(st.reason == kBalanceNormOverflow && st.task == 1, "overflow status (%d,%d)", st.reason, st.task);
  RF_CHECK(out[0] == -7 && w[0] == -1 && n[0] == -1 && init[0] == 0, "overflow: something was written");

  std::vector<float> Gf(T * N, FLT_MAX);
  std::vector<float> outf(N);
  st = balance_gradients(Gf.data(), T, N, m.data(), init.data(), kDefault, outf.data(), w.data(), n.data());
  RF_CHECK(st.ok() && close(n[0], FLT_MAX * 10.0, 1e-12), "FLT_MAX float gradients: status %d norm %g", st.reason,
           n[0]);
}

// T = 1: weight exactly 1 in every mode and strategy, out == g bit for bit.
void test_single_task() {
  Rng rng(3);
  for (int mode = 0; mode < 3; ++mode)
    for (double relax : {0.0, 0.1, 0.7, 0.9, 1.0}) {
      BalanceParams p;
      p.ref_mode = mode;
      p.relax = relax;
      const int64_t N = 12345;
      auto G = random_grads<float>(rng, 1, N, {3.0});
      std::vector<double> m = {0.25}, w(1), n(1);
      std::vector<int32_t> init = {1};
      std::vector<float> out(N);
      rftest::poison(out);
      auto st = balance_gradients(G.data(), 1, N, m.data(), init.data(), p, out.data(), w.data(), n.data());
      RF_CHECK(st.ok() && w[0] == 1.0, "T=1 weight %.17g (mode %d relax %g)", w[0], mode, relax);
      RF_CHECK(std::memcmp(out.data(), G.data(), N * 4) == 0, "T=1: out != g");
    }
}

// N = 0: the state advances with zero norms, weights are 1 (m == 0) or follow the decayed
// state, out is never touched (nullptr is fine).
void test_empty() {
  const int64_t T = 3;
  std::vector<double> m = {0, 2.0, 4.0}, w(T), n(T);
  std::vector<int32_t> init = {0, 1, 1};
  BalanceParams p;
  p.target = 2;
  auto st = balance_gradients<float>(nullptr, T, 0, m.data(), init.data(), p, nullptr, w.data(), n.data());
  RF_CHECK(st.ok(), "N=0 status");
  RF_CHECK(m[0] == 0 && close(m[1], 1.8, 1e-15) && close(m[2], 3.6, 1e-15), "N=0 state %g %g %g", m[0], m[1], m[2]);
  RF_CHECK(w[0] == 1 && close(w[1], 0.7 * 2 + 0.3, 1e-15) && w[2] == 1 && n[0] == 0 && n[1] == 0,
           "N=0 weights %g %g %g", w[0], w[1], w[2]);
  // In place: out aliases row 1.
  const int64_t N = 5000;
  Rng rng(5);
  auto G = random_grads<double>(rng, T, N, {1, 2, 3});
  std::vector<double> m2(T), w2(T), n2(T);
  std::vector<int32_t> init2(T, 0);
  Ref r = reference(G, T, N, m2, init2, kDefault);
  auto st2 = balance_gradients(G.data(), T, N, m2.data(), init2.data(), kDefault, G.data() + N, w2.data(), n2.data());
  std::vector<double> out(G.begin() + N, G.begin() + 2 * N);
  RF_CHECK(st2.ok(), "in-place status");
  int bad = 0;
  for (int64_t j = 0; j < N; ++j) bad += !close(out[j], r.out[j], 1e-12) && std::fabs(out[j] - r.out[j]) > 1e-12;
  RF_CHECK(bad == 0, "in-place (out = row 1): %d mismatches", bad);
}

// Same inputs with 1, 2 and 3 threads → identical bits everywhere.
template <typename E>
void test_determinism(const char* tname) {
  Rng rng(13);
  const int64_t T = 5, N = 300007;
  auto G = random_grads<E>(rng, T, N, {1e-3, 1, 7, 1e2, 0.5});
  BalanceParams p;
  p.ref_mode = kBalanceRefMean;
  std::vector<E> out_ref;
  std::vector<double> w_ref, n_ref, m_ref;
  const int saved = num_threads();
  for (int nt : {1, 2, 3}) {
    set_num_threads(nt);
    std::vector<double> m(T, 1.0), w(T), n(T);
    std::vector<int32_t> init = {1, 1, 0, 1, 0};
    std::vector<E> out(N);
    rftest::poison(out);
    for (int step = 0; step < 2; ++step)
      balance_gradients(G.data(), T, N, m.data(), init.data(), p, out.data(), w.data(), n.data());
    if (nt == 1) {
      out_ref = out, w_ref = w, n_ref = n, m_ref = m;
      continue;
    }
    RF_CHECK(std::memcmp(out.data(), out_ref.data(), N * sizeof(E)) == 0, "%s: out differs at %d threads", tname, nt);
    RF_CHECK(std::memcmp(w.data(), w_ref.data(), T * 8) == 0 && std::memcmp(n.data(), n_ref.data(), T * 8) == 0 &&
                 std::memcmp(m.data(), m_ref.data(), T * 8) == 0,
             "%s: weights/norms/state differ at %d threads", tname, nt);
  }
  set_num_threads(saved);
}

// Informative: fused kernel bandwidth at T=4, N=4M (float) against a plain parallel read of
// G (the machine's streaming-read floor for the 2 passes' reads, plus one write of out).
void timing() {
  const int64_t T = 4, N = 4 << 20;
  Rng rng(17);
  auto G = random_grads<float>(rng, T, N, {1, 2, 3, 4});
  std::vector<float> out(N);
  std::vector<double> m(T), w(T), n(T);
  std::vector<int32_t> init(T, 0);
  using clk = std::chrono::steady_clock;
  auto best_of = [](int reps, auto&& fn) {
    double best = 1e30;
    for (int r = 0; r < reps; ++r) {
      auto t0 = clk::now();
      fn();
      best = std::min(best, std::chrono::duration<double>(clk::now() - t0).count());
    }
    return best;
  };
  double t_kernel = best_of(10, [&] {
    balance_gradients(G.data(), T, N, m.data(), init.data(), kDefault, out.data(), w.data(), n.data());
  });
  // Floor probes: one parallel read of G (a sum) and one parallel write of out (a fill).
  std::vector<double> sink(1024);
  double t_read = best_of(10, [&] {
    parallel_for(T * N / 4096, 16, [&](int64_t b0, int64_t b1) {
      float s[16] = {};
      for (int64_t i = b0 * 4096; i < b1 * 4096; i += 16)
        for (int k = 0; k < 16; ++k) s[k] += G[i + k];
      sink[b0 % 1024] = s[0] + s[5];
    });
  });
  double t_write = best_of(10, [&] {
    parallel_for(N / 4096, 16, [&](int64_t b0, int64_t b1) {
      std::fill(out.data() + b0 * 4096, out.data() + b1 * 4096, 1.0f);
    });
  });
  const double gb = 1e-9, gbytes = T * N * 4.0 * gb, obytes = N * 4.0 * gb;
  const double moved = 2 * gbytes + obytes;     // what the two passes move
  const double floor_t = 2 * t_read + t_write;  // the same traffic at probe speed
  std::printf("balance_gradients f32 T=%ld N=%ld threads=%d: %.2f ms, %.1f GB/s moved (2 reads of G + write)\n",
              (long)T, (long)N, num_threads(), t_kernel * 1e3, moved / t_kernel);
  std::printf("  floor: read G %.2f ms (%.1f GB/s), write out %.2f ms (%.1f GB/s) -> 2 passes >= %.2f ms; "
              "kernel at %.0f%% of floor; single-pass ideal (1 read + write) %.2f ms\n",
              t_read * 1e3, gbytes / t_read, t_write * 1e3, obytes / t_write, floor_t * 1e3,
              100 * floor_t / t_kernel, (t_read + t_write) * 1e3);
}

}  // namespace

// AVX-512 uses 8-wide double vectors (pass 1: 4 x 8 lanes), AVX2 4-wide ones (8 x 4): the same 32
// lanes in the same order and the same reduction tree, and an element-wise pass 2, so both must
// give the same bits (both contract to FMA). Sizes around the 32-lane step, the 16-element pass-2
// step and the 8192-element blocks, plus Census's [1024, 391]; two steps (state update too).
template <typename E>
void test_isa_variants(const char* tname) {
  if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma") || !__builtin_cpu_supports("avx512f") ||
      !__builtin_cpu_supports("avx512bw") || !__builtin_cpu_supports("avx512dq") || !__builtin_cpu_supports("avx512vl")) {
    std::printf("balance_gradients: skipped the AVX2 vs AVX-512 comparison (this CPU lacks AVX-512)\n");
    return;
  }
  Rng rng(7);
  const int64_t Ns[] = {1, 15, 31, 32, 33, 47, 8191, 8193, 1024 * 391};
  for (int64_t T : {1, 2, 3})
    for (int64_t N : Ns) {
      std::vector<std::vector<E>> g((size_t)T, std::vector<E>((size_t)N));
      std::vector<const E*> rows((size_t)T);
      for (int64_t i = 0; i < T; ++i) {
        const double scale = std::pow(10.0, (double)i - 1);
        for (auto& v : g[(size_t)i]) v = (E)(scale * rng.normal());
        rows[(size_t)i] = g[(size_t)i].data();
      }
      std::vector<double> m2((size_t)T, 0), m5((size_t)T, 0), w2((size_t)T), w5((size_t)T), n2((size_t)T), n5((size_t)T);
      std::vector<int32_t> i2((size_t)T, 0), i5((size_t)T, 0);
      std::vector<E> o2((size_t)N), o5((size_t)N);
      BalanceParams p;
      p.ref_mode = kBalanceRefMean;
      for (int step = 0; step < 2; ++step) {
        const BalanceStatus s2 = isa_avx2::balance_run<E>(rows.data(), T, N, m2.data(), i2.data(), p, o2.data(), w2.data(), n2.data());
        const BalanceStatus s5 = isa_avx512::balance_run<E>(rows.data(), T, N, m5.data(), i5.data(), p, o5.data(), w5.data(), n5.data());
        RF_CHECK(s2.ok() && s5.ok(), "%s isa variants T=%ld N=%ld: status", tname, (long)T, (long)N);
        RF_CHECK(std::memcmp(n2.data(), n5.data(), T * 8) == 0 && std::memcmp(w2.data(), w5.data(), T * 8) == 0 &&
                     std::memcmp(m2.data(), m5.data(), T * 8) == 0,
                 "%s isa variants T=%ld N=%ld step %d: norms/weights/state differ (norm[0] %.17g vs %.17g)", tname,
                 (long)T, (long)N, step, n2[0], n5[0]);
        RF_CHECK(std::memcmp(o2.data(), o5.data(), N * sizeof(E)) == 0, "%s isa variants T=%ld N=%ld step %d: out differs",
                 tname, (long)T, (long)N, step);
      }
    }
}

int main() {
  test_random<float>("f32", 1);
  test_random<double>("f64", 2);
  test_state_evolution();
  test_zero_norm();
  test_nonfinite<float>("f32");
  test_nonfinite<double>("f64");
  test_overflow();
  test_single_task();
  test_empty();
  test_determinism<float>("f32");
  test_determinism<double>("f64");
  test_isa_variants<float>("f32");
  test_isa_variants<double>("f64");
  timing();
  return rftest::finish("balance_gradients");
}
