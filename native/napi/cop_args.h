// Argument parser of the LS-DQN environment bindings (recforge/cop_env.h; bindings in bind_cop.cc).
// Environments are CPU only; this parser names no kernel, so it also compiles into the CUDA addon
// (which binds nothing from it).
//
// Every call starts with the same environment block:
//   (problem, B, n, k, limit, data, sol, aux, best, obj, bestObj, steps, done)   each tensor = (storage, offset)
//   problem 0 Max-Cut: data = w float64 [B, n, n], sol = spin int32 [B, n], aux = gain float64 [B, n]
//           1 k-cut:   data = w float64 [B, n, n], sol = label int32 [B, n], aux = cw float64 [B, n, k]
//           2 TSP:     data = dist float64 [B, n, n], sol = tour int32 [B, n], aux = null
//   best int32 [B, n]; obj, bestObj float64 [B]; steps, done int32 [B]; limit >= 0 moves per episode.
// copReset(env...)                       → undefined (checks w / dist: finite, symmetric, zero diagonal)
// copStep(env..., action, reward)        action int32 [B] (cop_env.h encoding), reward float64 [B]
// copMoveGains(env..., out)              k-cut / TSP: out float64 [B, n, n]
// copTspDistances(B, n, coords, euc2d, dist)   coords float64 [B, n, 2] → dist float64 [B, n, n]
// Sizes: B >= 0, 1 <= n with n² < 2^31 (actions are u·n + v in an int32), k-cut 2 <= k <= n;
// no two tensors overlap.
#pragma once
#include <cstdint>

#include "recforge/cop_env.h"
#include "tensor_args.h"

namespace recforge {
namespace napi {

enum CopProblem : int { kMaxCut = 0, kKCut = 1, kTsp = 2 };

struct CopArgs {
  int problem = kMaxCut;
  MaxCutEnv maxcut;
  KCutEnv kcut;
  TspEnv tsp;
  int32_t* action = nullptr;  // copStep
  double* reward = nullptr;   // copStep
  double* out = nullptr;      // copMoveGains
};

// what: "copReset", "copStep" or "copMoveGains" (selects the trailing arguments).
CopArgs cop_args(const Napi::CallbackInfo& info, TensorArgs& mem, const char* what);

struct CopDistanceArgs {
  int64_t B = 0, n = 0;
  const double* coords = nullptr;
  bool euc2d = false;
  double* dist = nullptr;
};
CopDistanceArgs cop_distance_args(const Napi::CallbackInfo& info, TensorArgs& mem);

// A kernel's refusal (CopStatus) as a RangeError naming the instance and the value.
void throw_if_refused(Napi::Env env, const char* what, int problem, const CopStatus& st);

}  // namespace napi
}  // namespace recforge
