// PLACEHOLDER binding for gemm until the gemm branch lands (it brings bind_gemm.cc).
#include "common.h"
#include "recforge/gemm.h"

namespace recforge {
namespace napi {
namespace {
void gemm_t(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float al, const float* a, int64_t lda, int64_t sA,
            const float* b, int64_t ldb, int64_t sB, float be, float* c, int64_t ldc, int64_t sC, int64_t batch) {
  gemm_f32(tA, tB, M, N, K, al, a, lda, sA, b, ldb, sB, be, c, ldc, sC, batch);
}
void gemm_t(bool tA, bool tB, int64_t M, int64_t N, int64_t K, double al, const double* a, int64_t lda, int64_t sA,
            const double* b, int64_t ldb, int64_t sB, double be, double* c, int64_t ldc, int64_t sC, int64_t batch) {
  gemm_f64(tA, tB, M, N, K, al, a, lda, sA, b, ldb, sB, be, c, ldc, sC, batch);
}
// gemm(dtype, transA, transB, M, N, K, alpha, a_s, a_o, lda, strideA, b_s, b_o, ldb, strideB, beta, c_s, c_o, ldc, strideC, batch)
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  int dt = dtype_arg(info, 0);
  bool tA = bool_arg(info, 1, "transA"), tB = bool_arg(info, 2, "transB");
  int64_t M = int_arg(info, 3, "M"), N = int_arg(info, 4, "N"), K = int_arg(info, 5, "K");
  double alpha = num_arg(info, 6, "alpha"), beta = num_arg(info, 15, "beta");
  int64_t lda = int_arg(info, 9, "lda"), sA = int_arg(info, 10, "strideA"), ldb = int_arg(info, 13, "ldb"),
          sB = int_arg(info, 14, "strideB"), ldc = int_arg(info, 18, "ldc"), sC = int_arg(info, 19, "strideC"),
          batch = int_arg(info, 20, "batch");
  int64_t ra = tA ? K : M, ca = tA ? M : K, rb = tB ? N : K, cb = tB ? K : N;
  auto ext = [](int64_t rows, int64_t ld, int64_t stride, int64_t batch) {
    return rows == 0 ? 0 : (batch - 1) * stride + (rows - 1) * ld + ld;
  };
  if (M < 0 || N < 0 || K < 0 || batch < 1 || lda < ca || ldb < cb || ldc < N)
    throw_range(info.Env(), "gemm: bad sizes");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    const T* a = span<T>(info, 7, dt, ext(ra, lda, sA, batch), "A");
    const T* b = span<T>(info, 11, dt, ext(rb, ldb, sB, batch), "B");
    T* c = span<T>(info, 16, dt, ext(M, ldc, sC, batch), "C");
    gemm_t(tA, tB, M, N, K, (T)alpha, a, lda, sA, b, ldb, sB, (T)beta, c, ldc, sC, batch);
  });
  return info.Env().Undefined();
}
Napi::Value Backend(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), gemm_backend_name()); }
}  // namespace
RECFORGE_BIND("gemm", Gemm);
RECFORGE_BIND("gemmBackend", Backend);
}  // namespace napi
}  // namespace recforge
