// The per-element math of the axis reductions (semantics: recforge/reduce.h), shared by the CPU kernel
// (native/cpu/reduce.cc) and the CUDA kernels (native/cuda/reduce.cu) — the take-over rule also by the
// segment aggregation (native/cpu/message_passing.cc, native/cuda/message_passing.cu): whether a new element takes over
// the running max / min (the first NaN wins and stays), and the mean's division. The accumulation order
// (4 / 512-wide double lanes on the CPU, warps and blocks on the device), the device's merge of partial
// (value, index) pairs and the r = 0 mean (NaN: the CPU's quiet NaN, the device's CUDART_NAN) stay with
// each backend.
#pragma once

#include <cstdint>

#include "recforge/host_device.h"

namespace recforge {

// Does v (a later element) replace cur as the running max (is_max) or min? Never once cur is NaN; always
// when v is NaN; otherwise a strict comparison, so the first of equal extremes keeps its index.
template <typename T>
RECFORGE_HD inline bool reduce_takes_rule(bool is_max, T v, T cur) {
  return cur == cur && (v != v || (is_max ? v > cur : v < cur));
}

// The mean of a row reduced to the double sum s over r > 0 elements: s / r (the contiguous paths) or
// s * (1 / r) (the strided paths, one scale for a whole chunk).
RECFORGE_HD inline double reduce_mean_rule(double s, int64_t r) { return s / (double)r; }
RECFORGE_HD inline double reduce_mean_scale_rule(int64_t r) { return 1.0 / (double)r; }

}  // namespace recforge
