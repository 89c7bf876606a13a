#include "recforge/indexing.h"

#include <algorithm>
#include <cstring>

#include "recforge/parallel.h"

namespace recforge {

template <typename T>
void gather_rows(const T* table, const int32_t* idx, int64_t n, int64_t d, T* out) {
  parallel_for(n, std::max<int64_t>(1, 16384 / std::max<int64_t>(d, 1)), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) std::memcpy(out + i * d, table + (int64_t)idx[i] * d, d * sizeof(T));
  });
}

template <typename T>
void scatter_add_rows(const T* g, const int32_t* idx, int64_t n, int64_t d, T* table_grad) {
  int64_t col_grain = std::max<int64_t>(8, d / std::max(1, num_threads()));
  if (n * d < 32768) col_grain = d;  // small: one thread
  parallel_for(d, col_grain, [&](int64_t c0, int64_t c1) {
    for (int64_t i = 0; i < n; ++i) {
      const T* src = g + i * d;
      T* dst = table_grad + (int64_t)idx[i] * d;
      for (int64_t c = c0; c < c1; ++c) dst[c] += src[c];
    }
  });
}

template <typename T>
void gather_axis(const T* x, const int32_t* idx, int64_t outer, int64_t dim, int64_t k, int64_t inner, T* out) {
  parallel_for(outer * k, std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1)), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      int64_t o = t / k;
      const int32_t* ir = idx + t * inner;
      T* orow = out + t * inner;
      const T* xb = x + o * dim * inner;
      for (int64_t i = 0; i < inner; ++i) orow[i] = xb[(int64_t)ir[i] * inner + i];
    }
  });
}

template <typename T>
void scatter_add_axis(const T* src, const int32_t* idx, int64_t outer, int64_t dim, int64_t k, int64_t inner,
                      T* out) {
  // Each (o, inner-chunk) owns a disjoint set of output columns: race-free, ordered.
  const int64_t chunk = 64;
  int64_t nch = (inner + chunk - 1) / chunk;
  parallel_for(outer * nch, std::max<int64_t>(1, 4096 / std::max<int64_t>(k * chunk, 1)), [&](int64_t b, int64_t e) {
    for (int64_t t = b; t < e; ++t) {
      int64_t o = t / nch, i0 = (t % nch) * chunk, i1 = std::min(inner, i0 + chunk);
      T* ob = out + o * dim * inner;
      for (int64_t j = 0; j < k; ++j) {
        const int32_t* ir = idx + (o * k + j) * inner;
        const T* sr = src + (o * k + j) * inner;
        for (int64_t i = i0; i < i1; ++i) ob[(int64_t)ir[i] * inner + i] += sr[i];
      }
    }
  });
}

#define RF_INST(T)                                                                              \
  template void gather_rows<T>(const T*, const int32_t*, int64_t, int64_t, T*);                 \
  template void scatter_add_rows<T>(const T*, const int32_t*, int64_t, int64_t, T*);            \
  template void gather_axis<T>(const T*, const int32_t*, int64_t, int64_t, int64_t, int64_t, T*); \
  template void scatter_add_axis<T>(const T*, const int32_t*, int64_t, int64_t, int64_t, int64_t, T*);
RF_INST(float)
RF_INST(double)
RF_INST(int32_t)

}  // namespace recforge
