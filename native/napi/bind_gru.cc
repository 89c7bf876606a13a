// Node-API wrappers for the fused GRU (gru.h) on the CPU. Arguments and checks: gru_args.h (shared
// with the CUDA addon). With workspace = null the binding allocates the call's scratch itself (a
// heap block of the size gruSizes reports, freed on return).
#include <vector>

#include "gru_args.h"
#include "recforge/gru.h"

namespace recforge {
namespace napi {
namespace {

template <typename T>
T* scratch(void* given, int64_t elems, std::vector<T>& own) {
  if (given) return static_cast<T*>(given);
  own.resize((size_t)elems);
  return own.data();
}

Napi::Value GruForward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const GruArgs a = gru_args(info, mem, false);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    const GruPointers<T> p(a);
    std::vector<T> own;
    gru_forward<T>(a.d, (const T*)a.x, a.lengths, (const T*)a.h0, p.weights, (T*)a.out, (T*)a.h_n, (T*)a.reserve,
                   scratch<T>(a.workspace, a.workspace_elems, own));
  });
  return info.Env().Undefined();
}

Napi::Value GruBackward(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const GruArgs a = gru_args(info, mem, true);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    const GruPointers<T> p(a);
    std::vector<T> own;
    gru_backward<T>(a.d, (const T*)a.x, a.lengths, p.weights, (const T*)a.reserve, (const T*)a.dout,
                    (const T*)a.dh_n, (T*)a.dx, (T*)a.dh0, p.grads, scratch<T>(a.workspace, a.workspace_elems, own));
  });
  return info.Env().Undefined();
}

Napi::Value GruSizes(const Napi::CallbackInfo& info) { return gru_sizes(info); }

}  // namespace
RECFORGE_BIND(gruForward, GruForward);
RECFORGE_BIND(gruBackward, GruBackward);
RECFORGE_BIND(gruSizes, GruSizes);
}  // namespace napi
}  // namespace recforge
