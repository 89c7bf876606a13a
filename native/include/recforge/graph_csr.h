// Graph structure helpers for the message-passing kernels: building the destination-grouped
// CSR every kernel consumes, and its transpose (grouped by source) that backward passes use
// to scatter to sources without atomics or per-thread buffers.
//
// The CSR convention shared by message_passing.h, edge_softmax.h and gat.h:
//   rowptr [n_dst + 1] int32, rowptr[0] = 0, non-decreasing, rowptr[n_dst] = E;
//   src    [E] int32, src[e] in [0, n_src) is the source node of edge e;
//   the edges into destination d are positions e in [rowptr[d], rowptr[d+1]).
// Every per-edge array ([E] or [E, H]) handed to a kernel is indexed by this CSR position e,
// not by the caller's original edge order; coo_to_csr returns eid to translate between them.
//
// Both functions are O(n + E) sequential counting sorts (cheap next to any kernel that runs on
// the graph; build once per batch and reuse across layers and passes). Host-only: graphs are
// built on the CPU and uploaded when the kernels run on a GPU.
#pragma once
#include <cstdint>

namespace recforge {

// Groups an edge list by destination. Stable: the edges of one destination keep their input
// order, so the result is fully determined by the input.
//   n_dst: number of destination nodes; n_edges: E.
//   src [E], dst [E]: endpoints of input edge i; dst[i] must be in [0, n_dst) (not checked here).
//   rowptr [n_dst + 1], csr_src [E]: the CSR described above (outputs).
//   eid [E] (output): eid[e] = input index i of CSR edge e (gather per-edge data with it).
void coo_to_csr(int64_t n_dst, int64_t n_edges, const int32_t* src, const int32_t* dst, int32_t* rowptr,
                int32_t* csr_src, int32_t* eid);

// Transposes a destination-grouped CSR into a source-grouped one.
//   n_dst, n_src, rowptr [n_dst + 1], src [E]: the input CSR (src[e] in [0, n_src), not checked here).
//   t_rowptr [n_src + 1] (output): the outgoing edges of source s are k in [t_rowptr[s], t_rowptr[s+1]).
//   t_dst [E] (output): destination node of transposed edge k.
//   t_eid [E] (output): CSR position e (in the input CSR) of transposed edge k.
// Within one source, edges appear in increasing e, which makes every backward that sums over
// them deterministic.
void csr_transpose(int64_t n_dst, int64_t n_src, const int32_t* rowptr, const int32_t* src, int32_t* t_rowptr,
                   int32_t* t_dst, int32_t* t_eid);

}  // namespace recforge
