// The thin binding layer's shared pieces: native storage handles, argument validation,
// dtype dispatch and the registry that lets each bind_*.cc file add its functions
// without editing a central list. Kernels never see anything from this file.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

namespace recforge {
namespace napi {

enum DType : int { F32 = 0, F64 = 1, I32 = 2 };
inline size_t dtype_size(int dt) { return dt == F64 ? 8 : 4; }
inline const char* dtype_name(int dt) { return dt == F32 ? "float32" : dt == F64 ? "float64" : dt == I32 ? "int32" : "?"; }

// A block of native memory. JS holds it by a numeric handle (slot + generation) into a
// native table, not by an N-API External: Node 20 defers External finalizers to the
// event loop, so a synchronous training loop piled up millions of pending finalizers
// (measured: RSS +15 MB per 2,000 steps). dispose() frees at once; a JS
// FinalizationRegistry frees storages that JS forgot (safety net). A stale or forged
// handle is detected by its generation and rejected with a TypeError.
struct Storage {
  void* ptr = nullptr;
  size_t nbytes = 0;
  int device = 0;  // 0 = cpu, 1 = cuda
  bool freed = false;
};

// Handle table of this addon (handle_table.h; defined in bind_storage.cc for the CPU addon,
// in napi_cuda/bind_cuda_storage.cc for the CUDA addon: separate tables, disjoint numbers).
double storage_register(const Storage& s);
Storage* storage_lookup(double handle);  // nullptr when unknown, already freed or another addon's
void storage_unregister(double handle);
int addon_device();  // the Storage::device of this addon's storages

using BindFn = Napi::Value (*)(const Napi::CallbackInfo&);
struct Registrar {
  Registrar(const char* name, BindFn fn);
};
#define RECFORGE_BIND(name, fn) static ::recforge::napi::Registrar _recforge_reg_##fn(name, fn)

[[noreturn]] void throw_type(Napi::Env env, const std::string& msg);
[[noreturn]] void throw_range(Napi::Env env, const std::string& msg);

Storage* storage_arg(const Napi::CallbackInfo& info, size_t i, const char* what);
int64_t int_arg(const Napi::CallbackInfo& info, size_t i, const char* what);
double num_arg(const Napi::CallbackInfo& info, size_t i, const char* what);
bool bool_arg(const Napi::CallbackInfo& info, size_t i, const char* what);
std::vector<int64_t> ints_arg(const Napi::CallbackInfo& info, size_t i, const char* what);
int dtype_arg(const Napi::CallbackInfo& info, size_t i);

// Validates that [offset, offset + numel) elements of `dtype` lie inside the storage at
// args (i, i+1) = (storage, offset) and returns the typed pointer.
void* span_arg(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what);
template <typename T>
T* span(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) {
  return static_cast<T*>(span_arg(info, i, dtype, numel, what));
}

int64_t prod(const std::vector<int64_t>& v);
std::string shape_str(const std::vector<int64_t>& v);

}  // namespace napi
}  // namespace recforge

// Calls body with `T` bound to float or double according to a runtime dtype.
#define RECFORGE_FLOAT_DISPATCH(env, dtype, T, ...)                                                 \
  do {                                                                                               \
    if ((dtype) == ::recforge::napi::F32) {                                                          \
      using T = float;                                                                               \
      __VA_ARGS__;                                                                                   \
    } else if ((dtype) == ::recforge::napi::F64) {                                                   \
      using T = double;                                                                              \
      __VA_ARGS__;                                                                                   \
    } else {                                                                                         \
      ::recforge::napi::throw_type(env, std::string("expected a float dtype, got ") +               \
                                            ::recforge::napi::dtype_name(dtype));                    \
    }                                                                                                \
  } while (0)

#define RECFORGE_ANY_DISPATCH(env, dtype, T, ...)                                                   \
  do {                                                                                               \
    if ((dtype) == ::recforge::napi::I32) {                                                          \
      using T = int32_t;                                                                             \
      __VA_ARGS__;                                                                                   \
    } else {                                                                                         \
      RECFORGE_FLOAT_DISPATCH(env, dtype, T, __VA_ARGS__);                                           \
    }                                                                                                \
  } while (0)
