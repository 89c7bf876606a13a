// Softmax and log-softmax over the last axis of a contiguous [rows, n] tensor.
#pragma once
#include <cstdint>

struct CUstream_st;  // = cudaStream_t's target; no CUDA headers needed here

namespace recforge {

template <typename T>
void softmax_forward(const T* x, T* y, int64_t rows, int64_t n, bool log);
// gx = y * (gy - Σ gy·y)            (softmax)
// gx = gy - exp(y) * Σ gy           (log-softmax, y = log-probabilities)
template <typename T>
void softmax_backward(const T* y, const T* gy, T* gx, int64_t rows, int64_t n, bool log);

// ---- CUDA (native/cuda/softmax.cu) ---------------------------------------------------
// Same semantics on DEVICE pointers, asynchronous on `stream` (a warp per row up to 1024
// columns, a block per row above).
template <typename T>
void softmax_forward_cuda(const T* x, T* y, int64_t rows, int64_t n, bool log, CUstream_st* stream);
template <typename T>
void softmax_backward_cuda(const T* y, const T* gy, T* gx, int64_t rows, int64_t n, bool log, CUstream_st* stream);

}  // namespace recforge
