// targetRanks on the device (recforge/ranking.h): the CPU binding's name, arguments and checks
// (native/napi/ranking_args.h; the target range is checked by a device scan, the exclusion rules
// on small host copies); one kernel launch on recforge's stream.
#include "cuda_common.h"
#include "ranking_args.h"
#include "recforge/ranking.h"

namespace recforge {
namespace napi {
namespace {

Napi::Value TargetRanks(const Napi::CallbackInfo& info) {
  DeviceArgs mem;
  const RankingArgs a = ranking_args(info, mem);
  auto* s = stream_or_throw(info.Env());
  RECFORGE_FLOAT_DISPATCH(info.Env(), a.dtype, T, {
    target_ranks_cuda<T>(static_cast<const T*>(a.scores), a.rows, a.n, a.targets, a.exclude, a.n_exclude, a.ranks,
                         s);
  });
  check_launch(info.Env(), "targetRanks");
  return info.Env().Undefined();
}

}  // namespace
RECFORGE_BIND(targetRanks, TargetRanks);
}  // namespace napi
}  // namespace recforge
