// Bindings of NCCL for device tensors (recforge/nccl.h): the collectives recforge.distributed's
// process group uses for cuda tensors. Failures are Errors starting "recforge.distributed:".
#include <string>

#include "core_args.h"
#include "cuda_common.h"
#include "recforge/nccl.h"

namespace recforge {
namespace napi {
namespace {

[[noreturn]] void fail(Napi::Env env, const std::string& msg) {
  throw Napi::Error::New(env, "recforge.distributed: " + msg);
}

uint8_t* id_bytes(BytesArg a) {
  Napi::TypedArray ta = bytes_arg(a, "id");
  if (ta.ByteLength() != (size_t)nccl::kUniqueIdBytes)
    throw_range(a.env(), "NCCL unique id: expected " + std::to_string(nccl::kUniqueIdBytes) + " bytes, got " +
                             std::to_string(ta.ByteLength()));
  return static_cast<uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
}

Napi::Value NcclLoadError(const Napi::CallbackInfo& info) { return Napi::String::New(info.Env(), nccl::load_error()); }

Napi::Value NcclUniqueId(const Napi::CallbackInfo& info) {
  std::string err;
  if (!nccl::unique_id(id_bytes(args::NcclUniqueId(info).out()), &err)) fail(info.Env(), err);
  return info.Env().Undefined();
}

// Returns "" or the library's description; collective across the ranks.
Napi::Value NcclInit(const Napi::CallbackInfo& info) {
  const args::NcclInit in(info);
  const uint8_t* id = id_bytes(in.id());
  const int64_t rank = int_arg(in.rank(), "rank"), size = int_arg(in.size(), "size");
  stream_or_throw(info.Env());  // the device and recforge's stream exist before the communicator
  std::string err;
  if (!nccl::init(id, (int)rank, (int)size, &err)) fail(info.Env(), err);
  return Napi::String::New(info.Env(), nccl::describe());
}

Napi::Value NcclAllreduce(const Napi::CallbackInfo& info) {
  const args::NcclAllreduce in(info);
  DeviceArgs host;
  TensorArgs& mem = host;
  const int dt = dtype_arg(in.dtype());
  const int64_t n = nonneg_arg(in.n(), "n");
  void* x = mem.span(in.x(), dt, n, "x");
  const bool average = bool_arg(in.average(), "average");
  std::string err;
  if (!nccl::all_reduce(x, n, dt, average, stream_or_throw(info.Env()), &err)) fail(info.Env(), err);
  return info.Env().Undefined();
}

Napi::Value NcclBroadcast(const Napi::CallbackInfo& info) {
  const args::NcclBroadcast in(info);
  DeviceArgs host;
  TensorArgs& mem = host;
  const int dt = dtype_arg(in.dtype());
  const int64_t n = nonneg_arg(in.n(), "n");
  void* x = mem.span(in.x(), dt, n, "x");
  std::string err;
  if (!nccl::broadcast(x, n, dt, (int)int_arg(in.root(), "root"), stream_or_throw(info.Env()), &err)) fail(info.Env(), err);
  return info.Env().Undefined();
}

Napi::Value NcclWait(const Napi::CallbackInfo& info) {
  const double t = num_arg(args::NcclWait(info).timeoutS(), "timeoutS");
  if (!(t > 0)) throw_range(info.Env(), "timeoutS must be > 0 seconds, got " + std::to_string(t));
  std::string err;
  if (!nccl::wait(stream_or_throw(info.Env()), t, &err)) fail(info.Env(), err);
  return info.Env().Undefined();
}

Napi::Value NcclDestroy(const Napi::CallbackInfo& info) {
  nccl::destroy();
  return info.Env().Undefined();
}

}  // namespace

RECFORGE_BIND(ncclLoadError, NcclLoadError)
RECFORGE_BIND(ncclUniqueId, NcclUniqueId)
RECFORGE_BIND(ncclInit, NcclInit)
RECFORGE_BIND(ncclAllreduce, NcclAllreduce)
RECFORGE_BIND(ncclBroadcast, NcclBroadcast)
RECFORGE_BIND(ncclWait, NcclWait)
RECFORGE_BIND(ncclDestroy, NcclDestroy)

}  // namespace napi
}  // namespace recforge
