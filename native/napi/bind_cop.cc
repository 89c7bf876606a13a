// LS-DQN environments on the CPU (recforge/cop_env.h) for JS: reset, step, every move's gain, TSP
// distances. Arguments and checks: cop_args.h. CPU only (no CUDA twin: the environments are
// branchy, O(n) per move, and run beside the network, not inside it).
#include "cop_args.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value CopReset(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const CopArgs a = cop_args(info, mem, "copReset");
  const CopStatus st = a.problem == kMaxCut ? maxcut_reset(a.maxcut)
                       : a.problem == kKCut ? kcut_reset(a.kcut)
                                            : tsp_reset(a.tsp);
  throw_if_refused(info.Env(), "copReset", a.problem, st);
  return info.Env().Undefined();
}

Napi::Value CopStep(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const CopArgs a = cop_args(info, mem, "copStep");
  const CopStatus st = a.problem == kMaxCut ? maxcut_step(a.maxcut, a.action, a.reward)
                       : a.problem == kKCut ? kcut_step(a.kcut, a.action, a.reward)
                                            : tsp_step(a.tsp, a.action, a.reward);
  throw_if_refused(info.Env(), "copStep", a.problem, st);
  return info.Env().Undefined();
}

Napi::Value CopMoveGains(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const CopArgs a = cop_args(info, mem, "copMoveGains");
  if (a.problem == kKCut)
    kcut_swap_gains(a.kcut, a.out);
  else
    tsp_move_gains(a.tsp, a.out);
  return info.Env().Undefined();
}

Napi::Value CopTspDistances(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const CopDistanceArgs a = cop_distance_args(info, mem);
  tsp_distances(a.B, a.n, a.coords, a.euc2d, a.dist);
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND("copReset", CopReset);
RECFORGE_BIND("copStep", CopStep);
RECFORGE_BIND("copMoveGains", CopMoveGains);
RECFORGE_BIND("copTspDistances", CopTspDistances);
}  // namespace napi
}  // namespace recforge
