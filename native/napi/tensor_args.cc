#include "tensor_args.h"

#include <cstdint>

namespace recforge {
namespace napi {

void* HostArgs::span(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) {
  return span_arg(info, i, dtype, numel, what);
}

TensorArgs::BadIndex HostArgs::find_bad_index(Napi::Env, const int32_t* idx, int64_t n, int64_t limit,
                                             bool has_ignore, int32_t ignore, const char*) {
  for (int64_t i = 0; i < n; ++i)
    if ((!has_ignore || idx[i] != ignore) && (idx[i] < 0 || idx[i] >= limit)) return {i, idx[i]};
  return {};
}

bool overlaps(const ByteRange& a, const ByteRange& b) {
  const auto ab = reinterpret_cast<uintptr_t>(a.ptr), bb = reinterpret_cast<uintptr_t>(b.ptr);
  return a.bytes > 0 && b.bytes > 0 && ab < bb + (uintptr_t)b.bytes && bb < ab + (uintptr_t)a.bytes;
}

void check_float_dtype(Napi::Env env, const std::string& fn, int dtype, bool allow_f64, const char* device) {
  if (dtype == F32 || (dtype == F64 && allow_f64)) return;
  if (dtype == F64)
    throw_type(env, fn + ": float64 is not supported on " + device +
                        " (the kernel computes in float32 with fp32 accumulation); cast the inputs to float32");
  throw_type(env, fn + (allow_f64 ? ": expected dtype float32 or float64, got " : ": expected dtype float32, got ") +
                      dtype_name(dtype));
}

}  // namespace napi
}  // namespace recforge
