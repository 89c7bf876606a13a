// Sorting along the last axis of [rows, n]. NaN sorts as the largest value (so it comes
// first in descending order), ties keep the lower index first (stable).
#pragma once
#include <cstdint>

struct CUstream_st;  // = cudaStream_t's target; no CUDA headers needed here

namespace recforge {

template <typename T>
void topk_rows(const T* x, int64_t rows, int64_t n, int64_t k, bool largest, T* values, int32_t* indices);
template <typename T>
void sort_rows(const T* x, int64_t rows, int64_t n, bool descending, T* values, int32_t* indices);

// ---- CUDA (native/cuda/sort.cu) ------------------------------------------------------
// Same order on DEVICE pointers (NaN largest, ties by lower index), asynchronous on
// `stream`: values are mapped to order-preserving unsigned keys (complemented for
// descending), then a stable segmented radix sort orders (key, index) pairs per row.
// topk sorts whole rows and keeps the first k. Limits: rows * n < 2^31.
// workspace: DEVICE memory of sort_rows_cuda_workspace_bytes(rows, n) bytes (both calls).
int64_t sort_rows_cuda_workspace_bytes(int64_t rows, int64_t n);
template <typename T>
void topk_rows_cuda(const T* x, int64_t rows, int64_t n, int64_t k, bool largest, T* values, int32_t* indices,
                    void* workspace, CUstream_st* stream);
template <typename T>
void sort_rows_cuda(const T* x, int64_t rows, int64_t n, bool descending, T* values, int32_t* indices,
                    void* workspace, CUstream_st* stream);

}  // namespace recforge
