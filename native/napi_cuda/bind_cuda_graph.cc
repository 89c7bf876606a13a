// Message passing (segment aggregation / SpMM), edge softmax and the fused GAT layer on the
// device. The CPU binding's names and arguments (native/ops.table.mjs); the argument parsers are the CPU
// addon's own (native/napi/gnn_args.h, graph_args.h) run over device storages: the CSR and its
// transpose are copied to the host and checked with the same rules before any kernel runs
// (O(nodes + edges) int32s per call; the float tensors never leave the device). Graphs are
// built on the CPU (cooToCsr / csrTranspose are host-only) and uploaded once per batch
// (CsrGraph.on("cuda")).
#include <string>

#include "cuda_common.h"
#include "gnn_args.h"
#include "recforge/edge_softmax.h"
#include "recforge/gat.h"
#include "recforge/message_passing.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value SegmentAggregate(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const SegmentAggregateArgs a = segment_aggregate_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    segment_aggregate_cuda<T>(a.n_dst, a.n_src, a.F, a.g.rowptr, a.g.col, (const T*)a.x, (const T*)a.w, a.reduce,
                              (T*)a.out, a.arg, s);
  });
  check_launch(info.Env(), "segmentAggregate");
  return info.Env().Undefined();
}

Napi::Value SegmentAggregateBackward(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const SegmentAggregateBackwardArgs a = segment_aggregate_backward_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    segment_aggregate_backward_cuda<T>(a.n_dst, a.n_src, a.F, a.g.rowptr, a.g.col, a.t.rowptr, a.t.dst, a.t.eid,
                                       (const T*)a.x, (const T*)a.w, a.reduce, a.arg, (const T*)a.dout, (T*)a.dx,
                                       (T*)a.dw, s);
  });
  check_launch(info.Env(), "segmentAggregateBackward");
  return info.Env().Undefined();
}

Napi::Value EdgeSoftmax(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const EdgeSoftmaxArgs a = edge_softmax_args(info, mem, false);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T,
                          { edge_softmax_cuda<T>(a.n_dst, a.H, a.g.rowptr, (const T*)a.a, (T*)a.out, s); });
  check_launch(info.Env(), "edgeSoftmax");
  return info.Env().Undefined();
}

Napi::Value EdgeSoftmaxBackward(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const EdgeSoftmaxArgs a = edge_softmax_args(info, mem, true);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    edge_softmax_backward_cuda<T>(a.n_dst, a.H, a.g.rowptr, (const T*)a.a, (const T*)a.b, (T*)a.out, s);
  });
  check_launch(info.Env(), "edgeSoftmaxBackward");
  return info.Env().Undefined();
}

Napi::Value GatForward(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const GatArgs d = gat_args(info, mem, false);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), d.dtype, T, {
    gat_forward_cuda<T>(d.N, d.H, d.F, d.g.rowptr, d.g.col, (const T*)d.wh, (const T*)d.a_src, (const T*)d.a_dst,
                        d.slope, (T*)d.out, (T*)d.el, (T*)d.er, (T*)d.alpha, s);
  });
  check_launch(info.Env(), "gatForward");
  return info.Env().Undefined();
}

// With workspace = null, a scratch block from the caching allocator (stream-ordered free).
Napi::Value GatBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceArgs mem;
  const GatArgs d = gat_args(info, mem, true);
  auto* s = stream_or_throw(env);
  RECFORGE_FLOAT_DISPATCH(env, d.dtype, T, {
    std::unique_ptr<Workspace> own;
    T* ws = (T*)d.workspace;
    if (!ws) {
      own.reset(new Workspace(env, d.workspace_elems * (int64_t)sizeof(T), "gatBackward"));
      ws = own->as<T>();
    }
    gat_backward_cuda<T>(d.N, d.H, d.F, d.g.rowptr, d.g.col, d.t.rowptr, d.t.dst, d.t.eid, (const T*)d.wh,
                         (const T*)d.a_src, (const T*)d.a_dst, d.slope, (const T*)d.el, (const T*)d.er,
                         (const T*)d.alpha, (const T*)d.dout, (T*)d.d_wh, (T*)d.d_a_src, (T*)d.d_a_dst, ws, s);
  });
  check_launch(env, "gatBackward");
  return env.Undefined();
}

Napi::Value GatWorkspaceSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), (double)gat_workspace_size_arg(info));
}

}  // namespace
RECFORGE_BIND(segmentAggregate, SegmentAggregate)
RECFORGE_BIND(segmentAggregateBackward, SegmentAggregateBackward)
RECFORGE_BIND(edgeSoftmax, EdgeSoftmax)
RECFORGE_BIND(edgeSoftmaxBackward, EdgeSoftmaxBackward)
RECFORGE_BIND(gatForward, GatForward)
RECFORGE_BIND(gatBackward, GatBackward)
RECFORGE_BIND(gatWorkspaceSize, GatWorkspaceSize)
}  // namespace napi
}  // namespace recforge
