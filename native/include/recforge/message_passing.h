// Per-destination aggregation of source rows over a destination-grouped CSR (see graph_csr.h):
// sum / mean / max / min of (optionally edge-weighted) messages, i.e. CSR SpMM for sum and
// mean, with a race-free backward. The generic row pair (gather_rows / scatter_add_rows) is in
// indexing.h.
//
// Layouts: node features are row-major [n, F]; per-edge weights are [E] in CSR order.
// CPU kernels are multithreaded with parallel_for and give bit-identical results for any thread
// count: every output element is summed by one thread in a fixed order.
// CUDA versions (suffix _cuda) take DEVICE pointers, run on `stream`, compute the same values
// and are deterministic too (the backward reads the transposed CSR; no atomics).
#pragma once
#include <cstdint>

#include "recforge/reduce.h"

struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;  // same typedef as cuda_runtime_api.h

namespace recforge {

// out[d, f] = op over edges e into d of  m_e[f] = (w ? w[e] : 1) * x[src[e], f], op in
// ReduceOp (reduce.h):
//   Sum:  Σ_e m_e.   Mean: Σ_e m_e / deg(d) (deg counts edges; weights do not change it).
//   Max / Min: the extreme m_e; arg[d, f] = CSR position e of the first extreme edge. NaN
//     propagates as in reduce_axis: the first NaN message wins and is the arg.
// Destinations without incoming edges get out = 0 (and arg = -1).
//   n_dst, n_src: node counts of the two sides (equal for an ordinary graph).
//   F: feature width. rowptr [n_dst + 1], src [E]: the CSR.
//   x [n_src, F]; w [E] or nullptr; out [n_dst, F] (overwritten).
//   arg [n_dst, F] int32: written for Max / Min (required then); may be nullptr otherwise.
template <typename T>
void segment_aggregate(int64_t n_dst, int64_t n_src, int64_t F, const int32_t* rowptr, const int32_t* src,
                       const T* x, const T* w, ReduceOp op, T* out, int32_t* arg);

// Backward of segment_aggregate given dout [n_dst, F]. Both outputs are overwritten; either may
// be nullptr to skip it.
//   dx [n_src, F]: dx[s, f] = Σ_{e out of s} coef_e(f) * dout[dst(e), f], coef = w[e] (Sum),
//     w[e] / deg(dst) (Mean), w[e] * [arg[dst, f] == e] (Max / Min). Computed per SOURCE over
//     the transposed CSR (t_rowptr, t_dst, t_eid from csr_transpose): race-free without atomics
//     or per-thread buffers. The t_* arrays may be nullptr when dx is nullptr.
//   dw [E]: dw[e] = Σ_f dout[dst(e), f] * x[src[e], f] (/ deg for Mean; only the f with
//     arg[dst, f] == e for Max / Min). Needs x (x may be nullptr when dw is nullptr).
//   arg: the forward's arg for Max / Min (required then).
template <typename T>
void segment_aggregate_backward(int64_t n_dst, int64_t n_src, int64_t F, const int32_t* rowptr, const int32_t* src,
                                const int32_t* t_rowptr, const int32_t* t_dst, const int32_t* t_eid, const T* x,
                                const T* w, ReduceOp op, const int32_t* arg, const T* dout, T* dx, T* dw);

// ---- CUDA (device pointers; same semantics) ----
template <typename T>
void segment_aggregate_cuda(int64_t n_dst, int64_t n_src, int64_t F, const int32_t* rowptr, const int32_t* src,
                            const T* x, const T* w, ReduceOp op, T* out, int32_t* arg, cudaStream_t stream);
template <typename T>
void segment_aggregate_backward_cuda(int64_t n_dst, int64_t n_src, int64_t F, const int32_t* rowptr,
                                     const int32_t* src, const int32_t* t_rowptr, const int32_t* t_dst,
                                     const int32_t* t_eid, const T* x, const T* w, ReduceOp op, const int32_t* arg,
                                     const T* dout, T* dx, T* dw, cudaStream_t stream);

}  // namespace recforge
