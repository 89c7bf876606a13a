// Private pieces shared by the GEMM sources (gemm.cc, gemm_own.cc, cblas_loader.cc).
// Not part of the public interface: ops include recforge/gemm.h only.
#pragma once
#include <cstdint>
#include <string>

namespace recforge {
namespace gemm_detail {

// CBLAS enum values (cblas.h), spelled out so that no BLAS header is needed to build.
enum : int { kRowMajor = 101, kNoTrans = 111, kTrans = 112 };

// The reference CBLAS ABI with 32-bit integers (LP64: libopenblas0, libcblas, libblas).
using SgemmFn = void (*)(int order, int transA, int transB, int M, int N, int K, float alpha, const float* A,
                         int lda, const float* B, int ldb, float beta, float* C, int ldc);
using DgemmFn = void (*)(int order, int transA, int transB, int M, int N, int K, double alpha, const double* A,
                         int lda, const double* B, int ldb, double beta, double* C, int ldc);
using SetThreadsFn = void (*)(int);

struct Cblas {
  SgemmFn sgemm = nullptr;           // null: no CBLAS found (or RECFORGE_BLAS=own)
  DgemmFn dgemm = nullptr;           // may be null even when sgemm is not
  SetThreadsFn set_threads = nullptr;  // openblas_set_num_threads, OpenBLAS only
  const char* name = "own";          // human-readable backend description
  const char* core = "";             // openblas_get_corename() ("Haswell", "Prescott"...), "" when none
  const char* config = "";           // openblas_get_config() ("OpenBLAS 0.3.21 DYNAMIC_ARCH ..."), "" when none
  // true: the library's own threads are kept at 1 and recforge splits each large call over its
  // pool (library_gemm in gemm.cc), so that one set of worker threads runs on the cores, not two.
  // Decided at load (cblas_loader.cc): OpenBLAS only (set_threads known), unless the user pinned
  // OPENBLAS_NUM_THREADS or chose RECFORGE_BLAS_THREADS=library.
  bool pooled = false;
};

// Loads the library on first use (thread-safe, once per process) and returns it.
const Cblas& cblas();

// Whether the library's kernels are worth calling on this machine, decided once per process
// (gemm_choice.cc): when the library runs kernels below the instruction set of the own kernels
// (an OpenBLAS that did not recognise the CPU runs its generic Prescott SSE3 kernels), every
// shape goes to the own kernels.
struct GemmChoice {
  bool own_everywhere = false;  // true: never call the library
  // true: mid-size products (every dimension in (kThinDim, kOwnMidMax], gemm.cc) go to the own kernels
  // too. Set when the library is single-threaded inside recforge's pool and its kernels are exactly as
  // wide as the own ones (gemm_choice.cc says why).
  bool own_mid = false;
  std::string reason;           // for `recforge info`, e.g. "OpenBLAS 0.3.21 core Prescott (sse3) < cpu avx512 → ..."
};
const GemmChoice& gemm_choice();

// Own kernels on one matrix pair with every thread of the pool (or serially when
// `serial`). Exactly the semantics of gemm_f32/gemm_f64 for batch == 1.
template <typename T>
void own_gemm_one(bool transA, bool transB, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                  const T* B, int64_t ldb, T beta, T* C, int64_t ldc, bool serial);

// One row-major SGEMM through the library as the dispatch makes it (split over recforge's pool
// when Cblas::pooled). The library must be loaded (cblas().sgemm non-null).
void library_sgemm(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                   int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);

// C = beta * C over an M×N block (beta == 0 writes zeros, ignoring NaN): the whole GEMM
// when K == 0 or alpha == 0.
template <typename T>
void scale_c(int64_t M, int64_t N, T beta, T* C, int64_t ldc);

}  // namespace gemm_detail
}  // namespace recforge
