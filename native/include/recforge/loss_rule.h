// The per-element math of the fused losses (semantics: recforge/loss.h), shared by the CPU kernels
// (native/cpu/loss.cc) and the CUDA kernels (native/cuda/loss.cu). The row reductions of
// cross-entropy (max, then a double sum of exp) stay with each backend (a loop on the CPU, a warp or
// a block on the device); what each element contributes and what each element receives is here.
// `M`: the backend's math library (HostMath in vmath.h, DeviceMath in native/cuda/common.cuh).
#pragma once

#include "recforge/host_device.h"

namespace recforge {

// log(1 + exp(-x)), stable: max(-x, 0) + log1p(exp(-|x|)) (max as std::max: a NaN x stays NaN).
template <class M, typename T>
RECFORGE_HD inline T softplus_neg_rule(T x) {
  const T nx = -x;
  return (nx < T(0) ? T(0) : nx) + M::log1p(M::exp(-M::fabs(x)));
}

// BCE on a logit x with target y and positive weight pw: (1 - y) x + (1 + (pw - 1) y) softplus(-x).
template <class M, typename T>
RECFORGE_HD inline T bce_logits_loss_rule(T x, T y, T pw) {
  return (T(1) - y) * x + (T(1) + (pw - T(1)) * y) * softplus_neg_rule<M>(x);
}

// Its derivative times the upstream g: g ((1 - y) - (1 + (pw - 1) y)(1 - sigmoid(x))).
template <class M, typename T>
RECFORGE_HD inline T bce_logits_grad_rule(T x, T y, T g, T pw) {
  const T s = x >= 0 ? T(1) / (T(1) + M::exp(-x)) : M::exp(x) / (T(1) + M::exp(x));
  return g * ((T(1) - y) - (T(1) + (pw - T(1)) * y) * (T(1) - s));
}

// Cross-entropy: one logit's share of the row's sum of exp (m: the row max), in double.
template <class M, typename T>
RECFORGE_HD inline double ce_exp_term_rule(T x, T m) {
  return M::exp((double)(x - m));
}

// The row's log-sum-exp from its max m and the sum s of ce_exp_term_rule.
template <class M, typename T>
RECFORGE_HD inline T ce_lse_rule(T m, double s) {
  return (T)((double)m + M::log(s));
}

// d loss / d logit x of a row with log-sum-exp lse and upstream g: g softmax(x) - g [x is the target].
template <class M, typename T>
RECFORGE_HD inline T ce_grad_rule(T x, T lse, T g, bool target) {
  const T v = g * M::exp(x - lse);
  return target ? v - g : v;
}

}  // namespace recforge
