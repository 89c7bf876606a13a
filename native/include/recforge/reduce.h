// Reductions over the middle axis of a [outer, r, inner] view of a contiguous tensor.
// Reducing several axes = several calls (the TS layer merges adjacent axes first).
// Sums accumulate in double. max/min propagate NaN (a NaN in a slice makes its result
// NaN, its index that of the first NaN) and return the index of the first extreme.
#pragma once
#include <cstdint>

namespace recforge {

enum class ReduceOp : int { Sum = 0, Mean, Max, Min };

// out[o, i] = reduce_k x[o, k, i]; idx (may be null, int32) receives argmax/argmin.
template <typename T>
void reduce_axis(ReduceOp op, const T* x, int64_t outer, int64_t r, int64_t inner, T* out, int32_t* idx);

// Sum of squares of x (double accumulation), for global-norm clipping.
template <typename T>
double sum_squares(const T* x, int64_t n);

}  // namespace recforge
