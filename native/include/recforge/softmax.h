// Softmax and log-softmax over the last axis of a contiguous [rows, n] tensor.
#pragma once
#include <cstdint>

namespace recforge {

template <typename T>
void softmax_forward(const T* x, T* y, int64_t rows, int64_t n, bool log);
// gx = y * (gy - Σ gy·y)            (softmax)
// gx = gy - exp(y) * Σ gy           (log-softmax, y = log-probabilities)
template <typename T>
void softmax_backward(const T* y, const T* gy, T* gx, int64_t rows, int64_t n, bool log);

}  // namespace recforge
