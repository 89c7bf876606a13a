// The per-element Adagrad update, written once and compiled into both the CPU kernel
// (native/cpu/adagrad.cc) and the CUDA kernel (native/cuda/adagrad.cu) so the two cannot
// drift apart. Semantics (PyTorch's torch.optim.Adagrad, including weight decay folded into
// the gradient): g' = g + wd·p;  G ← G + g'²;  p ← p − clr·g' / (√G + eps),
// with clr = lr / (1 + (step − 1)·lr_decay) computed once per call on the host.
#pragma once

#include "recforge/host_device.h"

#include <cmath>

namespace recforge {

// One element: p and G updated in place. T is float or double; the arithmetic stays in T
// (as the Adam kernels do), so float32 runs are float32 throughout.
template <typename T>
RECFORGE_HD inline void adagrad_update(T& p, T g, T& G, T clr, T eps, T wd) {
  const T gi = g + wd * p;
  const T Gi = G + gi * gi;
  G = Gi;
#if defined(__CUDA_ARCH__)
  p = p - clr * gi / (sqrt(Gi) + eps);
#else
  p = p - clr * gi / (std::sqrt(Gi) + eps);
#endif
}

// clr of the step (1-based): lr / (1 + (step − 1)·lr_decay), PyTorch's formula.
inline double adagrad_clr(double lr, double lr_decay, long long step) {
  return lr / (1.0 + (double)(step - 1) * lr_decay);
}

}  // namespace recforge
