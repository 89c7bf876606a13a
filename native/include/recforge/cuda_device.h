// Device management for the CUDA backend: device discovery, the one stream recforge
// works on, and a caching, stream-ordered allocator. Errors come back as messages (never
// abort), so the binding can turn them into JavaScript errors that say what happened.
// Plain C++ (no CUDA headers needed): the stream is the opaque CUstream_st* that
// cudaStream_t points to.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

struct CUstream_st;

namespace recforge {

struct CudaDeviceInfo {
  int count = 0;
  std::string name;
  int major = 0, minor = 0;
  int sm_count = 0;
  size_t total_bytes = 0;
  int driver_version = 0, runtime_version = 0;  // e.g. 12040 = 12.4
  std::string error;                             // why no device is usable (driver missing, no GPU, ...)
};
// Queries device 0 (the one recforge uses). Never throws; count == 0 with `error` set
// when there is no usable device.
CudaDeviceInfo cuda_device_info();

// The stream every recforge kernel, copy and allocation runs on (created on first use,
// non-blocking w.r.t. the legacy default stream). Because everything is ordered on this
// one stream, a block freed to the cache can be handed out again at once: any kernel
// still reading it runs before any later user. Returns nullptr (and sets error) when no
// device can be initialised.
CUstream_st* cuda_stream(std::string* error = nullptr);

// Caching allocator: freed blocks are kept per size class (512 B granularity below 1 MiB,
// 2 MiB above) and reused in stream order. On cudaErrorMemoryAllocation the cache is
// released and the allocation retried once. Returns nullptr and fills `error` ("CUDA out
// of memory allocating N bytes (free F of T bytes on the device, C cached)") on failure.
// A request of 0 bytes still returns a distinct valid block.
void* cuda_alloc(size_t nbytes, CUstream_st* stream, std::string* error);
void cuda_free(void* p, CUstream_st* stream);
struct CudaAllocatorStats {
  size_t live_bytes = 0;       // bytes of live blocks (size-class rounded)
  size_t requested_bytes = 0;  // bytes asked for by live blocks
  size_t cached_bytes = 0;     // freed blocks kept for reuse
  size_t peak_bytes = 0;       // high-water mark of live_bytes since start / reset
  int64_t live_blocks = 0;
  int64_t allocs = 0, cache_hits = 0, device_allocs = 0;
};
CudaAllocatorStats cuda_allocator_stats();
void cuda_reset_peak();
// Returns cached blocks to the device (after the stream has finished with them).
void cuda_empty_cache();

// Copies on `stream`, synchronous with the host on return (the host buffer may be reused
// or freed at once). Device-to-device copies are asynchronous (stream-ordered).
bool cuda_copy_to_device(void* dst, const void* src, size_t n, CUstream_st* stream, std::string* error);
bool cuda_copy_to_host(void* dst, const void* src, size_t n, CUstream_st* stream, std::string* error);
bool cuda_copy_device(void* dst, const void* src, size_t n, CUstream_st* stream, std::string* error);
bool cuda_memset(void* dst, int byte, size_t n, CUstream_st* stream, std::string* error);
// Synchronises and reports any asynchronous device-side fault with its message
// ("CUDA device fault: an illegal memory access was encountered (...)").
bool cuda_check(CUstream_st* stream, std::string* error);
// Non-blocking: reports a failed kernel launch (bad configuration, missing kernel image
// for this GPU, a sticky fault from an earlier kernel) without waiting for the stream.
bool cuda_launch_ok(std::string* error);

}  // namespace recforge
