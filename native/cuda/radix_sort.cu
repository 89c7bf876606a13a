// The shared cub radix sort (see radix_sort.cuh).
#include <cub/device/device_radix_sort.cuh>
#include <cub/device/device_segmented_radix_sort.cuh>

#include "radix_sort.cuh"

namespace recforge {
namespace cuda {

size_t radix_sort_temp_bytes(int64_t n, int64_t segments, int begin_bit, int end_bit) {
  size_t bytes = 0;
  const int ni = (int)n;
  if (segments <= 1) {
    cub::DeviceRadixSort::SortPairs(nullptr, bytes, (const uint64_t*)nullptr, (uint64_t*)nullptr,
                                    (const int32_t*)nullptr, (int32_t*)nullptr, ni, begin_bit, end_bit);
  } else {
    cub::DeviceSegmentedRadixSort::SortPairs(nullptr, bytes, (const uint64_t*)nullptr, (uint64_t*)nullptr,
                                             (const int32_t*)nullptr, (int32_t*)nullptr, ni, (int)segments,
                                             (const int32_t*)nullptr, (const int32_t*)nullptr, begin_bit,
                                             end_bit);
  }
  return bytes;
}

cudaError_t radix_sort_pairs(void* temp, size_t temp_bytes, const uint64_t* keys_in, uint64_t* keys_out,
                             const int32_t* values_in, int32_t* values_out, int64_t n, int64_t segments,
                             const int32_t* offsets, int begin_bit, int end_bit, cudaStream_t stream) {
  if (n <= 0) return cudaSuccess;
  size_t need = 0;
  cudaError_t e;
  if (segments <= 1) {
    e = cub::DeviceRadixSort::SortPairs(nullptr, need, keys_in, keys_out, values_in, values_out, (int)n, begin_bit,
                                        end_bit, stream);
    if (e != cudaSuccess) return e;
    if (need > temp_bytes) return cudaErrorInvalidValue;
    return cub::DeviceRadixSort::SortPairs(temp, temp_bytes, keys_in, keys_out, values_in, values_out, (int)n,
                                           begin_bit, end_bit, stream);
  }
  e = cub::DeviceSegmentedRadixSort::SortPairs(nullptr, need, keys_in, keys_out, values_in, values_out, (int)n,
                                               (int)segments, offsets, offsets + 1, begin_bit, end_bit, stream);
  if (e != cudaSuccess) return e;
  if (need > temp_bytes) return cudaErrorInvalidValue;
  return cub::DeviceSegmentedRadixSort::SortPairs(temp, temp_bytes, keys_in, keys_out, values_in, values_out, (int)n,
                                                  (int)segments, offsets, offsets + 1, begin_bit, end_bit, stream);
}

}  // namespace cuda
}  // namespace recforge
