// Dense matrix multiply: the one GEMM entry point every op (matmul, linear, attention
// baselines) goes through.
//
// Row-major. C[b] = alpha * op(A[b]) · op(B[b]) + beta * C[b] for b in [0, batch), where
// op(A) is M×K (A is stored K×M when transA), op(B) is K×N (B stored N×K when transB).
// lda/ldb/ldc are row strides of the stored matrices; strideA/B/C are element strides
// between batch entries (0 broadcasts one matrix over the batch). beta == 0 means C is
// write-only (its old contents, even NaN, are ignored), as in BLAS.
//
// Backend: a CBLAS found at run time (dlopen of OpenBLAS / a system libcblas, see
// gemm_backend_name) when present, else recforge's own packed kernels (AVX-512, AVX2+FMA or
// baseline SSE2 variant, chosen at load: recforge/cpu_isa.h).
// RECFORGE_BLAS=own forces the own kernels; RECFORGE_BLAS=<path> picks a library.
// Even with a library, the own kernels take the shapes where they measured faster
// (native/cpu/gemm.cc has the numbers): thin products (two of M, N, K at most 256, N >= 8)
// and batches that split well over their entries (disjoint C entries, each below a 256³
// product or at least 4 entries per thread), which run one entry per thread. A library whose
// kernels are narrower than the own kernels' ISA (OpenBLAS's generic Prescott core on a CPU it
// does not know) gets no shape: gemm_dispatch_reason(). The own
// kernels keep per-thread packing buffers (grow-only, at most about 5 MB) between calls.
#pragma once
#include <cstdint>

#include "recforge/half.h"

struct CUstream_st;  // = cudaStream_t's target; no CUDA headers needed here

namespace recforge {

void gemm_f32(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
              int64_t lda, int64_t strideA, const float* B, int64_t ldb, int64_t strideB, float beta, float* C,
              int64_t ldc, int64_t strideC, int64_t batch);
void gemm_f64(bool transA, bool transB, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
              int64_t lda, int64_t strideA, const double* B, int64_t ldb, int64_t strideB, double beta,
              double* C, int64_t ldc, int64_t strideC, int64_t batch);

// recforge's own kernels, always available (used when no CBLAS is found; exposed so the
// benchmark can report them next to the library they replace).
void gemm_f32_own(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                  int64_t lda, int64_t strideA, const float* B, int64_t ldb, int64_t strideB, float beta,
                  float* C, int64_t ldc, int64_t strideC, int64_t batch);
// float64 counterpart (a plainer 6×8 kernel; float64 exists for gradient checks).
void gemm_f64_own(bool transA, bool transB, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
                  int64_t lda, int64_t strideA, const double* B, int64_t ldb, int64_t strideB, double beta,
                  double* C, int64_t ldc, int64_t strideC, int64_t batch);

// The CBLAS library in use ("openblas: /usr/lib/...", "own" when none). Also whether a
// CBLAS sgemm can be called directly (for the same-process benchmark baseline).
const char* gemm_backend_name();
// What the dispatch chose and why, decided once per process (native/cpu/gemm_choice.cc): e.g.
// "OpenBLAS 0.3.21 core Prescott (sse3) < own kernels avx512 -> own GEMM for every shape".
// gemm_own_everywhere(): true when gemm_f32/gemm_f64 never call the library.
const char* gemm_dispatch_reason();
bool gemm_own_everywhere();
bool cblas_available();
// Calls the library's cblas_sgemm directly (row-major), no batching: the baseline.
// Returns false when no CBLAS is loaded.
bool cblas_sgemm_direct(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                        int64_t lda, const float* B, int64_t ldb, float beta, float* C, int64_t ldc);
// Keeps the BLAS library's own thread count in step with recforge's pool.
void gemm_set_num_threads(int n);

// ---- CUDA (native/cuda/gemm.cu, native/cuda/gemm_cublas.cu) -----------------------------
// The same contract on DEVICE pointers, asynchronous on `stream`. Backend: cuBLAS when the
// build found it (CMake: find_library cublas -> RECFORGE_HAVE_CUBLAS), else recforge's own
// kernels: a 128x128 register-tiled SIMT kernel for float32 / float64 (exact fp32 / fp64
// arithmetic, no TF32), and a tensor-core kernel (WMMA 16x16x16, fp32 accumulation) for
// 16-bit inputs. Sizes beyond cuBLAS's int range also run on the own kernels.
void gemm_f32_cuda(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                   int64_t lda, int64_t strideA, const float* B, int64_t ldb, int64_t strideB, float beta, float* C,
                   int64_t ldc, int64_t strideC, int64_t batch, CUstream_st* stream);
void gemm_f64_cuda(bool transA, bool transB, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
                   int64_t lda, int64_t strideA, const double* B, int64_t ldb, int64_t strideB, double beta,
                   double* C, int64_t ldc, int64_t strideC, int64_t batch, CUstream_st* stream);

// 16-bit inputs (raw bit patterns of bfloat16 or IEEE half; HalfKind in recforge/half.h), fp32
// accumulation, fp32 C.
void gemm_half_cuda(HalfKind kind, bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
                    const uint16_t* A, int64_t lda, int64_t strideA, const uint16_t* B, int64_t ldb, int64_t strideB,
                    float beta, float* C, int64_t ldc, int64_t strideC, int64_t batch, CUstream_st* stream);

// The own kernels alone (tests and the benchmark compare them with cuBLAS / PyTorch).
void gemm_f32_own_cuda(bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha, const float* A,
                       int64_t lda, int64_t strideA, const float* B, int64_t ldb, int64_t strideB, float beta,
                       float* C, int64_t ldc, int64_t strideC, int64_t batch, CUstream_st* stream);
void gemm_f64_own_cuda(bool transA, bool transB, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
                       int64_t lda, int64_t strideA, const double* B, int64_t ldb, int64_t strideB, double beta,
                       double* C, int64_t ldc, int64_t strideC, int64_t batch, CUstream_st* stream);
void gemm_half_own_cuda(HalfKind kind, bool transA, bool transB, int64_t M, int64_t N, int64_t K, float alpha,
                        const uint16_t* A, int64_t lda, int64_t strideA, const uint16_t* B, int64_t ldb,
                        int64_t strideB, float beta, float* C, int64_t ldc, int64_t strideC, int64_t batch,
                        CUstream_st* stream);

// float32 <-> 16-bit conversions on the device (round to nearest even).
void float_to_half_cuda(HalfKind kind, const float* src, uint16_t* dst, int64_t n, CUstream_st* stream);
void half_to_float_cuda(HalfKind kind, const uint16_t* src, float* dst, int64_t n, CUstream_st* stream);

// "cublas" or "own": what gemm_*_cuda dispatch to in this build.
const char* gemm_cuda_backend_name();

}  // namespace recforge
