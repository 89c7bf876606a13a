// Node-API wrappers for the fused GAT layer (gat.h). Tensors are (storage, elementOffset) pairs.
//
//   gatForward(dtype, N, H, F, nEdges, negativeSlope, rowptr,o, src,o, wh,o, aSrc,o, aDst,o,
//              out,o, el,o, er,o, alpha,o)
//   gatBackward(dtype, N, H, F, nEdges, negativeSlope, rowptr,o, src,o, tRowptr,o, tDst,o, tEid,o,
//               wh,o, aSrc,o, aDst,o, el,o, er,o, alpha,o, dout,o, dWh,o, daSrc,o, daDst,o,
//               workspace|null,o)
//   gatWorkspaceSize(N, nEdges, H, F) -> elements of dtype gatBackward's workspace needs
// Shapes: wh/out/dout/dWh [N, H, F]; aSrc/aDst/daSrc/daDst [H, F]; el/er [N, H]; alpha [nEdges, H].
// The graph is a CSR by destination including the self-loops the caller added; (tRowptr, tDst,
// tEid) must be csrTranspose of it (checked). With workspace = null the binding allocates the
// workspace for the call itself (a heap block of gatWorkspaceSize elements, freed on return).
#include <string>
#include <vector>

#include "common.h"
#include "graph_args.h"
#include "recforge/gat.h"

namespace recforge {
namespace napi {
namespace {

struct GatDims {
  int64_t N, H, F, E, nhf, nh, hf, eh;
  double slope;
};

GatDims gat_dims(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  GatDims d;
  d.N = count_arg(info, 1, "N");
  d.H = count_arg(info, 2, "H");
  d.F = count_arg(info, 3, "F");
  d.E = count_arg(info, 4, "nEdges");
  d.slope = num_arg(info, 5, "negativeSlope");
  if (!(d.slope >= 0 && d.slope <= 1)) throw_range(env, "negativeSlope: expected a value in [0, 1], got " + std::to_string(d.slope));
  d.nhf = checked_numel(env, "wh", d.N, d.H, d.F);
  d.nh = checked_numel(env, "el", d.N, d.H);
  d.hf = checked_numel(env, "aSrc", d.H, d.F);
  d.eh = checked_numel(env, "alpha", d.E, d.H);
  return d;
}

Napi::Value GatForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int dt = dtype_arg(info, 0);
  GatDims d = gat_dims(info);
  Csr g = csr_arg(info, "gatForward", 6, 8, d.N, d.N, d.E, "rowptr", "src");
  RECFORGE_FLOAT_DISPATCH(env, dt, T, {
    const T* wh = span<T>(info, 10, dt, d.nhf, "wh");
    const T* a_src = span<T>(info, 12, dt, d.hf, "aSrc");
    const T* a_dst = span<T>(info, 14, dt, d.hf, "aDst");
    T* out = span<T>(info, 16, dt, d.nhf, "out");
    T* el = span<T>(info, 18, dt, d.nh, "el");
    T* er = span<T>(info, 20, dt, d.nh, "er");
    T* alpha = span<T>(info, 22, dt, d.eh, "alpha");
    gat_forward<T>(d.N, d.H, d.F, g.rowptr, g.col, wh, a_src, a_dst, d.slope, out, el, er, alpha);
  });
  return env.Undefined();
}

Napi::Value GatBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const char* fn = "gatBackward";
  int dt = dtype_arg(info, 0);
  GatDims d = gat_dims(info);
  Csr g = csr_arg(info, fn, 6, 8, d.N, d.N, d.E, "rowptr", "src");
  Transpose t = transpose_arg(info, fn, 10, g);
  const int64_t ws_size = gat_backward_workspace_size(d.N, d.E, d.H, d.F);
  RECFORGE_FLOAT_DISPATCH(env, dt, T, {
    const T* wh = span<T>(info, 16, dt, d.nhf, "wh");
    const T* a_src = span<T>(info, 18, dt, d.hf, "aSrc");
    const T* a_dst = span<T>(info, 20, dt, d.hf, "aDst");
    const T* el = span<T>(info, 22, dt, d.nh, "el");
    const T* er = span<T>(info, 24, dt, d.nh, "er");
    const T* alpha = span<T>(info, 26, dt, d.eh, "alpha");
    const T* dout = span<T>(info, 28, dt, d.nhf, "dout");
    T* d_wh = span<T>(info, 30, dt, d.nhf, "dWh");
    T* d_a_src = span<T>(info, 32, dt, d.hf, "daSrc");
    T* d_a_dst = span<T>(info, 34, dt, d.hf, "daDst");
    T* ws = maybe_span<T>(info, 36, dt, ws_size, "workspace");
    std::vector<T> own;
    if (!ws) {
      own.resize(ws_size);
      ws = own.data();
    }
    gat_backward<T>(d.N, d.H, d.F, g.rowptr, g.col, t.rowptr, t.dst, t.eid, wh, a_src, a_dst, d.slope, el, er, alpha,
                    dout, d_wh, d_a_src, d_a_dst, ws);
  });
  return env.Undefined();
}

Napi::Value GatWorkspaceSize(const Napi::CallbackInfo& info) {
  int64_t N = count_arg(info, 0, "N"), E = count_arg(info, 1, "nEdges"), H = count_arg(info, 2, "H"),
          F = count_arg(info, 3, "F");
  checked_numel(info.Env(), "workspace", N + E + 1, H, F + 1);
  return Napi::Number::New(info.Env(), (double)gat_backward_workspace_size(N, E, H, F));
}

}  // namespace
RECFORGE_BIND("gatForward", GatForward);
RECFORGE_BIND("gatBackward", GatBackward);
RECFORGE_BIND("gatWorkspaceSize", GatWorkspaceSize);
}  // namespace napi
}  // namespace recforge
