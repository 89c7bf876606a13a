// The per-element math of RoPE (semantics: recforge/rope.h), shared by the CPU kernels
// (native/cpu/rope.cc) and the CUDA kernels (native/cuda/rope.cu): the frequency of pair i, the angle
// of a position, and the rotation of one pair (x[i], x[i + D/2]). How the tables are filled (the CPU
// evaluates each distinct position once and copies rows; the device one thread per entry) and how cos
// and sin are evaluated (std::cos / std::sin on the CPU, sincos on the device) stay with each backend.
// `M`: the backend's math library (HostMath in vmath.h, DeviceMath in native/cuda/common.cuh).
#pragma once

#include <cstdint>

#include "recforge/host_device.h"

namespace recforge {

// theta_i = base^(-2i/D), in double.
template <class M>
RECFORGE_HD inline double rope_inv_freq_rule(double base, int64_t i, int64_t D) {
  return M::pow(base, -2.0 * (double)i / (double)D);
}

// The angle of position p for pair i: p * theta_i, in double (rounded to T only as cos / sin).
RECFORGE_HD inline double rope_angle_rule(int64_t p, double inv_freq) { return (double)p * inv_freq; }

// Rotates one pair by +angle (INVERSE = false) or -angle (the backward), c = cos, s = sin of the angle.
// The inverse is written out rather than calling the forward with -s, so each sign's expression is
// what the CPU always computed (the same bits under every contraction setting).
template <bool INVERSE, typename T>
RECFORGE_HD inline void rope_rotate_rule(T x1, T x2, T c, T s, T& y1, T& y2) {
  if constexpr (!INVERSE) {
    y1 = x1 * c - x2 * s;
    y2 = x2 * c + x1 * s;
  } else {
    y1 = x1 * c + x2 * s;
    y2 = x2 * c - x1 * s;
  }
}

}  // namespace recforge
