#include "recforge/sort.h"

#include <algorithm>
#include <numeric>
#include <vector>

#include "recforge/parallel.h"

namespace recforge {
namespace {

template <typename T>
struct Before {  // strict weak order: "a comes before b" in the requested direction
  const T* row;
  bool desc;
  bool operator()(int32_t a, int32_t b) const {
    T x = row[a], y = row[b];
    bool xn = x != x, yn = y != y;
    if (xn || yn) {
      if (xn && yn) return a < b;
      return desc ? xn : yn;  // NaN is the largest
    }
    if (x != y) return desc ? x > y : x < y;
    return a < b;
  }
};

}  // namespace

template <typename T>
void topk_rows(const T* x, int64_t rows, int64_t n, int64_t k, bool largest, T* values, int32_t* indices) {
  parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    std::vector<int32_t> order(n);
    for (int64_t r = b; r < e; ++r) {
      const T* row = x + r * n;
      std::iota(order.begin(), order.end(), 0);
      Before<T> cmp{row, largest};
      std::partial_sort(order.begin(), order.begin() + k, order.end(), cmp);
      for (int64_t j = 0; j < k; ++j) {
        values[r * k + j] = row[order[j]];
        indices[r * k + j] = order[j];
      }
    }
  });
}

template <typename T>
void sort_rows(const T* x, int64_t rows, int64_t n, bool descending, T* values, int32_t* indices) {
  parallel_for(rows, std::max<int64_t>(1, 4096 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    std::vector<int32_t> order(n);
    for (int64_t r = b; r < e; ++r) {
      const T* row = x + r * n;
      std::iota(order.begin(), order.end(), 0);
      std::sort(order.begin(), order.end(), Before<T>{row, descending});
      for (int64_t j = 0; j < n; ++j) {
        values[r * n + j] = row[order[j]];
        indices[r * n + j] = order[j];
      }
    }
  });
}

template void topk_rows<float>(const float*, int64_t, int64_t, int64_t, bool, float*, int32_t*);
template void topk_rows<double>(const double*, int64_t, int64_t, int64_t, bool, double*, int32_t*);
template void topk_rows<int32_t>(const int32_t*, int64_t, int64_t, int64_t, bool, int32_t*, int32_t*);
template void sort_rows<float>(const float*, int64_t, int64_t, bool, float*, int32_t*);
template void sort_rows<double>(const double*, int64_t, int64_t, bool, double*, int32_t*);
template void sort_rows<int32_t>(const int32_t*, int64_t, int64_t, bool, int32_t*, int32_t*);

}  // namespace recforge
