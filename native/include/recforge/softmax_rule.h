// The per-element math of softmax and log-softmax over a row (semantics: recforge/softmax.h), shared
// by the CPU kernels (native/cpu/softmax.cc) and the CUDA kernels (native/cuda/softmax.cu); the edge
// softmax over a destination's incoming edges (recforge/edge_softmax.h: native/cpu/edge_softmax.cc,
// native/cuda/edge_softmax.cu) uses the same exp / normalise / gradient rules. The row
// reductions (the max, the sum of exp, the backward's Σ gy or Σ gy·y) stay with each backend: 8-lane
// vectorised loops on the CPU (the forward's sum in T, the backward's in double), a warp or a block in
// double on the device. What each element contributes and what each element receives is here.
// `M`: the backend's math library (HostMath in vmath.h: fast_exp is the vectorisable exp the CPU loops
// used; DeviceMath in native/cuda/common.cuh).
#pragma once

#include <cmath>  // INFINITY

#include "recforge/host_device.h"

namespace recforge {

// The shift the row's exponentials use, from its max m: an all -inf row shifts by 0 (not inf - inf).
template <typename T>
RECFORGE_HD inline T softmax_shift_rule(T m) {
  return m == -T(INFINITY) ? T(0) : m;
}

// One element's unnormalised weight exp(x - m), m from softmax_shift_rule. softmax_exp_rule uses the
// fast exp (the CPU's vectorisable one: its row loop is contiguous); edge_softmax_exp_rule the libm exp
// (the edge softmax walks (edge, head) pairs with a stride of H, where the CPU always called std::exp).
template <class M, typename T>
RECFORGE_HD inline T softmax_exp_rule(T x, T m) {
  return M::fast_exp(x - m);
}
template <class M, typename T>
RECFORGE_HD inline T edge_softmax_exp_rule(T x, T m) {
  return M::exp(x - m);
}

// log-softmax: the row's log-sum-exp from its shift m and the sum s of softmax_exp_rule (rounded to T),
// then each output x - lse.
template <class M, typename T>
RECFORGE_HD inline T softmax_lse_rule(T m, T s) {
  return m + M::log(s);
}
template <typename T>
RECFORGE_HD inline T log_softmax_value_rule(T x, T lse) {
  return x - lse;
}

// softmax: each output e * (1 / s), e = softmax_exp_rule, inv = softmax_inv_rule(s).
template <typename T>
RECFORGE_HD inline T softmax_inv_rule(T s) {
  return T(1) / s;
}
template <typename T>
RECFORGE_HD inline T softmax_value_rule(T e, T inv) {
  return e * inv;
}

// Backward, s = the row's reduction rounded to T:
//   softmax      gx = y (gy - s),        s = Σ gy·y
//   log-softmax  gx = gy - exp(y) s,     s = Σ gy (y = log-probabilities)
template <typename T>
RECFORGE_HD inline T softmax_grad_rule(T y, T g, T s) {
  return y * (g - s);
}
template <class M, typename T>
RECFORGE_HD inline T log_softmax_grad_rule(T y, T g, T s) {
  return g - M::fast_exp(y) * s;
}

}  // namespace recforge
