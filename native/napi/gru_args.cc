#include "gru_args.h"

#include <algorithm>
#include <string>

#include "graph_args.h"

namespace recforge {
namespace napi {
namespace {

// The dimensions every GRU entry point takes (gruForward, gruBackward, gruSizes: args::Gru*).
template <typename A>
GruDims dims_arg(const A& f, const std::string& fn) {
  Napi::Env env = f.info.Env();
  GruDims d;
  d.B = count_arg(f.B(), "B");
  d.T = count_arg(f.T(), "T");
  d.in = count_arg(f.inSize(), "in");
  d.H = count_arg(f.H(), "H");
  d.layers = count_arg(f.layers(), "layers");
  const int64_t dirs = count_arg(f.dirs(), "dirs");
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

namespace {

// What gruForward and gruBackward share: dtype, sizes, bias, x, lengths.
template <typename A>
void common_args(const A& f, TensorArgs& mem, const std::string& fn, GruArgs& a, std::vector<ByteRange>& ins) {
  Napi::Env env = f.info.Env();
  a.dtype = dtype_arg(f.dtype());
  check_float_dtype(env, fn, a.dtype, true, mem.device_name());
  a.d = dims_arg(f, fn);
  a.bias = bool_arg(f.bias(), "bias");
  const GruDims& d = a.d;
  const int64_t n_x = d.B * d.T * d.in;
  a.x = mem.span(f.x(), a.dtype, n_x, "x");
  ins.push_back({"x", a.x, n_x * (int64_t)dtype_size(a.dtype)});
  a.lengths = mem.maybe<const int32_t>(f.lengths(), I32, d.B, "lengths");
  if (a.lengths) {
    const int32_t* h = mem.host_view(env, a.lengths, d.B, "lengths");
    for (int64_t b = 0; b < d.B; ++b)
      if (h[b] < 0 || h[b] > d.T)
        throw_range(env, fn + ": lengths[" + std::to_string(b) + "] = " + std::to_string(h[b]) + " is outside [0, " +
                             std::to_string(d.T) + "] (T = " + std::to_string(d.T) + ")");
    ins.push_back({"lengths", a.lengths, d.B * 4});
  }
}

// One weight list (or its gradients): per k = l * dirs + d, wIh [3H, in_l], wHh [3H, H] and, with
// bias, bIh, bHh [3H]; names like PyTorch's parameters (weight_ih_l1_reverse).
class WeightList {
 public:
  WeightList(const GruArgs& a, const std::string& fn) : a_(a), fn_(fn) { names_.reserve(8 * a.d.layers * a.d.dirs); }

  void take(TensorsArg list, TensorArgs& mem, bool grads, std::vector<ByteRange>& ranges, std::vector<const void*>* w_ih,
            std::vector<const void*>* w_hh, std::vector<const void*>* b_ih, std::vector<const void*>* b_hh) {
    const GruDims& d = a_.d;
    const int64_t K = d.layers * d.dirs, per_k = a_.bias ? 4 : 2;
    const char* what = grads ? "grads" : "weights";
    const size_t got = tensors_count(list, (fn_ + " " + what).c_str());
    if ((int64_t)got != per_k * K)
      throw_type(list.env(), fn_ + ": " + what + " must hold " + std::to_string(per_k * K) + " tensors (" +
                                 std::to_string(per_k) + " per layer and direction: wIh, wHh" +
                                 (a_.bias ? ", bIh, bHh" : "") + "), got " + std::to_string(got));
    const int64_t es = (int64_t)dtype_size(a_.dtype);
    size_t j = 0;
    auto one = [&](const char* base, int64_t k, int64_t n) {
      names_.push_back((grads ? "grad of " : "") + pname(base, k));
      void* p = mem.span(list, j++, a_.dtype, n, names_.back().c_str());
      ranges.push_back({names_.back().c_str(), p, n * es});
      return p;
    };
    for (int64_t k = 0; k < K; ++k) {
      const int64_t in_l = d.in_of(k / d.dirs);
      w_ih->push_back(one("weight_ih", k, 3 * d.H * in_l));
      w_hh->push_back(one("weight_hh", k, 3 * d.H * d.H));
      if (a_.bias) {
        b_ih->push_back(one("bias_ih", k, 3 * d.H));
        b_hh->push_back(one("bias_hh", k, 3 * d.H));
      }
    }
  }

 private:
  std::string pname(const char* base, int64_t k) const {
    return std::string(base) + "_l" + std::to_string(k / a_.d.dirs) + (k % a_.d.dirs ? "_reverse" : "");
  }
  const GruArgs& a_;
  const std::string fn_;
  std::vector<std::string> names_;  // keeps the ByteRange `what` strings alive (reserved: no reallocation)
};

}  // namespace

GruArgs gru_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward) {
  Napi::Env env = info.Env();
  const std::string fn = backward ? "gruBackward" : "gruForward";
  GruArgs a;
  std::vector<ByteRange> ins, outs;
  WeightList wl(a, fn);
  if (!backward) {
    const args::GruForward f(info);
    common_args(f, mem, fn, a, ins);
    const GruDims& d = a.d;
    const int dt = a.dtype;
    const int64_t es = (int64_t)dtype_size(dt), K = d.layers * d.dirs;
    const int64_t n_out = d.B * d.T * d.dirs * d.H, n_h = K * d.B * d.H;
    const GruLayout lay(d);
    a.h0 = mem.maybe<const void>(f.h0(), dt, n_h, "h0");
    a.out = mem.span(f.out(), dt, n_out, "out");
    a.h_n = mem.span(f.hN(), dt, n_h, "hN");
    a.reserve = mem.span(f.reserve(), dt, lay.reserve, "reserve");
    a.workspace_elems = lay.forward_ws;
    a.workspace = mem.maybe<void>(f.workspace(), dt, a.workspace_elems, "workspace");
    if (a.h0) ins.push_back({"h0", a.h0, n_h * es});
    outs.push_back({"out", a.out, n_out * es});
    outs.push_back({"hN", a.h_n, n_h * es});
    outs.push_back({"reserve", a.reserve, lay.reserve * es});
    if (a.workspace) outs.push_back({"workspace", a.workspace, a.workspace_elems * es});
    wl.take(f.weights(), mem, false, ins, &a.w_ih, &a.w_hh, &a.b_ih, &a.b_hh);
  } else {
    const args::GruBackward f(info);
    common_args(f, mem, fn, a, ins);
    const GruDims& d = a.d;
    const int dt = a.dtype;
    const int64_t es = (int64_t)dtype_size(dt), K = d.layers * d.dirs;
    const int64_t n_x = d.B * d.T * d.in, n_out = d.B * d.T * d.dirs * d.H, n_h = K * d.B * d.H;
    const GruLayout lay(d);
    a.reserve = mem.span(f.reserve(), dt, lay.reserve, "reserve");
    a.dout = mem.maybe<const void>(f.dout(), dt, n_out, "dout");
    a.dh_n = mem.maybe<const void>(f.dhN(), dt, n_h, "dhN");
    a.dx = mem.maybe<void>(f.dx(), dt, n_x, "dx");
    a.dh0 = mem.maybe<void>(f.dh0(), dt, n_h, "dh0");
    a.workspace_elems = lay.backward_ws;
    a.workspace = mem.maybe<void>(f.workspace(), dt, a.workspace_elems, "workspace");
    ins.push_back({"reserve", a.reserve, lay.reserve * es});
    if (a.dout) ins.push_back({"dout", a.dout, n_out * es});
    if (a.dh_n) ins.push_back({"dhN", a.dh_n, n_h * es});
    if (a.dx) outs.push_back({"dx", a.dx, n_x * es});
    if (a.dh0) outs.push_back({"dh0", a.dh0, n_h * es});
    if (a.workspace) outs.push_back({"workspace", a.workspace, a.workspace_elems * es});
    wl.take(f.weights(), mem, false, ins, &a.w_ih, &a.w_hh, &a.b_ih, &a.b_hh);
    std::vector<const void*> g_ih, g_hh, gb_ih, gb_hh;
    wl.take(f.grads(), mem, true, outs, &g_ih, &g_hh, &gb_ih, &gb_hh);
    auto writable = [](const std::vector<const void*>& v) {
      std::vector<void*> r;
      for (const void* p : v) r.push_back(const_cast<void*>(p));
      return r;
    };
    a.dw_ih = writable(g_ih);
    a.dw_hh = writable(g_hh);
    a.db_ih = writable(gb_ih);
    a.db_hh = writable(gb_hh);
  }
  check_no_overlap(env, fn, outs, ins);
  return a;
}

Napi::Value gru_sizes(const Napi::CallbackInfo& info) {
  const GruLayout lay(dims_arg(args::GruSizes(info), "gruSizes"));
  Napi::Array r = Napi::Array::New(info.Env(), 3);
  r.Set(0u, Napi::Number::New(info.Env(), (double)lay.reserve));
  r.Set(1u, Napi::Number::New(info.Env(), (double)lay.forward_ws));
  r.Set(2u, Napi::Number::New(info.Env(), (double)lay.backward_ws));
  return r;
}

}  // namespace napi
}  // namespace recforge
