// The per-element math of LayerNorm / RMSNorm (semantics: recforge/norm.h), shared by the CPU
// kernels (native/cpu/norm.cc) and the CUDA kernels (native/cuda/norm.cu). The row sums (double
// accumulators: 8 lanes on the CPU so the loops vectorise, a warp or a block on the device) stay
// with each backend; the statistics from those sums and what each element becomes are here.
// rms: no centring (mean 0) and no beta.
#pragma once

#include <cmath>
#include <cstdint>

#include "recforge/host_device.h"

namespace recforge {

// 1 / sqrt(var + eps) from the row's variance (a double sum / n), rounded to T once.
template <typename T>
RECFORGE_HD inline T norm_rstd_rule(double var, double eps) {
  return (T)(1.0 / ::sqrt(var + eps));
}

// x̂ = (x - m) rs.
template <typename T>
RECFORGE_HD inline T norm_xhat_rule(T x, T m, T rs) {
  return (x - m) * rs;
}

// y = x̂ · gamma + beta (gamma, beta: null when absent; beta never for rms).
template <typename T>
RECFORGE_HD inline T norm_output_rule(T x, T m, T rs, const T* gamma, const T* beta, int64_t i) {
  T v = norm_xhat_rule(x, m, rs);
  if (gamma) v *= gamma[i];
  if (beta) v += beta[i];
  return v;
}

// The upstream gradient through gamma: g = gy · gamma.
template <typename T>
RECFORGE_HD inline T norm_gy_rule(const T* gy, const T* gamma, int64_t i) {
  return gamma ? gy[i] * gamma[i] : gy[i];
}

// gx = rs (g - mean(g) - x̂ mean(g x̂)); rms: mean(g) = 0.
template <typename T>
RECFORGE_HD inline T norm_input_grad_rule(T rs, T g, T mg, T xh, T mgx) {
  return rs * (g - mg - xh * mgx);
}

}  // namespace recforge
