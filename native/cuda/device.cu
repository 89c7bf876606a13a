// Device discovery, recforge's stream and the caching allocator (see cuda_device.h).
#include <cuda_runtime.h>

#include <map>
#include <mutex>
#include <unordered_map>

#include "recforge/cuda_device.h"

namespace recforge {
namespace {

std::mutex g_mu;
std::multimap<size_t, void*> g_cache;  // size class -> free blocks
struct Block {
  size_t cls, requested;
};
std::unordered_map<void*, Block> g_live;
CudaAllocatorStats g_stats;

size_t size_class(size_t n) {
  // Round to 512 B below 1 MiB, to 2 MiB multiples above: fewer distinct sizes, more reuse.
  if (n < (size_t(1) << 20)) return (n + 511) / 512 * 512;
  return (n + (size_t(2) << 20) - 1) / (size_t(2) << 20) * (size_t(2) << 20);
}

bool ok(cudaError_t e, std::string* error, const char* what) {
  if (e == cudaSuccess) return true;
  if (error) *error = std::string(what) + ": " + cudaGetErrorString(e) + " (" + cudaGetErrorName(e) + ")";
  return false;
}

std::once_flag g_stream_once;
cudaStream_t g_stream = nullptr;
std::string g_stream_error;

// Frees every cached block (caller holds g_mu).
void release_cache_locked(cudaStream_t s) {
  for (auto& kv : g_cache) cudaFreeAsync(kv.second, s);
  g_cache.clear();
  g_stats.cached_bytes = 0;
}

}  // namespace

CudaDeviceInfo cuda_device_info() {
  CudaDeviceInfo info;
  cudaDriverGetVersion(&info.driver_version);
  cudaRuntimeGetVersion(&info.runtime_version);
  cudaError_t e = cudaGetDeviceCount(&info.count);
  if (e != cudaSuccess) {
    info.count = 0;
    if (e == cudaErrorInsufficientDriver && info.driver_version == 0)
      info.error = "no NVIDIA driver found (libcuda is missing: this machine has no usable GPU)";
    else
      info.error = std::string("no usable CUDA device: ") + cudaGetErrorString(e) + " (" + cudaGetErrorName(e) + ")";
    cudaGetLastError();
    return info;
  }
  if (info.count == 0) {
    info.error = "no CUDA device found";
    return info;
  }
  cudaDeviceProp p;
  if (cudaGetDeviceProperties(&p, 0) == cudaSuccess) {
    info.name = p.name;
    info.major = p.major;
    info.minor = p.minor;
    info.sm_count = p.multiProcessorCount;
    info.total_bytes = p.totalGlobalMem;
  }
  return info;
}

CUstream_st* cuda_stream(std::string* error) {
  std::call_once(g_stream_once, [] {
    cudaError_t e = cudaSetDevice(0);
    if (e == cudaSuccess) e = cudaStreamCreateWithFlags(&g_stream, cudaStreamNonBlocking);
    if (e != cudaSuccess) {
      g_stream = nullptr;
      g_stream_error = std::string("cannot initialise the CUDA device: ") + cudaGetErrorString(e);
      cudaGetLastError();
    }
  });
  if (!g_stream && error) *error = g_stream_error;
  return g_stream;
}

void* cuda_alloc(size_t nbytes, CUstream_st* stream, std::string* error) {
  const size_t cls = size_class(nbytes ? nbytes : 1);
  std::lock_guard<std::mutex> lk(g_mu);
  void* p = nullptr;
  auto it = g_cache.find(cls);
  if (it != g_cache.end()) {
    p = it->second;
    g_cache.erase(it);
    g_stats.cached_bytes -= cls;
    g_stats.cache_hits++;
  } else {
    cudaError_t e = cudaMallocAsync(&p, cls, stream);
    if (e == cudaErrorMemoryAllocation) {
      // Give cached blocks back and retry once before reporting.
      cudaGetLastError();
      release_cache_locked(stream);
      cudaStreamSynchronize(stream);
      e = cudaMallocAsync(&p, cls, stream);
    }
    if (e != cudaSuccess) {
      size_t fr = 0, tot = 0;
      cudaGetLastError();
      cudaMemGetInfo(&fr, &tot);
      if (error)
        *error = "CUDA out of memory allocating " + std::to_string(nbytes) + " bytes (free " + std::to_string(fr) +
                 " of " + std::to_string(tot) + " bytes on the device; recforge holds " +
                 std::to_string(g_stats.live_bytes) + " live): " + cudaGetErrorString(e);
      return nullptr;
    }
    g_stats.device_allocs++;
  }
  g_live[p] = Block{cls, nbytes};
  g_stats.allocs++;
  g_stats.live_blocks++;
  g_stats.live_bytes += cls;
  g_stats.requested_bytes += nbytes;
  if (g_stats.live_bytes > g_stats.peak_bytes) g_stats.peak_bytes = g_stats.live_bytes;
  return p;
}

void cuda_free(void* p, CUstream_st*) {
  if (!p) return;
  std::lock_guard<std::mutex> lk(g_mu);
  auto it = g_live.find(p);
  if (it == g_live.end()) return;  // not ours (or freed twice): ignore rather than corrupt the cache
  const Block b = it->second;
  g_live.erase(it);
  g_stats.live_bytes -= b.cls;
  g_stats.requested_bytes -= b.requested;
  g_stats.live_blocks--;
  g_stats.cached_bytes += b.cls;
  g_cache.emplace(b.cls, p);  // reuse is stream-ordered: one stream for all recforge work
}

CudaAllocatorStats cuda_allocator_stats() {
  std::lock_guard<std::mutex> lk(g_mu);
  return g_stats;
}

void cuda_reset_peak() {
  std::lock_guard<std::mutex> lk(g_mu);
  g_stats.peak_bytes = g_stats.live_bytes;
}

void cuda_empty_cache() {
  cudaStream_t s = cuda_stream();
  if (!s) return;
  std::lock_guard<std::mutex> lk(g_mu);
  release_cache_locked(s);
  cudaStreamSynchronize(s);
  // Let the stream-ordered pool hand the pages back to the driver too.
  cudaMemPool_t pool;
  if (cudaDeviceGetDefaultMemPool(&pool, 0) == cudaSuccess) cudaMemPoolTrimTo(pool, 0);
  cudaGetLastError();
}

bool cuda_copy_to_device(void* dst, const void* src, size_t n, CUstream_st* stream, std::string* error) {
  if (n == 0) return true;
  if (!ok(cudaMemcpyAsync(dst, src, n, cudaMemcpyHostToDevice, stream), error, "CUDA copy to device")) return false;
  return ok(cudaStreamSynchronize(stream), error, "CUDA copy to device");
}

bool cuda_copy_to_host(void* dst, const void* src, size_t n, CUstream_st* stream, std::string* error) {
  if (n == 0) return cuda_check(stream, error);
  if (!ok(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToHost, stream), error, "CUDA copy to host")) return false;
  // A fault in an earlier kernel surfaces here: say so rather than blame the copy.
  return ok(cudaStreamSynchronize(stream), error, "CUDA device fault (reported while copying to the host)");
}

bool cuda_copy_device(void* dst, const void* src, size_t n, CUstream_st* stream, std::string* error) {
  if (n == 0) return true;
  return ok(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToDevice, stream), error, "CUDA device copy");
}

bool cuda_memset(void* dst, int byte, size_t n, CUstream_st* stream, std::string* error) {
  if (n == 0) return true;
  return ok(cudaMemsetAsync(dst, byte, n, stream), error, "CUDA memset");
}

bool cuda_check(CUstream_st* stream, std::string* error) {
  if (!ok(cudaStreamSynchronize(stream), error, "CUDA device fault")) return false;
  return ok(cudaGetLastError(), error, "CUDA device fault");
}

bool cuda_launch_ok(std::string* error) {
  // Clears a non-sticky launch error (so the next op does not report it again); a sticky
  // fault keeps coming back from every call, as it should.
  return ok(cudaGetLastError(), error, "CUDA kernel launch failed");
}

}  // namespace recforge
