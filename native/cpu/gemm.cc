// GEMM dispatch: a CBLAS found at run time for large products, recforge's own kernels
// otherwise (no library, RECFORGE_BLAS=own, arguments the 32-bit CBLAS ABI cannot take)
// and for batches of small matrices.
//
// Batches: CBLAS has no batched call, and one library call per tiny matrix pays the
// library's fixed cost (argument checks, its own thread decision) every time while using
// one core. So when C's batch entries are disjoint and each product is small (below
// kBlasBatchFlops, about a 128³ product) the whole batch runs on the own kernel, split
// over the batch across recforge's threads, each entry single-threaded. Larger entries
// go to the library one at a time, each using all its threads.
#include "recforge/gemm.h"

#include <algorithm>
#include <climits>

#include "gemm_internal.h"
#include "recforge/parallel.h"

namespace recforge {
namespace {

using gemm_detail::cblas;
using gemm_detail::Cblas;

// Per-entry flops below which a batch is better served by the own kernel parallelised
// over the batch than by one library call per entry (measured by native/bench/gemm_bench).
constexpr double kBlasBatchFlops = 2.0 * 128 * 128 * 128;
// Each batch chunk of the own kernel should carry at least this many flops (see
// kParallelFlops in gemm_own.cc: below it, waking a thread costs more than it saves).
constexpr double kChunkFlops = 1.0 * (1 << 20);

// True when the batch entries of C (rows of ldc, last row N long) do not overlap, so
// that entries can be computed concurrently.
bool c_entries_disjoint(int64_t M, int64_t N, int64_t ldc, int64_t strideC, int64_t batch) {
  return batch <= 1 || strideC >= (M - 1) * ldc + N;
}

// The CBLAS ABI here takes 32-bit ints and rejects leading dimensions below max(1, cols).
bool fits_cblas(bool transA, bool transB, int64_t M, int64_t N, int64_t K, int64_t lda, int64_t ldb,
                int64_t ldc) {
  const int64_t big = INT_MAX;
  if (M > big || N > big || K > big || lda > big || ldb > big || ldc > big) return false;
  const int64_t colsA = transA ? M : K, colsB = transB ? K : N;
  return lda >= std::max<int64_t>(1, colsA) && ldb >= std::max<int64_t>(1, colsB) &&
         ldc >= std::max<int64_t>(1, N);
}

template <typename T>
void own_batched(bool transA, bool transB, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                 int64_t strideA, const T* B, int64_t ldb, int64_t strideB, T beta, T* C, int64_t ldc,
                 int64_t strideC, int64_t batch) {
  if (M <= 0 || N <= 0 || batch <= 0) return;
  const double entry_flops = 2.0 * (double)M * (double)N * (double)std::max<int64_t>(K, 1);
  const int nt = num_threads();
  // Over the batch when entries are small (each alone would not fill the threads) or
  // numerous enough that splitting the batch balances well; inside each entry otherwise.
  const bool over_batch = batch > 1 && nt > 1 && c_entries_disjoint(M, N, ldc, strideC, batch) &&
                          (entry_flops < 8.0 * kBlasBatchFlops || batch >= 4 * nt);
  if (over_batch) {
    const int64_t grain = std::max<int64_t>(1, (int64_t)(kChunkFlops / entry_flops));
    parallel_for(batch, grain, [&](int64_t b0, int64_t b1) {
      for (int64_t b = b0; b < b1; ++b)
        gemm_detail::own_gemm_one<T>(transA, transB, M, N, K, alpha, A + b * strideA, lda, B + b * strideB, ldb,
                                     beta, C + b * strideC, ldc, /*serial=*/true);
    });
  } else {
    for (int64_t b = 0; b < batch; ++b)
      gemm_detail::own_gemm_one<T>(transA, transB, M, N, K, alpha, A + b * strideA, lda, B + b * strideB, ldb,
                                   beta, C + b * strideC, ldc, /*serial=*/false);
  }
}

// Shared body of gemm_f32/gemm_f64: `fn` is the library's cblas_?gemm or null.
template <typename T, typename Fn>
void dispatch(Fn fn, bool transA, bool transB, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
              int64_t strideA, const T* B, int64_t ldb, int64_t strideB, T beta, T* C, int64_t ldc,
              int64_t strideC, int64_t batch) {
  if (M <= 0 || N <= 0 || batch <= 0) return;
  const double entry_flops = 2.0 * (double)M * (double)N * (double)K;
  const bool use_blas = fn && K > 0 && alpha != T(0) && fits_cblas(transA, transB, M, N, K, lda, ldb, ldc) &&
                        !(batch > 1 && entry_flops < kBlasBatchFlops &&
                          c_entries_disjoint(M, N, ldc, strideC, batch));
  if (!use_blas) {
    own_batched<T>(transA, transB, M, N, K, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC,
                   batch);
    return;
  }
  const int ta = transA ? gemm_detail::kTrans : gemm_detail::kNoTrans;
  const int tb = transB ? gemm_detail::kTrans : gemm_detail::kNoTrans;
  for (int64_t b = 0; b < batch; ++b)
    fn(gemm_detail::kRowMajor, ta, tb, (int)M, (int)N, (int)K, alpha, A + b * strideA, (int)lda, B + b * strideB,
       (int)ldb, beta, C + b * strideC, (int)ldc);
}

}  // namespace

void gemm_f32(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, int64_t strideA, const float* B, int64_t ldb, int64_t strideB, float beta, float* C,
              int64_t ldc, int64_t strideC, int64_t batch) {
  dispatch<float>(cblas().sgemm, transA, transB, M, N, K, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc,
                  strideC, batch);
}

void gemm_f64(bool transA, bool transB, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
              int64_t lda, int64_t strideA, const double* B, int64_t ldb, int64_t strideB, double beta,
              double* C, int64_t ldc, int64_t strideC, int64_t batch) {
  dispatch<double>(cblas().dgemm, transA, transB, M, N, K, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc,
                   strideC, batch);
}

void gemm_f32_own(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                  int64_t lda, int64_t strideA, const float* B, int64_t ldb, int64_t strideB, float beta,
                  float* C, int64_t ldc, int64_t strideC, int64_t batch) {
  own_batched<float>(transA, transB, M, N, K, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC,
                     batch);
}

void gemm_f64_own(bool transA, bool transB, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
                  int64_t lda, int64_t strideA, const double* B, int64_t ldb, int64_t strideB, double beta,
                  double* C, int64_t ldc, int64_t strideC, int64_t batch) {
  own_batched<double>(transA, transB, M, N, K, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC,
                      batch);
}

const char* gemm_backend_name() { return cblas().name; }
bool cblas_available() { return cblas().sgemm != nullptr; }

bool cblas_sgemm_direct(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                        int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  const Cblas& lib = cblas();
  if (!lib.sgemm) return false;
  if (M <= 0 || N <= 0) return true;
  if (K <= 0 || alpha == 0.f) {  // nothing for the library to multiply; BLAS semantics
    gemm_detail::scale_c(M, N, beta, C, ldc);
    return true;
  }
  if (!fits_cblas(transA, transB, M, N, K, lda, ldb, ldc)) return false;
  lib.sgemm(gemm_detail::kRowMajor, transA ? gemm_detail::kTrans : gemm_detail::kNoTrans,
            transB ? gemm_detail::kTrans : gemm_detail::kNoTrans, (int)M, (int)N, (int)K, alpha, A, (int)lda, B,
            (int)ldb, beta, C, (int)ldc);
  return true;
}

void gemm_set_num_threads(int n) {
  const Cblas& lib = cblas();
  if (lib.set_threads) lib.set_threads(std::max(1, n));
}

}  // namespace recforge
