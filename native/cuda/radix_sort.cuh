// Stable radix sort of (uint64 key, int32 value) pairs, ascending, on the device: the one
// cub instantiation shared by sort.cu and indexing.cu (cub is heavy to compile, so it lives
// in radix_sort.cu alone). Keys are compared on bits [begin_bit, end_bit) only.
#pragma once
#include <cuda_runtime.h>

#include <cstddef>
#include <cstdint>

namespace recforge {
namespace cuda {

// Temporary storage cub needs for n items in `segments` segments (1 = one plain sort)
// sorted on bits [begin_bit, end_bit). n < 2^31.
size_t radix_sort_temp_bytes(int64_t n, int64_t segments, int begin_bit, int end_bit);

// Sorts n pairs. segments == 1: one sort over all n. segments > 1: each segment s covers
// [offsets[s], offsets[s+1]) (offsets: DEVICE int32 [segments + 1]) and is sorted alone.
// temp must hold radix_sort_temp_bytes(n, segments, begin_bit, end_bit) bytes (callers size
// their workspace with that same call). Returns the cub/launch error.
cudaError_t radix_sort_pairs(void* temp, size_t temp_bytes, const uint64_t* keys_in, uint64_t* keys_out,
                             const int32_t* values_in, int32_t* values_out, int64_t n, int64_t segments,
                             const int32_t* offsets, int begin_bit, int end_bit, cudaStream_t stream);

inline size_t align_up(size_t v, size_t a = 256) { return (v + a - 1) / a * a; }

}  // namespace cuda
}  // namespace recforge
