// Node-API wrappers for graph_csr.h, message_passing.h and edge_softmax.h. Tensors are
// (storage, elementOffset) pairs; `null` for an optional tensor (its offset is ignored).
// Every CSR and index array is validated before a kernel runs (see graph_args.h). The generic
// row pair is bind_core's gatherRows / scatterAddRows.
//
//   cooToCsr(nDst, nSrc, nEdges, src,o, dst,o, rowptr,o, csrSrc,o, eid,o)
//   csrTranspose(nDst, nSrc, nEdges, rowptr,o, src,o, tRowptr,o, tDst,o, tEid,o)
//   segmentAggregate(dtype, reduce, nDst, nSrc, F, nEdges, rowptr,o, src,o, x,o, w|null,o, out,o, arg|null,o)
//   segmentAggregateBackward(dtype, reduce, nDst, nSrc, F, nEdges, rowptr,o, src,o, tRowptr|null,o,
//                            tDst|null,o, tEid|null,o, x|null,o, w|null,o, arg|null,o, dout,o,
//                            dx|null,o, dw|null,o)
//   edgeSoftmax(dtype, nDst, H, nEdges, rowptr,o, scores,o, alpha,o)
//   edgeSoftmaxBackward(dtype, nDst, H, nEdges, rowptr,o, alpha,o, dalpha,o, dscores,o)
// reduce: ReduceOp codes 0 sum, 1 mean, 2 max, 3 min (max / min need arg, int32 [nDst, F]).
// The transposed CSR is needed (and checked to be the transpose of rowptr/src) only with dx.
#include <string>

#include "common.h"
#include "graph_args.h"
#include "recforge/edge_softmax.h"
#include "recforge/graph_csr.h"
#include "recforge/message_passing.h"

namespace recforge {
namespace napi {
namespace {

ReduceOp reduce_arg(const Napi::CallbackInfo& info, size_t i) {
  int64_t r = int_arg(info, i, "reduce");
  if (r < 0 || r > 3)
    throw_range(info.Env(), "reduce: expected 0 (sum), 1 (mean), 2 (max) or 3 (min), got " + std::to_string(r));
  return (ReduceOp)r;
}

bool extreme(ReduceOp op) { return op == ReduceOp::Max || op == ReduceOp::Min; }

Napi::Value CooToCsr(const Napi::CallbackInfo& info) {
  const char* fn = "cooToCsr";
  int64_t n_dst = count_arg(info, 0, "nDst"), n_src = count_arg(info, 1, "nSrc"), E = count_arg(info, 2, "nEdges");
  auto* src = span<int32_t>(info, 3, I32, E, "src");
  auto* dst = span<int32_t>(info, 5, I32, E, "dst");
  auto* rowptr = span<int32_t>(info, 7, I32, n_dst + 1, "rowptr");
  auto* csr_src = span<int32_t>(info, 9, I32, E, "csrSrc");
  auto* eid = span<int32_t>(info, 11, I32, E, "eid");
  check_index_range(info.Env(), fn, "src", src, E, n_src);
  check_index_range(info.Env(), fn, "dst", dst, E, n_dst);
  coo_to_csr(n_dst, E, src, dst, rowptr, csr_src, eid);
  return info.Env().Undefined();
}

Napi::Value CsrTranspose(const Napi::CallbackInfo& info) {
  int64_t n_dst = count_arg(info, 0, "nDst"), n_src = count_arg(info, 1, "nSrc"), E = count_arg(info, 2, "nEdges");
  Csr g = csr_arg(info, "csrTranspose", 3, 5, n_dst, n_src, E, "rowptr", "src");
  auto* t_rowptr = span<int32_t>(info, 7, I32, n_src + 1, "tRowptr");
  auto* t_dst = span<int32_t>(info, 9, I32, E, "tDst");
  auto* t_eid = span<int32_t>(info, 11, I32, E, "tEid");
  csr_transpose(n_dst, n_src, g.rowptr, g.col, t_rowptr, t_dst, t_eid);
  return info.Env().Undefined();
}

Napi::Value SegmentAggregate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "segmentAggregate";
  int dt = dtype_arg(info, 0);
  ReduceOp red = reduce_arg(info, 1);
  int64_t n_dst = count_arg(info, 2, "nDst"), n_src = count_arg(info, 3, "nSrc"), F = count_arg(info, 4, "F"),
          E = count_arg(info, 5, "nEdges");
  Csr g = csr_arg(info, fn, 6, 8, n_dst, n_src, E, "rowptr", "src");
  const int64_t n_x = checked_numel(env, "x", n_src, F), n_out = checked_numel(env, "out", n_dst, F);
  int32_t* arg = maybe_span<int32_t>(info, 16, I32, n_out, "arg");
  if (extreme(red) && !arg) throw_type(env, std::string(fn) + ": reduce=max/min needs an arg tensor (int32 [nDst, F])");
  RECFORGE_FLOAT_DISPATCH(env, dt, T, {
    const T* x = span<T>(info, 10, dt, n_x, "x");
    const T* w = maybe_span<T>(info, 12, dt, E, "w");
    T* out = span<T>(info, 14, dt, n_out, "out");
    segment_aggregate<T>(n_dst, n_src, F, g.rowptr, g.col, x, w, red, out, arg);
  });
  return env.Undefined();
}

Napi::Value SegmentAggregateBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "segmentAggregateBackward";
  int dt = dtype_arg(info, 0);
  ReduceOp red = reduce_arg(info, 1);
  int64_t n_dst = count_arg(info, 2, "nDst"), n_src = count_arg(info, 3, "nSrc"), F = count_arg(info, 4, "F"),
          E = count_arg(info, 5, "nEdges");
  Csr g = csr_arg(info, fn, 6, 8, n_dst, n_src, E, "rowptr", "src");
  const int64_t n_x = checked_numel(env, "x", n_src, F), n_out = checked_numel(env, "dout", n_dst, F);
  // The transposed CSR is only read (and only required) when dx is requested.
  const bool want_dx = !(info[24].IsNull() || info[24].IsUndefined());
  Transpose t;
  if (want_dx) t = transpose_arg(info, fn, 10, g);
  const int32_t* arg = maybe_span<int32_t>(info, 20, I32, n_out, "arg");
  if (extreme(red) && !arg) throw_type(env, std::string(fn) + ": reduce=max/min needs the forward's arg");
  RECFORGE_FLOAT_DISPATCH(env, dt, T, {
    const T* x = maybe_span<T>(info, 16, dt, n_x, "x");
    const T* w = maybe_span<T>(info, 18, dt, E, "w");
    const T* dout = span<T>(info, 22, dt, n_out, "dout");
    T* dx = maybe_span<T>(info, 24, dt, n_x, "dx");
    T* dw = maybe_span<T>(info, 26, dt, E, "dw");
    if (dw && !x) throw_type(env, std::string(fn) + ": dw needs x");
    segment_aggregate_backward<T>(n_dst, n_src, F, g.rowptr, g.col, t.rowptr, t.dst, t.eid, x, w, red, arg, dout,
                                  dx, dw);
  });
  return env.Undefined();
}

Napi::Value EdgeSoftmax(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  int64_t n_dst = count_arg(info, 1, "nDst"), H = count_arg(info, 2, "H"), E = count_arg(info, 3, "nEdges");
  Csr g = csr_arg(info, "edgeSoftmax", 4, -1, n_dst, 0, E, "rowptr", "");
  const int64_t n = checked_numel(env, "scores", E, H);
  RECFORGE_FLOAT_DISPATCH(env, dt, T, {
    const T* scores = span<T>(info, 6, dt, n, "scores");
    T* alpha = span<T>(info, 8, dt, n, "alpha");
    edge_softmax<T>(n_dst, H, g.rowptr, scores, alpha);
  });
  return env.Undefined();
}

Napi::Value EdgeSoftmaxBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  int64_t n_dst = count_arg(info, 1, "nDst"), H = count_arg(info, 2, "H"), E = count_arg(info, 3, "nEdges");
  Csr g = csr_arg(info, "edgeSoftmaxBackward", 4, -1, n_dst, 0, E, "rowptr", "");
  const int64_t n = checked_numel(env, "alpha", E, H);
  RECFORGE_FLOAT_DISPATCH(env, dt, T, {
    const T* alpha = span<T>(info, 6, dt, n, "alpha");
    const T* dalpha = span<T>(info, 8, dt, n, "dalpha");
    T* dscores = span<T>(info, 10, dt, n, "dscores");
    edge_softmax_backward<T>(n_dst, H, g.rowptr, alpha, dalpha, dscores);
  });
  return env.Undefined();
}

}  // namespace
RECFORGE_BIND("cooToCsr", CooToCsr);
RECFORGE_BIND("csrTranspose", CsrTranspose);
RECFORGE_BIND("segmentAggregate", SegmentAggregate);
RECFORGE_BIND("segmentAggregateBackward", SegmentAggregateBackward);
RECFORGE_BIND("edgeSoftmax", EdgeSoftmax);
RECFORGE_BIND("edgeSoftmaxBackward", EdgeSoftmaxBackward);
}  // namespace napi
}  // namespace recforge
