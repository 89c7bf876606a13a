// The per-element updates of the fused optimisers (semantics: recforge/optim.h), shared by the CPU
// kernels (native/cpu/optim.cc) and the CUDA kernels (native/cuda/optim.cu): one definition of each
// update, and of the scalar constants both compute on the host, so the backends cannot drift apart.
// Each side compiles the same expressions with its own contraction rules (GCC and nvcc both may fuse
// a * b + c), as before this header: results agree to rounding, not bit for bit (unlike philox.h).
#pragma once
#include <cmath>
#include <cstdint>

#include "recforge/host_device.h"

namespace recforge {

template <typename T>
struct SgdRule {
  T lr, momentum, one_minus_dampening, weight_decay;
  bool nesterov, first_step;
};

template <typename T>
inline SgdRule<T> sgd_rule(double lr, double momentum, double dampening, double weight_decay, bool nesterov,
                           bool first_step) {
  return {(T)lr, (T)momentum, (T)(1 - dampening), (T)weight_decay, nesterov, first_step};
}

// One parameter element p with gradient g; buf is its momentum buffer element, or null without momentum.
template <typename T>
RECFORGE_HD inline void sgd_update(const SgdRule<T>& r, T& p, T g, T* buf) {
  T gi = g + r.weight_decay * p;
  if (buf) {
    const T bi = r.first_step ? gi : r.momentum * *buf + r.one_minus_dampening * gi;
    *buf = bi;
    gi = r.nesterov ? gi + r.momentum * bi : bi;
  }
  p -= r.lr * gi;
}

template <typename T>
struct AdamRule {
  T beta1, beta2, eps, weight_decay;
  T step_size;     // lr / (1 - beta1^step)
  T inv_sqrt_bc2;  // 1 / sqrt(1 - beta2^step)
  T decay;         // 1 - lr * weight_decay (AdamW)
  bool decoupled;  // AdamW: decay the parameter; Adam: add weight_decay * p to the gradient
};

template <typename T>
inline AdamRule<T> adam_rule(double lr, double beta1, double beta2, double eps, double weight_decay, bool decoupled,
                             int64_t step) {
  const double bc1 = 1 - std::pow(beta1, (double)step), bc2 = 1 - std::pow(beta2, (double)step);
  return {(T)beta1,         (T)beta2, (T)eps, (T)weight_decay, (T)(lr / bc1), (T)(1 / std::sqrt(bc2)),
          (T)(1 - lr * weight_decay), decoupled};
}

// One parameter element p with gradient g and moment elements m, v.
template <typename T>
RECFORGE_HD inline void adam_update(const AdamRule<T>& r, T& p, T g, T& m, T& v) {
  T gi = g;
  T pi = p;
  if (r.decoupled)
    pi *= r.decay;
  else
    gi += r.weight_decay * pi;
  const T mi = r.beta1 * m + (T(1) - r.beta1) * gi;
  const T vi = r.beta2 * v + (T(1) - r.beta2) * gi * gi;
  m = mi;
  v = vi;
#if defined(__CUDA_ARCH__)
  const T root = sqrt(vi);  // the device's float / double overload
#else
  const T root = std::sqrt(vi);
#endif
  p = pi - r.step_size * mi / (root * r.inv_sqrt_bc2 + r.eps);
}

}  // namespace recforge
