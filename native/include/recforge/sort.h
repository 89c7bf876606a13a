// Sorting along the last axis of [rows, n]. NaN sorts as the largest value (so it comes
// first in descending order), ties keep the lower index first (stable).
#pragma once
#include <cstdint>

namespace recforge {

template <typename T>
void topk_rows(const T* x, int64_t rows, int64_t n, int64_t k, bool largest, T* values, int32_t* indices);
template <typename T>
void sort_rows(const T* x, int64_t rows, int64_t n, bool descending, T* values, int32_t* indices);

}  // namespace recforge
