#include "gnn_args.h"

#include <string>

#include "recforge/gat.h"

namespace recforge {
namespace napi {
namespace {

ReduceOp reduce_arg(EnumArg<ReduceOp> a) {
  int64_t r = int_arg(a, "reduce");
  if (r < 0 || r > 3)
    throw_range(a.env(), "reduce: expected 0 (sum), 1 (mean), 2 (max) or 3 (min), got " + std::to_string(r));
  return (ReduceOp)r;
}

bool extreme(ReduceOp op) { return op == ReduceOp::Max || op == ReduceOp::Min; }

}  // namespace

SegmentAggregateArgs segment_aggregate_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  const char* fn = "segmentAggregate";
  const args::SegmentAggregate f(info);
  SegmentAggregateArgs a;
  a.dtype = dtype_arg(f.dtype());
  check_float_dtype(env, fn, a.dtype, true, mem.device_name());
  a.reduce = reduce_arg(f.reduce());
  a.n_dst = count_arg(f.nDst(), "nDst"), a.n_src = count_arg(f.nSrc(), "nSrc"), a.F = count_arg(f.F(), "F");
  const int64_t E = count_arg(f.nEdges(), "nEdges");
  const TensorArg col = f.src();
  a.g = csr_arg(mem, fn, f.rowptr(), &col, a.n_dst, a.n_src, E, "rowptr", "src");
  const int64_t n_x = checked_numel(env, "x", a.n_src, a.F), n_out = checked_numel(env, "out", a.n_dst, a.F);
  a.arg = mem.maybe<int32_t>(f.arg(), I32, n_out, "arg");
  if (extreme(a.reduce) && !a.arg)
    throw_type(env, std::string(fn) + ": reduce=max/min needs an arg tensor (int32 [nDst, F])");
  a.x = mem.span(f.x(), a.dtype, n_x, "x");
  a.w = mem.maybe<void>(f.w(), a.dtype, E, "w");
  a.out = mem.span(f.out(), a.dtype, n_out, "out");
  return a;
}

SegmentAggregateBackwardArgs segment_aggregate_backward_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  const char* fn = "segmentAggregateBackward";
  const args::SegmentAggregateBackward f(info);
  SegmentAggregateBackwardArgs a;
  a.dtype = dtype_arg(f.dtype());
  check_float_dtype(env, fn, a.dtype, true, mem.device_name());
  a.reduce = reduce_arg(f.reduce());
  a.n_dst = count_arg(f.nDst(), "nDst"), a.n_src = count_arg(f.nSrc(), "nSrc"), a.F = count_arg(f.F(), "F");
  const int64_t E = count_arg(f.nEdges(), "nEdges");
  const TensorArg col = f.src();
  a.g = csr_arg(mem, fn, f.rowptr(), &col, a.n_dst, a.n_src, E, "rowptr", "src");
  const int64_t n_x = checked_numel(env, "x", a.n_src, a.F), n_out = checked_numel(env, "dout", a.n_dst, a.F);
  // The transposed CSR is only read (and only required) when dx is requested.
  if (!is_null(f.dx())) a.t = transpose_arg(mem, fn, required(f.tRowptr()), required(f.tDst()), required(f.tEid()), a.g);
  a.arg = mem.maybe<const int32_t>(f.arg(), I32, n_out, "arg");
  if (extreme(a.reduce) && !a.arg) throw_type(env, std::string(fn) + ": reduce=max/min needs the forward's arg");
  a.x = mem.maybe<const void>(f.x(), a.dtype, n_x, "x");
  a.w = mem.maybe<const void>(f.w(), a.dtype, E, "w");
  a.dout = mem.span(f.dout(), a.dtype, n_out, "dout");
  a.dx = mem.maybe<void>(f.dx(), a.dtype, n_x, "dx");
  a.dw = mem.maybe<void>(f.dw(), a.dtype, E, "dw");
  if (a.dw && !a.x) throw_type(env, std::string(fn) + ": dw needs x");
  return a;
}

EdgeSoftmaxArgs edge_softmax_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  Napi::Env env = info.Env();
  const char* fn = backward ? "edgeSoftmaxBackward" : "edgeSoftmax";
  const args::EdgeSoftmax f(info);
  const args::EdgeSoftmaxBackward b(info);
  EdgeSoftmaxArgs a;
  a.dtype = dtype_arg(f.dtype());
  check_float_dtype(env, fn, a.dtype, true, mem.device_name());
  a.n_dst = count_arg(f.nDst(), "nDst"), a.H = count_arg(f.H(), "H");
  const int64_t E = count_arg(f.nEdges(), "nEdges");
  a.g = csr_arg(mem, fn, f.rowptr(), nullptr, a.n_dst, 0, E, "rowptr", "");
  const int64_t n = checked_numel(env, backward ? "alpha" : "scores", E, a.H);
  a.a = mem.span(backward ? b.alpha() : f.scores(), a.dtype, n, backward ? "alpha" : "scores");
  if (backward) {
    a.b = mem.span(b.dalpha(), a.dtype, n, "dalpha");
    a.out = mem.span(b.dscores(), a.dtype, n, "dscores");
  } else {
    a.out = mem.span(f.alpha(), a.dtype, n, "alpha");
  }
  return a;
}

GatArgs gat_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  Napi::Env env = info.Env();
  const char* fn = backward ? "gatBackward" : "gatForward";
  const args::GatForward f(info);
  const args::GatBackward b(info);
  GatArgs d;
  d.dtype = dtype_arg(f.dtype());
  check_float_dtype(env, fn, d.dtype, true, mem.device_name());
  d.N = count_arg(f.N(), "N");
  d.H = count_arg(f.H(), "H");
  d.F = count_arg(f.F(), "F");
  d.E = count_arg(f.nEdges(), "nEdges");
  d.slope = num_arg(f.negativeSlope(), "negativeSlope");
  if (!(d.slope >= 0 && d.slope <= 1))
    throw_range(env, "negativeSlope: expected a value in [0, 1], got " + std::to_string(d.slope));
  const int64_t nhf = checked_numel(env, "wh", d.N, d.H, d.F), nh = checked_numel(env, "el", d.N, d.H),
                hf = checked_numel(env, "aSrc", d.H, d.F), eh = checked_numel(env, "alpha", d.E, d.H);
  const TensorArg col = f.src();
  d.g = csr_arg(mem, fn, f.rowptr(), &col, d.N, d.N, d.E, "rowptr", "src");
  const int dt = d.dtype;
  if (!backward) {
    d.wh = mem.span(f.wh(), dt, nhf, "wh");
    d.a_src = mem.span(f.aSrc(), dt, hf, "aSrc");
    d.a_dst = mem.span(f.aDst(), dt, hf, "aDst");
    d.out = mem.span(f.out(), dt, nhf, "out");
    d.el = mem.span(f.el(), dt, nh, "el");
    d.er = mem.span(f.er(), dt, nh, "er");
    d.alpha = mem.span(f.alpha(), dt, eh, "alpha");
    return d;
  }
  d.t = transpose_arg(mem, fn, b.tRowptr(), b.tDst(), b.tEid(), d.g);
  d.wh = mem.span(b.wh(), dt, nhf, "wh");
  d.a_src = mem.span(b.aSrc(), dt, hf, "aSrc");
  d.a_dst = mem.span(b.aDst(), dt, hf, "aDst");
  d.el = mem.span(b.el(), dt, nh, "el");
  d.er = mem.span(b.er(), dt, nh, "er");
  d.alpha = mem.span(b.alpha(), dt, eh, "alpha");
  d.dout = mem.span(b.dout(), dt, nhf, "dout");
  d.d_wh = mem.span(b.dWh(), dt, nhf, "dWh");
  d.d_a_src = mem.span(b.daSrc(), dt, hf, "daSrc");
  d.d_a_dst = mem.span(b.daDst(), dt, hf, "daDst");
  d.workspace_elems = gat_backward_workspace_size(d.N, d.E, d.H, d.F);
  d.workspace = mem.maybe<void>(b.workspace(), dt, d.workspace_elems, "workspace");
  return d;
}

int64_t gat_workspace_size_arg(const Napi::CallbackInfo& info) {
  const args::GatWorkspaceSize f(info);
  int64_t N = count_arg(f.N(), "N"), E = count_arg(f.nEdges(), "nEdges"), H = count_arg(f.H(), "H"), F = count_arg(f.F(), "F");
  checked_numel(info.Env(), "workspace", N + E + 1, H, F + 1);
  return gat_backward_workspace_size(N, E, H, F);
}

}  // namespace napi
}  // namespace recforge
