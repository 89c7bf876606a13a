// recforge's own GEMM: a packed, cache-blocked Goto/BLIS-style kernel whose body
// (gemm_own_kernels.h: the loop nest, packing, micro-kernel, threading) is compiled once
// per instruction set. Used when no CBLAS is found at run time, and always available
// (gemm_f32_own) so benchmarks can compare it with the library it replaces.
//
// This file: scale_c and the run-time dispatch of own_gemm_one to the variant cpu_isa()
// chose (baseline SSE2, AVX2+FMA or AVX-512: gemm_own_{baseline,avx2,avx512}.cc).
#include <algorithm>
#include <cstdint>

#include "gemm_internal.h"
#include "recforge/cpu_isa.h"

namespace recforge {
namespace gemm_detail {

#define RECFORGE_DECLARE_GEMM_ISA(ns)                                                                          \
  namespace ns {                                                                                           \
  template <typename T>                                                                                    \
  void own_gemm_one(bool transA, bool transB, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda, \
                    const T* B, int64_t ldb, T beta, T* C, int64_t ldc, bool serial);                       \
  }
RECFORGE_DECLARE_GEMM_ISA(isa_baseline)
RECFORGE_DECLARE_GEMM_ISA(isa_avx2)
RECFORGE_DECLARE_GEMM_ISA(isa_avx512)
#undef RECFORGE_DECLARE_GEMM_ISA

template <typename T>
void scale_c(int64_t M, int64_t N, T beta, T* C, int64_t ldc) {
  for (int64_t i = 0; i < M; ++i) {
    T* row = C + i * ldc;
    if (beta == T(0))
      std::fill(row, row + N, T(0));
    else if (beta != T(1))
      for (int64_t j = 0; j < N; ++j) row[j] *= beta;
  }
}

template <typename T>
void own_gemm_one(bool transA, bool transB, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda,
                  const T* B, int64_t ldb, T beta, T* C, int64_t ldc, bool serial) {
  static const CpuIsa isa = cpu_isa();
  switch (isa) {
    case CpuIsa::Avx512:
      return isa_avx512::own_gemm_one<T>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, serial);
    case CpuIsa::Avx2:
      return isa_avx2::own_gemm_one<T>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, serial);
    default:
      return isa_baseline::own_gemm_one<T>(transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc, serial);
  }
}

template void scale_c<float>(int64_t, int64_t, float, float*, int64_t);
template void scale_c<double>(int64_t, int64_t, double, double*, int64_t);
template void own_gemm_one<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t,
                                  const float*, int64_t, float, float*, int64_t, bool);
template void own_gemm_one<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                                   const double*, int64_t, double, double*, int64_t, bool);

}  // namespace gemm_detail
}  // namespace recforge
