// Fused multi-head graph attention (GAT, Veličković et al.; PyG GATConv / DGL GATConv math)
// over a destination-grouped CSR (see graph_csr.h). The projection Wh = h W is done by the
// caller (a plain matmul); this family does everything after it without materialising any
// per-edge feature tensor [E, H, F]:
//   el[n, h] = <Wh[n, h, :], a_src[h, :]>          er[n, h] = <Wh[n, h, :], a_dst[h, :]>
//   z[e, h]  = LeakyReLU(el[src(e), h] + er[dst(e), h], negative_slope)
//   alpha[e, h] = softmax of z over the edges into dst(e), per head
//   out[d, h, :] = Σ_{e into d} alpha[e, h] * Wh[src(e), h, :]
// Layouts: Wh, out, dout, dWh [N, H, F] row-major (the heads-concatenated [N, H*F] view);
// a_src, a_dst [H, F]; el, er [N, H]; alpha [E, H] in CSR position order.
// Self-loops are NOT added here: the caller adds them as ordinary edges (one (n, n) edge per
// node) when building the CSR, as GATConv(add_self_loops=True) does. A destination without
// incoming edges outputs 0. Bias, the activation (ELU), head concatenation/averaging and
// dropout are separate ops.
//
// CPU: parallel over destinations (forward; backward phase A) then over fixed 256-node blocks
// of sources via the transposed CSR (backward phase B); bit-identical for any thread count.
// CUDA: same phases, no atomics, deterministic.
#pragma once
#include <cstdint>

struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;  // same typedef as cuda_runtime_api.h

namespace recforge {

// Nodes per block of the deterministic a_src / a_dst gradient reduction (fixed so that the
// summation order does not depend on the thread count).
constexpr int64_t kGatReduceBlock = 256;

// Elements of T that gat_backward / gat_backward_cuda need as `workspace`:
// 2*N*H (el / er gradients) + ceil(N/256)*2*H*F (partial sums) + E*H (per-edge score gradients).
int64_t gat_backward_workspace_size(int64_t N, int64_t E, int64_t H, int64_t F);

// Forward. Writes out [N, H, F] and saves for backward el, er [N, H] and alpha [E, H]
// (alpha doubles as the attention weights callers may want to inspect). All overwritten.
//   N: nodes; H: heads; F: features per head; rowptr [N + 1], src [E] (src[e] in [0, N)).
template <typename T>
void gat_forward(int64_t N, int64_t H, int64_t F, const int32_t* rowptr, const int32_t* src, const T* wh,
                 const T* a_src, const T* a_dst, double negative_slope, T* out, T* el, T* er, T* alpha);

// Backward from dout [N, H, F]. Overwrites d_wh [N, H, F], d_a_src, d_a_dst [H, F].
//   t_rowptr [N + 1], t_dst [E], t_eid [E]: csr_transpose of (rowptr, src).
//   el, er, alpha: saved by gat_forward for the same inputs.
//   workspace: gat_backward_workspace_size(N, E, H, F) elements of T (contents ignored).
// The LeakyReLU derivative at exactly z = 0 is taken as negative_slope.
template <typename T>
void gat_backward(int64_t N, int64_t H, int64_t F, const int32_t* rowptr, const int32_t* src,
                  const int32_t* t_rowptr, const int32_t* t_dst, const int32_t* t_eid, const T* wh, const T* a_src,
                  const T* a_dst, double negative_slope, const T* el, const T* er, const T* alpha, const T* dout,
                  T* d_wh, T* d_a_src, T* d_a_dst, T* workspace);

// CUDA: device pointers (workspace too), same semantics.
template <typename T>
void gat_forward_cuda(int64_t N, int64_t H, int64_t F, const int32_t* rowptr, const int32_t* src, const T* wh,
                      const T* a_src, const T* a_dst, double negative_slope, T* out, T* el, T* er, T* alpha,
                      cudaStream_t stream);
template <typename T>
void gat_backward_cuda(int64_t N, int64_t H, int64_t F, const int32_t* rowptr, const int32_t* src,
                       const int32_t* t_rowptr, const int32_t* t_dst, const int32_t* t_eid, const T* wh,
                       const T* a_src, const T* a_dst, double negative_slope, const T* el, const T* er,
                       const T* alpha, const T* dout, T* d_wh, T* d_a_src, T* d_a_dst, T* workspace,
                       cudaStream_t stream);

}  // namespace recforge
