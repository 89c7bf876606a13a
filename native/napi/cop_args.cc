#include "cop_args.h"

#include <cmath>
#include <string>
#include <vector>

namespace recforge {
namespace napi {
namespace {

const char* problem_name(int p) { return p == kMaxCut ? "maxcut" : p == kKCut ? "kcut" : "tsp"; }

// The data matrix must be what the incremental rules assume.
void check_matrix(Napi::Env env, const std::string& fn, const double* m, int64_t B, int64_t n, const char* what) {
  for (int64_t b = 0; b < B; ++b) {
    const double* x = m + b * n * n;
    for (int64_t i = 0; i < n; ++i) {
      if (x[i * n + i] != 0)
        throw_range(env, fn + ": " + what + "[" + std::to_string(b) + "] has a non-zero diagonal entry at node " +
                             std::to_string(i));
      for (int64_t j = i + 1; j < n; ++j) {
        const double a = x[i * n + j], c = x[j * n + i];
        if (!std::isfinite(a) || a != c)
          throw_range(env, fn + ": " + what + "[" + std::to_string(b) + "] must be finite and symmetric; entries (" +
                               std::to_string(i) + ", " + std::to_string(j) + ") = " + std::to_string(a) + " and " +
                               std::to_string(c));
      }
    }
  }
}

}  // namespace

CopArgs cop_args(const Napi::CallbackInfo& info, TensorArgs& mem, const char* what) {
  Napi::Env env = info.Env();
  const std::string fn = what;
  CopArgs a;
  const int64_t problem = int_arg(info, 0, what);
  if (problem < 0 || problem > 2)
    throw_range(env, fn + ": problem must be 0 (maxcut), 1 (kcut) or 2 (tsp), got " + std::to_string(problem));
  a.problem = (int)problem;
  const std::string pfn = fn + " (" + problem_name(a.problem) + ")";
  const int64_t B = int_arg(info, 1, what), n = int_arg(info, 2, what), k = int_arg(info, 3, what);
  const int64_t limit = int_arg(info, 4, what);
  if (B < 0) throw_range(env, pfn + ": B must be >= 0, got " + std::to_string(B));
  if (n < 1 || n * n >= 2147483648LL)
    throw_range(env, pfn + ": n must be in [1, 46341) (moves are u*n + v in an int32), got " + std::to_string(n));
  if (a.problem == kKCut && (k < 2 || k > n))
    throw_range(env, pfn + ": k must be in [2, n = " + std::to_string(n) + "], got " + std::to_string(k));
  if (limit < 0 || limit > 0x7fffffff) throw_range(env, pfn + ": limit must be in [0, 2^31), got " + std::to_string(limit));
  if ((double)B * (double)n * (double)n > 9007199254740991.0) throw_range(env, pfn + ": B*n*n is too large");

  const auto data = mem.typed<double>(info, 5, F64, B * n * n, "cop data (w / dist)");
  const auto sol = mem.typed<int32_t>(info, 7, I32, B * n, "cop solution (spins / labels / tour)");
  double* aux = nullptr;
  int64_t aux_n = 0;
  if (a.problem == kMaxCut) aux_n = B * n;
  if (a.problem == kKCut) aux_n = B * n * k;
  if (aux_n || B == 0) aux = mem.maybe<double>(info, 9, F64, aux_n, "cop aux (gain / cluster weights)");
  if (a.problem != kTsp && !aux && B > 0) throw_type(env, pfn + ": aux (gain / cluster weights) is required");
  const auto best = mem.typed<int32_t>(info, 11, I32, B * n, "cop best solution");
  const auto obj = mem.typed<double>(info, 13, F64, B, "cop obj");
  const auto best_obj = mem.typed<double>(info, 15, F64, B, "cop bestObj");
  const auto steps = mem.typed<int32_t>(info, 17, I32, B, "cop steps");
  const auto done = mem.typed<int32_t>(info, 19, I32, B, "cop done");
  std::vector<ByteRange> r{{"data", data, B * n * n * 8}, {"solution", sol, B * n * 4}, {"aux", aux, aux ? aux_n * 8 : 0},
                           {"best", best, B * n * 4},     {"obj", obj, B * 8},         {"bestObj", best_obj, B * 8},
                           {"steps", steps, B * 4},       {"done", done, B * 4}};
  if (fn == "copStep") {
    a.action = mem.typed<int32_t>(info, 21, I32, B, "copStep action");
    a.reward = mem.typed<double>(info, 23, F64, B, "copStep reward");
    r.push_back({"action", a.action, B * 4});
    r.push_back({"reward", a.reward, B * 8});
  } else if (fn == "copMoveGains") {
    if (a.problem == kMaxCut) throw_type(env, pfn + ": Max-Cut's move gains are the gain tensor itself");
    a.out = mem.typed<double>(info, 21, F64, B * n * n, "copMoveGains out");
    r.push_back({"out", a.out, B * n * n * 8});
  }
  for (size_t x = 1; x < r.size(); ++x)
    for (size_t y = 0; y < x; ++y)
      if (overlaps(r[x], r[y])) throw_range(env, pfn + ": " + r[x].what + " overlaps " + r[y].what);
  if (fn == "copReset")
    check_matrix(env, pfn, mem.host_view(env, data, B * n * n, what), B, n, a.problem == kTsp ? "dist" : "w");

  const CopEpisode ep{obj, best_obj, steps, done, limit};
  a.maxcut = MaxCutEnv{B, n, data, sol, aux, best, ep};
  a.kcut = KCutEnv{B, n, k, data, sol, aux, best, ep};
  a.tsp = TspEnv{B, n, data, sol, best, ep};
  return a;
}

CopDistanceArgs cop_distance_args(const Napi::CallbackInfo& info, TensorArgs& mem) {
  Napi::Env env = info.Env();
  CopDistanceArgs a;
  a.B = int_arg(info, 0, "copTspDistances B");
  a.n = int_arg(info, 1, "copTspDistances n");
  if (a.B < 0 || a.n < 1 || (double)a.B * (double)a.n * (double)a.n > 9007199254740991.0)
    throw_range(env, "copTspDistances: B = " + std::to_string(a.B) + ", n = " + std::to_string(a.n) + " out of range");
  a.coords = mem.typed<double>(info, 2, F64, a.B * a.n * 2, "copTspDistances coords");
  a.euc2d = bool_arg(info, 4, "copTspDistances euc2d");
  a.dist = mem.typed<double>(info, 5, F64, a.B * a.n * a.n, "copTspDistances dist");
  if (overlaps({"coords", a.coords, a.B * a.n * 16}, {"dist", a.dist, a.B * a.n * a.n * 8}))
    throw_range(env, "copTspDistances: dist overlaps coords");
  const double* c = mem.host_view(env, a.coords, a.B * a.n * 2, "copTspDistances coords");
  for (int64_t x = 0; x < a.B * a.n * 2; ++x)
    if (!std::isfinite(c[x]))
      throw_range(env, "copTspDistances: coordinate " + std::to_string(x) + " is not finite (" + std::to_string(c[x]) + ")");
  return a;
}

void throw_if_refused(Napi::Env env, const char* what, int problem, const CopStatus& st) {
  if (st.bad < 0) return;
  const std::string head = std::string(what) + " (" + problem_name(problem) + "): instance " + std::to_string(st.bad);
  if (st.reason == kCopBadAction) {
    const char* rule = problem == kMaxCut ? "a node in [0, n) or -1 (stop)"
                       : problem == kKCut ? "u*n + v with u, v in different clusters, or -1 (stop)"
                                          : "i*n + j with 0 <= i < j < n, or -1 (stop)";
    throw_range(env, head + ": action " + std::to_string(st.value) + " is not " + rule + " (nothing was changed)");
  }
  const char* rule = problem == kMaxCut ? "a spin must be -1 or +1"
                     : problem == kKCut ? "a label must be in [0, k)"
                                        : "the tour must be a permutation of 0..n-1";
  throw_range(env, head + ": " + rule + ", found " + std::to_string(st.value));
}

}  // namespace napi
}  // namespace recforge
