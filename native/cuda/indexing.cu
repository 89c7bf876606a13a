// Index-driven kernels on the device (semantics: recforge/indexing.h). Gathers are one
// element per thread. Scatter-adds are deterministic and add in the CPU's order: rows via
// a stable sort of (index, position) pairs and one thread per (destination row, column)
// walking its sources in position order; axes via one thread per (outer, inner) column
// walking j in order.
#include <cuda_runtime.h>

#include "common.cuh"
#include "radix_sort.cuh"
#include "recforge/indexing.h"

namespace recforge {
namespace {
using namespace cuda;

template <typename T>
__global__ void gather_rows_kernel(const T* __restrict__ table, const int32_t* __restrict__ idx, int64_t n, int64_t d,
                                   T* __restrict__ out) {
  RF_GRID_STRIDE(t, n * d) {
    const int64_t i = t / d, c = t - i * d;
    out[t] = table[(int64_t)idx[i] * d + c];
  }
}

__global__ void row_keys_kernel(const int32_t* __restrict__ idx, int64_t n, uint64_t* __restrict__ keys,
                                int32_t* __restrict__ pos) {
  RF_GRID_STRIDE(i, n) {
    keys[i] = (uint64_t)(uint32_t)idx[i];
    pos[i] = (int32_t)i;
  }
}

// Thread (j, c): when sorted position j starts a run of equal rows, adds the run's source
// rows (in increasing original position) into column c of that destination row.
template <typename T>
__global__ void scatter_runs_kernel(const T* __restrict__ g, const uint64_t* __restrict__ skeys,
                                    const int32_t* __restrict__ spos, int64_t n, int64_t d, T* __restrict__ tg) {
  RF_GRID_STRIDE(t, n * d) {
    const int64_t j = t / d, c = t - j * d;
    const uint64_t row = skeys[j];
    if (j > 0 && skeys[j - 1] == row) continue;
    T* dst = tg + (int64_t)row * d + c;
    T acc = *dst;
    for (int64_t q = j; q < n && skeys[q] == row; ++q) acc += g[(int64_t)spos[q] * d + c];
    *dst = acc;
  }
}

template <typename T>
__global__ void gather_axis_kernel(const T* __restrict__ x, const int32_t* __restrict__ idx, int64_t outer,
                                   int64_t dim, int64_t k, int64_t inner, T* __restrict__ out) {
  RF_GRID_STRIDE(t, outer * k * inner) {
    const int64_t i = t % inner, o = t / (k * inner);
    out[t] = x[(o * dim + idx[t]) * inner + i];
  }
}

template <typename T>
__global__ void scatter_add_axis_kernel(const T* __restrict__ src, const int32_t* __restrict__ idx, int64_t outer,
                                        int64_t dim, int64_t k, int64_t inner, T* __restrict__ out) {
  RF_GRID_STRIDE(t, outer * inner) {
    const int64_t o = t / inner, i = t - o * inner;
    T* ob = out + o * dim * inner + i;
    for (int64_t j = 0; j < k; ++j) {
      const int64_t s = (o * k + j) * inner + i;
      ob[(int64_t)idx[s] * inner] += src[s];
    }
  }
}

constexpr unsigned long long kNone = 0x7fffffffffffffffull;

__global__ void bad_index_init_kernel(int64_t* result) {
  result[0] = (int64_t)kNone;
  result[1] = 0;
}
__global__ void bad_index_scan_kernel(const int32_t* __restrict__ idx, int64_t n, int64_t limit, bool has_ignore,
                                      int32_t ignore, int64_t* result) {
  RF_GRID_STRIDE(i, n) {
    const int32_t v = idx[i];
    if ((has_ignore && v == ignore) || (v >= 0 && (int64_t)v < limit)) continue;
    atomicMin(reinterpret_cast<unsigned long long*>(result), (unsigned long long)i);
  }
}
__global__ void bad_index_finish_kernel(const int32_t* __restrict__ idx, int64_t* result) {
  if ((unsigned long long)result[0] == kNone) {
    result[0] = -1;
  } else {
    result[1] = idx[result[0]];
  }
}

int key_bits(int64_t table_rows) {
  int b = 1;
  while (b < 63 && (int64_t(1) << b) < table_rows) ++b;
  return b;
}

}  // namespace

int64_t scatter_add_rows_cuda_workspace_bytes(int64_t n, int64_t table_rows) {
  const size_t m = (size_t)std::max<int64_t>(n, 0);
  const size_t temp = n > 0 ? radix_sort_temp_bytes(n, 1, 0, key_bits(table_rows)) : 0;
  return (int64_t)(2 * align_up(m * 8) + 2 * align_up(m * 4) + align_up(temp) + 256);
}

template <typename T>
void gather_rows_cuda(const T* table, const int32_t* idx, int64_t n, int64_t d, T* out, CUstream_st* stream) {
  if (n * d <= 0) return;
  gather_rows_kernel<T><<<grid_for(n * d), kThreads, 0, stream>>>(table, idx, n, d, out);
}

template <typename T>
void scatter_add_rows_cuda(const T* g, const int32_t* idx, int64_t n, int64_t d, int64_t table_rows, T* table_grad,
                           void* workspace, CUstream_st* stream) {
  if (n <= 0 || d <= 0) return;
  const size_t m = (size_t)n;
  char* p = static_cast<char*>(workspace);
  uint64_t* kin = reinterpret_cast<uint64_t*>(p);
  p += align_up(m * 8);
  uint64_t* kout = reinterpret_cast<uint64_t*>(p);
  p += align_up(m * 8);
  int32_t* vin = reinterpret_cast<int32_t*>(p);
  p += align_up(m * 4);
  int32_t* vout = reinterpret_cast<int32_t*>(p);
  p += align_up(m * 4);
  const int bits = key_bits(table_rows);
  row_keys_kernel<<<grid_for(n), kThreads, 0, stream>>>(idx, n, kin, vin);
  radix_sort_pairs(p, radix_sort_temp_bytes(n, 1, 0, bits), kin, kout, vin, vout, n, 1, nullptr, 0, bits, stream);
  scatter_runs_kernel<T><<<grid_for(n * d), kThreads, 0, stream>>>(g, kout, vout, n, d, table_grad);
}

template <typename T>
void gather_axis_cuda(const T* x, const int32_t* idx, int64_t outer, int64_t dim, int64_t k, int64_t inner, T* out,
                      CUstream_st* stream) {
  const int64_t total = outer * k * inner;
  if (total <= 0) return;
  gather_axis_kernel<T><<<grid_for(total), kThreads, 0, stream>>>(x, idx, outer, dim, k, inner, out);
}

template <typename T>
void scatter_add_axis_cuda(const T* src, const int32_t* idx, int64_t outer, int64_t dim, int64_t k, int64_t inner,
                           T* out, CUstream_st* stream) {
  if (outer * inner <= 0 || k <= 0) return;
  scatter_add_axis_kernel<T><<<grid_for(outer * inner), kThreads, 0, stream>>>(src, idx, outer, dim, k, inner, out);
}

void find_bad_index_cuda(const int32_t* idx, int64_t n, int64_t limit, bool has_ignore, int32_t ignore,
                         int64_t* result, CUstream_st* stream) {
  bad_index_init_kernel<<<1, 1, 0, stream>>>(result);
  if (n > 0) bad_index_scan_kernel<<<grid_for(n), kThreads, 0, stream>>>(idx, n, limit, has_ignore, ignore, result);
  bad_index_finish_kernel<<<1, 1, 0, stream>>>(idx, result);
}

#define RF_INST(T)                                                                                                \
  template void gather_rows_cuda<T>(const T*, const int32_t*, int64_t, int64_t, T*, CUstream_st*);                \
  template void scatter_add_rows_cuda<T>(const T*, const int32_t*, int64_t, int64_t, int64_t, T*, void*,          \
                                         CUstream_st*);                                                           \
  template void gather_axis_cuda<T>(const T*, const int32_t*, int64_t, int64_t, int64_t, int64_t, T*, CUstream_st*); \
  template void scatter_add_axis_cuda<T>(const T*, const int32_t*, int64_t, int64_t, int64_t, int64_t, T*,        \
                                         CUstream_st*);
RF_INST(float)
RF_INST(double)
RF_INST(int32_t)

}  // namespace recforge
