// Node-API wrappers for the fused GAT layer (gat.h) on the CPU. Arguments and checks: gnn_args.h
// (shared with the CUDA addon). With workspace = null the binding allocates the backward's
// workspace for the call itself (a heap block of gatWorkspaceSize elements, freed on return).
#include <vector>

#include "gnn_args.h"
#include "recforge/gat.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value GatForward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const GatArgs d = gat_args(info, mem, false);
  RECFORGE_FLOAT_DISPATCH(info.Env(), d.dtype, T, {
    gat_forward<T>(d.N, d.H, d.F, d.g.rowptr, d.g.col, (const T*)d.wh, (const T*)d.a_src, (const T*)d.a_dst, d.slope,
                   (T*)d.out, (T*)d.el, (T*)d.er, (T*)d.alpha);
  });
  return info.Env().Undefined();
}

Napi::Value GatBackward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const GatArgs d = gat_args(info, mem, true);
  RECFORGE_FLOAT_DISPATCH(info.Env(), d.dtype, T, {
    T* ws = (T*)d.workspace;
    std::vector<T> own;
    if (!ws) {
      own.resize(d.workspace_elems);
      ws = own.data();
    }
    gat_backward<T>(d.N, d.H, d.F, d.g.rowptr, d.g.col, d.t.rowptr, d.t.dst, d.t.eid, (const T*)d.wh,
                    (const T*)d.a_src, (const T*)d.a_dst, d.slope, (const T*)d.el, (const T*)d.er, (const T*)d.alpha,
                    (const T*)d.dout, (T*)d.d_wh, (T*)d.d_a_src, (T*)d.d_a_dst, ws);
  });
  return info.Env().Undefined();
}

Napi::Value GatWorkspaceSize(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), (double)gat_workspace_size_arg(info));
}

}  // namespace
RECFORGE_BIND(gatForward, GatForward)
RECFORGE_BIND(gatBackward, GatBackward)
RECFORGE_BIND(gatWorkspaceSize, GatWorkspaceSize)
}  // namespace napi
}  // namespace recforge
