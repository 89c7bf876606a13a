// Reductions over the middle axis of a [outer, r, inner] view of a contiguous tensor.
// Reducing several axes = several calls (the TS layer merges adjacent axes first).
// Sums accumulate in double. max/min propagate NaN (a NaN in a slice makes its result
// NaN, its index that of the first NaN) and return the index of the first extreme.
#pragma once
#include <cstdint>

#include "recforge/enums.generated.h"

struct CUstream_st;  // = cudaStream_t's target; no CUDA headers needed here

namespace recforge {

// ReduceOp { Sum, Mean, Max, Min }: enums.generated.h (from the op table).

// out[o, i] = reduce_k x[o, k, i]; idx (may be null, int32) receives argmax/argmin.
template <typename T>
void reduce_axis(ReduceOp op, const T* x, int64_t outer, int64_t r, int64_t inner, T* out, int32_t* idx);

// Sum of squares of x (double accumulation), for global-norm clipping.
template <typename T>
double sum_squares(const T* x, int64_t n);

// ---- CUDA (native/cuda/reduce.cu) ----------------------------------------------------
// Same semantics on DEVICE pointers, asynchronous on `stream`. Sums accumulate in double
// in a fixed tree order (deterministic; may differ from the CPU in the last bits of double).
template <typename T>
void reduce_axis_cuda(ReduceOp op, const T* x, int64_t outer, int64_t r, int64_t inner, T* out, int32_t* idx,
                      CUstream_st* stream);
// Σ x² into *out (a DEVICE double), in fixed 64k-element blocks reduced in block order.
// workspace: DEVICE memory of sum_squares_cuda_workspace_bytes(n) bytes (8-byte aligned).
int64_t sum_squares_cuda_workspace_bytes(int64_t n);
template <typename T>
void sum_squares_cuda(const T* x, int64_t n, double* out, void* workspace, CUstream_st* stream);

}  // namespace recforge
