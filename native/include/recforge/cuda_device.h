// Device management for the CUDA backend: device discovery and a caching,
// stream-ordered allocator. Errors come back as messages (never abort), so the binding
// can turn them into JavaScript errors that say what happened.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace recforge {

struct CudaDeviceInfo {
  int count = 0;
  std::string name;
  int major = 0, minor = 0;
  size_t total_bytes = 0;
  std::string error;  // why no device is usable (driver missing, no GPU, ...)
};
CudaDeviceInfo cuda_device_info();

// Caching allocator: freed blocks are kept per size class and reused in stream order.
// Returns nullptr and fills `error` ("out of memory allocating N bytes (free F of T)") on failure.
void* cuda_alloc(size_t nbytes, void* stream, std::string* error);
void cuda_free(void* p, void* stream);
struct CudaAllocatorStats {
  size_t live_bytes = 0, cached_bytes = 0, peak_bytes = 0;
  int64_t allocs = 0, cache_hits = 0;
};
CudaAllocatorStats cuda_allocator_stats();
void cuda_empty_cache();

// Copies (synchronous on the given stream): host<->device.
bool cuda_copy_to_device(void* dst, const void* src, size_t n, void* stream, std::string* error);
bool cuda_copy_to_host(void* dst, const void* src, size_t n, void* stream, std::string* error);
// Synchronises and reports any asynchronous device-side fault with its message.
bool cuda_check(void* stream, std::string* error);

}  // namespace recforge
