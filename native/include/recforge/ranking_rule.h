// The part of target_ranks (recforge/ranking.h) that turns a row's count of strictly greater
// scores into the rank: NaN target, excluded columns. Written once, compiled into the CPU
// kernel (native/cpu/ranking.cc) and the CUDA kernel (native/cuda/ranking.cu).
#pragma once
#include <cstdint>

#include "recforge/host_device.h"

namespace recforge {

// greater = #{ j in [0, n) : row[j] > s } over ALL columns (excluded ones included).
template <typename T>
RECFORGE_HD inline int32_t rank_from_count(const T* row, T s, int64_t greater, int64_t n, const int32_t* exclude,
                                           int64_t n_exclude) {
  if (s != s) return (int32_t)(n - n_exclude);  // NaN target: the worst rank
  for (int64_t e = 0; e < n_exclude; ++e)
    if (row[exclude[e]] > s) --greater;
  return (int32_t)(1 + greater);
}

}  // namespace recforge
