// The device layer: device info, the caching allocator (reuse of freed blocks in stream
// order, statistics, distinct blocks for 0-byte requests, peak reset), host <-> device and
// device <-> device copies, memset, and the out-of-memory message naming the size asked.
#include <cstring>
#include <string>

#include "cuda_test_util.h"

using namespace recforge;
using namespace cudatest;

int main() {
  CudaDeviceInfo info = cuda_device_info();
  RF_CHECK(info.count > 0, "no device: %s", info.error.c_str());
  std::printf("device: %s (sm_%d%d, %d SMs, %.1f GiB), driver %d, runtime %d\n", info.name.c_str(), info.major,
              info.minor, info.sm_count, info.total_bytes / 1073741824.0, info.driver_version, info.runtime_version);
  auto* s = stream();
  std::string err;

  const CudaAllocatorStats s0 = cuda_allocator_stats();
  void* a = cuda_alloc(1000, s, &err);
  void* b = cuda_alloc(0, s, &err);
  void* c = cuda_alloc(3 << 20, s, &err);
  RF_CHECK(a && b && c && a != b && b != c, "allocations failed: %s", err.c_str());
  CudaAllocatorStats s1 = cuda_allocator_stats();
  RF_CHECK(s1.live_blocks == s0.live_blocks + 3, "live blocks %lld", (long long)s1.live_blocks);
  RF_CHECK(s1.requested_bytes == s0.requested_bytes + 1000 + (3 << 20), "requested bytes %zu", s1.requested_bytes);
  RF_CHECK(s1.live_bytes >= s1.requested_bytes, "live bytes below requested");

  // Round trips.
  std::vector<uint8_t> h(3 << 20), back(3 << 20);
  for (size_t i = 0; i < h.size(); ++i) h[i] = (uint8_t)(i * 131 + 7);
  RF_CHECK(cuda_copy_to_device(c, h.data(), h.size(), s, &err), "%s", err.c_str());
  RF_CHECK(cuda_copy_to_host(back.data(), c, back.size(), s, &err), "%s", err.c_str());
  RF_CHECK(back == h, "host -> device -> host round trip differs");
  RF_CHECK(cuda_copy_device(a, c, 1000, s, &err), "%s", err.c_str());
  std::vector<uint8_t> small(1000);
  RF_CHECK(cuda_copy_to_host(small.data(), a, 1000, s, &err) && std::memcmp(small.data(), h.data(), 1000) == 0,
           "device copy differs");
  RF_CHECK(cuda_memset(a, 0xAB, 1000, s, &err), "%s", err.c_str());
  cuda_copy_to_host(small.data(), a, 1000, s, &err);
  RF_CHECK(small[0] == 0xAB && small[999] == 0xAB, "memset");

  // Freed blocks are reused (same size class), counted as cache hits.
  cuda_free(a, s);
  void* a2 = cuda_alloc(900, s, &err);
  CudaAllocatorStats s2 = cuda_allocator_stats();
  RF_CHECK(a2 == a, "a freed block of the same size class was not reused");
  RF_CHECK(s2.cache_hits == s1.cache_hits + 1, "cache hits %lld", (long long)s2.cache_hits);
  cuda_free(a2, s);
  cuda_free(b, s);
  cuda_free(c, s);
  cuda_free(c, s);  // double free: ignored
  CudaAllocatorStats s3 = cuda_allocator_stats();
  RF_CHECK(s3.live_blocks == s0.live_blocks && s3.cached_bytes > 0, "after free: live %lld cached %zu",
           (long long)s3.live_blocks, s3.cached_bytes);
  RF_CHECK(s3.peak_bytes >= s1.live_bytes, "peak");
  cuda_reset_peak();
  RF_CHECK(cuda_allocator_stats().peak_bytes == s3.live_bytes, "peak reset");
  cuda_empty_cache();
  RF_CHECK(cuda_allocator_stats().cached_bytes == 0, "empty cache");

  // Out of memory: a clear message with the size asked, and the allocator still works.
  const size_t huge = (size_t)1 << 50;
  void* x = cuda_alloc(huge, s, &err);
  RF_CHECK(x == nullptr, "a 1 PiB allocation succeeded?");
  RF_CHECK(err.find("out of memory allocating " + std::to_string(huge) + " bytes") != std::string::npos,
           "OOM message: %s", err.c_str());
  void* y = cuda_alloc(4096, s, &err);
  RF_CHECK(y != nullptr, "allocation after OOM failed: %s", err.c_str());
  cuda_free(y, s);
  RF_CHECK(cuda_check(s, &err), "stream not clean: %s", err.c_str());
  return rftest::finish("device_cuda");
}
