#include "cuda_common.h"

#include <cstdlib>
#include <sstream>

#include "recforge/indexing.h"

namespace recforge {
namespace napi {

void throw_error(Napi::Env env, const std::string& msg) { throw Napi::Error::New(env, "recforge: " + msg); }

CUstream_st* stream_or_throw(Napi::Env env) {
  std::string err;
  CUstream_st* s = cuda_stream(&err);
  if (!s) throw_error(env, err);
  return s;
}

bool is_null_arg(const Napi::CallbackInfo& info, size_t i) {
  return i >= info.Length() || info[i].IsNull() || info[i].IsUndefined();
}

void* dev_span_value(Napi::Env env, const Napi::Value& handle, const Napi::Value& offset, int dtype, int64_t numel,
                     const char* what) {
  Storage* s = storage_value(env, handle, what);
  int64_t off = int_value(env, offset, what);
  if (s->device != kDeviceCuda)
    throw_type(env, std::string(what) + ": tensor is on the cpu but this op runs on cuda (move it with .to(\"cuda\"))");
  int64_t cap = (int64_t)(s->nbytes / dtype_size(dtype));
  // As span_arg: an empty span touches no memory whatever its offset (views of empty
  // tensors keep their position's offset); hand back the block's base.
  if (numel == 0 && off >= 0) return s->ptr;
  if (off < 0 || numel < 0 || off + numel > cap) {
    std::ostringstream m;
    m << what << ": needs elements [" << off << ", " << off + numel << ") of " << dtype_name(dtype)
      << " but the storage holds " << cap;
    throw_range(env, m.str());
  }
  return static_cast<char*>(s->ptr) + off * (int64_t)dtype_size(dtype);
}

void* dev_span_arg(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) {
  return dev_span_value(info.Env(), info[i], info[i + 1], dtype, numel, what);
}

static bool sync_mode() {
  static const bool on = [] {
    const char* e = std::getenv("RECFORGE_CUDA_SYNC");
    return e && *e && *e != '0';
  }();
  return on;
}

void check_launch(Napi::Env env, const char* what) {
  std::string err;
  if (!cuda_launch_ok(&err)) throw_error(env, std::string(what) + ": " + err);
  if (sync_mode() && !cuda_check(cuda_stream(), &err)) throw_error(env, std::string(what) + ": " + err);
}

Workspace::Workspace(Napi::Env env, int64_t bytes, const char* what) {
  CUstream_st* s = stream_or_throw(env);
  std::string err;
  p_ = cuda_alloc((size_t)(bytes > 0 ? bytes : 1), s, &err);
  if (!p_) throw_error(env, std::string(what) + " workspace: " + err);
}
Workspace::~Workspace() { cuda_free(p_, cuda_stream()); }

// Device indices must be checked before a kernel reads through them: the scan kernel writes
// the verdict on the device and one small synchronous copy brings it back.
TensorArgs::BadIndex DeviceArgs::find_bad_index(Napi::Env env, const int32_t* idx, int64_t n, int64_t limit,
                                               bool has_ignore, int32_t ignore, const char* what) {
  if (n <= 0) return {};
  CUstream_st* s = stream_or_throw(env);
  Workspace res(env, 16, what);
  find_bad_index_cuda(idx, n, limit, has_ignore, ignore, res.as<int64_t>(), s);
  check_launch(env, what);
  int64_t host[2] = {-1, 0};
  std::string err;
  if (!cuda_copy_to_host(host, res.get(), sizeof(host), s, &err)) throw_error(env, std::string(what) + ": " + err);
  if (host[0] < 0) return {};
  return {host[0], host[1]};
}

void* DeviceArgs::span(const Napi::CallbackInfo& info, size_t i, int dtype, int64_t numel, const char* what) {
  return dev_span_arg(info, i, dtype, numel, what);
}

void* DeviceArgs::span_value(Napi::Env env, const Napi::Value& handle, const Napi::Value& offset, int dtype,
                             int64_t numel, const char* what) {
  return dev_span_value(env, handle, offset, dtype, numel, what);
}

const void* DeviceArgs::host(Napi::Env env, const void* p, int64_t bytes, const char* what) {
  if (bytes <= 0) return p;  // nothing is read through an empty view
  std::unique_ptr<char[]> buf(new char[(size_t)bytes]);
  std::string err;
  if (!cuda_copy_to_host(buf.get(), p, (size_t)bytes, stream_or_throw(env), &err))
    throw_error(env, std::string(what) + ": " + err);
  staged_.push_back(std::move(buf));
  return staged_.back().get();
}

}  // namespace napi
}  // namespace recforge
