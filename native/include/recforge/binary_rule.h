// The per-element rule of every binary elementwise op (o = f(a, b)), shared by the CPU kernel
// (native/cpu/elementwise.cc, binary_forward) and the CUDA kernel (native/cuda/elementwise.cu,
// binary_forward_cuda): one definition of each formula, so the two backends cannot drift apart.
// The binary ops' gradients are composed in the autograd layer from these same forward ops (and
// where/reductions), so there is no separate native backward rule to share.
//
// The op is a template argument (as in unary_rule.h): the CPU picks it once per call and its loops
// stay the bare formula, so they vectorise as before; the device switches on it inside one kernel.
// T = float, double or int32_t. Integer add/sub/mul wrap (computed in uint32_t, which is what the
// hardware does for int32 either way, without the signed-overflow UB), integer division by zero gives 0
// (the binding rejects Div and Pow for int32; they stay defined rather than trapping). Pow is evaluated in
// double for every T and rounded once. Maximum/Minimum propagate a NaN in a (and return a when the
// comparison fails, so max(-0, +0) = +0 only through b).
#pragma once

#include <cstdint>
#include <type_traits>

#include "recforge/enums.generated.h"
#include "recforge/host_device.h"

namespace recforge {

// Every binary op, for the switch each backend writes around the rule: X(name) per BinaryOp.
#define RECFORGE_BINARY_OPS(X) \
  X(Add) X(Sub) X(Mul) X(Div) X(Pow) X(Maximum) X(Minimum) X(Eq) X(Ne) X(Lt) X(Le) X(Gt) X(Ge)

// The type add/sub/mul are computed in: uint32_t for int32_t (wraps), T itself otherwise.
template <typename T> struct BinaryWrapType { using type = T; };
template <> struct BinaryWrapType<int32_t> { using type = uint32_t; };

template <BinaryOp OP, class M, typename T>
RECFORGE_HD inline T binary_value(T x, T y) {
  constexpr bool kInt = std::is_integral<T>::value;
  using U = typename BinaryWrapType<T>::type;
  if constexpr (OP == BinaryOp::Add) return kInt ? (T)((U)x + (U)y) : x + y;
  else if constexpr (OP == BinaryOp::Sub) return kInt ? (T)((U)x - (U)y) : x - y;
  else if constexpr (OP == BinaryOp::Mul) return kInt ? (T)((U)x * (U)y) : x * y;
  else if constexpr (OP == BinaryOp::Div) {
    if constexpr (kInt) return y ? (T)(x / y) : T(0);
    else return (T)(x / y);
  } else if constexpr (OP == BinaryOp::Pow) return (T)M::pow((double)x, (double)y);
  else if constexpr (OP == BinaryOp::Maximum) return (x != x || x > y) ? x : y;  // x != x: NaN in a wins
  else if constexpr (OP == BinaryOp::Minimum) return (x != x || x < y) ? x : y;
  else if constexpr (OP == BinaryOp::Eq) return T(x == y);
  else if constexpr (OP == BinaryOp::Ne) return T(x != y);
  else if constexpr (OP == BinaryOp::Lt) return T(x < y);
  else if constexpr (OP == BinaryOp::Le) return T(x <= y);
  else if constexpr (OP == BinaryOp::Gt) return T(x > y);
  else if constexpr (OP == BinaryOp::Ge) return T(x >= y);
  else static_assert(OP != OP, "a BinaryOp without a rule");
}

}  // namespace recforge
