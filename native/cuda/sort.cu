// Row sorts and top-k on the device (semantics: recforge/sort.h). Values become unsigned
// keys whose unsigned order is the requested order (NaN largest, -0 == +0), complemented
// for descending order; a stable radix sort of (key, column) pairs then gives ties in
// increasing column order, exactly the CPU's comparator.
#include <cuda_runtime.h>

#include "common.cuh"
#include "radix_sort.cuh"
#include "recforge/sort.h"

namespace recforge {
namespace {
using namespace cuda;

// Order-preserving keys in the high bits of a uint64 (32-bit types) or all 64 bits.
__device__ __forceinline__ uint64_t order_key(float v) {
  if (v != v) return 0xFFFFFFFFull << 32;  // NaN: largest
  uint32_t u = __float_as_uint(v == 0.0f ? 0.0f : v);  // -0 sorts with +0
  u = (u & 0x80000000u) ? ~u : (u | 0x80000000u);
  return (uint64_t)u << 32;
}
__device__ __forceinline__ uint64_t order_key(double v) {
  if (v != v) return ~0ull;
  uint64_t u = (uint64_t)__double_as_longlong(v == 0.0 ? 0.0 : v);
  return (u & 0x8000000000000000ull) ? ~u : (u | 0x8000000000000000ull);
}
__device__ __forceinline__ uint64_t order_key(int32_t v) { return (uint64_t)((uint32_t)v ^ 0x80000000u) << 32; }

template <typename T>
constexpr int key_begin_bit() {
  return sizeof(T) == 8 ? 0 : 32;
}

template <typename T>
__global__ void make_keys_kernel(const T* __restrict__ x, int64_t total, int64_t n, bool desc,
                                 uint64_t* __restrict__ keys, int32_t* __restrict__ cols) {
  RF_GRID_STRIDE(i, total) {
    uint64_t k = order_key(x[i]);
    keys[i] = desc ? ~k : k;
    cols[i] = (int32_t)(i % n);
  }
}

__global__ void segment_offsets_kernel(int32_t* __restrict__ off, int64_t rows, int64_t n) {
  RF_GRID_STRIDE(s, rows + 1) off[s] = (int32_t)(s * n);
}

// values[r, j] = x[r, col], indices[r, j] = col for the first k sorted columns of row r.
template <typename T>
__global__ void take_sorted_kernel(const T* __restrict__ x, const int32_t* __restrict__ cols, int64_t rows,
                                   int64_t n, int64_t k, T* __restrict__ values, int32_t* __restrict__ indices) {
  RF_GRID_STRIDE(t, rows * k) {
    const int64_t r = t / k, j = t - r * k;
    const int32_t c = cols[r * n + j];
    values[t] = x[r * n + c];
    indices[t] = c;
  }
}

struct SortWorkspace {
  uint64_t *keys_in, *keys_out;
  int32_t *cols_in, *cols_out, *offsets;
  void* temp;
  size_t temp_bytes;
};

size_t temp_bytes_for(int64_t rows, int64_t n) {
  const int64_t total = rows * n;
  // The larger of the two key widths' needs, so one size fits every dtype.
  return std::max(radix_sort_temp_bytes(total, rows, 0, 64), radix_sort_temp_bytes(total, rows, 32, 64));
}

SortWorkspace carve(void* ws, int64_t rows, int64_t n) {
  const size_t total = (size_t)(rows * n);
  char* p = static_cast<char*>(ws);
  SortWorkspace w;
  w.keys_in = reinterpret_cast<uint64_t*>(p);
  p += align_up(total * 8);
  w.keys_out = reinterpret_cast<uint64_t*>(p);
  p += align_up(total * 8);
  w.cols_in = reinterpret_cast<int32_t*>(p);
  p += align_up(total * 4);
  w.cols_out = reinterpret_cast<int32_t*>(p);
  p += align_up(total * 4);
  w.offsets = reinterpret_cast<int32_t*>(p);
  p += align_up((size_t)(rows + 1) * 4);
  w.temp = p;
  w.temp_bytes = temp_bytes_for(rows, n);
  return w;
}

template <typename T>
void sort_impl(const T* x, int64_t rows, int64_t n, int64_t k, bool desc, T* values, int32_t* indices, void* ws,
               cudaStream_t stream) {
  if (rows <= 0 || n <= 0 || k <= 0) return;
  const int64_t total = rows * n;
  SortWorkspace w = carve(ws, rows, n);
  make_keys_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(x, total, n, desc, w.keys_in, w.cols_in);
  if (rows > 1) segment_offsets_kernel<<<grid_for(rows + 1), kThreads, 0, stream>>>(w.offsets, rows, n);
  radix_sort_pairs(w.temp, w.temp_bytes, w.keys_in, w.keys_out, w.cols_in, w.cols_out, total, rows, w.offsets,
                   key_begin_bit<T>(), 64, stream);
  take_sorted_kernel<T><<<grid_for(rows * k), kThreads, 0, stream>>>(x, w.cols_out, rows, n, k, values, indices);
}

}  // namespace

int64_t sort_rows_cuda_workspace_bytes(int64_t rows, int64_t n) {
  const size_t total = (size_t)std::max<int64_t>(0, rows * n);
  return (int64_t)(2 * align_up(total * 8) + 2 * align_up(total * 4) + align_up((size_t)(rows + 1) * 4) +
                   align_up(total > 0 ? temp_bytes_for(rows, n) : 0) + 256);
}

template <typename T>
void topk_rows_cuda(const T* x, int64_t rows, int64_t n, int64_t k, bool largest, T* values, int32_t* indices,
                    void* workspace, CUstream_st* stream) {
  sort_impl<T>(x, rows, n, k, largest, values, indices, workspace, stream);
}

template <typename T>
void sort_rows_cuda(const T* x, int64_t rows, int64_t n, bool descending, T* values, int32_t* indices,
                    void* workspace, CUstream_st* stream) {
  sort_impl<T>(x, rows, n, n, descending, values, indices, workspace, stream);
}

#define RF_INST(T)                                                                                              \
  template void topk_rows_cuda<T>(const T*, int64_t, int64_t, int64_t, bool, T*, int32_t*, void*, CUstream_st*); \
  template void sort_rows_cuda<T>(const T*, int64_t, int64_t, bool, T*, int32_t*, void*, CUstream_st*);
RF_INST(float)
RF_INST(double)
RF_INST(int32_t)

}  // namespace recforge
