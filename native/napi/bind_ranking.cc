// targetRanks on the CPU: full-ranking ranks of target items (recforge/ranking.h). Arguments
// and checks: ranking_args.h (shared with the CUDA addon); one kernel call.
#include "ranking_args.h"
#include "recforge/ranking.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value TargetRanks(const Napi::CallbackInfo& info) {
  HostArgs mem;
  const RankingArgs a = ranking_args(info, mem);
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    target_ranks<T>(static_cast<const T*>(a.scores), a.rows, a.n, a.targets, a.exclude, a.n_exclude, a.ranks);
  });
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND(targetRanks, TargetRanks);
}  // namespace napi
}  // namespace recforge
