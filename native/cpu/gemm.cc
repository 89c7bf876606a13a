// GEMM dispatch: a CBLAS found at run time (dlopen, see cblas_loader.cc) or recforge's
// own kernels (gemm_own.cc). The own kernels run when there is no library
// (RECFORGE_BLAS=own, none installed), when the arguments do not fit the 32-bit CBLAS
// ABI, and for the shapes where they measured faster than the library on this project's
// 2-core machines (bench/native/gemm_bench, OpenBLAS 0.3.21 Haswell kernels, 2 threads):
//
// - Batches whose C entries are disjoint and that split well over the batch (entries
//   below a 256³ product, or at least 4 entries per thread): one thread per entry, no
//   synchronisation inside an entry. CBLAS has no batched call, and one library call per
//   small matrix pays the library's fixed cost and its thread hand-off every time:
//   batch 128 × 64³ ran at 202 vs 114 GFLOP/s, 32 × 128³ at 202 vs 99, 8 × 256³ at 237
//   vs 219.
// - Thin products, two of M, N, K at most 256 and the third above it, with N >= 8 (dense
//   layers on a batch of rows and their weight gradients): 4096×64×64 ran at 231 vs 129 GFLOP/s,
//   4096×128×128 at 244 vs 143, 64×64×4096 (Aᵀ) at 155 vs 118. Square products are
//   within a few percent either way and go to the library; so do N < 8 (matrix-vector
//   like products, where the own 6×16 tile wastes most of its lanes).
//
// All of that holds only for a library whose kernels use the CPU: one running kernels below the
// own kernels' instruction set (OpenBLAS on a CPU it does not recognise runs its generic Prescott
// SSE3 kernels) gets no shape at all (gemm_choice.cc decides once and says why; `recforge info`).
#include "recforge/gemm.h"

#include <algorithm>
#include <climits>

#include "gemm_internal.h"
#include "recforge/parallel.h"

namespace recforge {
namespace {

using gemm_detail::cblas;
using gemm_detail::Cblas;

// Each batch chunk of the own kernel should carry at least this many flops (see
// kParallelFlops in gemm_own.cc: below it, waking a thread costs more than it saves).
constexpr double kChunkFlops = 1.0 * (1 << 20);
// Entries below this many flops are split over the batch even when there are few of them.
constexpr double kSmallEntryFlops = 2.0 * 256 * 256 * 256;
// "Thin" products (see the top of the file): two dimensions at most this.
constexpr int64_t kThinDim = 256;

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

// Whether a batch runs split over its entries (each entry on one thread) rather than
// entry after entry with every thread inside each.
bool split_over_batch(int64_t M, int64_t N, int64_t K, int64_t ldc, int64_t strideC, int64_t batch) {
  if (batch <= 1 || num_threads() <= 1 || !c_entries_disjoint(M, N, ldc, strideC, batch)) return false;
  const double entry_flops = 2.0 * (double)M * (double)N * (double)std::max<int64_t>(K, 1);
  return entry_flops < kSmallEntryFlops || batch >= 4 * num_threads();
}

// Mid-size products (gemm_choice.cc, GemmChoice::own_mid): every dimension in (kThinDim, kOwnMidMax].
constexpr int64_t kOwnMidMax = 1024;
bool mid_size(int64_t M, int64_t N, int64_t K) {
  return std::min({M, N, K}) > kThinDim && std::max({M, N, K}) <= kOwnMidMax;
}

bool thin(int64_t M, int64_t N, int64_t K) {
  const int small = (M <= kThinDim) + (N <= kThinDim) + (K <= kThinDim);
  // Exactly "two small, one large": products small in all three dimensions go to the library. Measured
  // quiet on the Zen 4 machine with OpenBLAS Cooperlake kernels (gemm_bench, 2 threads, own / library):
  // 96³ 0.65, 100×150×50 0.60, 128³ 0.82, 64³ 0.90, 256³ 0.60 in `bench ops` (0.99–1.18 in gemm_bench
  // runs: noisy at that size), against 200×256×128 1.15 and 256×200×256 1.04 — small cubes lose more
  // than the few mixed ones gain, so the rule sends every all-small product to the library.
  return small >= 2 && N >= 8 && std::max({M, N, K}) > kThinDim;
}

template <typename T>
void own_batched(bool transA, bool transB, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                 int64_t strideA, const T* B, int64_t ldb, int64_t strideB, T beta, T* C, int64_t ldc,
                 int64_t strideC, int64_t batch) {
  if (M <= 0 || N <= 0 || batch <= 0) return;
  if (split_over_batch(M, N, K, ldc, strideC, batch)) {
    const double entry_flops = 2.0 * (double)M * (double)N * (double)std::max<int64_t>(K, 1);
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

// One library call C = alpha·op(A)·op(B) + beta·C. When the library runs single-threaded inside
// recforge's pool (Cblas::pooled, see cblas_loader.cc), a large call is split into row blocks of C
// (or column blocks when C is wider than tall), one library call per block, over the pool: the
// blocks are disjoint, and each is the same product restricted to its rows of op(A) (columns of
// op(B)), so the result is what one call gives up to the library's own blocking of the sums.
template <typename T, typename Fn>
void library_gemm(Fn fn, bool transA, bool transB, int64_t M, int64_t N, int64_t K, T alpha, const T* A,
                  int64_t lda, const T* B, int64_t ldb, T beta, T* C, int64_t ldc) {
  const int ta = transA ? gemm_detail::kTrans : gemm_detail::kNoTrans;
  const int tb = transB ? gemm_detail::kTrans : gemm_detail::kNoTrans;
  const double flops = 2.0 * (double)M * (double)N * (double)K;
  if (!gemm_detail::cblas().pooled || num_threads() <= 1 || flops < 2 * kChunkFlops) {
    fn(gemm_detail::kRowMajor, ta, tb, (int)M, (int)N, (int)K, alpha, A, (int)lda, B, (int)ldb, beta, C, (int)ldc);
    return;
  }
  if (M >= N) {
    const int64_t grain = std::max<int64_t>(16, (int64_t)(kChunkFlops / (2.0 * (double)N * (double)K)));
    parallel_for(M, grain, [&](int64_t m0, int64_t m1) {
      const T* As = transA ? A + m0 : A + m0 * lda;  // rows m0.. of op(A)
      fn(gemm_detail::kRowMajor, ta, tb, (int)(m1 - m0), (int)N, (int)K, alpha, As, (int)lda, B, (int)ldb, beta,
         C + m0 * ldc, (int)ldc);
    });
  } else {
    const int64_t grain = std::max<int64_t>(16, (int64_t)(kChunkFlops / (2.0 * (double)M * (double)K)));
    parallel_for(N, grain, [&](int64_t n0, int64_t n1) {
      const T* Bs = transB ? B + n0 * ldb : B + n0;  // columns n0.. of op(B)
      fn(gemm_detail::kRowMajor, ta, tb, (int)M, (int)(n1 - n0), (int)K, alpha, A, (int)lda, Bs, (int)ldb, beta,
         C + n0, (int)ldc);
    });
  }
}

// Shared body of gemm_f32/gemm_f64: `fn` is the library's cblas_?gemm or null.
template <typename T, typename Fn>
void dispatch(Fn fn, bool transA, bool transB, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
              int64_t strideA, const T* B, int64_t ldb, int64_t strideB, T beta, T* C, int64_t ldc,
              int64_t strideC, int64_t batch) {
  if (M <= 0 || N <= 0 || batch <= 0) return;
  const gemm_detail::GemmChoice& choice = gemm_detail::gemm_choice();
  const bool use_blas = fn && K > 0 && alpha != T(0) && !choice.own_everywhere &&
                        fits_cblas(transA, transB, M, N, K, lda, ldb, ldc) && !thin(M, N, K) &&
                        !(choice.own_mid && mid_size(M, N, K)) && !split_over_batch(M, N, K, ldc, strideC, batch);
  if (!use_blas) {
    own_batched<T>(transA, transB, M, N, K, alpha, A, lda, strideA, B, ldb, strideB, beta, C, ldc, strideC,
                   batch);
    return;
  }
  for (int64_t b = 0; b < batch; ++b)
    library_gemm<T>(fn, transA, transB, M, N, K, alpha, A + b * strideA, lda, B + b * strideB, ldb, beta,
                    C + b * strideC, ldc);
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
const char* gemm_dispatch_reason() { return gemm_detail::gemm_choice().reason.c_str(); }
bool gemm_own_everywhere() { return gemm_detail::gemm_choice().own_everywhere; }
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
  // The library as a user would call it: with its own threads (as many as recforge's pool), even
  // where recforge keeps them at one (Cblas::pooled): `bench ops` compares against this call.
  if (lib.pooled) lib.set_threads(num_threads());
  lib.sgemm(gemm_detail::kRowMajor, transA ? gemm_detail::kTrans : gemm_detail::kNoTrans,
            transB ? gemm_detail::kTrans : gemm_detail::kNoTrans, (int)M, (int)N, (int)K, alpha, A, (int)lda, B,
            (int)ldb, beta, C, (int)ldc);
  if (lib.pooled) lib.set_threads(1);
  return true;
}

void gemm_set_num_threads(int n) {
  const Cblas& lib = cblas();
  // Pooled: the library stays single-threaded; recforge's pool (set_num_threads) is the parallelism.
  if (lib.set_threads && !lib.pooled) lib.set_threads(std::max(1, n));
}

namespace gemm_detail {
void library_sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                   int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc) {
  library_gemm<float>(cblas().sgemm, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}
}  // namespace gemm_detail

}  // namespace recforge
