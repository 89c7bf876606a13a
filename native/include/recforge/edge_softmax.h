// Edge softmax: a softmax over the incoming edges of each destination, separately per head,
// the normalisation step of graph attention (DGL's edge_softmax, PyG's softmax(src, index)).
// Per-edge arrays are [E, H] row-major in CSR position order (see graph_csr.h).
// CPU: parallel over destinations, deterministic. CUDA (_cuda, device pointers): one thread
// per (destination, head), deterministic.
#pragma once
#include <cstdint>

struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;  // same typedef as cuda_runtime_api.h

namespace recforge {

// alpha[e, h] = exp(scores[e, h] - m) / Σ_{e' into d} exp(scores[e', h] - m), m = the max over
// the group (numerically safe). rowptr [n_dst + 1]; scores, alpha [E, H] with E = rowptr[n_dst].
// alpha may alias scores (in place).
template <typename T>
void edge_softmax(int64_t n_dst, int64_t H, const int32_t* rowptr, const T* scores, T* alpha);

// dscores[e, h] = alpha[e, h] * (dalpha[e, h] - Σ_{e' into d} alpha[e', h] * dalpha[e', h]).
// dscores may alias dalpha.
template <typename T>
void edge_softmax_backward(int64_t n_dst, int64_t H, const int32_t* rowptr, const T* alpha, const T* dalpha,
                           T* dscores);

template <typename T>
void edge_softmax_cuda(int64_t n_dst, int64_t H, const int32_t* rowptr, const T* scores, T* alpha,
                       cudaStream_t stream);
template <typename T>
void edge_softmax_backward_cuda(int64_t n_dst, int64_t H, const int32_t* rowptr, const T* alpha, const T* dalpha,
                                T* dscores, cudaStream_t stream);

}  // namespace recforge
