// Argument parsers of the attention-family bindings, shared by the CPU addon
// (native/napi/bind_interval_attention.cc, bind_rope.cc) and the CUDA addon
// (native/napi_cuda/bind_cuda_attention.cc): everything the kernels trust is checked here, before
// any kernel runs, whichever memory the tensors live in (see tensor_args.h).
//
//   intervalAttentionForward(dtype, H, L, D, q, k, v, intervals,
//                            useAlibi, slopes, pos, scale, out, lse)
//   intervalAttentionBackward(dtype, H, L, D, q, k, v, out, lse,
//                             dout, intervals, useAlibi, slopes, pos, scale,
//                             dq, dk, dv)
//   (denseMaskedAttentionForward / Backward: the same arguments.)
//   ropeTables(dtype, L, D, pos, base, cos, sin)
//   ropeApply(dtype, H, L, D, x, xStrideH, xStrideL, cos, sin, inverse, y, yStrideH, yStrideL)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "op_args.generated.h"
#include "tensor_args.h"

namespace recforge {
namespace napi {

// Attention. Checks: dtype (float32, or float64 where allow_f64), sizes (H, D >= 0,
// 0 <= L < 2^31, H*L*D < 2^50), every span inside its storage (q, k, v, out, dout, dq, dk, dv
// [H, L, D]; lse [H, L]; iv int32 [5, L]; with ALiBi slopes [H] and pos int32 [L]), scale finite,
// every token's intervals (0 <= lo, hi <= L, 0 <= selfLo <= i), |pos| <= 2^30, and no output
// overlapping an input or another output.
struct AttentionArgs {
  int dtype = F32;
  int64_t H = 0, L = 0, D = 0;
  void *q = nullptr, *k = nullptr, *v = nullptr, *out = nullptr, *lse = nullptr, *dout = nullptr;
  void *dq = nullptr, *dk = nullptr, *dv = nullptr, *slopes = nullptr;
  const int32_t *iv = nullptr, *pos = nullptr;  // in the addon's memory (device pointers on cuda)
  double scale = 1;
};
AttentionArgs attention_args(const Napi::CallbackInfo& info, TensorArgs& mem, const std::string& fn, bool backward,
                             bool allow_f64);

// ropeTables. Checks: dtype, L and D in [0, 2^40], D even, pos int32 [L] and cos, sin [L, D/2]
// inside their storages, base finite and > 0, cos and sin disjoint.
struct RopeTablesArgs {
  int dtype = F32;
  int64_t L = 0, D = 0;
  const int32_t* pos = nullptr;
  double base = 10000;
  void *cos = nullptr, *sin = nullptr;
};
RopeTablesArgs rope_tables_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// ropeApply. Checks: dtype, sizes and strides in [0, 2^40], D even, every row of x and y inside
// its storage, cos/sin [L, D/2], rows of y pairwise disjoint, y not overlapping x, cos or sin.
struct RopeApplyArgs {
  int dtype = F32;
  int64_t H = 0, L = 0, D = 0, x_sh = 0, x_sl = 0, y_sh = 0, y_sl = 0;
  const void *x = nullptr, *cos = nullptr, *sin = nullptr;
  void* y = nullptr;
  bool inverse = false;
};
RopeApplyArgs rope_apply_args(const Napi::CallbackInfo& info, TensorArgs& mem);

}  // namespace napi
}  // namespace recforge
