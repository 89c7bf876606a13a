// Node-API binding of the RoPE kernels (recforge/rope.h) on the CPU. Arguments and checks:
// attention_args.h (shared with the CUDA addon).
//
//   ropeTables(dtype, L, D, pos, base, cos, sin)
//       pos int32 [L]; cos, sin [L, D/2] of dtype 0 (float32) or 1 (float64).
//   ropeApply(dtype, H, L, D, x, xStrideH, xStrideL, cos, sin, inverse, y, yStrideH, yStrideL)
//       rotates the H*L head rows (row (h, l) of x at x_o + h*x_sh + l*x_sl, D contiguous elements) into y.
#include "attention_args.h"
#include "recforge/rope.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value RopeTables(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const RopeTablesArgs r = rope_tables_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), r.dtype, T, { rope_tables<T>(r.L, r.D, r.pos, r.base, (T*)r.cos, (T*)r.sin); });
  return info.Env().Undefined();
}

Napi::Value RopeApply(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const RopeApplyArgs r = rope_apply_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), r.dtype, T, {
    rope_apply<T>(r.H, r.L, r.D, (const T*)r.x, r.x_sh, r.x_sl, (const T*)r.cos, (const T*)r.sin, r.inverse, (T*)r.y,
                  r.y_sh, r.y_sl);
  });
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND(ropeTables, RopeTables)
RECFORGE_BIND(ropeApply, RopeApply)
}  // namespace napi
}  // namespace recforge
