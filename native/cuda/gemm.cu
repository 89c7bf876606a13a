// Dense GEMM on the device (contract: recforge/gemm.h). Dispatch: cuBLAS when this build
// has it (gemm_cublas.cu), else the own kernels below.
//
// SIMT (float32 / float64): 128x128 block tile, BK = 8, 256 threads each computing 8x8
// outputs split into two 4-wide row groups and two 4-wide column groups (64 apart) so that
// shared-memory reads are broadcasts or conflict-free 16-byte loads. The next K tile is
// prefetched into registers while the current one is multiplied.
//
// Tensor cores (bf16 / fp16 inputs, fp32 accumulation): 128x128 block tile, BK = 32, eight
// warps of 64x32 (4x2 WMMA 16x16x16 fragments each). Tiles are staged through shared memory
// in row-major form whatever the transposes (transposed operands are scattered on store),
// with 16-byte global loads where alignment allows and bounds-checked scalar loads at edges.
//
// Both: batch entries over blockIdx.z (grid-stride beyond 65535), alpha/beta epilogue with
// beta == 0 meaning C is write-only.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>
#include <mma.h>

#include <climits>

#include "common.cuh"
#include "recforge/gemm.h"

namespace recforge {
#ifdef RECFORGE_HAVE_CUBLAS
namespace cuda {
// gemm_cublas.cu. type: 0 f32, 1 f64, 2 bf16, 3 fp16. Returns false when cuBLAS cannot take
// the call (sizes beyond int, no handle); the caller then uses the own kernels.
bool cublas_gemm(int type, bool tA, bool tB, int64_t M, int64_t N, int64_t K, const void* alpha, const void* A,
                 int64_t lda, int64_t sA, const void* B, int64_t ldb, int64_t sB, const void* beta, void* C,
                 int64_t ldc, int64_t sC, int64_t batch, cudaStream_t stream);
}  // namespace cuda
#endif

namespace {
using namespace cuda;

// ---- SIMT ----------------------------------------------------------------------------
constexpr int kBM = 128, kBN = 128, kBK = 8;

template <typename T>
__global__ void __launch_bounds__(256)
    gemm_simt_kernel(bool tA, bool tB, int64_t M, int64_t N, int64_t K, T alpha, const T* __restrict__ A,
                     int64_t lda, int64_t sA, const T* __restrict__ B, int64_t ldb, int64_t sB, T beta,
                     T* __restrict__ C, int64_t ldc, int64_t sC, int64_t batch) {
  __shared__ T As[kBK][kBM];
  __shared__ T Bs[kBK][kBN];
  const int t = threadIdx.x;
  const int ty = t / 16, tx = t % 16;
  const int64_t m0 = (int64_t)blockIdx.x * kBM, n0 = (int64_t)blockIdx.y * kBN;
  // Loader coordinates inside the tile: 4 elements per thread per operand.
  // op(A) tile is kBM x kBK; contiguous along k when !tA, along m when tA.
  const int a_m = tA ? (t % 32) * 4 : t / 2, a_k = tA ? t / 32 : (t % 2) * 4;
  const int b_n = tB ? t / 2 : (t % 32) * 4, b_k = tB ? (t % 2) * 4 : t / 32;

  for (int64_t z = blockIdx.z; z < batch; z += gridDim.z) {
    const T* a = A + z * sA;
    const T* b = B + z * sB;
    T* c = C + z * sC;
    T acc[8][8];
#pragma unroll
    for (int i = 0; i < 8; ++i)
#pragma unroll
      for (int j = 0; j < 8; ++j) acc[i][j] = T(0);
    T ra[4], rb[4];

    auto load = [&](int64_t k0) {
#pragma unroll
      for (int q = 0; q < 4; ++q) {
        const int mm = tA ? a_m + q : a_m, kk = tA ? a_k : a_k + q;
        const int64_t gm = m0 + mm, gk = k0 + kk;
        ra[q] = (gm < M && gk < K) ? (tA ? a[gk * lda + gm] : a[gm * lda + gk]) : T(0);
        const int nn = tB ? b_n : b_n + q, kb = tB ? b_k + q : b_k;
        const int64_t gn = n0 + nn, gkb = k0 + kb;
        rb[q] = (gn < N && gkb < K) ? (tB ? b[gn * ldb + gkb] : b[gkb * ldb + gn]) : T(0);
      }
    };
    auto store = [&]() {
#pragma unroll
      for (int q = 0; q < 4; ++q) {
        if (tA) As[a_k][a_m + q] = ra[q];
        else As[a_k + q][a_m] = ra[q];
        if (tB) Bs[b_k + q][b_n] = rb[q];
        else Bs[b_k][b_n + q] = rb[q];
      }
    };

    load(0);
    store();
    __syncthreads();
    for (int64_t k0 = 0; k0 < K; k0 += kBK) {
      const bool more = k0 + kBK < K;
      if (more) load(k0 + kBK);
#pragma unroll
      for (int kk = 0; kk < kBK; ++kk) {
        T af[8], bf[8];
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          af[i] = As[kk][ty * 4 + i];
          af[i + 4] = As[kk][64 + ty * 4 + i];
          bf[i] = Bs[kk][tx * 4 + i];
          bf[i + 4] = Bs[kk][64 + tx * 4 + i];
        }
#pragma unroll
        for (int i = 0; i < 8; ++i)
#pragma unroll
          for (int j = 0; j < 8; ++j) acc[i][j] += af[i] * bf[j];
      }
      __syncthreads();
      if (more) {
        store();
        __syncthreads();
      }
    }
#pragma unroll
    for (int i = 0; i < 8; ++i) {
      const int64_t gm = m0 + (i < 4 ? ty * 4 + i : 64 + ty * 4 + (i - 4));
      if (gm >= M) continue;
#pragma unroll
      for (int j = 0; j < 8; ++j) {
        const int64_t gn = n0 + (j < 4 ? tx * 4 + j : 64 + tx * 4 + (j - 4));
        if (gn >= N) continue;
        T* p = c + gm * ldc + gn;
        *p = beta == T(0) ? alpha * acc[i][j] : alpha * acc[i][j] + beta * *p;
      }
    }
    __syncthreads();  // the next batch entry reuses As / Bs
  }
}

// ---- tensor cores (WMMA) ---------------------------------------------------------------
constexpr int kHBM = 128, kHBN = 128, kHBK = 32;
constexpr int kLdA = kHBK + 8;  // shared row strides (elements): multiples of 8, break bank patterns
constexpr int kLdB = kHBN + 8;

template <typename H>
struct alignas(16) Vec8 {
  H v[8];
};

// Eight consecutive elements of a row-major operand (leading dimension ld) at (row, col), as one
// 16-byte load when allowed and fully in bounds, else element by element with zeros outside
// [0, lim_row) x [0, lim_col). Shared by the A and B tile loads.
template <typename H>
__device__ inline Vec8<H> load_chunk8(const H* base, int64_t ld, int64_t row, int64_t col, int64_t lim_row,
                                      int64_t lim_col, bool vec, H zero) {
  const H* p = base + row * ld + col;
  if (vec && row < lim_row && col + 8 <= lim_col) return *reinterpret_cast<const Vec8<H>*>(p);
  Vec8<H> r;
#pragma unroll
  for (int e = 0; e < 8; ++e) r.v[e] = (row < lim_row && col + e < lim_col) ? p[e] : zero;
  return r;
}

template <typename H>
__global__ void __launch_bounds__(256)
    gemm_wmma_kernel(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, const H* __restrict__ A,
                     int64_t lda, int64_t sA, const H* __restrict__ B, int64_t ldb, int64_t sB, float beta,
                     float* __restrict__ C, int64_t ldc, int64_t sC, int64_t batch, bool vecA, bool vecB) {
  using namespace nvcuda;
  __shared__ __align__(128) H As[kHBM * kLdA];
  __shared__ __align__(128) H Bs[kHBK * kLdB];
  __shared__ __align__(128) float Cs[8][16 * 16];
  const int t = threadIdx.x, warp = t / 32, lane = t % 32;
  const int wm = warp / 4, wn = warp % 4;  // warp tile: rows wm*64.., cols wn*32..
  const int64_t m0 = (int64_t)blockIdx.x * kHBM, n0 = (int64_t)blockIdx.y * kHBN;
  const H zero = H(0.0f);

  for (int64_t z = blockIdx.z; z < batch; z += gridDim.z) {
    const H* a = A + z * sA;
    const H* b = B + z * sB;
    float* c = C + z * sC;
    wmma::fragment<wmma::accumulator, 16, 16, 16, float> acc[4][2];
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
      for (int j = 0; j < 2; ++j) wmma::fill_fragment(acc[i][j], 0.0f);

    Vec8<H> ra[2], rb[2];
    // Chunk q of this thread: 8 consecutive elements along the operand's contiguous axis.
    auto load = [&](int64_t k0) {
#pragma unroll
      for (int q = 0; q < 2; ++q) {
        const int ch = t + q * 256;
        {  // A
          int64_t row, col;  // stored coordinates: row-major with leading dimension lda
          int64_t lim_row, lim_col;
          if (!tA) {  // stored M x K, chunk along k
            row = m0 + ch / 4;
            col = k0 + (ch % 4) * 8;
            lim_row = M;
            lim_col = K;
          } else {  // stored K x M, chunk along m
            row = k0 + ch / 16;
            col = m0 + (ch % 16) * 8;
            lim_row = K;
            lim_col = M;
          }
          ra[q] = load_chunk8(a, lda, row, col, lim_row, lim_col, vecA, zero);
        }
        {  // B
          int64_t row, col, lim_row, lim_col;
          if (!tB) {  // stored K x N, chunk along n
            row = k0 + ch / 16;
            col = n0 + (ch % 16) * 8;
            lim_row = K;
            lim_col = N;
          } else {  // stored N x K, chunk along k
            row = n0 + ch / 4;
            col = k0 + (ch % 4) * 8;
            lim_row = N;
            lim_col = K;
          }
          rb[q] = load_chunk8(b, ldb, row, col, lim_row, lim_col, vecB, zero);
        }
      }
    };
    // Shared layouts: As[m][k] (ld kLdA), Bs[k][n] (ld kLdB).
    auto store = [&]() {
#pragma unroll
      for (int q = 0; q < 2; ++q) {
        const int ch = t + q * 256;
        if (!tA) {
          *reinterpret_cast<Vec8<H>*>(&As[(ch / 4) * kLdA + (ch % 4) * 8]) = ra[q];
        } else {
          const int k = ch / 16, m = (ch % 16) * 8;
#pragma unroll
          for (int e = 0; e < 8; ++e) As[(m + e) * kLdA + k] = ra[q].v[e];
        }
        if (!tB) {
          *reinterpret_cast<Vec8<H>*>(&Bs[(ch / 16) * kLdB + (ch % 16) * 8]) = rb[q];
        } else {
          const int n = ch / 4, k = (ch % 4) * 8;
#pragma unroll
          for (int e = 0; e < 8; ++e) Bs[(k + e) * kLdB + n] = rb[q].v[e];
        }
      }
    };

    load(0);
    store();
    __syncthreads();
    for (int64_t k0 = 0; k0 < K; k0 += kHBK) {
      const bool more = k0 + kHBK < K;
      if (more) load(k0 + kHBK);
#pragma unroll
      for (int kk = 0; kk < kHBK; kk += 16) {
        // One A fragment live at a time keeps the kernel within 255 registers.
        wmma::fragment<wmma::matrix_b, 16, 16, 16, H, wmma::row_major> fb[2];
#pragma unroll
        for (int j = 0; j < 2; ++j) wmma::load_matrix_sync(fb[j], &Bs[kk * kLdB + wn * 32 + j * 16], kLdB);
#pragma unroll
        for (int i = 0; i < 4; ++i) {
          wmma::fragment<wmma::matrix_a, 16, 16, 16, H, wmma::row_major> fa;
          wmma::load_matrix_sync(fa, &As[(wm * 64 + i * 16) * kLdA + kk], kLdA);
#pragma unroll
          for (int j = 0; j < 2; ++j) wmma::mma_sync(acc[i][j], fa, fb[j], acc[i][j]);
        }
      }
      __syncthreads();
      if (more) {
        store();
        __syncthreads();
      }
    }
    // Epilogue through a per-warp 16x16 scratch tile: bounds and alpha/beta per element.
#pragma unroll
    for (int i = 0; i < 4; ++i)
#pragma unroll
      for (int j = 0; j < 2; ++j) {
        wmma::store_matrix_sync(Cs[warp], acc[i][j], 16, wmma::mem_row_major);
        __syncwarp();
#pragma unroll
        for (int e = 0; e < 8; ++e) {
          const int idx = lane * 8 + e, r = idx / 16, cc = idx % 16;
          const int64_t gm = m0 + wm * 64 + i * 16 + r, gn = n0 + wn * 32 + j * 16 + cc;
          if (gm < M && gn < N) {
            float* p = c + gm * ldc + gn;
            const float v = alpha * Cs[warp][idx];
            *p = beta == 0.0f ? v : v + beta * *p;
          }
        }
        __syncwarp();
      }
    __syncthreads();
  }
}

// C = beta * C (or 0 when beta == 0) for K == 0.
template <typename T>
__global__ void scale_c_kernel(int64_t M, int64_t N, T beta, T* C, int64_t ldc, int64_t sC, int64_t batch) {
  RF_GRID_STRIDE(t, M * N * batch) {
    const int64_t z = t / (M * N), r = (t / N) % M, col = t % N;
    T* p = C + z * sC + r * ldc + col;
    *p = beta == T(0) ? T(0) : beta * *p;
  }
}

// Row tiles on grid x (up to 2^31 - 1), column tiles on grid y (at most 65535: callers
// split wider products into column chunks of kMaxGridN * tile columns).
constexpr int64_t kMaxGridN = 65535;
dim3 gemm_grid(int64_t M, int64_t N, int64_t batch, int bm, int bn) {
  return dim3((unsigned)((M + bm - 1) / bm), (unsigned)((N + bn - 1) / bn), (unsigned)std::min<int64_t>(batch, 65535));
}

// Handles the empty cases; returns true when nothing is left to do.
template <typename T>
bool gemm_trivial(int64_t M, int64_t N, int64_t K, T beta, T* C, int64_t ldc, int64_t sC, int64_t batch,
                  cudaStream_t stream) {
  if (M <= 0 || N <= 0 || batch <= 0) return true;
  if (K > 0) return false;
  scale_c_kernel<T><<<grid_for(M * N * batch), kThreads, 0, stream>>>(M, N, beta, C, ldc, sC, batch);
  return true;
}

template <typename T>
void simt(bool tA, bool tB, int64_t M, int64_t N, int64_t K, T alpha, const T* A, int64_t lda, int64_t sA,
          const T* B, int64_t ldb, int64_t sB, T beta, T* C, int64_t ldc, int64_t sC, int64_t batch,
          cudaStream_t stream) {
  if (gemm_trivial<T>(M, N, K, beta, C, ldc, sC, batch, stream)) return;
  const int64_t chunk = kMaxGridN * kBN;
  for (int64_t n0 = 0; n0 < N; n0 += chunk) {
    const int64_t nn = std::min(chunk, N - n0);
    gemm_simt_kernel<T><<<gemm_grid(M, nn, batch, kBM, kBN), 256, 0, stream>>>(
        tA, tB, M, nn, K, alpha, A, lda, sA, B + (tB ? n0 * ldb : n0), ldb, sB, beta, C + n0, ldc, sC, batch);
  }
}

bool aligned16(const void* p, int64_t ld, int64_t stride, int64_t batch) {
  return ((uintptr_t)p % 16 == 0) && ld % 8 == 0 && (batch <= 1 || stride % 8 == 0);
}

template <typename H>
void wmma(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, const H* A, int64_t lda, int64_t sA,
          const H* B, int64_t ldb, int64_t sB, float beta, float* C, int64_t ldc, int64_t sC, int64_t batch,
          cudaStream_t stream) {
  if (gemm_trivial<float>(M, N, K, beta, C, ldc, sC, batch, stream)) return;
  const int64_t chunk = kMaxGridN * kHBN;
  for (int64_t n0 = 0; n0 < N; n0 += chunk) {
    const int64_t nn = std::min(chunk, N - n0);
    const H* Bn = B + (tB ? n0 * ldb : n0);
    gemm_wmma_kernel<H><<<gemm_grid(M, nn, batch, kHBM, kHBN), 256, 0, stream>>>(
        tA, tB, M, nn, K, alpha, A, lda, sA, Bn, ldb, sB, beta, C + n0, ldc, sC, batch, aligned16(A, lda, sA, batch),
        aligned16(Bn, ldb, sB, batch));
  }
}

__global__ void f2h_kernel(int kind, const float* __restrict__ src, uint16_t* __restrict__ dst, int64_t n) {
  RF_GRID_STRIDE(i, n) {
    if (kind == 0)
      dst[i] = __bfloat16_as_ushort(__float2bfloat16_rn(src[i]));
    else
      dst[i] = __half_as_ushort(__float2half_rn(src[i]));
  }
}
__global__ void h2f_kernel(int kind, const uint16_t* __restrict__ src, float* __restrict__ dst, int64_t n) {
  RF_GRID_STRIDE(i, n) {
    dst[i] = kind == 0 ? __bfloat162float(__ushort_as_bfloat16(src[i])) : __half2float(__ushort_as_half(src[i]));
  }
}

}  // namespace

void gemm_f32_own_cuda(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                       int64_t sA, const float* B, int64_t ldb, int64_t sB, float beta, float* C, int64_t ldc,
                       int64_t sC, int64_t batch, CUstream_st* stream) {
  simt<float>(tA, tB, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch, stream);
}
void gemm_f64_own_cuda(bool tA, bool tB, int64_t M, int64_t N, int64_t K, double alpha, const double* A,
                       int64_t lda, int64_t sA, const double* B, int64_t ldb, int64_t sB, double beta, double* C,
                       int64_t ldc, int64_t sC, int64_t batch, CUstream_st* stream) {
  simt<double>(tA, tB, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch, stream);
}
void gemm_half_own_cuda(HalfKind kind, bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha,
                        const uint16_t* A, int64_t lda, int64_t sA, const uint16_t* B, int64_t ldb, int64_t sB,
                        float beta, float* C, int64_t ldc, int64_t sC, int64_t batch, CUstream_st* stream) {
  if (kind == HalfKind::BF16)
    wmma<__nv_bfloat16>(tA, tB, M, N, K, alpha, reinterpret_cast<const __nv_bfloat16*>(A), lda, sA,
                        reinterpret_cast<const __nv_bfloat16*>(B), ldb, sB, beta, C, ldc, sC, batch, stream);
  else
    wmma<__half>(tA, tB, M, N, K, alpha, reinterpret_cast<const __half*>(A), lda, sA,
                 reinterpret_cast<const __half*>(B), ldb, sB, beta, C, ldc, sC, batch, stream);
}

void gemm_f32_cuda(bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, const float* A, int64_t lda,
                   int64_t sA, const float* B, int64_t ldb, int64_t sB, float beta, float* C, int64_t ldc,
                   int64_t sC, int64_t batch, CUstream_st* stream) {
#ifdef RECFORGE_HAVE_CUBLAS
  if (cuda::cublas_gemm(0, tA, tB, M, N, K, &alpha, A, lda, sA, B, ldb, sB, &beta, C, ldc, sC, batch, stream)) return;
#endif
  gemm_f32_own_cuda(tA, tB, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch, stream);
}
void gemm_f64_cuda(bool tA, bool tB, int64_t M, int64_t N, int64_t K, double alpha, const double* A, int64_t lda,
                   int64_t sA, const double* B, int64_t ldb, int64_t sB, double beta, double* C, int64_t ldc,
                   int64_t sC, int64_t batch, CUstream_st* stream) {
#ifdef RECFORGE_HAVE_CUBLAS
  if (cuda::cublas_gemm(1, tA, tB, M, N, K, &alpha, A, lda, sA, B, ldb, sB, &beta, C, ldc, sC, batch, stream)) return;
#endif
  gemm_f64_own_cuda(tA, tB, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch, stream);
}
void gemm_half_cuda(HalfKind kind, bool tA, bool tB, int64_t M, int64_t N, int64_t K, float alpha, const uint16_t* A,
                    int64_t lda, int64_t sA, const uint16_t* B, int64_t ldb, int64_t sB, float beta, float* C,
                    int64_t ldc, int64_t sC, int64_t batch, CUstream_st* stream) {
#ifdef RECFORGE_HAVE_CUBLAS
  if (cuda::cublas_gemm(kind == HalfKind::BF16 ? 2 : 3, tA, tB, M, N, K, &alpha, A, lda, sA, B, ldb, sB, &beta, C, ldc,
                        sC, batch, stream))
    return;
#endif
  gemm_half_own_cuda(kind, tA, tB, M, N, K, alpha, A, lda, sA, B, ldb, sB, beta, C, ldc, sC, batch, stream);
}

void float_to_half_cuda(HalfKind kind, const float* src, uint16_t* dst, int64_t n, CUstream_st* stream) {
  if (n > 0) f2h_kernel<<<grid_for(n), kThreads, 0, stream>>>((int)kind, src, dst, n);
}
void half_to_float_cuda(HalfKind kind, const uint16_t* src, float* dst, int64_t n, CUstream_st* stream) {
  if (n > 0) h2f_kernel<<<grid_for(n), kThreads, 0, stream>>>((int)kind, src, dst, n);
}

const char* gemm_cuda_backend_name() {
#ifdef RECFORGE_HAVE_CUBLAS
  return "cublas";
#else
  return "own";
#endif
}

}  // namespace recforge
