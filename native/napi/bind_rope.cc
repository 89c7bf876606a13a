// Node-API binding of the RoPE kernels (recforge/rope.h).
//
//   ropeTables(dtype, L, D, pos_s, pos_o, base, cos_s, cos_o, sin_s, sin_o)
//       pos int32 [L]; cos, sin [L, D/2] of dtype 0 (float32) or 1 (float64).
//   ropeApply(dtype, H, L, D, x_s, x_o, x_sh, x_sl, cos_s, cos_o, sin_s, sin_o, inverse, y_s, y_o, y_sh, y_sl)
//       rotates the H*L head rows (row (h, l) of x at x_o + h*x_sh + l*x_sl, D contiguous elements) into y.
// Checks: D even, sizes >= 0, base finite and > 0, strides >= 0, every row inside its storage,
// rows of y pairwise disjoint, and y not overlapping x, cos or sin.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>

#include "common.h"
#include "recforge/rope.h"

namespace recforge {
namespace napi {
namespace {

int64_t size_arg(const Napi::CallbackInfo& info, size_t i, const char* what) {
  const int64_t v = int_arg(info, i, what);
  if (v < 0 || v > (int64_t(1) << 40)) throw_range(info.Env(), std::string("rope: ") + what + " = " + std::to_string(v) + " is out of range");
  return v;
}

// Elements past the offset that rows (h, l) of D elements reach: (H-1)*sh + (L-1)*sl + D.
int64_t extent(int64_t H, int64_t L, int64_t D, int64_t sh, int64_t sl) {
  if (H == 0 || L == 0 || D == 0) return 0;
  return (H - 1) * sh + (L - 1) * sl + D;
}

bool rows_disjoint(int64_t H, int64_t L, int64_t D, int64_t sh, int64_t sl) {
  // Order the two row axes by stride; the inner one must step past a whole row, the outer one
  // past the whole inner run. Axes of size 1 never step.
  struct Ax { int64_t n, s; };
  Ax a{H, sh}, b{L, sl};
  if (a.n <= 1) return b.n <= 1 || b.s >= D;
  if (b.n <= 1) return a.s >= D;
  if (a.s > b.s) std::swap(a, b);
  return a.s >= D && b.s >= a.s * a.n;
}

bool overlap(const void* p, int64_t pbytes, const void* q, int64_t qbytes) {
  const auto pb = reinterpret_cast<uintptr_t>(p), qb = reinterpret_cast<uintptr_t>(q);
  return pbytes > 0 && qbytes > 0 && pb < qb + (uintptr_t)qbytes && qb < pb + (uintptr_t)pbytes;
}

Napi::Value RopeTables(const Napi::CallbackInfo& info) {
  const int dt = dtype_arg(info, 0);
  if (dt != F32 && dt != F64) throw_type(info.Env(), std::string("ropeTables: expected dtype float32 or float64, got ") + dtype_name(dt));
  const int64_t L = size_arg(info, 1, "L"), D = size_arg(info, 2, "D");
  if (D % 2) throw_range(info.Env(), "ropeTables: head dim D = " + std::to_string(D) + " must be even");
  const int32_t* pos = span<const int32_t>(info, 3, I32, L, "positions");
  const double base = num_arg(info, 5, "base");
  if (!std::isfinite(base) || !(base > 0)) throw_range(info.Env(), "ropeTables: base must be finite and > 0, got " + std::to_string(base));
  const int64_t n = L * (D / 2);
  void* c = span_arg(info, 6, dt, n, "cos");
  void* s = span_arg(info, 8, dt, n, "sin");
  if (overlap(c, n * dtype_size(dt), s, n * dtype_size(dt))) throw_range(info.Env(), "ropeTables: cos and sin overlap");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, { rope_tables<T>(L, D, pos, base, (T*)c, (T*)s); });
  return info.Env().Undefined();
}

Napi::Value RopeApply(const Napi::CallbackInfo& info) {
  const int dt = dtype_arg(info, 0);
  if (dt != F32 && dt != F64) throw_type(info.Env(), std::string("ropeApply: expected dtype float32 or float64, got ") + dtype_name(dt));
  const int64_t H = size_arg(info, 1, "H"), L = size_arg(info, 2, "L"), D = size_arg(info, 3, "D");
  if (D % 2) throw_range(info.Env(), "ropeApply: head dim D = " + std::to_string(D) + " must be even");
  const int64_t x_sh = size_arg(info, 6, "x head stride"), x_sl = size_arg(info, 7, "x token stride");
  const int64_t y_sh = size_arg(info, 15, "y head stride"), y_sl = size_arg(info, 16, "y token stride");
  const int64_t ex = extent(H, L, D, x_sh, x_sl), ey = extent(H, L, D, y_sh, y_sl), nt = L * (D / 2);
  void* x = span_arg(info, 4, dt, ex, "x");
  void* c = span_arg(info, 8, dt, nt, "cos ([L, D/2])");
  void* s = span_arg(info, 10, dt, nt, "sin ([L, D/2])");
  const bool inverse = bool_arg(info, 12, "inverse");
  void* y = span_arg(info, 13, dt, ey, "y");
  if (!rows_disjoint(H, L, D, y_sh, y_sl))
    throw_range(info.Env(), "ropeApply: output strides (head " + std::to_string(y_sh) + ", token " + std::to_string(y_sl) +
                                ") make rows of D = " + std::to_string(D) + " overlap");
  const int64_t es = dtype_size(dt);
  if (overlap(y, ey * es, x, ex * es) || overlap(y, ey * es, c, nt * es) || overlap(y, ey * es, s, nt * es))
    throw_range(info.Env(), "ropeApply: output y overlaps an input");
  RECFORGE_FLOAT_DISPATCH(info.Env(), dt, T, {
    rope_apply<T>(H, L, D, (const T*)x, x_sh, x_sl, (const T*)c, (const T*)s, inverse, (T*)y, y_sh, y_sl);
  });
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND("ropeTables", RopeTables);
RECFORGE_BIND("ropeApply", RopeApply);
}  // namespace napi
}  // namespace recforge
