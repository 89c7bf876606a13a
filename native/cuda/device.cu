#include <cuda_runtime.h>

#include <map>
#include <mutex>
#include <vector>

#include "recforge/cuda_device.h"

namespace recforge {
namespace {

std::mutex g_mu;
std::multimap<size_t, void*> g_cache;  // size class -> free blocks
std::map<void*, size_t> g_sizes;
CudaAllocatorStats g_stats;

size_t size_class(size_t n) {
  // Round to 512 B below 1 MiB, to 2 MiB pages above: fewer distinct sizes, more reuse.
  if (n < (1u << 20)) return (n + 511) / 512 * 512;
  return (n + (2u << 20) - 1) / (2u << 20) * (2u << 20);
}

bool ok(cudaError_t e, std::string* error, const char* what) {
  if (e == cudaSuccess) return true;
  if (error) *error = std::string(what) + ": " + cudaGetErrorString(e);
  return false;
}

}  // namespace

CudaDeviceInfo cuda_device_info() {
  CudaDeviceInfo info;
  cudaError_t e = cudaGetDeviceCount(&info.count);
  if (e != cudaSuccess) {
    info.count = 0;
    info.error = cudaGetErrorString(e);
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
    info.total_bytes = p.totalGlobalMem;
  }
  return info;
}

void* cuda_alloc(size_t nbytes, void* stream, std::string* error) {
  size_t cls = size_class(nbytes ? nbytes : 1);
  std::lock_guard<std::mutex> lk(g_mu);
  auto it = g_cache.find(cls);
  void* p = nullptr;
  if (it != g_cache.end()) {
    p = it->second;
    g_cache.erase(it);
    g_stats.cached_bytes -= cls;
    g_stats.cache_hits++;
  } else {
    cudaError_t e = cudaMallocAsync(&p, cls, (cudaStream_t)stream);
    if (e == cudaErrorMemoryAllocation) {
      // Give cached blocks back and retry once before reporting.
      cudaGetLastError();
      for (auto& kv : g_cache) cudaFreeAsync(kv.second, (cudaStream_t)stream);
      g_cache.clear();
      g_stats.cached_bytes = 0;
      e = cudaMallocAsync(&p, cls, (cudaStream_t)stream);
    }
    if (e != cudaSuccess) {
      size_t fr = 0, tot = 0;
      cudaGetLastError();
      cudaMemGetInfo(&fr, &tot);
      if (error)
        *error = "CUDA out of memory allocating " + std::to_string(nbytes) + " bytes (free " + std::to_string(fr) +
                 " of " + std::to_string(tot) + "): " + cudaGetErrorString(e);
      return nullptr;
    }
  }
  g_sizes[p] = cls;
  g_stats.allocs++;
  g_stats.live_bytes += cls;
  if (g_stats.live_bytes > g_stats.peak_bytes) g_stats.peak_bytes = g_stats.live_bytes;
  return p;
}

void cuda_free(void* p, void*) {
  if (!p) return;
  std::lock_guard<std::mutex> lk(g_mu);
  auto it = g_sizes.find(p);
  if (it == g_sizes.end()) return;
  size_t cls = it->second;
  g_sizes.erase(it);
  g_stats.live_bytes -= cls;
  g_stats.cached_bytes += cls;
  g_cache.emplace(cls, p);  // reuse is stream-ordered: same stream for all recforge work
}

CudaAllocatorStats cuda_allocator_stats() {
  std::lock_guard<std::mutex> lk(g_mu);
  return g_stats;
}

void cuda_empty_cache() {
  std::lock_guard<std::mutex> lk(g_mu);
  for (auto& kv : g_cache) cudaFree(kv.second);
  g_cache.clear();
  g_stats.cached_bytes = 0;
}

bool cuda_copy_to_device(void* dst, const void* src, size_t n, void* stream, std::string* error) {
  if (!ok(cudaMemcpyAsync(dst, src, n, cudaMemcpyHostToDevice, (cudaStream_t)stream), error, "copy to device")) return false;
  return ok(cudaStreamSynchronize((cudaStream_t)stream), error, "copy to device");
}

bool cuda_copy_to_host(void* dst, const void* src, size_t n, void* stream, std::string* error) {
  if (!ok(cudaMemcpyAsync(dst, src, n, cudaMemcpyDeviceToHost, (cudaStream_t)stream), error, "copy to host")) return false;
  return ok(cudaStreamSynchronize((cudaStream_t)stream), error, "copy to host");
}

bool cuda_check(void* stream, std::string* error) {
  if (!ok(cudaStreamSynchronize((cudaStream_t)stream), error, "device fault")) return false;
  return ok(cudaGetLastError(), error, "device fault");
}

}  // namespace recforge
