#include "attention_args.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace recforge {
namespace napi {
namespace {

// |pos| <= 2^30 keeps every pos[i] - pos[j] inside int32 (the kernels subtract in int32).
constexpr int64_t kMaxPosition = int64_t(1) << 30;

void check_intervals(Napi::Env env, const std::string& fn, const int32_t* iv, int64_t L) {
  static const char* names[2] = {"prefix", "context"};
  for (int64_t i = 0; i < L; ++i) {
    for (int t = 0; t < 2; ++t) {
      const int64_t lo = iv[(2 * t) * L + i], hi = iv[(2 * t + 1) * L + i];
      if (lo < 0 || hi > L)
        throw_range(env, fn + ": token " + std::to_string(i) + ": " + names[t] + " interval [" + std::to_string(lo) +
                             ", " + std::to_string(hi) + ") must satisfy 0 <= lo and hi <= L = " + std::to_string(L));
    }
    const int64_t sl = iv[4 * L + i];
    if (sl < 0 || sl > i)
      throw_range(env, fn + ": token " + std::to_string(i) + ": selfLo = " + std::to_string(sl) +
                           " must satisfy 0 <= selfLo <= " + std::to_string(i) + " (the token's own index)");
  }
}

// Reads a tensor span and records it for the aliasing check.
void* tensor(TensorArgs& mem, TensorArg t, int dtype, int64_t numel, const char* what, std::vector<ByteRange>& into) {
  void* p = mem.span(t, dtype, numel, what);
  into.push_back({what, p, numel * (int64_t)dtype_size(dtype)});
  return p;
}

}  // namespace

AttentionArgs attention_args(const Napi::CallbackInfo& info, TensorArgs& mem, const std::string& fn, bool backward,
                             bool allow_f64) {
  // Every attention entry point (interval / dense, their Lowp twins with the kind last) has the
  // arguments of intervalAttentionForward or intervalAttentionBackward.
  const args::IntervalAttentionForward f(info);
  const args::IntervalAttentionBackward b(info);
  Napi::Env env = info.Env();
  AttentionArgs a;
  a.dtype = dtype_arg(f.dtype());
  check_float_dtype(env, fn, a.dtype, allow_f64, mem.device_name());
  a.H = int_arg(f.H(), "H"), a.L = int_arg(f.L(), "L"), a.D = int_arg(f.D(), "D");
  if (a.H < 0 || a.L < 0 || a.D < 0 || a.L > std::numeric_limits<int32_t>::max() || a.H > (int64_t(1) << 31) ||
      a.D > (int64_t(1) << 31) || (a.H * a.L > 0 && a.D > (int64_t(1) << 50) / (a.H * a.L)))
    throw_range(env, fn + ": invalid sizes H=" + std::to_string(a.H) + " L=" + std::to_string(a.L) +
                         " D=" + std::to_string(a.D) + " (need H, D >= 0 and 0 <= L < 2^31)");
  const int64_t HLD = a.H * a.L * a.D, HL = a.H * a.L;
  const int dt = a.dtype;
  std::vector<ByteRange> inputs, outputs;
  a.q = tensor(mem, f.q(), dt, HLD, "q", inputs);
  a.k = tensor(mem, f.k(), dt, HLD, "k", inputs);
  a.v = tensor(mem, f.v(), dt, HLD, "v", inputs);
  if (backward) {
    a.out = tensor(mem, b.out(), dt, HLD, "out", inputs);
    a.lse = tensor(mem, b.lse(), dt, HL, "lse", inputs);
    a.dout = tensor(mem, b.dout(), dt, HLD, "dout", inputs);
  }
  a.iv = static_cast<const int32_t*>(
      tensor(mem, backward ? b.intervals() : f.intervals(), I32, 5 * a.L, "iv ([5, L] intervals)", inputs));
  const bool alibi = bool_arg(backward ? b.useAlibi() : f.useAlibi(), "useAlibi");
  if (alibi) {
    a.slopes = tensor(mem, required(backward ? b.slopes() : f.slopes()), dt, a.H, "slopes", inputs);
    a.pos = static_cast<const int32_t*>(tensor(mem, required(backward ? b.pos() : f.pos()), I32, a.L, "pos", inputs));
  }
  a.scale = num_arg(backward ? b.scale() : f.scale(), "scale");
  if (!std::isfinite(a.scale)) throw_range(env, fn + ": scale must be finite, got " + std::to_string(a.scale));
  if (backward) {
    a.dq = tensor(mem, b.dq(), dt, HLD, "dq", outputs);
    a.dk = tensor(mem, b.dk(), dt, HLD, "dk", outputs);
    a.dv = tensor(mem, b.dv(), dt, HLD, "dv", outputs);
  } else {
    a.out = tensor(mem, f.out(), dt, HLD, "out", outputs);
    a.lse = tensor(mem, f.lse(), dt, HL, "lse", outputs);
  }

  check_intervals(env, fn, mem.host_view(env, a.iv, 5 * a.L, "intervals"), a.L);
  if (alibi) {
    const int32_t* pos = mem.host_view(env, a.pos, a.L, "positions");
    for (int64_t i = 0; i < a.L; ++i)
      if (pos[i] < -kMaxPosition || pos[i] > kMaxPosition)
        throw_range(env, fn + ": token " + std::to_string(i) + ": position " + std::to_string(pos[i]) +
                             " outside [-2^30, 2^30]");
  }
  // Outputs are written while inputs are still being read: no overlap allowed.
  for (size_t o = 0; o < outputs.size(); ++o) {
    for (const ByteRange& in : inputs)
      if (overlaps(outputs[o], in)) throw_range(env, fn + ": output " + outputs[o].what + " overlaps input " + in.what);
    for (size_t p = o + 1; p < outputs.size(); ++p)
      if (overlaps(outputs[o], outputs[p]))
        throw_range(env, fn + ": outputs " + outputs[o].what + " and " + outputs[p].what + " overlap");
  }
  return a;
}

namespace {

int64_t rope_size(IntArg a, const char* what) {
  const int64_t v = int_arg(a, what);
  if (v < 0 || v > (int64_t(1) << 40))
    throw_range(a.env(), std::string("rope: ") + what + " = " + std::to_string(v) + " is out of range");
  return v;
}

// Elements past the offset that rows (h, l) of D elements reach: (H-1)*sh + (L-1)*sl + D.
int64_t rope_extent(int64_t H, int64_t L, int64_t D, int64_t sh, int64_t sl) {
  if (H == 0 || L == 0 || D == 0) return 0;
  return (H - 1) * sh + (L - 1) * sl + D;
}

bool rows_disjoint(int64_t H, int64_t L, int64_t D, int64_t sh, int64_t sl) {
  // Order the two row axes by stride; the inner one must step past a whole row, the outer one
  // past the whole inner run. Axes of size 1 never step.
  struct Ax {
    int64_t n, s;
  };
  Ax a{H, sh}, b{L, sl};
  if (a.n <= 1) return b.n <= 1 || b.s >= D;
  if (b.n <= 1) return a.s >= D;
  if (a.s > b.s) std::swap(a, b);
  return a.s >= D && b.s >= a.s * a.n;
}

}  // namespace

RopeTablesArgs rope_tables_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  const args::RopeTables f(info);
  RopeTablesArgs r;
  r.dtype = dtype_arg(f.dtype());
  check_float_dtype(env, "ropeTables", r.dtype, true, mem.device_name());
  r.L = rope_size(f.L(), "L"), r.D = rope_size(f.D(), "D");
  if (r.D % 2) throw_range(env, "ropeTables: head dim D = " + std::to_string(r.D) + " must be even");
  r.pos = mem.typed<const int32_t>(f.pos(), I32, r.L, "positions");
  r.base = num_arg(f.base(), "base");
  if (!std::isfinite(r.base) || !(r.base > 0))
    throw_range(env, "ropeTables: base must be finite and > 0, got " + std::to_string(r.base));
  const int64_t n = r.L * (r.D / 2), bytes = n * (int64_t)dtype_size(r.dtype);
  r.cos = mem.span(f.cos(), r.dtype, n, "cos");
  r.sin = mem.span(f.sin(), r.dtype, n, "sin");
  if (overlaps({"cos", r.cos, bytes}, {"sin", r.sin, bytes})) throw_range(env, "ropeTables: cos and sin overlap");
  return r;
}

RopeApplyArgs rope_apply_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  const args::RopeApply f(info);
  RopeApplyArgs r;
  r.dtype = dtype_arg(f.dtype());
  check_float_dtype(env, "ropeApply", r.dtype, true, mem.device_name());
  r.H = rope_size(f.H(), "H"), r.L = rope_size(f.L(), "L"), r.D = rope_size(f.D(), "D");
  if (r.D % 2) throw_range(env, "ropeApply: head dim D = " + std::to_string(r.D) + " must be even");
  r.x_sh = rope_size(f.xStrideH(), "x head stride"), r.x_sl = rope_size(f.xStrideL(), "x token stride");
  r.y_sh = rope_size(f.yStrideH(), "y head stride"), r.y_sl = rope_size(f.yStrideL(), "y token stride");
  const int64_t ex = rope_extent(r.H, r.L, r.D, r.x_sh, r.x_sl), ey = rope_extent(r.H, r.L, r.D, r.y_sh, r.y_sl),
                nt = r.L * (r.D / 2);
  r.x = mem.span(f.x(), r.dtype, ex, "x");
  r.cos = mem.span(f.cos(), r.dtype, nt, "cos ([L, D/2])");
  r.sin = mem.span(f.sin(), r.dtype, nt, "sin ([L, D/2])");
  r.inverse = bool_arg(f.inverse(), "inverse");
  r.y = mem.span(f.y(), r.dtype, ey, "y");
  if (!rows_disjoint(r.H, r.L, r.D, r.y_sh, r.y_sl))
    throw_range(env, "ropeApply: output strides (head " + std::to_string(r.y_sh) + ", token " + std::to_string(r.y_sl) +
                         ") make rows of D = " + std::to_string(r.D) + " overlap");
  const int64_t es = dtype_size(r.dtype);
  const ByteRange y{"y", r.y, ey * es};
  if (overlaps(y, {"x", r.x, ex * es}) || overlaps(y, {"cos", r.cos, nt * es}) || overlaps(y, {"sin", r.sin, nt * es}))
    throw_range(env, "ropeApply: output y overlaps an input");
  return r;
}

}  // namespace napi
}  // namespace recforge
