// LS-DQN's fused Max-Cut Q forward (recforge/lsdqn_maxcut_q.h) for JS: lsdqnMaxCutQ. Thin: it reads the
// op table's arguments, checks every size, index and value that crosses into the kernel (RangeError /
// TypeError naming the argument and the shapes), then calls the kernel once.
//   lsdqnMaxCutQ(dtype, R, n, d, rounds, gains, residual, lambda, scale, indptr int32 [n+1], src int32 [E],
//                weight float64 [E], edgeTerm [n, d], theta0 [d, 2+gains], theta1 [d, d], w1 [d, d],
//                w2 [d, 2d], w0 [2d], wa [d, 2d], wg [d] | null, spins int32 [R, n], q [R, n], stop [R],
//                cache [R, (2 rounds + 1) n d] | null, cacheLast int32 [R, n + 1] | null)
// (float tensors all of `dtype`, float32 or float64). cache and cacheLast come together; each row's valid flag
// cacheLast[r, n] must be 0 or 1 (the kernel trusts the cached values of a row flagged 1: only the owner of
// the cache, model/maxcut_q_kernel.ts, sets it, through this kernel).
#include <cmath>
#include <string>

#include "common.h"
#include "op_args.generated.h"
#include "recforge/lsdqn_maxcut_q.h"
#include "tensor_args.h"

namespace recforge {
namespace napi {
namespace {

const char* kFn = "lsdqnMaxCutQ";

std::string sz(int64_t a) { return std::to_string(a); }

template <typename T>
void run(Napi::Env env, const args::LsdqnMaxCutQ& f, HostArgs& mem, int dt, int64_t R, int64_t n, int64_t d,
         int64_t rounds, bool gains, bool residual, double lambda, double scale, const int32_t* indptr, int64_t E) {
  MaxCutQNetParams<T> p;
  p.d = d;
  p.rounds = rounds;
  p.gains = gains;
  p.residual = residual;
  p.lambda = T(lambda);
  const int64_t D = gains ? 3 : 2;
  p.edge_term = mem.typed<T>(f.edgeTerm(), dt, n * d, "lsdqnMaxCutQ edgeTerm [n, d]");
  p.theta0 = mem.typed<T>(f.theta0(), dt, d * D, "lsdqnMaxCutQ theta0 [d, 2 + gains]");
  p.theta1 = mem.typed<T>(f.theta1(), dt, d * d, "lsdqnMaxCutQ theta1 [d, d]");
  p.w1 = mem.typed<T>(f.w1(), dt, d * d, "lsdqnMaxCutQ w1 [d, d]");
  p.w2 = mem.typed<T>(f.w2(), dt, d * 2 * d, "lsdqnMaxCutQ w2 [d, 2d]");
  p.w0 = mem.typed<T>(f.w0(), dt, 2 * d, "lsdqnMaxCutQ w0 [2d]");
  p.wa = mem.typed<T>(f.wa(), dt, d * 2 * d, "lsdqnMaxCutQ wa [d, 2d]");
  p.wg = mem.maybe<T>(f.wg(), dt, d, "lsdqnMaxCutQ wg [d]");
  if (gains && !p.wg) throw_type(env, std::string(kFn) + ": gains = true needs wg [d = " + sz(d) + "]");
  MaxCutQGraph g;
  g.n = n;
  g.indptr = indptr;
  g.src = mem.typed<int32_t>(f.src(), I32, E, "lsdqnMaxCutQ src [E]");
  g.weight = mem.typed<double>(f.weight(), F64, E, "lsdqnMaxCutQ weight [E]");
  g.scale = scale;
  for (int64_t e = 0; e < E; ++e) {
    if (g.src[e] < 0 || g.src[e] >= n)
      throw_range(env, std::string(kFn) + ": src[" + sz(e) + "] = " + sz(g.src[e]) + " is outside [0, n = " + sz(n) + ")");
    if (!std::isfinite(g.weight[e]))
      throw_range(env, std::string(kFn) + ": weight[" + sz(e) + "] is not finite (" + std::to_string(g.weight[e]) + ")");
  }
  const int32_t* spins = mem.typed<int32_t>(f.spins(), I32, R * n, "lsdqnMaxCutQ spins [R, n]");
  for (int64_t x = 0; x < R * n; ++x)
    if (spins[x] != 1 && spins[x] != -1)
      throw_range(env, std::string(kFn) + ": spins[" + sz(x / n) + ", " + sz(x % n) + "] = " + sz(spins[x]) +
                           ": a spin must be -1 or +1");
  T* q = mem.typed<T>(f.q(), dt, R * n, "lsdqnMaxCutQ q [R, n]");
  T* stop = mem.typed<T>(f.stop(), dt, R, "lsdqnMaxCutQ stop [R]");
  const int64_t es = (int64_t)sizeof(T);
  const ByteRange outs[] = {{"q", q, R * n * es}, {"stop", stop, R * es}};
  const ByteRange ins[] = {{"spins", spins, R * n * 4}, {"edgeTerm", p.edge_term, n * d * es},
                           {"theta0", p.theta0, d * D * es}, {"theta1", p.theta1, d * d * es},
                           {"w1", p.w1, d * d * es}, {"w2", p.w2, 2 * d * d * es},
                           {"w0", p.w0, 2 * d * es}, {"wa", p.wa, 2 * d * d * es},
                           {"wg", p.wg, p.wg ? d * es : 0}, {"weight", g.weight, E * 8},
                           {"src", g.src, E * 4}, {"indptr", indptr, (n + 1) * 4}};
  MaxCutQCache<T> cache;
  const bool has_cache = !is_null(f.cache()), has_last = !is_null(f.cacheLast());
  if (has_cache != has_last) throw_type(env, std::string(kFn) + ": cache and cacheLast come together (got only " + (has_cache ? "cache" : "cacheLast") + ")");
  const int64_t per_row = maxcut_q_cache_values(n, d, rounds);
  if (has_cache) {
    cache.values = mem.maybe<T>(f.cache(), dt, R * per_row, "lsdqnMaxCutQ cache [R, (2 rounds + 1) n d]");
    cache.last = mem.maybe<int32_t>(f.cacheLast(), I32, R * (n + 1), "lsdqnMaxCutQ cacheLast [R, n + 1]");
    for (int64_t r = 0; r < R; ++r)
      if (cache.last[r * (n + 1) + n] != 0 && cache.last[r * (n + 1) + n] != 1)
        throw_range(env, std::string(kFn) + ": cacheLast[" + sz(r) + ", n] = " + sz(cache.last[r * (n + 1) + n]) + " must be 0 or 1");
    const ByteRange cr[] = {{"cache", cache.values, R * per_row * es}, {"cacheLast", cache.last, R * (n + 1) * 4}};
    if (overlaps(cr[0], cr[1])) throw_range(env, std::string(kFn) + ": cache and cacheLast overlap");
    for (const ByteRange& c : cr) {
      for (const ByteRange& o : outs)
        if (overlaps(c, o)) throw_range(env, std::string(kFn) + ": " + c.what + " overlaps output " + o.what);
      for (const ByteRange& i : ins)
        if (i.bytes > 0 && overlaps(c, i)) throw_range(env, std::string(kFn) + ": " + c.what + " overlaps input " + i.what);
    }
  }
  if (overlaps(outs[0], outs[1])) throw_range(env, std::string(kFn) + ": q and stop overlap");
  for (const ByteRange& o : outs)
    for (const ByteRange& i : ins)
      if (i.bytes > 0 && overlaps(o, i))
        throw_range(env, std::string(kFn) + ": output " + o.what + " overlaps input " + i.what);
  lsdqn_maxcut_q<T>(p, g, R, spins, q, stop, has_cache ? &cache : nullptr);
}

Napi::Value LsdqnMaxCutQ(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  HostArgs mem;
  const args::LsdqnMaxCutQ f(info);
  const int dt = dtype_arg(f.dtype());
  check_float_dtype(env, kFn, dt, /*allow_f64=*/true, "cpu");
  const int64_t R = int_arg(f.R(), "lsdqnMaxCutQ R"), n = int_arg(f.n(), "lsdqnMaxCutQ n");
  const int64_t d = int_arg(f.d(), "lsdqnMaxCutQ d"), rounds = int_arg(f.rounds(), "lsdqnMaxCutQ rounds");
  if (R < 1 || n < 1 || d < 1 || rounds < 1 || (double)R * (double)n > 2147483647.0 || (double)n * (double)d > 2147483647.0)
    throw_range(env, std::string(kFn) + ": R = " + sz(R) + ", n = " + sz(n) + ", d = " + sz(d) + ", rounds = " + sz(rounds) +
                         " out of range (each >= 1; R*n and n*d below 2^31)");
  const bool gains = bool_arg(f.gains(), "lsdqnMaxCutQ gains"), residual = bool_arg(f.residual(), "lsdqnMaxCutQ residual");
  const double lambda = num_arg(f.lambda(), "lsdqnMaxCutQ lambda"), scale = num_arg(f.scale(), "lsdqnMaxCutQ scale");
  if (!std::isfinite(lambda)) throw_range(env, std::string(kFn) + ": lambda must be finite, got " + std::to_string(lambda));
  if (!(std::isfinite(scale) && scale > 0)) throw_range(env, std::string(kFn) + ": scale must be finite and > 0, got " + std::to_string(scale));
  const int32_t* indptr = mem.typed<int32_t>(f.indptr(), I32, n + 1, "lsdqnMaxCutQ indptr [n + 1]");
  if (indptr[0] != 0) throw_range(env, std::string(kFn) + ": indptr[0] must be 0, got " + sz(indptr[0]));
  for (int64_t v = 0; v < n; ++v)
    if (indptr[v + 1] < indptr[v])
      throw_range(env, std::string(kFn) + ": indptr must be non-decreasing, indptr[" + sz(v + 1) + "] = " + sz(indptr[v + 1]) +
                           " < indptr[" + sz(v) + "] = " + sz(indptr[v]));
  const int64_t E = indptr[n];
  if (dt == F32)
    run<float>(env, f, mem, dt, R, n, d, rounds, gains, residual, lambda, scale, indptr, E);
  else
    run<double>(env, f, mem, dt, R, n, d, rounds, gains, residual, lambda, scale, indptr, E);
  return env.Undefined();
}

}  // namespace
RECFORGE_BIND(lsdqnMaxCutQ, LsdqnMaxCutQ);
}  // namespace napi
}  // namespace recforge
