// The per-element math of the GRU's backward step, shared by the CPU kernel (native/cpu/gru.cc) and
// the CUDA kernel (native/cuda/gru.cu). (The forward step is not shared: each side uses its own exp /
// tanh — vectorised on the CPU, device libm on the GPU — around the same three gate equations.)
#pragma once
#include <cstdint>

#include "recforge/host_device.h"

namespace recforge {

// Element j of one step. g: the step's saved row [r | z | n | hn | h_prev] (5H; hn = W_hn h + b_hn);
// d: the gradient reaching h_t (from the next step plus the output's). Writes the gradients of the
// input-side pre-activations gi [3H] (r, z, n) and the hidden-side ones gh [3H] (the n gate's is
// scaled by r, which multiplies W_hn h + b_hn), and returns the gradient carried to h_{t-1} through z.
template <typename T>
RECFORGE_HD inline T gru_gate_backward(const T* g, int64_t H, int64_t j, T d, T* gi, T* gh) {
  const T r = g[j], z = g[H + j], n = g[2 * H + j], hn = g[3 * H + j], hp = g[4 * H + j];
  const T dn = d * (T(1) - z);
  const T dz = d * (hp - n);
  const T dan = dn * (T(1) - n * n);
  const T dar = dan * hn * r * (T(1) - r);
  const T daz = dz * z * (T(1) - z);
  gi[j] = dar;
  gi[H + j] = daz;
  gi[2 * H + j] = dan;
  gh[j] = dar;
  gh[H + j] = daz;
  gh[2 * H + j] = dan * r;
  return d * z;
}

}  // namespace recforge
