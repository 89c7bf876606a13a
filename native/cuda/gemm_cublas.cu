// cuBLAS path of the device GEMM (built only when CMake finds cuBLAS: RECFORGE_HAVE_CUBLAS).
// Row-major C = op(A)·op(B) is computed as the column-major Cᵀ = op(B)ᵀ·op(A)ᵀ: the stored
// row-major matrices read as column-major are already the transposes, so A and B swap
// places and keep their own transpose flags. Exact fp32 (CUBLAS_COMPUTE_32F, default math
// mode: no TF32) and fp64; 16-bit inputs accumulate in fp32.
#ifdef RECFORGE_HAVE_CUBLAS
#include <cublas_v2.h>
#include <cuda_runtime.h>

#include <climits>
#include <cstdint>
#include <mutex>

namespace recforge {
namespace cuda {
namespace {

cublasHandle_t handle() {
  static std::once_flag once;
  static cublasHandle_t h = nullptr;
  std::call_once(once, [] {
    if (cublasCreate(&h) != CUBLAS_STATUS_SUCCESS) h = nullptr;
  });
  return h;
}

bool fits_int(int64_t v) { return v >= 0 && v <= INT_MAX; }

}  // namespace

bool cublas_gemm(int type, bool tA, bool tB, int64_t M, int64_t N, int64_t K, const void* alpha, const void* A,
                 int64_t lda, int64_t sA, const void* B, int64_t ldb, int64_t sB, const void* beta, void* C,
                 int64_t ldc, int64_t sC, int64_t batch, cudaStream_t stream) {
  // Empty and K == 0 products go to the own path, which defines them exactly (C = beta*C).
  if (M <= 0 || N <= 0 || K <= 0 || batch <= 0) return false;
  if (!fits_int(M) || !fits_int(N) || !fits_int(K) || !fits_int(lda) || !fits_int(ldb) || !fits_int(ldc) ||
      !fits_int(batch))
    return false;
  cublasHandle_t h = handle();
  if (!h || cublasSetStream(h, stream) != CUBLAS_STATUS_SUCCESS) return false;
  cudaDataType_t ab, cd;
  cublasComputeType_t ct;
  switch (type) {
    case 0: ab = CUDA_R_32F; cd = CUDA_R_32F; ct = CUBLAS_COMPUTE_32F; break;
    case 1: ab = CUDA_R_64F; cd = CUDA_R_64F; ct = CUBLAS_COMPUTE_64F; break;
    case 2: ab = CUDA_R_16BF; cd = CUDA_R_32F; ct = CUBLAS_COMPUTE_32F; break;
    case 3: ab = CUDA_R_16F; cd = CUDA_R_32F; ct = CUBLAS_COMPUTE_32F; break;
    default: return false;
  }
  // The leading dimensions cuBLAS checks: ld >= rows of the stored column-major matrix.
  const int64_t need_ldb = tB ? K : N, need_lda = tA ? M : K;
  if (ldb < need_ldb || lda < need_lda || ldc < N) return false;
  const cublasOperation_t opB = tB ? CUBLAS_OP_T : CUBLAS_OP_N, opA = tA ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasStatus_t st = cublasGemmStridedBatchedEx(h, opB, opA, (int)N, (int)M, (int)K, alpha, B, ab, (int)ldb,
                                                 (long long)sB, A, ab, (int)lda, (long long)sA, beta, C, cd, (int)ldc,
                                                 (long long)sC, (int)batch, ct, CUBLAS_GEMM_DEFAULT);
  return st == CUBLAS_STATUS_SUCCESS;
}

}  // namespace cuda
}  // namespace recforge
#endif  // RECFORGE_HAVE_CUBLAS
