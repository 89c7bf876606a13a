// The thin binding layer's shared pieces: native storage handles, argument validation,
// dtype dispatch and the registry that lets each bind_*.cc file add its functions
// without editing a central list. Kernels never see anything from this file.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>
#include <vector>

#include "arg_types.h"
#include "bindings.generated.h"
#include "recforge/enums.generated.h"

namespace recforge {
namespace napi {

// DType (F32, F64, I32) comes from the op table, like every enum of the boundary.
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
  size_t capacity = 0;  // bytes of the block behind ptr (CPU caching allocator; >= nbytes)
};

// Handle table of this addon (handle_table.h; defined in bind_storage.cc for the CPU addon,
// in napi_cuda/bind_cuda_storage.cc for the CUDA addon: separate tables, disjoint numbers).
double storage_register(const Storage& s);
Storage* storage_lookup(double handle);  // nullptr when unknown, already freed or another addon's
void storage_unregister(double handle);
int addon_device();  // the Storage::device of this addon's storages

// RECFORGE_BIND(name, Fn) defines the table's binding bind::name (bindings.generated.h) as Fn; it
// compiles only for a name the op table lists, and register_{cpu,cuda}.generated.cc registers it.
// Use at namespace recforge::napi scope.
#define RECFORGE_BIND(name, fn) \
  Napi::Value bind::name(const Napi::CallbackInfo& info) { return fn(info); }

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
// The same readers over values (the elements of a tensor list): storage_arg / int_arg / span_arg
// are these on info[i].
Storage* storage_value(Napi::Env env, const Napi::Value& v, const char* what);
int64_t int_value(Napi::Env env, const Napi::Value& v, const char* what);
void* span_value(Napi::Env env, const Napi::Value& handle, const Napi::Value& offset, int dtype, int64_t numel,
                 const char* what);
template <typename T>
T* span(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) {
  return static_cast<T*>(span_arg(info, i, dtype, numel, what));
}

// The same readers over the typed tags of op_args.generated.h (arg_types.h).
inline Storage* storage_arg(HandleArg a, const char* what) { return storage_arg(*a.info, a.i, what); }
inline Storage* storage_arg(TensorArg a, const char* what) { return storage_arg(*a.info, a.i, what); }
inline int64_t int_arg(IntArg a, const char* what) { return int_arg(*a.info, a.i, what); }
template <typename E>
int64_t int_arg(EnumArg<E> a, const char* what) {
  return int_arg(*a.info, a.i, what);
}
inline double num_arg(FloatArg a, const char* what) { return num_arg(*a.info, a.i, what); }
inline bool bool_arg(BoolArg a, const char* what) { return bool_arg(*a.info, a.i, what); }
inline std::vector<int64_t> ints_arg(IntsArg a, const char* what) { return ints_arg(*a.info, a.i, what); }
inline int dtype_arg(DTypeArg a) { return dtype_arg(*a.info, a.i); }
inline void* span_arg(TensorArg a, int dtype, int64_t numel, const char* what) {
  return span_arg(*a.info, a.i, dtype, numel, what);
}
template <typename T>
T* span(TensorArg a, int dtype, int64_t numel, const char* what) {
  return static_cast<T*>(span_arg(a, dtype, numel, what));
}
// The number a handle argument holds (no lookup: free accepts stale handles); TypeError
// "what: expected a storage handle" when it is not a number.
double handle_arg(HandleArg a, const char* what);
// The number of tensors in a tensor-list argument; TypeError "what: expected a list of tensors"
// when the wire value is not an array of (handle, offset) pairs.
size_t tensors_count(TensorsArg a, const char* what);
// True when an optional tensor argument is null / undefined.
inline bool is_null(OptTensorArg a) {
  return a.i >= a.info->Length() || (*a.info)[a.i].IsNull() || (*a.info)[a.i].IsUndefined();
}
// The typed array of a bytes argument; TypeError "what: expected a typed array" otherwise.
Napi::TypedArray bytes_arg(BytesArg a, const char* what);

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
