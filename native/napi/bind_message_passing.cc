// Node-API wrappers for graph_csr.h, message_passing.h and edge_softmax.h. Tensors are
// (storage, elementOffset) pairs; `null` for an optional tensor (its offset is ignored).
// Every CSR and index array is validated before a kernel runs; the op parsers are shared with
// the CUDA addon (gnn_args.h, graph_args.h). The generic row pair is bind_core's gatherRows /
// scatterAddRows. cooToCsr and csrTranspose are host-only (graphs are built on the CPU).
//
//   cooToCsr(nDst, nSrc, nEdges, src, dst, rowptr, csrSrc, eid)
//   csrTranspose(nDst, nSrc, nEdges, rowptr, src, tRowptr, tDst, tEid)
//   segmentAggregate(dtype, reduce, nDst, nSrc, F, nEdges, rowptr, src, x, w|null, out, arg|null)
//   segmentAggregateBackward(dtype, reduce, nDst, nSrc, F, nEdges, rowptr, src, tRowptr|null,
//                            tDst|null, tEid|null, x|null, w|null, arg|null, dout,
//                            dx|null, dw|null)
//   edgeSoftmax(dtype, nDst, H, nEdges, rowptr, scores, alpha)
//   edgeSoftmaxBackward(dtype, nDst, H, nEdges, rowptr, alpha, dalpha, dscores)
// reduce: ReduceOp codes 0 sum, 1 mean, 2 max, 3 min (max / min need arg, int32 [nDst, F]).
// The transposed CSR is needed (and checked to be the transpose of rowptr/src) only with dx.
#include <string>

#include "common.h"
#include "gnn_args.h"
#include "recforge/edge_softmax.h"
#include "recforge/graph_csr.h"
#include "recforge/message_passing.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value CooToCsr(const Napi::CallbackInfo& info) {
  const char* fn = "cooToCsr";
  const args::CooToCsr in(info);
  int64_t n_dst = count_arg(in.nDst(), "nDst"), n_src = count_arg(in.nSrc(), "nSrc"), E = count_arg(in.nEdges(), "nEdges");
  auto* src = span<int32_t>(in.src(), I32, E, "src");
  auto* dst = span<int32_t>(in.dst(), I32, E, "dst");
  auto* rowptr = span<int32_t>(in.rowptr(), I32, n_dst + 1, "rowptr");
  auto* csr_src = span<int32_t>(in.csrSrc(), I32, E, "csrSrc");
  auto* eid = span<int32_t>(in.eid(), I32, E, "eid");
  check_index_range(info.Env(), fn, "src", src, E, n_src);
  check_index_range(info.Env(), fn, "dst", dst, E, n_dst);
  coo_to_csr(n_dst, E, src, dst, rowptr, csr_src, eid);
  return info.Env().Undefined();
}

Napi::Value CsrTranspose(const Napi::CallbackInfo& info) {
  const args::CsrTranspose in(info);
  int64_t n_dst = count_arg(in.nDst(), "nDst"), n_src = count_arg(in.nSrc(), "nSrc"), E = count_arg(in.nEdges(), "nEdges");
  HostArgs mem;
  const TensorArg col = in.src();
  Csr g = csr_arg(mem, "csrTranspose", in.rowptr(), &col, n_dst, n_src, E, "rowptr", "src");
  auto* t_rowptr = span<int32_t>(in.tRowptr(), I32, n_src + 1, "tRowptr");
  auto* t_dst = span<int32_t>(in.tDst(), I32, E, "tDst");
  auto* t_eid = span<int32_t>(in.tEid(), I32, E, "tEid");
  csr_transpose(n_dst, n_src, g.rowptr, g.col, t_rowptr, t_dst, t_eid);
  return info.Env().Undefined();
}

Napi::Value SegmentAggregate(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const SegmentAggregateArgs a = segment_aggregate_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    segment_aggregate<T>(a.n_dst, a.n_src, a.F, a.g.rowptr, a.g.col, (const T*)a.x, (const T*)a.w, a.reduce, (T*)a.out,
                         a.arg);
  });
  return info.Env().Undefined();
}

Napi::Value SegmentAggregateBackward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const SegmentAggregateBackwardArgs a = segment_aggregate_backward_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    segment_aggregate_backward<T>(a.n_dst, a.n_src, a.F, a.g.rowptr, a.g.col, a.t.rowptr, a.t.dst, a.t.eid,
                                  (const T*)a.x, (const T*)a.w, a.reduce, a.arg, (const T*)a.dout, (T*)a.dx,
                                  (T*)a.dw);
  });
  return info.Env().Undefined();
}

Napi::Value EdgeSoftmax(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const EdgeSoftmaxArgs a = edge_softmax_args(info, mem, false);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T,
                          { edge_softmax<T>(a.n_dst, a.H, a.g.rowptr, (const T*)a.a, (T*)a.out); });
  return info.Env().Undefined();
}

Napi::Value EdgeSoftmaxBackward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const EdgeSoftmaxArgs a = edge_softmax_args(info, mem, true);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    edge_softmax_backward<T>(a.n_dst, a.H, a.g.rowptr, (const T*)a.a, (const T*)a.b, (T*)a.out);
  });
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND(cooToCsr, CooToCsr)
RECFORGE_BIND(csrTranspose, CsrTranspose)
RECFORGE_BIND(segmentAggregate, SegmentAggregate)
RECFORGE_BIND(segmentAggregateBackward, SegmentAggregateBackward)
RECFORGE_BIND(edgeSoftmax, EdgeSoftmax)
RECFORGE_BIND(edgeSoftmaxBackward, EdgeSoftmaxBackward)
}  // namespace napi
}  // namespace recforge
