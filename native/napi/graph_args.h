// Argument checks shared by the graph bindings of both addons (CPU: bind_message_passing.cc,
// bind_gat.cc; CUDA: napi_cuda/bind_cuda_graph.cc, through gnn_args.h): sizes, optional tensors,
// and full validation of CSR structures, so that no kernel can index out of bounds whatever JS
// passes. Every failure is a RangeError naming the bad value and position. The CSR arrays are
// inspected through TensorArgs::host (a staged copy when they live on the device).
#pragma once
#include <cstdint>

#include "op_args.generated.h"
#include "tensor_args.h"

namespace recforge {
namespace napi {

// A count in [0, 2^31 - 1] (node and edge counts must fit the int32 indices).
int64_t count_arg(IntArg a, const char* what);
// a * b * c as element counts, RangeError if the product exceeds 2^53.
int64_t checked_numel(Napi::Env env, const char* what, int64_t a, int64_t b = 1, int64_t c = 1);

// rowptr [n_rows + 1] and (optionally: col may be nullptr) col [n_edges]. Checks rowptr[0] = 0, non-decreasing,
// rowptr[n_rows] = n_edges and every col entry in [0, n_cols).
struct Csr {
  const int32_t* rowptr = nullptr;  // in the addon's memory (what kernels get)
  const int32_t* col = nullptr;
  const int32_t* host_rowptr = nullptr;  // host-readable views (owned by the TensorArgs)
  const int32_t* host_col = nullptr;
  int64_t n_rows = 0, n_cols = 0, n_edges = 0;
};
Csr csr_arg(TensorArgs& mem, const char* fn, TensorArg rowptr, const TensorArg* col, int64_t n_rows, int64_t n_cols,
            int64_t n_edges, const char* rowptr_name, const char* col_name);

// Checks that (t_rowptr, t_dst, t_eid) is exactly csr_transpose(csr):
// t_rowptr a valid CSR over the csr's sources, every t_eid[k] a distinct edge whose source is the
// row k sits in, and t_dst[k] that edge's destination. A stale or foreign transpose would give
// wrong gradients. csr needs its column array.
struct Transpose {
  const int32_t* rowptr = nullptr;
  const int32_t* dst = nullptr;
  const int32_t* eid = nullptr;
};
Transpose transpose_arg(TensorArgs& mem, const char* fn, TensorArg t_rowptr, TensorArg t_dst, TensorArg t_eid,
                        const Csr& csr);

// Every idx[i] in [0, n_rows) (host array).
void check_index_range(Napi::Env env, const char* fn, const char* name, const int32_t* idx, int64_t n, int64_t n_rows);

}  // namespace napi
}  // namespace recforge
