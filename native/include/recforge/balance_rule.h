// Steps 2-4 of the MultiBalance rule (state update, reference, weights) for all T tasks,
// given each task's sum of squares and non-finite flag. Shared verbatim by the CPU kernel
// and the CUDA weights kernel (one thread) so the two cannot drift apart.
// Semantics and edge cases: recforge/balance_gradients.h.
#pragma once
#include <cfloat>
#include <cmath>
#include <cstdint>

#include "recforge/balance_gradients.h"
#include "recforge/host_device.h"

namespace recforge {

// Returns the status; on success updates m / initialized and writes weights and norms,
// on failure writes nothing.
RECFORGE_HD inline BalanceStatus balance_apply_rule(int64_t T, const double* sumsq, const int32_t* nonfinite,
                                                    double* m, int32_t* initialized, const BalanceParams& p,
                                                    double* weights, double* norms) {
  BalanceStatus st;
  for (int64_t i = 0; i < T; ++i) {
    // A NaN/Inf element wins over an overflowing sum (it is the more specific diagnosis).
    if (nonfinite[i]) {
      st.reason = kBalanceNonFinite;
      st.task = (int32_t)i;
      return st;
    }
    if (!(sumsq[i] <= DBL_MAX)) {  // finite elements, but the squares overflowed (float64 only)
      st.reason = kBalanceNormOverflow;
      st.task = (int32_t)i;
      return st;
    }
  }
  for (int64_t i = 0; i < T; ++i) {
    double n = sqrt(sumsq[i]);
    norms[i] = n;
    m[i] = initialized[i] ? p.beta * m[i] + (1.0 - p.beta) * n : n;
    initialized[i] = 1;
  }
  double ref;
  if (p.ref_mode == kBalanceRefMean) {
    ref = 0;
    for (int64_t i = 0; i < T; ++i) ref += m[i];
    ref /= (double)T;
  } else if (p.ref_mode == kBalanceRefMax) {
    ref = m[0];
    for (int64_t i = 1; i < T; ++i) ref = m[i] > ref ? m[i] : ref;
  } else {
    ref = m[p.target];
  }
  for (int64_t i = 0; i < T; ++i) {
    // m_i == 0: nothing to rescale against, w = 1. m_i == m_ref (the target task, T == 1):
    // exactly 1, which relax*1 + (1-relax) is not for every relax. Otherwise the spec's form:
    // both terms are >= 0, so small weights keep full relative precision (1 + r*(ratio-1)
    // would cancel).
    double w = 1.0;
    if (m[i] > 0 && m[i] != ref) {
      double ratio = ref / m[i];
      if (ratio > DBL_MAX) ratio = DBL_MAX;  // keep w finite so w * 0 stays 0
      w = p.relax * ratio + (1.0 - p.relax);
    }
    if (p.strategy == kBalanceShrinkOnly && w > 1.0) w = 1.0;
    if (p.strategy == kBalanceEnlargeOnly && w < 1.0) w = 1.0;
    weights[i] = w;
  }
  return st;
}

}  // namespace recforge
