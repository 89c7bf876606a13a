// Storage handles: allocation, explicit free, copies between JS typed arrays and native
// memory, external-memory accounting so V8's GC heuristics see native bytes.
#include <cstdlib>
#include <cstring>

#include "common.h"
#include "recforge/gemm.h"
#include "recforge/parallel.h"

namespace recforge {
namespace napi {
namespace {

int64_t g_live_bytes = 0, g_peak_bytes = 0, g_live_blocks = 0;

void release(Napi::Env env, Storage* s) {
  if (s->freed) return;
  std::free(s->ptr);
  s->ptr = nullptr;
  s->freed = true;
  g_live_bytes -= (int64_t)s->nbytes;
  g_live_blocks -= 1;
  Napi::MemoryManagement::AdjustExternalMemory(env, -(int64_t)s->nbytes);
}

// alloc(nbytes) -> External<Storage>. Memory is 64-byte aligned and uninitialised.
Napi::Value Alloc(const Napi::CallbackInfo& info) {
  int64_t nbytes = int_arg(info, 0, "alloc");
  if (nbytes < 0) throw_range(info.Env(), "alloc: negative size " + std::to_string(nbytes));
  size_t rounded = (size_t)((nbytes + 63) / 64 * 64);
  void* p = std::aligned_alloc(64, rounded ? rounded : 64);
  if (!p) throw_range(info.Env(), "alloc: out of memory allocating " + std::to_string(nbytes) + " bytes");
  auto* s = new Storage{p, (size_t)nbytes, 0, false};
  g_live_bytes += nbytes;
  g_live_blocks += 1;
  if (g_live_bytes > g_peak_bytes) g_peak_bytes = g_live_bytes;
  Napi::MemoryManagement::AdjustExternalMemory(info.Env(), nbytes);
  return Napi::External<Storage>::New(info.Env(), s, [](Napi::Env env, Storage* st) {
    release(env, st);
    delete st;
  });
}

Napi::Value Free(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsExternal()) throw_type(info.Env(), "free: expected a storage handle");
  release(info.Env(), info[0].As<Napi::External<Storage>>().Data());
  return info.Env().Undefined();
}

// write(storage, byteOffset, typedArray): copies the typed array's bytes in.
Napi::Value Write(const Napi::CallbackInfo& info) {
  Storage* s = storage_arg(info, 0, "write");
  int64_t off = int_arg(info, 1, "write");
  if (!info[2].IsTypedArray()) throw_type(info.Env(), "write: expected a typed array");
  auto ta = info[2].As<Napi::TypedArray>();
  size_t n = ta.ByteLength();
  if (off < 0 || (size_t)off + n > s->nbytes)
    throw_range(info.Env(), "write: " + std::to_string(n) + " bytes at " + std::to_string(off) +
                                " overflow a storage of " + std::to_string(s->nbytes));
  const char* src = static_cast<const char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  std::memcpy(static_cast<char*>(s->ptr) + off, src, n);
  return info.Env().Undefined();
}

// read(storage, byteOffset, typedArray): copies bytes out into the typed array.
Napi::Value Read(const Napi::CallbackInfo& info) {
  Storage* s = storage_arg(info, 0, "read");
  int64_t off = int_arg(info, 1, "read");
  if (!info[2].IsTypedArray()) throw_type(info.Env(), "read: expected a typed array");
  auto ta = info[2].As<Napi::TypedArray>();
  size_t n = ta.ByteLength();
  if (off < 0 || (size_t)off + n > s->nbytes)
    throw_range(info.Env(), "read: " + std::to_string(n) + " bytes at " + std::to_string(off) +
                                " overflow a storage of " + std::to_string(s->nbytes));
  char* dst = static_cast<char*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
  std::memcpy(dst, static_cast<const char*>(s->ptr) + off, n);
  return info.Env().Undefined();
}

Napi::Value MemoryStats(const Napi::CallbackInfo& info) {
  auto o = Napi::Object::New(info.Env());
  o.Set("nativeBytes", Napi::Number::New(info.Env(), (double)g_live_bytes));
  o.Set("nativePeakBytes", Napi::Number::New(info.Env(), (double)g_peak_bytes));
  o.Set("nativeBlocks", Napi::Number::New(info.Env(), (double)g_live_blocks));
  return o;
}

Napi::Value ResetPeak(const Napi::CallbackInfo& info) {
  g_peak_bytes = g_live_bytes;
  return info.Env().Undefined();
}

Napi::Value GetThreads(const Napi::CallbackInfo& info) { return Napi::Number::New(info.Env(), num_threads()); }
Napi::Value SetThreads(const Napi::CallbackInfo& info) {
  int64_t n = int_arg(info, 0, "setNumThreads");
  if (n < 1 || n > 256) throw_range(info.Env(), "setNumThreads: expected 1..256, got " + std::to_string(n));
  set_num_threads((int)n);
  gemm_set_num_threads((int)n);  // keep the BLAS library's threads in step
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND("alloc", Alloc);
RECFORGE_BIND("free", Free);
RECFORGE_BIND("write", Write);
RECFORGE_BIND("read", Read);
RECFORGE_BIND("memoryStats", MemoryStats);
RECFORGE_BIND("resetPeak", ResetPeak);
RECFORGE_BIND("getNumThreads", GetThreads);
RECFORGE_BIND("setNumThreads", SetThreads);
}  // namespace napi
}  // namespace recforge
