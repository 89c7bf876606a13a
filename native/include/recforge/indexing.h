// Index-driven kernels. Index arrays are int32 and must already be validated by the
// caller (the binding checks every index against its axis size before calling).
#pragma once
#include <cstdint>

struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;  // same typedef as cuda_runtime_api.h

namespace recforge {

// out[i, :] = table[idx[i], :] for i < n; rows of width d. (embedding, indexSelect on axis 0)
template <typename T>
void gather_rows(const T* table, const int32_t* idx, int64_t n, int64_t d, T* out);
// table_grad[idx[i], :] += g[i, :]. Race-free and deterministic: threads split the d
// columns, each walks all i in order.
template <typename T>
void scatter_add_rows(const T* g, const int32_t* idx, int64_t n, int64_t d, T* table_grad);

// Along the middle axis of [outer, dim, inner] (x) and [outer, k, inner] (idx, out):
// out[o, j, i] = x[o, idx[o, j, i], i].
template <typename T>
void gather_axis(const T* x, const int32_t* idx, int64_t outer, int64_t dim, int64_t k, int64_t inner, T* out);
// out[o, idx[o, j, i], i] += src[o, j, i]   (out is accumulated into, not cleared)
template <typename T>
void scatter_add_axis(const T* src, const int32_t* idx, int64_t outer, int64_t dim, int64_t k, int64_t inner,
                      T* out);

// ---- CUDA (native/cuda/indexing.cu) --------------------------------------------------
// Same semantics on DEVICE pointers, asynchronous on `stream`. scatter_add_rows_cuda is
// deterministic with the CPU's summation order: (idx, i) pairs are radix-sorted (stable),
// then each destination row adds its source rows in increasing i. Its workspace: DEVICE
// memory of scatter_add_rows_cuda_workspace_bytes(n, table_rows) bytes. scatter_add_axis_cuda
// walks j in order for each (o, i), as the CPU does. n < 2^31.
int64_t scatter_add_rows_cuda_workspace_bytes(int64_t n, int64_t table_rows);
template <typename T>
void gather_rows_cuda(const T* table, const int32_t* idx, int64_t n, int64_t d, T* out, CUstream_st* stream);
template <typename T>
void scatter_add_rows_cuda(const T* g, const int32_t* idx, int64_t n, int64_t d, int64_t table_rows, T* table_grad,
                           void* workspace, CUstream_st* stream);
template <typename T>
void gather_axis_cuda(const T* x, const int32_t* idx, int64_t outer, int64_t dim, int64_t k, int64_t inner, T* out,
                      CUstream_st* stream);
template <typename T>
void scatter_add_axis_cuda(const T* src, const int32_t* idx, int64_t outer, int64_t dim, int64_t k, int64_t inner,
                           T* out, CUstream_st* stream);

// Index validation for the binding (indices live on the device): finds the first position
// i < n with idx[i] outside [0, limit) (skipping idx[i] == ignore when has_ignore). Writes
// {position, value} to result (DEVICE int64[2]); position = -1 when all are valid.
// Asynchronous; the caller copies `result` back.
void find_bad_index_cuda(const int32_t* idx, int64_t n, int64_t limit, bool has_ignore, int32_t ignore,
                         int64_t* result, CUstream_st* stream);

}  // namespace recforge
