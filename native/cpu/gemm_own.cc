// recforge's own GEMM: a packed, cache-blocked Goto/BLIS-style kernel with a
// register-blocked micro-kernel per instruction set (gemm_own_kernels.h). Used when no CBLAS is found at run time, and always
// available (gemm_f32_own) so benchmarks can compare it with the library it replaces.
//
// Loop nest (per thread, on its slice of C):
//   jc over N in NC columns            B block  KC×NC  packed into NR-column panels (L3)
//     pc over K in KC                  A block  MC×KC  packed into MR-row panels    (L2)
//       ic over M in MC rows
//         jr over the block in NR      B micro-panel KC×NR stays in L1 across ir
//           ir over the block in MR    micro-kernel: MR×NR accumulators in registers
// When fewer than 17 B panels reuse an A block (N ≤ 256 per thread), A is not packed
// (unless it is stored transposed with a row stride over 512 bytes): the micro-kernel
// reads it in place through six row pointers, which on the tall-skinny products of small
// layers beats paying for the copy.
// The micro-kernel is 6×16 for float (12 ymm accumulators + 2 B vectors + 1 broadcast of
// A = 15 of 16 registers; 12 independent FMA chains hide the 4-cycle FMA latency at two
// FMAs per cycle) and 6×8 for double.
//
// Threads: C is split into independent slices, by rows (each thread packs its rows of A
// and all of B) or by columns (its columns of B and all of A). The split duplicates the
// packing of the smaller operand, which keeps the threads free of any barrier: one
// parallel_for per call. Small products run on the calling thread.
//
// Workspace: packing buffers are per thread, 64-byte aligned and grow-only, at most
// (MC + NC) × KC elements per thread (about 4.6 MB for float): allocated on first use and
// then reused, never on the hot path after warm-up.
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
