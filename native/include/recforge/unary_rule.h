// The per-element rule of every unary op, forward (y = f(x)) and backward (gx from x, y, gy), shared by
// the CPU kernels (native/cpu/elementwise.cc) and the CUDA kernels (native/cuda/elementwise.cu): one
// definition of each formula, so the two backends cannot drift apart.
//
// The op is a template argument, so a backend picks it once per call (a switch over
// RECFORGE_UNARY_OPS outside the loop) and the loop body is the bare formula: the CPU's loops still
// vectorise. `M` is the backend's math library (HostMath in vmath.h, DeviceMath in
// native/cuda/common.cuh): M::fast_exp is the exp the fast paths use (the CPU's vectorisable
// exp_f32 for float, ~2 ulp; the device's exp), M::exp and the others are the libm / CUDA math
// functions. Each side compiles the expressions with its own contraction rules: results agree to
// rounding, not bit for bit.
#pragma once

#include "recforge/enums.generated.h"
#include "recforge/host_device.h"

namespace recforge {

// Every unary op, for the switch each backend writes around the rule: X(name) per UnaryOp.
#define RECFORGE_UNARY_OPS(X)                                                                          \
  X(Neg) X(Exp) X(Log) X(Sqrt) X(Rsqrt) X(Abs) X(Relu) X(LeakyRelu) X(Elu) X(Gelu) X(Silu) X(Sigmoid) \
  X(Tanh) X(Clamp) X(PowScalar) X(AddScalar) X(MulScalar) X(Square) X(Sign) X(Reciprocal)

// Stable on both tails (never exponentiates a large positive number) and branch-free, so float
// loops vectorise on the CPU.
template <class M, typename T>
RECFORGE_HD inline T sigmoid_rule(T x) {
  T z = M::fast_exp(-M::fabs(x));
  T inv = T(1) / (T(1) + z);
  return x >= T(0) ? inv : z * inv;
}

// y = f(x); a, b: the op's scalars (slope, alpha, clamp bounds, exponent, addend, factor).
template <UnaryOp OP, class M, typename T>
RECFORGE_HD inline T unary_value(T v, T a, T b) {
  if constexpr (OP == UnaryOp::Neg) return -v;
  else if constexpr (OP == UnaryOp::Exp) return M::fast_exp(v);
  else if constexpr (OP == UnaryOp::Log) return M::log(v);
  else if constexpr (OP == UnaryOp::Sqrt) return M::sqrt(v);
  else if constexpr (OP == UnaryOp::Rsqrt) return T(1) / M::sqrt(v);
  else if constexpr (OP == UnaryOp::Abs) return M::fabs(v);
  else if constexpr (OP == UnaryOp::Relu) return v > T(0) ? v : (v != v ? v : T(0));  // NaN stays NaN
  else if constexpr (OP == UnaryOp::LeakyRelu) return v > T(0) ? v : v * a;
  else if constexpr (OP == UnaryOp::Elu) return v > T(0) ? v : a * M::expm1(v);
  else if constexpr (OP == UnaryOp::Gelu) return T(0.5) * v * (T(1) + M::erf(v * T(0.70710678118654752440)));
  else if constexpr (OP == UnaryOp::Silu) return v * sigmoid_rule<M>(v);
  else if constexpr (OP == UnaryOp::Sigmoid) return sigmoid_rule<M>(v);
  else if constexpr (OP == UnaryOp::Tanh) return M::tanh(v);
  else if constexpr (OP == UnaryOp::Clamp) return v < a ? a : (v > b ? b : v);
  else if constexpr (OP == UnaryOp::PowScalar) return a == T(2) ? v * v : M::pow(v, a);
  else if constexpr (OP == UnaryOp::AddScalar) return v + a;
  else if constexpr (OP == UnaryOp::MulScalar) return v * a;
  else if constexpr (OP == UnaryOp::Square) return v * v;
  else if constexpr (OP == UnaryOp::Sign) return v > T(0) ? T(1) : (v < T(0) ? T(-1) : v);
  else if constexpr (OP == UnaryOp::Reciprocal) return T(1) / v;
  else static_assert(OP != OP, "a UnaryOp without a forward rule");
}

// gx from the input u, the forward output v and the upstream gradient g.
template <UnaryOp OP, class M, typename T>
RECFORGE_HD inline T unary_grad(T u, T v, T g, T a, T b) {
  if constexpr (OP == UnaryOp::Neg) return -g;
  else if constexpr (OP == UnaryOp::Exp) return g * v;
  else if constexpr (OP == UnaryOp::Log) return g / u;
  else if constexpr (OP == UnaryOp::Sqrt) return g / (T(2) * v);
  else if constexpr (OP == UnaryOp::Rsqrt) return g * T(-0.5) * v / u;
  else if constexpr (OP == UnaryOp::Abs) return u > T(0) ? g : (u < T(0) ? -g : T(0));
  else if constexpr (OP == UnaryOp::Relu) return u > T(0) ? g : T(0);
  else if constexpr (OP == UnaryOp::LeakyRelu) return u > T(0) ? g : g * a;
  else if constexpr (OP == UnaryOp::Elu) return u > T(0) ? g : g * (v + a);
  else if constexpr (OP == UnaryOp::Gelu) {
    T cdf = T(0.5) * (T(1) + M::erf(u * T(0.70710678118654752440)));
    T pdf = M::exp(T(-0.5) * u * u) * T(0.39894228040143267794);
    return g * (cdf + u * pdf);
  } else if constexpr (OP == UnaryOp::Silu) {
    T s = sigmoid_rule<M>(u);
    return g * s * (T(1) + u * (T(1) - s));
  } else if constexpr (OP == UnaryOp::Sigmoid) return g * v * (T(1) - v);
  else if constexpr (OP == UnaryOp::Tanh) return g * (T(1) - v * v);
  else if constexpr (OP == UnaryOp::Clamp) return (u >= a && u <= b) ? g : T(0);
  else if constexpr (OP == UnaryOp::PowScalar) return a == T(0) ? T(0) : g * a * M::pow(u, a - T(1));
  else if constexpr (OP == UnaryOp::AddScalar) return g;
  else if constexpr (OP == UnaryOp::MulScalar) return g * a;
  else if constexpr (OP == UnaryOp::Square) return T(2) * u * g;
  else if constexpr (OP == UnaryOp::Sign) return T(0);
  else if constexpr (OP == UnaryOp::Reciprocal) return -g * v * v;
  else static_assert(OP != OP, "a UnaryOp without a backward rule");
}

}  // namespace recforge
