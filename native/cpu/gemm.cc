// PLACEHOLDER until the packed kernels + CBLAS loader land: straightforward loops.
#include "recforge/gemm.h"

#include <vector>

#include "recforge/parallel.h"

namespace recforge {
namespace {
template <typename T>
void gemm_naive(bool tA, bool tB, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda, int64_t sA,
                const T* B, int64_t ldb, int64_t sB, T beta, T* C, int64_t ldc, int64_t sC, int64_t batch) {
  for (int64_t bt = 0; bt < batch; ++bt) {
    const T* a = A + bt * sA;
    const T* b = B + bt * sB;
    T* c = C + bt * sC;
    parallel_for(M, 4, [&](int64_t m0, int64_t m1) {
      std::vector<T> acc(N);
      for (int64_t m = m0; m < m1; ++m) {
        std::fill(acc.begin(), acc.end(), T(0));
        for (int64_t k = 0; k < K; ++k) {
          T av = tA ? a[k * lda + m] : a[m * lda + k];
          if (tB)
            for (int64_t n = 0; n < N; ++n) acc[n] += av * b[n * ldb + k];
          else
            for (int64_t n = 0; n < N; ++n) acc[n] += av * b[k * ldb + n];
        }
        for (int64_t n = 0; n < N; ++n) c[m * ldc + n] = alpha * acc[n] + (beta == T(0) ? T(0) : beta * c[m * ldc + n]);
      }
    });
  }
}
}  // namespace

void gemm_f32(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
              int64_t sA, const float* B, int64_t ldb, int64_t sB, float beta, float* C, int64_t ldc, int64_t sC,
              int64_t batch) {
  gemm_naive<float>(tA, tB, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch);
}
void gemm_f32_own(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                  int64_t sA, const float* B, int64_t ldb, int64_t sB, float beta, float* C, int64_t ldc,
                  int64_t sC, int64_t batch) {
  gemm_naive<float>(tA, tB, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch);
}
void gemm_f64(bool tA, bool tB, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
              int64_t sA, const double* B, int64_t ldb, int64_t sB, double beta, double* C, int64_t ldc,
              int64_t sC, int64_t batch) {
  gemm_naive<double>(tA, tB, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch);
}
const char* gemm_backend_name() { return "own-naive"; }
bool cblas_available() { return false; }
bool cblas_sgemm_direct(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*, int64_t,
                        float, float*, int64_t) {
  return false;
}
void gemm_set_num_threads(int) {}
}  // namespace recforge
