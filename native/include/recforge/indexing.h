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

// CUDA versions of the row pair (device pointers, same arguments, float / double / int32).
// scatter_add_rows_cuda accumulates with atomicAdd: float sums are not bit-reproducible run to
// run when an index repeats (integer sums are).
template <typename T>
void gather_rows_cuda(const T* table, const int32_t* idx, int64_t n, int64_t d, T* out, cudaStream_t stream);
template <typename T>
void scatter_add_rows_cuda(const T* g, const int32_t* idx, int64_t n, int64_t d, T* table_grad, cudaStream_t stream);

}  // namespace recforge
