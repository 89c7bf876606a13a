// The CUDA runtime API for the CPU emulator (cuda_emulator.h): "device" memory is host memory from
// malloc (so AddressSanitizer sees out-of-bounds kernel accesses), every call is synchronous, one
// emulated device ("recforge CPU emulator", sm_90, 132 SMs) with a fixed memory size, so the
// out-of-memory path of the caching allocator can be exercised. Only the calls recforge uses exist;
// a missing one is a link error, not a silent no-op.
#define EMU_DEFINE_SWITCH
#include "cuda_emulator.h"

#include <chrono>
#include <map>

namespace {
constexpr size_t kDeviceBytes = (size_t)16 << 30;  // what cudaMemGetInfo reports as total
std::map<void*, size_t> g_blocks;                   // live allocations
size_t g_used = 0;
int g_pool_dummy = 0;

cudaError_t set(cudaError_t e) {
  if (e != cudaSuccess) emu::last_error = e;
  return e;
}
bool known(const void* p, size_t n) {
  // Device pointers must lie inside a live allocation (host pointers for the other side are not checked).
  auto it = g_blocks.upper_bound(const_cast<void*>(p));
  if (it == g_blocks.begin()) return false;
  --it;
  const char* b = static_cast<const char*>(it->first);
  return static_cast<const char*>(p) >= b && static_cast<const char*>(p) + n <= b + std::max<size_t>(it->second, 1);
}
}  // namespace

extern "C" {

cudaError_t cudaGetLastError() {
  cudaError_t e = emu::last_error;
  emu::last_error = cudaSuccess;
  return e;
}
cudaError_t cudaPeekAtLastError() { return emu::last_error; }
const char* cudaGetErrorString(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "no error";
    case cudaErrorMemoryAllocation: return "out of memory";
    case cudaErrorInvalidValue: return "invalid argument";
    case cudaErrorInvalidConfiguration: return "invalid configuration argument";
    case cudaErrorNoDevice: return "no CUDA-capable device is detected";
    default: return "emulated CUDA error";
  }
}
const char* cudaGetErrorName(cudaError_t e) {
  switch (e) {
    case cudaSuccess: return "cudaSuccess";
    case cudaErrorMemoryAllocation: return "cudaErrorMemoryAllocation";
    case cudaErrorInvalidValue: return "cudaErrorInvalidValue";
    case cudaErrorInvalidConfiguration: return "cudaErrorInvalidConfiguration";
    case cudaErrorNoDevice: return "cudaErrorNoDevice";
    default: return "cudaErrorUnknown";
  }
}

cudaError_t cudaGetDeviceCount(int* n) {
  *n = 1;
  return cudaSuccess;
}
cudaError_t cudaSetDevice(int d) { return d == 0 ? cudaSuccess : set(cudaErrorInvalidDevice); }
cudaError_t cudaGetDevice(int* d) {
  *d = 0;
  return cudaSuccess;
}
cudaError_t cudaDriverGetVersion(int* v) {
  *v = CUDART_VERSION;
  return cudaSuccess;
}
cudaError_t cudaRuntimeGetVersion(int* v) {
  *v = CUDART_VERSION;
  return cudaSuccess;
}
cudaError_t cudaGetDeviceProperties(cudaDeviceProp* p, int d) {
  if (d != 0) return set(cudaErrorInvalidDevice);
  std::memset(p, 0, sizeof(*p));
  std::snprintf(p->name, sizeof(p->name), "recforge CPU emulator");
  p->major = 9, p->minor = 0, p->multiProcessorCount = 132, p->totalGlobalMem = kDeviceBytes;
  p->warpSize = 32, p->maxThreadsPerBlock = 1024, p->sharedMemPerBlock = 48 << 10;
  p->sharedMemPerBlockOptin = 227 << 10;
  return cudaSuccess;
}
cudaError_t cudaDeviceGetAttribute(int* v, cudaDeviceAttr a, int) {
  switch (a) {
    case cudaDevAttrMultiProcessorCount: *v = 132; break;
    case cudaDevAttrMaxSharedMemoryPerBlockOptin: *v = 227 << 10; break;
    case cudaDevAttrComputeCapabilityMajor: *v = 9; break;
    case cudaDevAttrComputeCapabilityMinor: *v = 0; break;
    default: *v = 0;
  }
  return cudaSuccess;
}
cudaError_t cudaMemGetInfo(size_t* free_bytes, size_t* total) {
  *total = kDeviceBytes;
  *free_bytes = kDeviceBytes - g_used;
  return cudaSuccess;
}

cudaError_t cudaMalloc(void** p, size_t n) {
  if (n > kDeviceBytes - g_used) {
    *p = nullptr;
    return set(cudaErrorMemoryAllocation);
  }
  *p = std::malloc(n ? n : 1);
  if (!*p) return set(cudaErrorMemoryAllocation);
  g_blocks[*p] = n;
  g_used += n;
  return cudaSuccess;
}
cudaError_t cudaFree(void* p) {
  if (!p) return cudaSuccess;
  auto it = g_blocks.find(p);
  if (it == g_blocks.end()) {
    std::fprintf(stderr, "CUDA emulator: cudaFree of a pointer that is not a live allocation\n");
    return set(cudaErrorInvalidValue);
  }
  g_used -= it->second;
  g_blocks.erase(it);
  std::free(p);
  return cudaSuccess;
}
cudaError_t cudaMallocAsync(void** p, size_t n, cudaStream_t) { return cudaMalloc(p, n); }
cudaError_t cudaFreeAsync(void* p, cudaStream_t) { return cudaFree(p); }
cudaError_t cudaDeviceGetDefaultMemPool(cudaMemPool_t* pool, int) {
  *pool = reinterpret_cast<cudaMemPool_t>(&g_pool_dummy);
  return cudaSuccess;
}
cudaError_t cudaMemPoolTrimTo(cudaMemPool_t, size_t) { return cudaSuccess; }

cudaError_t cudaMemcpy(void* dst, const void* src, size_t n, cudaMemcpyKind kind) {
  if (n == 0) return cudaSuccess;
  const bool dst_dev = kind == cudaMemcpyHostToDevice || kind == cudaMemcpyDeviceToDevice;
  const bool src_dev = kind == cudaMemcpyDeviceToHost || kind == cudaMemcpyDeviceToDevice;
  if ((dst_dev && !known(dst, n)) || (src_dev && !known(src, n))) {
    std::fprintf(stderr, "CUDA emulator: cudaMemcpy of %zu bytes outside a device allocation\n", n);
    return set(cudaErrorInvalidValue);
  }
  std::memmove(dst, src, n);
  return cudaSuccess;
}
cudaError_t cudaMemcpyAsync(void* dst, const void* src, size_t n, cudaMemcpyKind kind, cudaStream_t) {
  return cudaMemcpy(dst, src, n, kind);
}
cudaError_t cudaMemset(void* p, int v, size_t n) {
  if (n == 0) return cudaSuccess;
  if (!known(p, n)) {
    std::fprintf(stderr, "CUDA emulator: cudaMemset of %zu bytes outside a device allocation\n", n);
    return set(cudaErrorInvalidValue);
  }
  std::memset(p, v, n);
  return cudaSuccess;
}
cudaError_t cudaMemsetAsync(void* p, int v, size_t n, cudaStream_t) { return cudaMemset(p, v, n); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t* s, unsigned) {
  *s = reinterpret_cast<cudaStream_t>(new int(0));
  return cudaSuccess;
}
cudaError_t cudaStreamCreate(cudaStream_t* s) { return cudaStreamCreateWithFlags(s, 0); }
cudaError_t cudaStreamDestroy(cudaStream_t s) {
  delete reinterpret_cast<int*>(s);
  return cudaSuccess;
}
cudaError_t cudaStreamSynchronize(cudaStream_t) { return cudaSuccess; }
cudaError_t cudaStreamQuery(cudaStream_t) { return cudaSuccess; }
cudaError_t cudaDeviceSynchronize() { return cudaSuccess; }

// Events hold the host time at which they were recorded (launches are synchronous).
cudaError_t cudaEventCreate(cudaEvent_t* e) {
  *e = reinterpret_cast<cudaEvent_t>(new double(0));
  return cudaSuccess;
}
cudaError_t cudaEventCreateWithFlags(cudaEvent_t* e, unsigned) { return cudaEventCreate(e); }
cudaError_t cudaEventDestroy(cudaEvent_t e) {
  delete reinterpret_cast<double*>(e);
  return cudaSuccess;
}
cudaError_t cudaEventRecord(cudaEvent_t e, cudaStream_t) {
  *reinterpret_cast<double*>(e) =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
  return cudaSuccess;
}
cudaError_t cudaEventSynchronize(cudaEvent_t) { return cudaSuccess; }
cudaError_t cudaEventElapsedTime(float* ms, cudaEvent_t a, cudaEvent_t b) {
  *ms = (float)(*reinterpret_cast<double*>(b) - *reinterpret_cast<double*>(a));
  return cudaSuccess;
}

cudaError_t cudaFuncSetAttribute(const void* f, cudaFuncAttribute attr, int value) {
  if (attr == cudaFuncAttributeMaxDynamicSharedMemorySize) {
    if (value > (227 << 10)) return set(cudaErrorInvalidValue);
    for (auto& p : emu::smem_limits)
      if (p.first == f) return p.second = value, cudaSuccess;
    emu::smem_limits.push_back({f, value});
  }
  return cudaSuccess;
}

}  // extern "C"
