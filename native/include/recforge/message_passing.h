// Generic message-passing kernels over a destination-grouped CSR (see graph_csr.h):
// per-destination aggregation of source rows (sum / mean / max, optionally edge-weighted,
// i.e. CSR SpMM for sum and mean) and the gather / scatter-add pair on row indices.
//
// Layouts: node features are row-major [n, F]; per-edge weights are [E] in CSR order.
// All CPU kernels are multithreaded with parallel_for and give bit-identical results for any
// thread count: every output element is summed by one thread in a fixed order.
//
// CUDA versions (suffix _cuda) take DEVICE pointers and run on `stream`. They compute the same
// values. The aggregation kernels use the transposed CSR too and are deterministic;
// scatter_add_rows_cuda uses atomicAdd, so its float sums may differ in the last bits from run
// to run when an index repeats.
#pragma once
#include <cstdint>

struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;  // same typedef as cuda_runtime_api.h

namespace recforge {

enum class Reduce : int { Sum = 0, Mean = 1, Max = 2 };

// out[d, f] = reduce over edges e into d of  m_e[f] = (w ? w[e] : 1) * x[src[e], f].
//   Sum:  Σ_e m_e.   Mean: Σ_e m_e / deg(d) (deg counts edges, weights do not change it).
//   Max:  max_e m_e, and argmax[d, f] = the CSR position e of the first maximal edge.
// Destinations without incoming edges get out = 0 (and argmax = -1).
//   n_dst, n_src: node counts of the two sides (equal for an ordinary graph).
//   F: feature width. rowptr [n_dst + 1], src [E]: the CSR.
//   x [n_src, F]; w [E] or nullptr; out [n_dst, F] (overwritten).
//   argmax [n_dst, F] int32: written for Max (required then), ignored otherwise (may be nullptr).
// Max propagates NaN like torch: the first NaN message wins (and is the argmax).
template <typename T>
void segment_aggregate(int64_t n_dst, int64_t n_src, int64_t F, const int32_t* rowptr, const int32_t* src,
                       const T* x, const T* w, Reduce reduce, T* out, int32_t* argmax);

// Backward of segment_aggregate given dout [n_dst, F]. Both outputs are overwritten, either may
// be nullptr to skip it.
//   dx [n_src, F]: dx[s, f] = Σ_{e out of s} coef_e(f) * dout[dst(e), f], with coef = w[e] (Sum),
//     w[e] / deg(dst) (Mean), w[e] * [argmax[dst, f] == e] (Max). Computed per SOURCE over the
//     transposed CSR (t_rowptr, t_dst, t_eid from csr_transpose), so it is race-free without
//     atomics. The t_* arrays may be nullptr when dx is nullptr.
//   dw [E]: dw[e] = Σ_f dout[dst(e), f] * x[src[e], f] (/ deg for Mean; only the f where
//     argmax[dst, f] == e for Max). Needs x; w is not needed for dw.
//   x [n_src, F] may be nullptr when dw is nullptr. argmax is required for Max.
template <typename T>
void segment_aggregate_backward(int64_t n_dst, int64_t n_src, int64_t F, const int32_t* rowptr, const int32_t* src,
                                const int32_t* t_rowptr, const int32_t* t_dst, const int32_t* t_eid, const T* x,
                                const T* w, Reduce reduce, const int32_t* argmax, const T* dout, T* dx, T* dw);

// out[i, :] = x[idx[i], :] for i in [0, n_idx). x [n_rows, F] (idx[i] in [0, n_rows), not checked
// here), out [n_idx, F].
template <typename T>
void gather_rows(int64_t n_idx, int64_t F, const T* x, const int32_t* idx, T* out);

// out[idx[i], :] += src[i, :] for i in [0, n_idx), into out [n_out, F]; when `accumulate` is
// false out is zeroed first. Race-free on the CPU without a sorted index: each thread owns a
// contiguous range of OUTPUT rows and scans the whole index list, adding only the rows it owns
// (in increasing i, hence deterministic). The extra cost is one pass over idx per thread.
template <typename T>
void scatter_add_rows(int64_t n_idx, int64_t F, const T* src, const int32_t* idx, int64_t n_out, T* out,
                      bool accumulate);

// ---- CUDA (device pointers; same semantics) ----
template <typename T>
void segment_aggregate_cuda(int64_t n_dst, int64_t n_src, int64_t F, const int32_t* rowptr, const int32_t* src,
                            const T* x, const T* w, Reduce reduce, T* out, int32_t* argmax, cudaStream_t stream);
template <typename T>
void segment_aggregate_backward_cuda(int64_t n_dst, int64_t n_src, int64_t F, const int32_t* rowptr,
                                     const int32_t* src, const int32_t* t_rowptr, const int32_t* t_dst,
                                     const int32_t* t_eid, const T* x, const T* w, Reduce reduce,
                                     const int32_t* argmax, const T* dout, T* dx, T* dw, cudaStream_t stream);
template <typename T>
void gather_rows_cuda(int64_t n_idx, int64_t F, const T* x, const int32_t* idx, T* out, cudaStream_t stream);
// Uses atomicAdd: not bit-reproducible in float when indices repeat.
template <typename T>
void scatter_add_rows_cuda(int64_t n_idx, int64_t F, const T* src, const int32_t* idx, int64_t n_out, T* out,
                           bool accumulate, cudaStream_t stream);

}  // namespace recforge
