// Argument parsers of the message-passing, edge-softmax and fused-GAT bindings, shared by the CPU
// addon (bind_message_passing.cc, bind_gat.cc) and the CUDA addon (napi_cuda/bind_cuda_graph.cc).
// Each returns the kernel's arguments after checking every size, span, CSR (graph_args.h) and
// optional-tensor rule; pointers are in the addon's memory (host or device). Float dtypes:
// float32 and float64 on both devices.
//
//   segmentAggregate(dtype, reduce, nDst, nSrc, F, nEdges, rowptr, src, x, w|null, out, arg|null)
//   segmentAggregateBackward(dtype, reduce, nDst, nSrc, F, nEdges, rowptr, src, tRowptr|null,
//                            tDst|null, tEid|null, x|null, w|null, arg|null, dout,
//                            dx|null, dw|null)
//   edgeSoftmax(dtype, nDst, H, nEdges, rowptr, scores, alpha)
//   edgeSoftmaxBackward(dtype, nDst, H, nEdges, rowptr, alpha, dalpha, dscores)
//   gatForward(dtype, N, H, F, nEdges, negativeSlope, rowptr, src, wh, aSrc, aDst,
//              out, el, er, alpha)
//   gatBackward(dtype, N, H, F, nEdges, negativeSlope, rowptr, src, tRowptr, tDst, tEid,
//               wh, aSrc, aDst, el, er, alpha, dout, dWh, daSrc, daDst,
//               workspace|null)
//   gatWorkspaceSize(N, nEdges, H, F) -> elements of dtype gatBackward's workspace needs
#pragma once
#include <cstdint>

#include "graph_args.h"
#include "recforge/reduce.h"

namespace recforge {
namespace napi {

// reduce: ReduceOp codes 0 sum, 1 mean, 2 max, 3 min (max / min need arg, int32 [nDst, F]).
struct SegmentAggregateArgs {
  int dtype = F32;
  ReduceOp reduce = ReduceOp::Sum;
  int64_t n_dst = 0, n_src = 0, F = 0;
  Csr g;
  const void *x = nullptr, *w = nullptr;
  void* out = nullptr;
  int32_t* arg = nullptr;
};
SegmentAggregateArgs segment_aggregate_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// The transposed CSR is required (and checked to be the transpose of rowptr/src) only with dx;
// dw needs x.
struct SegmentAggregateBackwardArgs {
  int dtype = F32;
  ReduceOp reduce = ReduceOp::Sum;
  int64_t n_dst = 0, n_src = 0, F = 0;
  Csr g;
  Transpose t;
  const void *x = nullptr, *w = nullptr, *dout = nullptr;
  const int32_t* arg = nullptr;
  void *dx = nullptr, *dw = nullptr;
};
SegmentAggregateBackwardArgs segment_aggregate_backward_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// Forward: a = scores, b = alpha (written). Backward: a = alpha, b = dalpha, out = dscores.
struct EdgeSoftmaxArgs {
  int dtype = F32;
  int64_t n_dst = 0, H = 0;
  Csr g;
  const void *a = nullptr, *b = nullptr;
  void* out = nullptr;
};
EdgeSoftmaxArgs edge_softmax_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward);

// Shapes: wh/out/dout/dWh [N, H, F]; aSrc/aDst/daSrc/daDst [H, F]; el/er [N, H]; alpha [E, H];
// negativeSlope in [0, 1]; the CSR is square (N destinations, N sources); (tRowptr, tDst, tEid)
// must be its csrTranspose; workspace, when given, gatWorkspaceSize elements.
struct GatArgs {
  int dtype = F32;
  int64_t N = 0, H = 0, F = 0, E = 0;
  double slope = 0.2;
  Csr g;
  Transpose t;  // backward only
  const void *wh = nullptr, *a_src = nullptr, *a_dst = nullptr;
  void *out = nullptr, *el = nullptr, *er = nullptr, *alpha = nullptr;  // forward outputs, backward inputs
  const void* dout = nullptr;
  void *d_wh = nullptr, *d_a_src = nullptr, *d_a_dst = nullptr;
  void* workspace = nullptr;  // nullptr: the binding provides one of workspace_elems elements
  int64_t workspace_elems = 0;
};
GatArgs gat_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward);
int64_t gat_workspace_size_arg(const Napi::CallbackInfo& info);

}  // namespace napi
}  // namespace recforge
