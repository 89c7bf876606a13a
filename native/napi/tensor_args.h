// Tensor arguments independent of where the tensors live. The argument parsers of the fused ops
// (attention_args.h, graph_args.h, gnn_args.h, balance_args.h, core_args.h) are written ONCE against this
// interface and compiled into both addons, so the CPU addon (host storages) and the CUDA addon
// (device storages) validate exactly the same things with exactly the same messages:
//   span()  checks [offset, offset + numel) of `dtype` against the storage at args (i, i + 1)
//           and returns the pointer in this memory space (host or device);
//   host()  gives a host-readable view of bytes the parser must inspect (interval bounds, CSR
//           arrays, optimiser state): the pointer itself for host memory; for device memory a
//           staged copy (one synchronous device-to-host copy on recforge's stream, so it sees
//           every kernel enqueued before), owned by the TensorArgs object.
//   find_bad_index()  scans an int32 index array in this memory space for the first entry
//           outside [0, limit): a host loop, or on the device a scan kernel whose 16-byte verdict
//           is copied back (the indices themselves are never staged to the host).
// Every file named native/napi/*_args.cc is shared by the two addons (CMakeLists.txt).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common.h"

namespace recforge {
namespace napi {

class TensorArgs {
 public:
  virtual ~TensorArgs() = default;
  virtual void* span(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) = 0;
  // span() over a (handle, offset) pair given as values (the elements of a tensor list).
  virtual void* span_value(Napi::Env env, const Napi::Value& handle, const Napi::Value& offset, int dtype,
                           int64_t numel, const char* what) = 0;
  virtual const void* host(Napi::Env env, const void* p, int64_t bytes, const char* what) = 0;
  // "cpu" or "cuda": named in messages about what a device does not support.
  virtual const char* device_name() const = 0;
  // First position p < n with idx[p] outside [0, limit), skipping idx[p] == ignore when
  // has_ignore: {p, idx[p]}; position -1 when every index is valid. `what` names the op in
  // errors of the device copy.
  struct BadIndex {
    int64_t position = -1;
    int64_t value = 0;
  };
  virtual BadIndex find_bad_index(Napi::Env env, const int32_t* idx, int64_t n, int64_t limit, bool has_ignore,
                                  int32_t ignore, const char* what) = 0;

  template <typename T>
  T* typed(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) {
    return static_cast<T*>(span(info, i, dtype, numel, what));
  }
  // null / undefined at position i gives nullptr (the offset at i + 1 is ignored).
  template <typename T>
  T* maybe(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) {
    if (i < info.Length() && (info[i].IsNull() || info[i].IsUndefined())) return nullptr;
    return typed<T>(info, i, dtype, numel, what);
  }
  // The same over the typed tags of op_args.generated.h.
  void* span(TensorArg t, int dtype, int64_t numel, const char* what) { return span(*t.info, t.i, dtype, numel, what); }
  template <typename T>
  T* typed(TensorArg t, int dtype, int64_t numel, const char* what) {
    return static_cast<T*>(span(*t.info, t.i, dtype, numel, what));
  }
  template <typename T>
  T* maybe(OptTensorArg t, int dtype, int64_t numel, const char* what) {
    return maybe<T>(*t.info, t.i, dtype, numel, what);
  }
  // Tensor j of a tensor-list argument (j < tensors_count(list, ...)).
  void* span(TensorsArg list, size_t j, int dtype, int64_t numel, const char* what) {
    const Napi::Array a = (*list.info)[list.i].As<Napi::Array>();
    return span_value(list.env(), a.Get((uint32_t)(2 * j)), a.Get((uint32_t)(2 * j + 1)), dtype, numel, what);
  }
  template <typename T>
  const T* host_view(Napi::Env env, const T* p, int64_t n, const char* what) {
    return static_cast<const T*>(host(env, p, n * (int64_t)sizeof(T), what));
  }
};

// Host storages (the CPU addon): span_arg, and host() is the identity.
class HostArgs final : public TensorArgs {
 public:
  void* span(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) override;
  void* span_value(Napi::Env env, const Napi::Value& handle, const Napi::Value& offset, int dtype, int64_t numel,
                   const char* what) override {
    return ::recforge::napi::span_value(env, handle, offset, dtype, numel, what);
  }
  const void* host(Napi::Env, const void* p, int64_t, const char*) override { return p; }
  const char* device_name() const override { return "cpu"; }
  BadIndex find_bad_index(Napi::Env env, const int32_t* idx, int64_t n, int64_t limit, bool has_ignore,
                          int32_t ignore, const char* what) override;
};

// Byte ranges for the "outputs must not overlap inputs" rules (valid for host and device
// pointers alike: both are plain addresses in one space per addon).
struct ByteRange {
  const char* what;
  const void* ptr;
  int64_t bytes;
};
bool overlaps(const ByteRange& a, const ByteRange& b);

// A float dtype this device's kernels accept: float32 always, float64 when allow_f64.
// TypeError "fn: expected dtype float32 or float64, got int32" (or "... float64 is not supported
// on cuda ...: cast to float32") otherwise.
void check_float_dtype(Napi::Env env, const std::string& fn, int dtype, bool allow_f64, const char* device);

}  // namespace napi
}  // namespace recforge
