#include "gru_args.h"

#include <algorithm>
#include <string>

#include "graph_args.h"

namespace recforge {
namespace napi {
namespace {

// Dimensions at args 1..7 (after the dtype).
GruDims dims_arg(const Napi::CallbackInfo& info, size_t at, const std::string& fn) {
  Napi::Env env = info.Env();
  GruDims d;
  d.B = count_arg(info, at, "B");
  d.T = count_arg(info, at + 1, "T");
  d.in = count_arg(info, at + 2, "in");
  d.H = count_arg(info, at + 3, "H");
  d.layers = count_arg(info, at + 4, "layers");
  const int64_t dirs = count_arg(info, at + 5, "dirs");
  if (d.in < 1 || d.H < 1 || d.layers < 1)
    throw_range(env, fn + ": in, H and layers must be >= 1, got in = " + std::to_string(d.in) + ", H = " +
                         std::to_string(d.H) + ", layers = " + std::to_string(d.layers));
  if (dirs != 1 && dirs != 2) throw_range(env, fn + ": dirs must be 1 or 2, got " + std::to_string(dirs));
  d.dirs = (int)dirs;
  // Every buffer size below must be representable: the largest is the reserve / workspace.
  checked_numel(env, "x", d.B * d.T, d.in);
  checked_numel(env, "reserve", d.B * d.T, 5 * d.H, d.layers * d.dirs + 1);
  checked_numel(env, "wIh", 3 * d.H, std::max<int64_t>(d.in, d.dirs * d.H));
  return d;
}

void check_no_overlap(Napi::Env env, const std::string& fn, const std::vector<ByteRange>& outputs,
                      const std::vector<ByteRange>& inputs) {
  for (size_t o = 0; o < outputs.size(); ++o) {
    for (const ByteRange& in : inputs)
      if (overlaps(outputs[o], in)) throw_range(env, fn + ": output " + outputs[o].what + " overlaps input " + in.what);
    for (size_t p = o + 1; p < outputs.size(); ++p)
      if (overlaps(outputs[o], outputs[p]))
        throw_range(env, fn + ": outputs " + outputs[o].what + " and " + outputs[p].what + " overlap");
  }
}

}  // namespace

GruArgs gru_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  Napi::Env env = info.Env();
  const std::string fn = backward ? "gruBackward" : "gruForward";
  GruArgs a;
  a.dtype = dtype_arg(info, 0);
  check_float_dtype(env, fn, a.dtype, true, mem.device_name());
  a.d = dims_arg(info, 1, fn);
  a.bias = bool_arg(info, 7, "bias");
  const GruDims& d = a.d;
  const int dt = a.dtype;
  const int64_t es = (int64_t)dtype_size(dt), K = d.layers * d.dirs;
  const int64_t n_x = d.B * d.T * d.in, n_out = d.B * d.T * d.dirs * d.H, n_h = K * d.B * d.H;
  const GruLayout lay(d);
  std::vector<ByteRange> ins, outs;

  a.x = mem.span(info, 8, dt, n_x, "x");
  ins.push_back({"x", a.x, n_x * es});
  a.lengths = mem.maybe<const int32_t>(info, 10, I32, d.B, "lengths");
  if (a.lengths) {
    const int32_t* h = mem.host_view(env, a.lengths, d.B, "lengths");
    for (int64_t b = 0; b < d.B; ++b)
      if (h[b] < 0 || h[b] > d.T)
        throw_range(env, fn + ": lengths[" + std::to_string(b) + "] = " + std::to_string(h[b]) + " is outside [0, " +
                             std::to_string(d.T) + "] (T = " + std::to_string(d.T) + ")");
    ins.push_back({"lengths", a.lengths, d.B * 4});
  }
  size_t at;
  if (!backward) {
    a.h0 = mem.maybe<const void>(info, 12, dt, n_h, "h0");
    a.out = mem.span(info, 14, dt, n_out, "out");
    a.h_n = mem.span(info, 16, dt, n_h, "hN");
    a.reserve = mem.span(info, 18, dt, lay.reserve, "reserve");
    a.workspace_elems = lay.forward_ws;
    a.workspace = mem.maybe<void>(info, 20, dt, a.workspace_elems, "workspace");
    if (a.h0) ins.push_back({"h0", a.h0, n_h * es});
    outs.push_back({"out", a.out, n_out * es});
    outs.push_back({"hN", a.h_n, n_h * es});
    outs.push_back({"reserve", a.reserve, lay.reserve * es});
    at = 22;
  } else {
    a.reserve = mem.span(info, 12, dt, lay.reserve, "reserve");
    a.dout = mem.maybe<const void>(info, 14, dt, n_out, "dout");
    a.dh_n = mem.maybe<const void>(info, 16, dt, n_h, "dhN");
    a.dx = mem.maybe<void>(info, 18, dt, n_x, "dx");
    a.dh0 = mem.maybe<void>(info, 20, dt, n_h, "dh0");
    a.workspace_elems = lay.backward_ws;
    a.workspace = mem.maybe<void>(info, 22, dt, a.workspace_elems, "workspace");
    ins.push_back({"reserve", a.reserve, lay.reserve * es});
    if (a.dout) ins.push_back({"dout", a.dout, n_out * es});
    if (a.dh_n) ins.push_back({"dhN", a.dh_n, n_h * es});
    if (a.dx) outs.push_back({"dx", a.dx, n_x * es});
    if (a.dh0) outs.push_back({"dh0", a.dh0, n_h * es});
    at = 24;
  }
  if (a.workspace) outs.push_back({"workspace", a.workspace, a.workspace_elems * es});
  const size_t per_k = a.bias ? 4 : 2;
  const size_t expected = at + 2 * per_k * K * (backward ? 2 : 1);
  if (info.Length() != expected)
    throw_type(env, fn + ": expected " + std::to_string(expected) + " arguments (" + std::to_string(per_k) +
                        " tensors per layer and direction" + (backward ? ", then as many gradients" : "") + "), got " +
                        std::to_string(info.Length()));
  // Names like PyTorch's parameters: weight_ih_l1_reverse.
  auto pname = [&](const char* base, int64_t k) {
    return std::string(base) + "_l" + std::to_string(k / d.dirs) + (k % d.dirs ? "_reverse" : "");
  };
  std::vector<std::string> names;  // keeps the ByteRange `what` strings alive
  names.reserve(8 * K);
  auto take = [&](const char* base, int64_t k, int64_t n, bool output) {
    names.push_back((output ? "grad of " : "") + pname(base, k));
    void* p = mem.span(info, at, dt, n, names.back().c_str());
    at += 2;
    (output ? outs : ins).push_back({names.back().c_str(), p, n * es});
    return p;
  };
  for (int pass = 0; pass < (backward ? 2 : 1); ++pass) {
    const bool out = pass == 1;
    for (int64_t k = 0; k < K; ++k) {
      const int64_t in_l = d.in_of(k / d.dirs);
      void* wi = take("weight_ih", k, 3 * d.H * in_l, out);
      void* wh = take("weight_hh", k, 3 * d.H * d.H, out);
      void* bi = a.bias ? take("bias_ih", k, 3 * d.H, out) : nullptr;
      void* bh = a.bias ? take("bias_hh", k, 3 * d.H, out) : nullptr;
      if (!out) {
        a.w_ih.push_back(wi);
        a.w_hh.push_back(wh);
        if (a.bias) a.b_ih.push_back(bi), a.b_hh.push_back(bh);
      } else {
        a.dw_ih.push_back(wi);
        a.dw_hh.push_back(wh);
        if (a.bias) a.db_ih.push_back(bi), a.db_hh.push_back(bh);
      }
    }
  }
  check_no_overlap(env, fn, outs, ins);
  return a;
}

Napi::Value gru_sizes(const Napi::CallbackInfo& info) {
  const GruLayout lay(dims_arg(info, 0, "gruSizes"));
  Napi::Array r = Napi::Array::New(info.Env(), 3);
  r.Set(0u, Napi::Number::New(info.Env(), (double)lay.reserve));
  r.Set(1u, Napi::Number::New(info.Env(), (double)lay.forward_ws));
  r.Set(2u, Napi::Number::New(info.Env(), (double)lay.backward_ws));
  return r;
}

}  // namespace napi
}  // namespace recforge
