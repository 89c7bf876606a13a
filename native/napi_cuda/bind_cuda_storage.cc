// Device storage handles for JS: allocation through the caching allocator, copies between
// device blocks and JS typed arrays, device info, allocator statistics, synchronisation.
//
// Handles are numbers in this addon's own table (handle_table.h, device tag 1), like the
// CPU addon's and for the same reason: no N-API External finalizers piling up in a
// synchronous loop; dispose() frees at once and a JS FinalizationRegistry is the safety
// net. The CPU addon's handles are a different table this addon cannot see: host <-> device
// transfers go through typed arrays (CPU read + CUDA write, CUDA read + CPU write; see
// lib/ops/device.ts).
//
// alloc(nbytes) -> handle                      device block, uninitialised (0xFF-filled
//                                              with RECFORGE_POISON=1, like the CPU's)
// free(handle)                                 back to the cache at once (idempotent)
// write(handle, byteOffset, typedArray)        host -> device (synchronous)
// read(handle, byteOffset, typedArray)         device -> host (waits for the stream)
// copyDevice(dst, dstByte, src, srcByte, nbytes)
// deviceInfo() -> {count, name, major, minor, smCount, totalBytes, driverVersion, runtimeVersion, error}
// memoryStats() -> {cudaBytes, cudaRequestedBytes, cudaPeakBytes, cudaCachedBytes, cudaBlocks, cudaAllocs,
//                   cudaCacheHits, cudaDeviceAllocs}
// emptyCache(), resetPeak(), synchronize()      synchronize reports a pending device fault
#include <cstdlib>
#include <cstring>

#include "cuda_common.h"
#include "handle_table.h"

namespace recforge {
namespace napi {

// ---- handle table: device tag kDeviceCuda, numbers disjoint from the CPU addon's ----------
namespace {
HandleTable g_table(kDeviceCuda);
}  // namespace
double storage_register(const Storage& s) { return g_table.add(s); }
Storage* storage_lookup(double h) { return g_table.find(h); }
void storage_unregister(double h) { g_table.remove(h); }
int addon_device() { return kDeviceCuda; }

namespace {

void release(Storage* s) {
  if (s->freed) return;
  cuda_free(s->ptr, cuda_stream());
  s->ptr = nullptr;
  s->freed = true;
}

Napi::Value Alloc(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t nbytes = int_arg(args::Alloc(info).nbytes(), "alloc");
  if (nbytes < 0) throw_range(env, "alloc: negative size " + std::to_string(nbytes));
  CUstream_st* st = stream_or_throw(env);
  std::string err;
  void* p = cuda_alloc((size_t)nbytes, st, &err);
  if (!p) throw_error(env, err);
  static const bool poison = [] {
    const char* e = std::getenv("RECFORGE_POISON");
    return e && *e && *e != '0';
  }();
  if (poison && !cuda_memset(p, 0xFF, (size_t)nbytes, st, &err)) {
    cuda_free(p, st);
    throw_error(env, err);
  }
  return Napi::Number::New(env, storage_register(Storage{p, (size_t)nbytes, kDeviceCuda, false}));
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  const double h = handle_arg(args::Free(info).handle(), "free");
  Storage* s = storage_lookup(h);
  if (!s) return info.Env().Undefined();  // already freed: idempotent
  release(s);
  storage_unregister(h);
  return info.Env().Undefined();
}

Storage* device_storage(HandleArg a, const char* what) {
  Storage* s = storage_arg(a, what);
  if (s->device != kDeviceCuda) throw_type(a.env(), std::string(what) + ": expected a cuda storage");
  return s;
}
void check_range(Napi::Env env, const Storage* s, int64_t off, int64_t n, const char* what) {
  if (off < 0 || n < 0 || (uint64_t)off + (uint64_t)n > s->nbytes)
    throw_range(env, std::string(what) + ": " + std::to_string(n) + " bytes at " + std::to_string(off) +
                         " overflow a storage of " + std::to_string(s->nbytes));
}

Napi::Value Write(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const args::Write in(info);
  Storage* s = device_storage(in.handle(), "write");
  int64_t off = int_arg(in.byteOffset(), "write");
  auto ta = bytes_arg(in.data(), "write");
  check_range(env, s, off, (int64_t)ta.ByteLength(), "write");
  const char* src = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  std::string err;
  if (!cuda_copy_to_device(static_cast<char*>(s->ptr) + off, src, ta.ByteLength(), stream_or_throw(env), &err))
    throw_error(env, err);
  return env.Undefined();
}

Napi::Value Read(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const args::Read in(info);
  Storage* s = device_storage(in.handle(), "read");
  int64_t off = int_arg(in.byteOffset(), "read");
  auto ta = bytes_arg(in.out(), "read");
  check_range(env, s, off, (int64_t)ta.ByteLength(), "read");
  char* dst = static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  std::string err;
  if (!cuda_copy_to_host(dst, static_cast<const char*>(s->ptr) + off, ta.ByteLength(), stream_or_throw(env), &err))
    throw_error(env, err);
  return env.Undefined();
}

// copyDevice(dst, dstByte, src, srcByte, nbytes): stream-ordered, no wait.
Napi::Value CopyDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const args::CopyDevice in(info);
  Storage* d = device_storage(in.dst(), "copyDevice dst");
  Storage* s = device_storage(in.src(), "copyDevice src");
  int64_t doff = int_arg(in.dstByte(), "dstByte"), soff = int_arg(in.srcByte(), "srcByte"), n = int_arg(in.nbytes(), "nbytes");
  check_range(env, d, doff, n, "copyDevice dst");
  check_range(env, s, soff, n, "copyDevice src");
  std::string err;
  if (!cuda_copy_device(static_cast<char*>(d->ptr) + doff, static_cast<const char*>(s->ptr) + soff, (size_t)n,
                        stream_or_throw(env), &err))
    throw_error(env, err);
  return env.Undefined();
}

Napi::Value DeviceInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CudaDeviceInfo d = cuda_device_info();
  auto o = Napi::Object::New(env);
  o.Set("count", Napi::Number::New(env, d.count));
  o.Set("name", Napi::String::New(env, d.name));
  o.Set("major", Napi::Number::New(env, d.major));
  o.Set("minor", Napi::Number::New(env, d.minor));
  o.Set("smCount", Napi::Number::New(env, d.sm_count));
  o.Set("totalBytes", Napi::Number::New(env, (double)d.total_bytes));
  o.Set("driverVersion", Napi::Number::New(env, d.driver_version));
  o.Set("runtimeVersion", Napi::Number::New(env, d.runtime_version));
  o.Set("error", Napi::String::New(env, d.error));
  return o;
}

Napi::Value MemoryStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  CudaAllocatorStats s = cuda_allocator_stats();
  auto o = Napi::Object::New(env);
  o.Set("cudaBytes", Napi::Number::New(env, (double)s.live_bytes));
  o.Set("cudaRequestedBytes", Napi::Number::New(env, (double)s.requested_bytes));
  o.Set("cudaPeakBytes", Napi::Number::New(env, (double)s.peak_bytes));
  o.Set("cudaCachedBytes", Napi::Number::New(env, (double)s.cached_bytes));
  o.Set("cudaBlocks", Napi::Number::New(env, (double)s.live_blocks));
  o.Set("cudaAllocs", Napi::Number::New(env, (double)s.allocs));
  o.Set("cudaCacheHits", Napi::Number::New(env, (double)s.cache_hits));
  o.Set("cudaDeviceAllocs", Napi::Number::New(env, (double)s.device_allocs));
  return o;
}

Napi::Value EmptyCache(const Napi::CallbackInfo& info) {
  cuda_empty_cache();
  return info.Env().Undefined();
}
Napi::Value ResetPeak(const Napi::CallbackInfo& info) {
  cuda_reset_peak();
  return info.Env().Undefined();
}
Napi::Value Synchronize(const Napi::CallbackInfo& info) {
  std::string err;
  if (!cuda_check(stream_or_throw(info.Env()), &err)) throw_error(info.Env(), err);
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND(alloc, Alloc)
RECFORGE_BIND(free, Free)
RECFORGE_BIND(write, Write)
RECFORGE_BIND(read, Read)
RECFORGE_BIND(copyDevice, CopyDevice)
RECFORGE_BIND(deviceInfo, DeviceInfo)
RECFORGE_BIND(memoryStats, MemoryStats)
RECFORGE_BIND(emptyCache, EmptyCache)
RECFORGE_BIND(resetPeak, ResetPeak)
RECFORGE_BIND(synchronize, Synchronize)
}  // namespace napi
}  // namespace recforge
