// The emulator's stand-in for native/cuda/radix_sort.cu, which is a thin wrapper over cub (NVIDIA's
// CUDA-only template library, which the emulator cannot compile): the same interface and contract — a
// stable ascending sort of (key, value) pairs on key bits [begin_bit, end_bit), per segment — done with
// std::stable_sort. The callers' use of it (workspace sizing, bit ranges, segment offsets) is what the
// emulated tests then check; cub itself is checked by gpu-check.sh on a GPU.
#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "../../../cuda/radix_sort.cuh"

namespace recforge {
namespace cuda {

size_t radix_sort_temp_bytes(int64_t n, int64_t segments, int, int) {
  return (size_t)std::max<int64_t>(n, 1) * 12 + (size_t)std::max<int64_t>(segments, 1) * 4 + 256;
}

cudaError_t radix_sort_pairs(void* temp, size_t temp_bytes, const uint64_t* keys_in, uint64_t* keys_out,
                             const int32_t* values_in, int32_t* values_out, int64_t n, int64_t segments,
                             const int32_t* offsets, int begin_bit, int end_bit, cudaStream_t) {
  if (n <= 0) return cudaSuccess;
  if (temp_bytes < radix_sort_temp_bytes(n, segments, begin_bit, end_bit) || !temp) return cudaErrorInvalidValue;
  if (begin_bit < 0 || end_bit > 64 || begin_bit >= end_bit) return cudaErrorInvalidValue;
  std::memset(temp, 0xFF, temp_bytes);  // the workspace holds nothing the caller may rely on
  const uint64_t mask = end_bit - begin_bit == 64 ? ~0ull : ((1ull << (end_bit - begin_bit)) - 1) << begin_bit;
  auto sort_range = [&](int64_t lo, int64_t hi) {
    std::vector<int64_t> order(hi - lo);
    std::iota(order.begin(), order.end(), lo);
    std::stable_sort(order.begin(), order.end(),
                     [&](int64_t a, int64_t b) { return (keys_in[a] & mask) < (keys_in[b] & mask); });
    std::vector<uint64_t> k(order.size());
    std::vector<int32_t> v(order.size());
    for (size_t i = 0; i < order.size(); ++i) k[i] = keys_in[order[i]], v[i] = values_in[order[i]];
    std::copy(k.begin(), k.end(), keys_out + lo);
    std::copy(v.begin(), v.end(), values_out + lo);
  };
  if (segments <= 1) {
    sort_range(0, n);
    return cudaSuccess;
  }
  for (int64_t s = 0; s < segments; ++s) {
    const int64_t lo = offsets[s], hi = offsets[s + 1];
    if (lo < 0 || hi > n || lo > hi) return cudaErrorInvalidValue;
    sort_range(lo, hi);
  }
  return cudaSuccess;
}

}  // namespace cuda
}  // namespace recforge
