// CUDA GEMM vs a float64 CPU reference: the dispatched entry points (cuBLAS when built
// with it) and the own kernels alike, float32 / float64 / bfloat16 / float16 inputs, every
// transpose combination, edge tiles (sizes around 128 and odd), padded and odd leading
// dimensions (no vector loads), batches with broadcast operands (stride 0), alpha / beta,
// beta == 0 ignoring NaN in C, K == 0 and M == 0. Error bound per element:
// tol * Σ_k |a_mk| |b_kn| (the accumulation error scale) + a small absolute term.
#include <cmath>
#include <limits>

#include "cuda_test_util.h"
#include "recforge/gemm.h"

using namespace recforge;
using namespace cudatest;
using rftest::Rng;

namespace {

struct Case {
  bool tA, tB;
  int64_t M, N, K, batch;
  int64_t padA, padB, padC;  // extra columns in the leading dimensions
  bool bcastA, bcastB;       // stride 0 across the batch
  double alpha, beta;
};

// Reference in double: C = alpha op(A) op(B) + beta C and the bound Σ |a||b|.
void reference(const Case& c, const std::vector<double>& A, int64_t lda, int64_t sA, const std::vector<double>& B,
               int64_t ldb, int64_t sB, std::vector<double>& C, std::vector<double>& bound, int64_t ldc, int64_t sC) {
  for (int64_t z = 0; z < c.batch; ++z)
    for (int64_t m = 0; m < c.M; ++m)
      for (int64_t n = 0; n < c.N; ++n) {
        double s = 0, sb = 0;
        for (int64_t k = 0; k < c.K; ++k) {
          const double a = c.tA ? A[z * sA + k * lda + m] : A[z * sA + m * lda + k];
          const double b = c.tB ? B[z * sB + n * ldb + k] : B[z * sB + k * ldb + n];
          s += a * b;
          sb += std::fabs(a * b);
        }
        double& out = C[z * sC + m * ldc + n];
        const double old = c.beta == 0 ? 0.0 : out;
        out = c.alpha * s + c.beta * old;
        bound[z * sC + m * ldc + n] = std::fabs(c.alpha) * sb + std::fabs(c.beta * old);
      }
}

template <typename T>
bool check(const std::vector<T>& got, const std::vector<double>& want, const std::vector<double>& bound,
           const Case& c, int64_t ldc, int64_t sC, double tol, const char* what) {
  for (int64_t z = 0; z < c.batch; ++z)
    for (int64_t m = 0; m < c.M; ++m)
      for (int64_t n = 0; n < c.N; ++n) {
        const int64_t i = z * sC + m * ldc + n;
        const double g = (double)got[i], w = want[i];
        if (!(std::fabs(g - w) <= tol * bound[i] + 1e-30)) {
          std::fprintf(stderr, "%s: tA=%d tB=%d M=%lld N=%lld K=%lld batch=%lld: C[%lld,%lld,%lld] = %.9g, want %.9g\n",
                       what, (int)c.tA, (int)c.tB, (long long)c.M, (long long)c.N, (long long)c.K,
                       (long long)c.batch, (long long)z, (long long)m, (long long)n, g, w);
          ++rftest::failures();
          return false;
        }
      }
  return true;
}

enum class Kind { F32, F64, BF16, FP16 };

void run_case(Rng& rng, const Case& c, Kind kind, bool own) {
  const int64_t ra = c.tA ? c.K : c.M, ca = c.tA ? c.M : c.K, rb = c.tB ? c.N : c.K, cb = c.tB ? c.K : c.N;
  const int64_t lda = ca + c.padA, ldb = cb + c.padB, ldc = c.N + c.padC;
  const int64_t sA = c.bcastA ? 0 : ra * lda, sB = c.bcastB ? 0 : rb * ldb, sC = c.M * ldc;
  const int64_t nA = (c.bcastA ? 1 : c.batch) * ra * lda, nB = (c.bcastB ? 1 : c.batch) * rb * ldb,
                nC = c.batch * sC;
  std::vector<double> A(nA), B(nB), C(nC);
  for (auto& v : A) v = rng.normal();
  for (auto& v : B) v = rng.normal();
  for (auto& v : C) v = rng.normal();
  if (c.beta == 0)
    for (auto& v : C) v = std::numeric_limits<double>::quiet_NaN();  // must be ignored
  char what[64];
  std::snprintf(what, sizeof what, "gemm %s %s", kind == Kind::F32 ? "f32" : kind == Kind::F64 ? "f64" : kind == Kind::BF16 ? "bf16" : "fp16",
                own ? "own" : "dispatched");
  auto* s = stream();
  if (kind == Kind::F64) {
    Dev<double> dA(A), dB(B), dC(C);
    if (own)
      gemm_f64_own_cuda(c.tA, c.tB, c.M, c.N, c.K, c.alpha, dA.p, lda, sA, dB.p, ldb, sB, c.beta, dC.p, ldc, sC, c.batch, s);
    else
      gemm_f64_cuda(c.tA, c.tB, c.M, c.N, c.K, c.alpha, dA.p, lda, sA, dB.p, ldb, sB, c.beta, dC.p, ldc, sC, c.batch, s);
    std::vector<double> bound(nC, 0.0), want = C;
    reference(c, A, lda, sA, B, ldb, sB, want, bound, ldc, sC);
    check(dC.get(), want, bound, c, ldc, sC, 1e-12, what);
    return;
  }
  std::vector<float> Af(A.begin(), A.end()), Bf(B.begin(), B.end()), Cf(C.begin(), C.end());
  Dev<float> dA(Af), dB(Bf), dC(Cf);
  double tol = 2e-6;
  if (kind == Kind::F32) {
    for (size_t i = 0; i < A.size(); ++i) A[i] = Af[i];
    for (size_t i = 0; i < B.size(); ++i) B[i] = Bf[i];
    if (own)
      gemm_f32_own_cuda(c.tA, c.tB, c.M, c.N, c.K, (float)c.alpha, dA.p, lda, sA, dB.p, ldb, sB, (float)c.beta, dC.p,
                        ldc, sC, c.batch, s);
    else
      gemm_f32_cuda(c.tA, c.tB, c.M, c.N, c.K, (float)c.alpha, dA.p, lda, sA, dB.p, ldb, sB, (float)c.beta, dC.p, ldc,
                    sC, c.batch, s);
  } else {
    const HalfKind hk = kind == Kind::BF16 ? HalfKind::BF16 : HalfKind::FP16;
    Dev<uint16_t> hA(nA), hB(nB);
    Dev<float> rA(nA), rB(nB);
    float_to_half_cuda(hk, dA.p, hA.p, nA, s);
    float_to_half_cuda(hk, dB.p, hB.p, nB, s);
    half_to_float_cuda(hk, hA.p, rA.p, nA, s);
    half_to_float_cuda(hk, hB.p, rB.p, nB, s);
    auto ra_ = rA.get(), rb_ = rB.get();  // the exact 16-bit inputs, as floats
    for (size_t i = 0; i < A.size(); ++i) A[i] = ra_[i];
    for (size_t i = 0; i < B.size(); ++i) B[i] = rb_[i];
    if (own)
      gemm_half_own_cuda(hk, c.tA, c.tB, c.M, c.N, c.K, (float)c.alpha, hA.p, lda, sA, hB.p, ldb, sB, (float)c.beta,
                         dC.p, ldc, sC, c.batch, s);
    else
      gemm_half_cuda(hk, c.tA, c.tB, c.M, c.N, c.K, (float)c.alpha, hA.p, lda, sA, hB.p, ldb, sB, (float)c.beta, dC.p,
                     ldc, sC, c.batch, s);
    tol = 1e-5;  // products of 16-bit values are exact in fp32; only the fp32 accumulation rounds
  }
  std::vector<double> bound(nC, 0.0), want(Cf.begin(), Cf.end());
  reference(c, A, lda, sA, B, ldb, sB, want, bound, ldc, sC);
  check(dC.get(), want, bound, c, ldc, sC, tol, what);
}

}  // namespace

int main() {
  Rng rng(23);
  std::vector<Case> cases;
  const int64_t sizes[][3] = {{1, 1, 1}, {7, 13, 5}, {128, 128, 32}, {129, 257, 31}, {64, 300, 200}, {300, 70, 1000},
                              {5, 3, 0}, {0, 4, 3}, {33, 1, 17}, {1, 65, 40}};
  for (auto& sz : sizes)
    for (int t = 0; t < 4; ++t)
      cases.push_back({(t & 1) != 0, (t & 2) != 0, sz[0], sz[1], sz[2], 1, 0, 0, 0, false, false, 1.0, 0.0});
  // Leading-dimension padding (odd: no 16-byte loads), alpha / beta, batches and broadcasts.
  cases.push_back({false, false, 70, 90, 50, 1, 3, 1, 5, false, false, -2.0, 0.5});
  cases.push_back({true, true, 70, 90, 50, 1, 8, 8, 2, false, false, 0.5, 1.0});
  cases.push_back({false, true, 37, 41, 43, 5, 0, 0, 0, false, false, 1.0, 0.0});
  cases.push_back({true, false, 37, 41, 43, 4, 1, 2, 3, true, false, 1.0, 0.25});
  cases.push_back({false, false, 130, 20, 64, 3, 0, 0, 0, false, true, 1.0, 0.0});
  cases.push_back({false, false, 16, 16, 16, 65600, 0, 0, 0, false, false, 1.0, 0.0});  // batch > 65535
  for (const Case& c : cases)
    for (int kind = 0; kind < 4; ++kind)
      for (bool own : {true, false}) {
        if (c.batch > 1000 && kind != 0) continue;  // one kind is enough for the big batch
        // 65,600 blocks of 256 threads take minutes in the CPU emulator; the grid-z stride is checked on a GPU.
        if (c.batch > 65535 && rftest::kEmulated) continue;
        run_case(rng, c, (Kind)kind, own);
      }
  std::printf("gemm backend: %s\n", gemm_cuda_backend_name());
  return rftest::finish("gemm_cuda");
}
