// GEMM against a naive double-precision reference: the dispatched entry points (CBLAS
// when one is found) and the own kernels, float32 and float64, every transpose
// combination, padded leading dimensions, alpha/beta including beta == 0 over a
// NaN-poisoned C, batches with broadcast (stride 0) operands, sizes from 0 to past every
// blocking boundary, and 1 to 3 threads.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "recforge/cpu_isa.h"
#include "recforge/gemm.h"
#include "recforge/parallel.h"
#include "test_util.h"

using namespace rftest;

namespace {

struct Case {
  bool tA, tB;
  int64_t M, N, K, lda, ldb, ldc, sA, sB, sC, batch;
  double alpha, beta;
};

std::string describe(const Case& c) {
  char buf[256];
  std::snprintf(buf, sizeof buf,
                "tA=%d tB=%d M=%lld N=%lld K=%lld lda=%lld ldb=%lld ldc=%lld sA=%lld sB=%lld sC=%lld batch=%lld "
                "alpha=%g beta=%g",
                c.tA, c.tB, (long long)c.M, (long long)c.N, (long long)c.K, (long long)c.lda, (long long)c.ldb,
                (long long)c.ldc, (long long)c.sA, (long long)c.sB, (long long)c.sC, (long long)c.batch, c.alpha,
                c.beta);
  return buf;
}

// Elements spanned by `batch` matrices of rows×cols with row stride ld, batch stride s.
int64_t extent(int64_t rows, int64_t cols, int64_t ld, int64_t s, int64_t batch) {
  if (rows == 0 || cols == 0 || batch == 0) return 1;
  return (batch - 1) * s + (rows - 1) * ld + cols;
}

// C after the product, computed in double from the same (float-representable) inputs.
std::vector<double> reference(const Case& c, const std::vector<double>& A, const std::vector<double>& B,
                              const std::vector<double>& C0) {
  std::vector<double> C(C0);
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t i = 0; i < c.M; ++i)
      for (int64_t j = 0; j < c.N; ++j) {
        double acc = 0;
        if (c.alpha != 0)
          for (int64_t k = 0; k < c.K; ++k) {
            double a = c.tA ? A[b * c.sA + k * c.lda + i] : A[b * c.sA + i * c.lda + k];
            double bv = c.tB ? B[b * c.sB + j * c.ldb + k] : B[b * c.sB + k * c.ldb + j];
            acc += a * bv;
          }
        double& out = C[b * c.sC + i * c.ldc + j];
        out = c.alpha * acc + (c.beta == 0 ? 0.0 : c.beta * out);
      }
  return C;
}

// One case's inputs, shared by every entry point under test.
struct Inputs {
  std::vector<double> A, B, C, want;
};

Inputs make_inputs(const Case& c, Rng& rng) {
  const int64_t rA = c.tA ? c.K : c.M, cA = c.tA ? c.M : c.K;
  const int64_t rB = c.tB ? c.N : c.K, cB = c.tB ? c.K : c.N;
  Inputs in;
  // Drawn as float so that the float and double runs see exactly the same values.
  auto draw = [&](int64_t n) {
    std::vector<float> f = randn<float>(rng, (size_t)n);
    return std::vector<double>(f.begin(), f.end());
  };
  in.A = draw(extent(rA, cA, c.lda, c.sA, c.batch));
  in.B = draw(extent(rB, cB, c.ldb, c.sB, c.batch));
  in.C = draw(extent(c.M, c.N, c.ldc, c.sC, c.batch));
  if (c.beta == 0) poison(in.C);  // beta == 0: C must be write-only
  // Gaps between rows / batch entries of C must survive untouched: mark them.
  std::vector<char> inside(in.C.size(), 0);
  for (int64_t b = 0; b < c.batch; ++b)
    for (int64_t i = 0; i < c.M; ++i)
      for (int64_t j = 0; j < c.N; ++j) inside[b * c.sC + i * c.ldc + j] = 1;
  for (size_t i = 0; i < in.C.size(); ++i)
    if (!inside[i]) in.C[i] = 12345.0;
  in.want = reference(c, in.A, in.B, in.C);
  return in;
}

using GemmF32 = void (*)(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, int64_t,
                         const float*, int64_t, int64_t, float, float*, int64_t, int64_t, int64_t);
using GemmF64 = void (*)(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t, int64_t,
                         const double*, int64_t, int64_t, double, double*, int64_t, int64_t, int64_t);

// Runs one entry point on a case and compares with the reference. With alpha == 0 and
// `nan_ab`, A and B are NaN: BLAS semantics say they are not read then.
template <typename T, typename Fn>
void check(const Case& c, const Inputs& in, Fn fn, const char* what, bool nan_ab) {
  std::vector<T> A(in.A.begin(), in.A.end()), B(in.B.begin(), in.B.end()), C(in.C.begin(), in.C.end());
  if (c.alpha == 0 && nan_ab) {
    poison(A);
    poison(B);
  }
  fn(c.tA, c.tB, c.M, c.N, c.K, (T)c.alpha, A.data(), c.lda, c.sA, B.data(), c.ldb, c.sB, (T)c.beta, C.data(), c.ldc,
     c.sC, c.batch);
  const bool f32 = sizeof(T) == 4;
  const double atol = (f32 ? 2e-5 : 1e-12) * (double)(c.K + 4) * (std::fabs(c.alpha) + 1);
  const double rtol = f32 ? 1e-5 : 1e-12;
  std::string label = std::string(what) + " " + describe(c);
  allclose(C, in.want, atol, rtol, label.c_str());
}

void run_all(const Case& c, Rng& rng) {
  Inputs in = make_inputs(c, rng);
  check<float>(c, in, (GemmF32)recforge::gemm_f32_own, "gemm_f32_own", true);
  check<double>(c, in, (GemmF64)recforge::gemm_f64_own, "gemm_f64_own", true);
  // The dispatched entry points might hand alpha == 0 to a library: no NaN test there.
  check<float>(c, in, (GemmF32)recforge::gemm_f32, "gemm_f32", false);
  check<double>(c, in, (GemmF64)recforge::gemm_f64, "gemm_f64", false);
}

int64_t pick(Rng& r, const std::vector<int64_t>& v) { return v[(size_t)r.randint(0, (int64_t)v.size())]; }

Case random_case(Rng& r, const std::vector<int64_t>& sizes, bool allow_batch) {
  Case c;
  c.tA = r.next() & 1;
  c.tB = r.next() & 1;
  c.M = pick(r, sizes);
  c.N = pick(r, sizes);
  c.K = pick(r, sizes);
  const int64_t cA = c.tA ? c.M : c.K, cB = c.tB ? c.K : c.N;
  const bool pad = r.next() & 1;
  c.lda = std::max<int64_t>(1, cA) + (pad ? r.randint(0, 5) : 0);
  c.ldb = std::max<int64_t>(1, cB) + (pad ? r.randint(0, 5) : 0);
  c.ldc = std::max<int64_t>(1, c.N) + (pad ? r.randint(0, 5) : 0);
  static const double alphas[] = {1.0, -0.5, 2.0, 0.0, 1.0};
  static const double betas[] = {0.0, 1.0, -1.5, 0.5, 0.0};
  c.alpha = alphas[r.randint(0, 5)];
  c.beta = betas[r.randint(0, 5)];
  c.batch = allow_batch ? pick(r, {1, 1, 2, 3, 5}) : 1;
  const int64_t rA = c.tA ? c.K : c.M, rB = c.tB ? c.N : c.K;
  const int64_t eA = (rA - 1) * c.lda + cA, eB = (rB - 1) * c.ldb + cB, eC = (c.M - 1) * c.ldc + c.N;
  // Stride 0 broadcasts one A or B over the batch; otherwise a gap of a few elements.
  c.sA = (c.batch > 1 && r.randint(0, 4) == 0) ? 0 : std::max<int64_t>(eA, 0) + r.randint(0, 3);
  c.sB = (c.batch > 1 && r.randint(0, 4) == 0) ? 0 : std::max<int64_t>(eB, 0) + r.randint(0, 3);
  c.sC = std::max<int64_t>(eC, 0) + r.randint(0, 3);
  return c;
}

void test_random(int threads, int cases, uint64_t seed) {
  recforge::set_num_threads(threads);
  recforge::gemm_set_num_threads(threads);
  Rng rng(seed);
  const std::vector<int64_t> sizes = {0, 1, 2, 3, 5, 6, 7, 8, 16, 17, 31, 64, 100, 129};
  for (int t = 0; t < cases; ++t) run_all(random_case(rng, sizes, true), rng);
}

// Sizes that cross every blocking boundary (KC = 256, MC = 144, NC = 4080 for float)
// and are large enough for the threaded paths.
void test_large(int threads) {
  recforge::set_num_threads(threads);
  recforge::gemm_set_num_threads(threads);
  Rng rng(7 + threads);
  const int64_t shapes[][3] = {{300, 257, 600}, {145, 33, 513}, {7, 4100, 5}, {6, 4097, 300}, {1000, 17, 70},
                               {61, 600, 129}, {289, 290, 17}};
  for (auto& s : shapes)
    for (int tr = 0; tr < 4; ++tr) {
      Case c{bool(tr & 1), bool(tr & 2), s[0], s[1], s[2], 0, 0, 0, 0, 0, 0, 1, 1.0, 0.0};
      c.lda = (c.tA ? c.M : c.K) + 3;
      c.ldb = (c.tB ? c.K : c.N) + 1;
      c.ldc = c.N + 2;
      c.beta = tr == 3 ? 0.75 : 0.0;
      c.alpha = tr == 2 ? -1.25 : 1.0;
      run_all(c, rng);
    }
}

// Batches: small products with broadcast B (the attention / per-item pattern), and
// large ones.
void test_batched_small(int threads) {
  recforge::set_num_threads(threads);
  recforge::gemm_set_num_threads(threads);
  Rng rng(99);
  for (int64_t n : {5, 33, 64}) {
    Case c{false, true, n, n + 3, 40, 40, 40, n + 3, n * 40 + 1, 0, n * (n + 3), 37, 1.0, 0.0};
    run_all(c, rng);
    c.beta = 1.0;
    c.sB = (n + 3) * 40;
    run_all(c, rng);
  }
  // Entries large enough for the library (when one is loaded), two of them.
  Case big{true, false, 257, 300, 260, 257 + 2, 300, 301, 260 * 259 + 5, 0, 257 * 301, 2, 0.5, -1.0};
  run_all(big, rng);
}

void test_direct_baseline() {
  if (!recforge::cblas_available()) return;
  Rng rng(3);
  const int64_t M = 37, N = 45, K = 29;
  std::vector<float> A = randn<float>(rng, M * K), B = randn<float>(rng, K * N), C(M * N);
  poison(C);
  RF_CHECK(recforge::cblas_sgemm_direct(false, false, M, N, K, 1.f, A.data(), K, B.data(), N, 0.f, C.data(), N),
           "cblas_sgemm_direct returned false with a library loaded");
  Case c{false, false, M, N, K, K, N, N, 0, 0, 0, 1, 1.0, 0.0};
  std::vector<double> a(A.begin(), A.end()), b(B.begin(), B.end()), zero(M * N, 0.0);
  allclose(C, reference(c, a, b, zero), 1e-4, 1e-5, "cblas_sgemm_direct");
}

}  // namespace

int main() {
  const char* blas_env = std::getenv("RECFORGE_BLAS");
  std::printf("gemm backend: %s\n", recforge::gemm_backend_name());
  // RECFORGE_CPU_ISA (ctest runs gemm_test_isa_{baseline,avx2,avx512}): the own kernels' variant.
  // A variant this CPU cannot run is skipped with exit code 77 (ctest's SKIP_RETURN_CODE: listed
  // as "Not Run", with this line in the log), never run and never silently replaced.
  std::printf("cpu isa: %s (%s)\n", recforge::cpu_isa_name(recforge::cpu_isa()), recforge::cpu_isa_reason());
  if (const char* isa = std::getenv("RECFORGE_CPU_ISA")) {
    if (std::strncmp(recforge::cpu_isa_reason(), "error:", 6) == 0) {
      std::printf("SKIPPED: %s\n", recforge::cpu_isa_reason());
      return 77;
    }
    RF_CHECK(std::strcmp(recforge::cpu_isa_name(recforge::cpu_isa()), isa) == 0, "RECFORGE_CPU_ISA=%s not honoured", isa);
  }
  if (blas_env && std::strcmp(blas_env, "own") == 0) {
    RF_CHECK(!recforge::cblas_available(), "RECFORGE_BLAS=own must disable the library");
    RF_CHECK(std::strncmp(recforge::gemm_backend_name(), "own", 3) == 0, "backend name %s",
             recforge::gemm_backend_name());
    float c = 1.f;
    RF_CHECK(!recforge::cblas_sgemm_direct(false, false, 1, 1, 1, 1.f, &c, 1, &c, 1, 0.f, &c, 1),
             "cblas_sgemm_direct must return false without a library");
  }
  test_random(1, 300, 1);
  test_random(2, 150, 2);
  test_random(3, 60, 3);
  test_large(1);
  test_large(2);
  test_large(3);
  test_batched_small(1);
  test_batched_small(2);
  test_direct_baseline();
  return finish("gemm_test");
}
