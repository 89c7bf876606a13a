// The fused GRU (gru.h) on the device: the CPU binding's names and arguments, parsed by
// the shared native/napi/gru_args.cc over device storages (lengths, when given, are copied to the
// host once for the range check: B int32s). With workspace = null, scratch comes from the caching
// allocator (stream-ordered free).
#include <memory>

#include "cuda_common.h"
#include "gru_args.h"
#include "recforge/gru.h"

namespace recforge {
namespace napi {
namespace {

template <typename T>
T* scratch(Napi::Env env, void* given, int64_t elems, std::unique_ptr<Workspace>& own, const char* what) {
  if (given) return static_cast<T*>(given);
  own.reset(new Workspace(env, elems * (int64_t)sizeof(T), what));
  return own->as<T>();
}

Napi::Value GruForward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceArgs mem;
  const GruArgs a = gru_args(info, mem, false);
  auto* s = stream_or_throw(env);
  RECFORGE_FLOAT_DISPATCH(env, a.dtype, T, {
    const GruPointers<T> p(a);
    std::unique_ptr<Workspace> own;
    gru_forward_cuda<T>(a.d, (const T*)a.x, a.lengths, (const T*)a.h0, p.weights, (T*)a.out, (T*)a.h_n,
                        (T*)a.reserve, scratch<T>(env, a.workspace, a.workspace_elems, own, "gruForward"), s);
  });
  check_launch(env, "gruForward");
  return env.Undefined();
}

Napi::Value GruBackward(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  DeviceArgs mem;
  const GruArgs a = gru_args(info, mem, true);
  auto* s = stream_or_throw(env);
  RECFORGE_FLOAT_DISPATCH(env, a.dtype, T, {
    const GruPointers<T> p(a);
    std::unique_ptr<Workspace> own;
    gru_backward_cuda<T>(a.d, (const T*)a.x, a.lengths, p.weights, (const T*)a.reserve, (const T*)a.dout,
                         (const T*)a.dh_n, (T*)a.dx, (T*)a.dh0, p.grads,
                         scratch<T>(env, a.workspace, a.workspace_elems, own, "gruBackward"), s);
  });
  check_launch(env, "gruBackward");
  return env.Undefined();
}

Napi::Value GruSizes(const Napi::CallbackInfo& info) { return gru_sizes(info); }

}  // namespace
RECFORGE_BIND(gruForward, GruForward);
RECFORGE_BIND(gruBackward, GruBackward);
RECFORGE_BIND(gruSizes, GruSizes);
}  // namespace napi
}  // namespace recforge
