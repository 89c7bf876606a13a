#include "gnn_args.h"

#include <string>

#include "recforge/gat.h"

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

bool is_null(const Napi::CallbackInfo& info, size_t i) {
  return i >= info.Length() || info[i].IsNull() || info[i].IsUndefined();
}

}  // namespace

SegmentAggregateArgs segment_aggregate_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  const char* fn = "segmentAggregate";
  SegmentAggregateArgs a;
  a.dtype = dtype_arg(info, 0);
  check_float_dtype(env, fn, a.dtype, true, mem.device_name());
  a.reduce = reduce_arg(info, 1);
  a.n_dst = count_arg(info, 2, "nDst"), a.n_src = count_arg(info, 3, "nSrc"), a.F = count_arg(info, 4, "F");
  const int64_t E = count_arg(info, 5, "nEdges");
  a.g = csr_arg(info, mem, fn, 6, 8, a.n_dst, a.n_src, E, "rowptr", "src");
  const int64_t n_x = checked_numel(env, "x", a.n_src, a.F), n_out = checked_numel(env, "out", a.n_dst, a.F);
  a.arg = mem.maybe<int32_t>(info, 16, I32, n_out, "arg");
  if (extreme(a.reduce) && !a.arg)
    throw_type(env, std::string(fn) + ": reduce=max/min needs an arg tensor (int32 [nDst, F])");
  a.x = mem.span(info, 10, a.dtype, n_x, "x");
  a.w = mem.maybe<void>(info, 12, a.dtype, E, "w");
  a.out = mem.span(info, 14, a.dtype, n_out, "out");
  return a;
}

SegmentAggregateBackwardArgs segment_aggregate_backward_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  const char* fn = "segmentAggregateBackward";
  SegmentAggregateBackwardArgs a;
  a.dtype = dtype_arg(info, 0);
  check_float_dtype(env, fn, a.dtype, true, mem.device_name());
  a.reduce = reduce_arg(info, 1);
  a.n_dst = count_arg(info, 2, "nDst"), a.n_src = count_arg(info, 3, "nSrc"), a.F = count_arg(info, 4, "F");
  const int64_t E = count_arg(info, 5, "nEdges");
  a.g = csr_arg(info, mem, fn, 6, 8, a.n_dst, a.n_src, E, "rowptr", "src");
  const int64_t n_x = checked_numel(env, "x", a.n_src, a.F), n_out = checked_numel(env, "dout", a.n_dst, a.F);
  // The transposed CSR is only read (and only required) when dx is requested.
  if (!is_null(info, 24)) a.t = transpose_arg(info, mem, fn, 10, a.g);
  a.arg = mem.maybe<const int32_t>(info, 20, I32, n_out, "arg");
  if (extreme(a.reduce) && !a.arg) throw_type(env, std::string(fn) + ": reduce=max/min needs the forward's arg");
  a.x = mem.maybe<const void>(info, 16, a.dtype, n_x, "x");
  a.w = mem.maybe<const void>(info, 18, a.dtype, E, "w");
  a.dout = mem.span(info, 22, a.dtype, n_out, "dout");
  a.dx = mem.maybe<void>(info, 24, a.dtype, n_x, "dx");
  a.dw = mem.maybe<void>(info, 26, a.dtype, E, "dw");
  if (a.dw && !a.x) throw_type(env, std::string(fn) + ": dw needs x");
  return a;
}

EdgeSoftmaxArgs edge_softmax_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  Napi::Env env = info.Env();
  const char* fn = backward ? "edgeSoftmaxBackward" : "edgeSoftmax";
  EdgeSoftmaxArgs a;
  a.dtype = dtype_arg(info, 0);
  check_float_dtype(env, fn, a.dtype, true, mem.device_name());
  a.n_dst = count_arg(info, 1, "nDst"), a.H = count_arg(info, 2, "H");
  const int64_t E = count_arg(info, 3, "nEdges");
  a.g = csr_arg(info, mem, fn, 4, -1, a.n_dst, 0, E, "rowptr", "");
  const int64_t n = checked_numel(env, backward ? "alpha" : "scores", E, a.H);
  a.a = mem.span(info, 6, a.dtype, n, backward ? "alpha" : "scores");
  if (backward) {
    a.b = mem.span(info, 8, a.dtype, n, "dalpha");
    a.out = mem.span(info, 10, a.dtype, n, "dscores");
  } else {
    a.out = mem.span(info, 8, a.dtype, n, "alpha");
  }
  return a;
}

GatArgs gat_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  Napi::Env env = info.Env();
  const char* fn = backward ? "gatBackward" : "gatForward";
  GatArgs d;
  d.dtype = dtype_arg(info, 0);
  check_float_dtype(env, fn, d.dtype, true, mem.device_name());
  d.N = count_arg(info, 1, "N");
  d.H = count_arg(info, 2, "H");
  d.F = count_arg(info, 3, "F");
  d.E = count_arg(info, 4, "nEdges");
  d.slope = num_arg(info, 5, "negativeSlope");
  if (!(d.slope >= 0 && d.slope <= 1))
    throw_range(env, "negativeSlope: expected a value in [0, 1], got " + std::to_string(d.slope));
  const int64_t nhf = checked_numel(env, "wh", d.N, d.H, d.F), nh = checked_numel(env, "el", d.N, d.H),
                hf = checked_numel(env, "aSrc", d.H, d.F), eh = checked_numel(env, "alpha", d.E, d.H);
  d.g = csr_arg(info, mem, fn, 6, 8, d.N, d.N, d.E, "rowptr", "src");
  const int dt = d.dtype;
  if (!backward) {
    d.wh = mem.span(info, 10, dt, nhf, "wh");
    d.a_src = mem.span(info, 12, dt, hf, "aSrc");
    d.a_dst = mem.span(info, 14, dt, hf, "aDst");
    d.out = mem.span(info, 16, dt, nhf, "out");
    d.el = mem.span(info, 18, dt, nh, "el");
    d.er = mem.span(info, 20, dt, nh, "er");
    d.alpha = mem.span(info, 22, dt, eh, "alpha");
    return d;
  }
  d.t = transpose_arg(info, mem, fn, 10, d.g);
  d.wh = mem.span(info, 16, dt, nhf, "wh");
  d.a_src = mem.span(info, 18, dt, hf, "aSrc");
  d.a_dst = mem.span(info, 20, dt, hf, "aDst");
  d.el = mem.span(info, 22, dt, nh, "el");
  d.er = mem.span(info, 24, dt, nh, "er");
  d.alpha = mem.span(info, 26, dt, eh, "alpha");
  d.dout = mem.span(info, 28, dt, nhf, "dout");
  d.d_wh = mem.span(info, 30, dt, nhf, "dWh");
  d.d_a_src = mem.span(info, 32, dt, hf, "daSrc");
  d.d_a_dst = mem.span(info, 34, dt, hf, "daDst");
  d.workspace_elems = gat_backward_workspace_size(d.N, d.E, d.H, d.F);
  d.workspace = mem.maybe<void>(info, 36, dt, d.workspace_elems, "workspace");
  return d;
}

int64_t gat_workspace_size_arg(const Napi::CallbackInfo& info) {
  int64_t N = count_arg(info, 0, "N"), E = count_arg(info, 1, "nEdges"), H = count_arg(info, 2, "H"),
          F = count_arg(info, 3, "F");
  checked_numel(info.Env(), "workspace", N + E + 1, H, F + 1);
  return gat_backward_workspace_size(N, E, H, F);
}

}  // namespace napi
}  // namespace recforge
