// LayerNorm and RMSNorm over the last axis of a contiguous [rows, n] tensor, with an
// optional per-feature scale (gamma) and, for LayerNorm, shift (beta).
#pragma once
#include <cstdint>

namespace recforge {

// y = (x - mean) * rstd * gamma + beta; saves mean[rows], rstd[rows] for backward.
// rms: y = x * rstd * gamma with rstd = 1/sqrt(mean(x²) + eps); mean is not written.
template <typename T>
void norm_forward(bool rms, const T* x, const T* gamma, const T* beta, T* y, T* mean, T* rstd, int64_t rows,
                  int64_t n, double eps);
// gx overwritten; ggamma/gbeta (may be null) overwritten with the sums over rows,
// reduced in a fixed order (deterministic whatever the thread count).
template <typename T>
void norm_backward(bool rms, const T* x, const T* gamma, const T* mean, const T* rstd, const T* gy, T* gx,
                   T* ggamma, T* gbeta, int64_t rows, int64_t n);

}  // namespace recforge
