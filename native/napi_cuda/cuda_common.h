// Shared pieces of the CUDA addon's bindings: device storage spans, the stream, error
// reporting after launches, and scratch workspaces from the caching allocator. The
// argument helpers (int_arg, dtype_arg, ...) are the CPU binding's (native/napi/common.h).
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "common.h"
#include "op_args.generated.h"
#include "tensor_args.h"
#include "recforge/cuda_device.h"

namespace recforge {
namespace napi {

constexpr int kDeviceCuda = 1;  // Storage::device of a device block

// The stream all work goes to; throws a JS Error when the device cannot be initialised.
CUstream_st* stream_or_throw(Napi::Env env);

// Like span_arg, for a DEVICE storage: validates [offset, offset + numel) against the
// block and returns the device pointer.
void* dev_span_arg(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what);
// The same over a (handle, offset) pair given as values (the elements of a tensor list).
void* dev_span_value(Napi::Env env, const Napi::Value& handle, const Napi::Value& offset, int dtype, int64_t numel,
                     const char* what);
template <typename T>
T* dev_span(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) {
  return static_cast<T*>(dev_span_arg(info, i, dtype, numel, what));
}
template <typename T>
T* dev_span(TensorArg a, int dtype, int64_t numel, const char* what) {
  return dev_span<T>(*a.info, a.i, dtype, numel, what);
}
bool is_null_arg(const Napi::CallbackInfo& info, size_t i);
template <typename T>
T* opt_dev_span(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) {
  return is_null_arg(info, i) ? nullptr : dev_span<T>(info, i, dtype, numel, what);
}

// After launching kernels for `what`: throws an Error naming the op when a launch failed;
// with RECFORGE_CUDA_SYNC=1 also waits for the stream, so a device-side fault is reported
// by the op that caused it rather than by a later copy.
void check_launch(Napi::Env env, const char* what);
[[noreturn]] void throw_error(Napi::Env env, const std::string& msg);

// Scratch device memory for one call, from the caching allocator; given back (stream-
// ordered, so kernels still using it finish first) when the binding returns.
class Workspace {
 public:
  Workspace(Napi::Env env, int64_t bytes, const char* what);
  ~Workspace();
  Workspace(const Workspace&) = delete;
  Workspace& operator=(const Workspace&) = delete;
  void* get() const { return p_; }
  template <typename T>
  T* as() const {
    return static_cast<T*>(p_);
  }

 private:
  void* p_ = nullptr;
};

// Device storages for the shared argument parsers (tensor_args.h): span() is dev_span_arg;
// host() copies the bytes the parser must inspect (intervals, CSR arrays, optimiser state) into
// a host buffer this object owns (one synchronous copy on recforge's stream, after every kernel
// enqueued before it). Those copies are the price of validating device data with the CPU
// addon's exact rules; they are O(size of the index arrays), never of the float tensors.
class DeviceArgs final : public TensorArgs {
 public:
  void* span(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) override;
  void* span_value(Napi::Env env, const Napi::Value& handle, const Napi::Value& offset, int dtype, int64_t numel,
                   const char* what) override;
  const void* host(Napi::Env env, const void* p, int64_t bytes, const char* what) override;
  const char* device_name() const override { return "cuda"; }
  // find_bad_index_cuda over the device indices; only its {position, value} verdict is copied.
  BadIndex find_bad_index(Napi::Env env, const int32_t* idx, int64_t n, int64_t limit, bool has_ignore,
                          int32_t ignore, const char* what) override;

 private:
  std::vector<std::unique_ptr<char[]>> staged_;
};

}  // namespace napi
}  // namespace recforge
