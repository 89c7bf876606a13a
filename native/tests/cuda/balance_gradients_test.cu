// CUDA MultiBalance kernel vs the CPU kernel on fresh random inputs: odd sizes (N = 0, 1,
// slice boundaries, > 1e5, > 1e6), T in 1..8, every reference mode and strategy, three steps
// of state kept on the device, device outputs poisoned with NaN before every call. Also:
// the row-pointer variant and a rerun are bit-identical, NaN/Inf is rejected with the
// smallest task index and nothing written, T = 1 returns g bit for bit.
// Built by CMake when nvcc exists; run on a GPU machine. Prints "balance_gradients_cuda: ok".
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <vector>

#include "../test_util.h"
#include "recforge/balance_gradients.h"

using namespace recforge;
using rftest::Rng;

#define CUDA_OK(x)                                                                                  \
  do {                                                                                              \
    cudaError_t e_ = (x);                                                                           \
    if (e_ != cudaSuccess) {                                                                        \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_));     \
      std::exit(2);                                                                                 \
    }                                                                                               \
  } while (0)

namespace {

template <typename T>
struct Dev {
  T* p = nullptr;
  size_t n;
  explicit Dev(size_t n_) : n(n_) { CUDA_OK(cudaMalloc(&p, (n ? n : 1) * sizeof(T))); }
  Dev(const Dev&) = delete;
  ~Dev() { cudaFree(p); }
  void put(const std::vector<T>& v) { CUDA_OK(cudaMemcpy(p, v.data(), n * sizeof(T), cudaMemcpyHostToDevice)); }
  std::vector<T> get() const {
    std::vector<T> v(n);
    CUDA_OK(cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
    return v;
  }
  void poison() { CUDA_OK(cudaMemset(p, 0xFF, n * sizeof(T))); }  // all-ones bits: NaN for float/double
};

template <typename T>
bool same_bits(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0);
}

bool close(double got, double want, double rtol) { return std::fabs(got - want) <= rtol * std::fabs(want) + 1e-300; }

template <typename E>
std::vector<E> random_grads(Rng& rng, int64_t T, int64_t N, const std::vector<double>& scale) {
  std::vector<E> G((size_t)(T * N));
  for (int64_t i = 0; i < T; ++i)
    for (int64_t j = 0; j < N; ++j) G[i * N + j] = (E)(rng.normal() * scale[i]);
  return G;
}

// Device-side state and outputs of one kernel instance.
template <typename E>
struct GpuRun {
  int64_t T, N;
  Dev<double> m, w, n;
  Dev<int32_t> init, status;
  Dev<E> out;
  Dev<char> ws;
  GpuRun(int64_t T_, int64_t N_)
      : T(T_), N(N_), m(T_), w(T_), n(T_), init(T_), status(2), out(N_),
        ws((size_t)balance_gradients_cuda_workspace_bytes(T_, N_)) {}
  void poison_outputs() {
    out.poison();
    w.poison();
    n.poison();
    status.poison();
  }
};

template <typename E>
void test_random(const char* tname, uint64_t seed) {
  Rng rng(seed);
  const int64_t sizes[] = {0, 1, 7, 255, 2047, 2048, 2049, 8193, 100003, (1 << 20) + 3};
  int trial = 0;
  for (int64_t N : sizes)
    for (int rep = 0; rep < 4; ++rep, ++trial) {
      const int64_t T = rng.randint(1, 9);
      BalanceParams p;
      const double betas[] = {0.0, 0.5, 0.9, 0.99}, relaxes[] = {0.0, 0.3, 0.7, 1.0};
      p.beta = betas[rng.randint(0, 4)];
      p.relax = relaxes[rng.randint(0, 4)];
      p.ref_mode = rep < 3 ? rep : (int)rng.randint(0, 3);
      p.strategy = (rep + trial) % 3;
      p.target = (int)rng.randint(0, T);
      std::vector<double> scale(T);
      for (auto& s : scale) s = std::pow(10.0, rng.uniform() * 6 - 3);
      std::vector<double> m(T, 0.0);
      std::vector<int32_t> init(T, 0);
      if (rep == 3)
        for (int64_t i = 0; i < T; i += 2) init[i] = 1, m[i] = scale[i] * std::sqrt((double)N + 1);

      GpuRun<E> a(T, N), b(T, N);  // a: stacked G, b: row pointers
      a.m.put(m), b.m.put(m), a.init.put(init), b.init.put(init);
      Dev<E> g(T * N);
      std::vector<Dev<E>*> rows_store;
      for (int64_t i = 0; i < T; ++i) rows_store.push_back(new Dev<E>(N));
      std::vector<const E*> rows_host(T);
      for (int64_t i = 0; i < T; ++i) rows_host[i] = rows_store[i]->p;
      Dev<const E*> rows_dev(T);
      rows_dev.put(rows_host);

      for (int step = 0; step < 3; ++step) {
        for (auto& s : scale) s *= std::pow(2.0, rng.uniform() * 2 - 1);
        auto G = random_grads<E>(rng, T, N, scale);
        g.put(G);
        for (int64_t i = 0; i < T; ++i)
          CUDA_OK(cudaMemcpy(rows_store[i]->p, G.data() + i * N, N * sizeof(E), cudaMemcpyHostToDevice));

        // CPU reference step (state on the host).
        std::vector<E> out_c(N);
        std::vector<double> w_c(T), n_c(T);
        auto st = balance_gradients(G.data(), T, N, m.data(), init.data(), p, out_c.data(), w_c.data(), n_c.data());

        // Keep a copy of the device state to replay the step for the determinism check.
        auto m_before = a.m.get();
        auto init_before = a.init.get();
        a.poison_outputs();
        b.poison_outputs();
        balance_gradients_cuda(g.p, T, N, a.m.p, a.init.p, p, a.out.p, a.w.p, a.n.p, a.status.p, a.ws.p, nullptr);
        balance_gradients_rows_cuda(rows_dev.p, T, N, b.m.p, b.init.p, p, b.out.p, b.w.p, b.n.p, b.status.p, b.ws.p,
                                    nullptr);
        CUDA_OK(cudaGetLastError());
        CUDA_OK(cudaDeviceSynchronize());

        char what[160];
        std::snprintf(what, sizeof what, "%s T=%ld N=%ld mode=%d strat=%d beta=%g relax=%g step=%d", tname, (long)T,
                      (long)N, p.ref_mode, p.strategy, p.beta, p.relax, step);
        auto status = a.status.get();
        RF_CHECK(status[0] == st.reason && status[1] == st.task, "%s: status (%d,%d) want (%d,%d)", what, status[0],
                 status[1], st.reason, st.task);
        auto mg = a.m.get(), wg = a.w.get(), ng = a.n.get();
        auto ig = a.init.get();
        for (int64_t i = 0; i < T; ++i) {
          // float: the CPU sums squares in float lanes, the GPU in double (recforge/balance_gradients.h)
          const double rtol = sizeof(E) == 4 ? 1e-5 : 1e-12;
          RF_CHECK(close(ng[i], n_c[i], rtol), "%s: norm[%ld] %.17g cpu %.17g", what, (long)i, ng[i], n_c[i]);
          RF_CHECK(close(mg[i], m[i], rtol), "%s: m[%ld] %.17g cpu %.17g", what, (long)i, mg[i], m[i]);
          RF_CHECK(close(wg[i], w_c[i], rtol), "%s: w[%ld] %.17g cpu %.17g", what, (long)i, wg[i], w_c[i]);
          RF_CHECK(ig[i] == init[i], "%s: initialized[%ld]", what, (long)i);
        }
        auto og = a.out.get();
        const double eps = std::numeric_limits<E>::epsilon();
        int bad = 0;
        for (int64_t j = 0; j < N && bad < 3; ++j) {
          double abs_sum = 0;
          for (int64_t i = 0; i < T; ++i) abs_sum += std::fabs(w_c[i] * (double)G[i * N + j]);
          // float: both weighted sums in float (T + 1 roundings each) with weights 1e-5 apart
          const double tol = 2 * eps * std::fabs((double)out_c[j]) + (sizeof(E) == 4 ? 1e-5 + 2 * (T + 1) * eps : 1e-12) * abs_sum;
          if (!(std::fabs((double)og[j] - (double)out_c[j]) <= tol)) {
            RF_CHECK(false, "%s: out[%ld] gpu %.9g cpu %.9g", what, (long)j, (double)og[j], (double)out_c[j]);
            ++bad;
          }
        }
        // Row-pointer variant: bit-identical to stacked.
        RF_CHECK(same_bits(b.out.get(), og) && same_bits(b.w.get(), wg) && same_bits(b.n.get(), ng) &&
                     same_bits(b.m.get(), mg) && same_bits(b.status.get(), status),
                 "%s: row-pointer variant differs from stacked", what);
        // Replay the same step from the same state: bit-identical.
        {
          GpuRun<E> c(T, N);
          c.m.put(m_before);
          c.init.put(init_before);
          c.poison_outputs();
          balance_gradients_cuda(g.p, T, N, c.m.p, c.init.p, p, c.out.p, c.w.p, c.n.p, c.status.p, c.ws.p, nullptr);
          CUDA_OK(cudaDeviceSynchronize());
          RF_CHECK(same_bits(c.out.get(), og) && same_bits(c.w.get(), wg) && same_bits(c.m.get(), mg),
                   "%s: rerun not bit-identical", what);
        }
      }
      for (auto* r : rows_store) delete r;
    }
}

// NaN / ±Inf in task k (first slice, middle, tail; a later bad task too) → status (1, k),
// out still poisoned bit for bit, state / weights / norms unchanged.
template <typename E>
void test_nonfinite(const char* tname) {
  Rng rng(21);
  const E bads[] = {std::numeric_limits<E>::quiet_NaN(), std::numeric_limits<E>::infinity(),
                    -std::numeric_limits<E>::infinity()};
  for (int64_t N : {(int64_t)1, (int64_t)37, (int64_t)2048 * 3 + 5, (int64_t)100003})
    for (const E badv : bads)
      for (int where = 0; where < 3; ++where) {
        const int64_t T = 4;
        auto G = random_grads<E>(rng, T, N, {1, 2, 3, 4});
        const int64_t k = rng.randint(0, T);
        G[k * N + (where == 0 ? 0 : where == 1 ? N / 2 : N - 1)] = badv;
        if (where == 2 && k + 1 < T) G[(k + 1) * N] = badv;
        GpuRun<E> a(T, N);
        const std::vector<double> m0 = {1.5, 2.5, 3.5, 4.5};
        const std::vector<int32_t> init0 = {1, 0, 1, 0};
        a.m.put(m0);
        a.init.put(init0);
        Dev<E> g(T * N);
        g.put(G);
        a.poison_outputs();
        const auto out0 = a.out.get();
        const auto w0 = a.w.get(), n0 = a.n.get();
        BalanceParams p;
        balance_gradients_cuda(g.p, T, N, a.m.p, a.init.p, p, a.out.p, a.w.p, a.n.p, a.status.p, a.ws.p, nullptr);
        CUDA_OK(cudaDeviceSynchronize());
        auto status = a.status.get();
        RF_CHECK(status[0] == kBalanceNonFinite && status[1] == k, "%s nonfinite N=%ld: status (%d,%d) want (1,%ld)",
                 tname, (long)N, status[0], status[1], (long)k);
        RF_CHECK(same_bits(a.out.get(), out0), "%s nonfinite: out was written", tname);
        RF_CHECK(a.m.get() == m0 && a.init.get() == init0 && same_bits(a.w.get(), w0) && same_bits(a.n.get(), n0),
                 "%s nonfinite: state/weights/norms changed", tname);
      }
}

// T = 1: out == g bit for bit, weight exactly 1.
void test_single_task() {
  Rng rng(5);
  const int64_t N = 54321;
  auto G = random_grads<float>(rng, 1, N, {2.0});
  GpuRun<float> a(1, N);
  a.m.put({0.125});
  a.init.put({1});
  Dev<float> g(N);
  g.put(G);
  a.poison_outputs();
  BalanceParams p;
  p.ref_mode = kBalanceRefMean;
  balance_gradients_cuda(g.p, 1, N, a.m.p, a.init.p, p, a.out.p, a.w.p, a.n.p, a.status.p, a.ws.p, nullptr);
  CUDA_OK(cudaDeviceSynchronize());
  RF_CHECK(a.w.get()[0] == 1.0 && same_bits(a.out.get(), G), "T=1: weight %g / out != g", a.w.get()[0]);
}

}  // namespace

int main() {
  int ndev = 0;
  if (cudaGetDeviceCount(&ndev) != cudaSuccess || ndev == 0) {
    std::fprintf(stderr, "balance_gradients_cuda: no CUDA device\n");
    return 1;
  }
  test_random<float>("f32", 1);
  test_random<double>("f64", 2);
  test_nonfinite<float>("f32");
  test_nonfinite<double>("f64");
  test_single_task();
  return rftest::finish("balance_gradients_cuda");
}
