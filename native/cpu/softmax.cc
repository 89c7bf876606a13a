#include "recforge/softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "recforge/parallel.h"
#include "recforge/vmath.h"

namespace recforge {

template <typename T>
void softmax_forward(const T* x, T* y, int64_t rows, int64_t n, bool log) {
  parallel_for(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* xr = x + r * n;
      T* yr = y + r * n;
      T m = row_max(xr, n, -std::numeric_limits<T>::infinity());
      if (m == -std::numeric_limits<T>::infinity()) m = 0;  // all -inf row: avoid inf - inf
      // exp into the output first (vectorised), then a vectorised sum.
      for (int64_t i = 0; i < n; ++i) yr[i] = vexp<T>(xr[i] - m);
      T s = row_sum(yr, n);
      if (log) {
        T lse = m + std::log(s);
        for (int64_t i = 0; i < n; ++i) yr[i] = xr[i] - lse;
      } else {
        T inv = T(1) / s;
        for (int64_t i = 0; i < n; ++i) yr[i] *= inv;
      }
    }
  });
}

template <typename T>
void softmax_backward(const T* y, const T* gy, T* gx, int64_t rows, int64_t n, bool log) {
  parallel_for(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* yr = y + r * n;
      const T* gr = gy + r * n;
      T* out = gx + r * n;
      if (log) {
        T s = (T)row_sum_d(gr, n);
        for (int64_t i = 0; i < n; ++i) out[i] = gr[i] - vexp<T>(yr[i]) * s;
      } else {
        T s = (T)row_dot_d(gr, yr, n);
        for (int64_t i = 0; i < n; ++i) out[i] = yr[i] * (gr[i] - s);
      }
    }
  });
}

template void softmax_forward<float>(const float*, float*, int64_t, int64_t, bool);
template void softmax_forward<double>(const double*, double*, int64_t, int64_t, bool);
template void softmax_backward<float>(const float*, const float*, float*, int64_t, int64_t, bool);
template void softmax_backward<double>(const double*, const double*, double*, int64_t, int64_t, bool);

}  // namespace recforge
