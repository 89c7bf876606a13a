// LayerNorm and RMSNorm over the last axis of a contiguous [rows, n] tensor, with an
// optional per-feature scale (gamma) and, for LayerNorm, shift (beta).
#pragma once
#include <cstdint>

struct CUstream_st;  // = cudaStream_t's target; no CUDA headers needed here

namespace recforge {

// y = (x - mean) * rstd * gamma + beta; saves mean[rows], rstd[rows] for backward.
// rms: y = x * rstd * gamma with rstd = 1/sqrt(mean(x²) + eps); mean is not written.
template <typename T>
void norm_forward(bool rms, const T* x, const T* gamma, const T* beta, T* y, T* mean, T* rstd, int64_t rows,
                  int64_t n, double eps);
// gx overwritten; ggamma/gbeta (may be null) overwritten with the sums over rows,
// reduced in a fixed order (deterministic whatever the thread count).
template <typename T>
void norm_backward(bool rms, const T* x, const T* gamma, const T* mean, const T* rstd, const T* gy, T* gx,
                   T* ggamma, T* gbeta, int64_t rows, int64_t n);

// ---- CUDA (native/cuda/norm.cu) ------------------------------------------------------
// Same semantics on DEVICE pointers, asynchronous on `stream`. ggamma/gbeta are column sums
// over fixed row chunks (partials in `workspace`, then summed in chunk order): deterministic.
// workspace: DEVICE memory of norm_backward_cuda_workspace_bytes(rows, n) bytes; may be
// null when ggamma and gbeta are both null.
int64_t norm_backward_cuda_workspace_bytes(int64_t rows, int64_t n);
template <typename T>
void norm_forward_cuda(bool rms, const T* x, const T* gamma, const T* beta, T* y, T* mean, T* rstd, int64_t rows,
                       int64_t n, double eps, CUstream_st* stream);
template <typename T>
void norm_backward_cuda(bool rms, const T* x, const T* gamma, const T* mean, const T* rstd, const T* gy, T* gx,
                        T* ggamma, T* gbeta, int64_t rows, int64_t n, void* workspace, CUstream_st* stream);

}  // namespace recforge
