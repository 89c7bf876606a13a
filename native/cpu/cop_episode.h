// Episode bookkeeping shared by the LS-DQN environments (cop_env.h): which instances still move,
// the step count and limit, best-so-far tracking. Internal to native/cpu/*_env.cc.
#pragma once
#include <cstdint>
#include <cstring>

#include "recforge/cop_env.h"

namespace recforge {
namespace cop {

// Instances per parallel chunk: about `work` units per chunk when one instance costs n units.
inline int64_t grain_for(int64_t n) {
  const int64_t g = 4096 / (n > 0 ? n : 1);
  return g > 0 ? g : 1;
}

inline void reset_episode(const CopEpisode& ep, int64_t b, double obj) {
  ep.obj[b] = obj;
  ep.best_obj[b] = obj;
  ep.steps[b] = 0;
  ep.done[b] = ep.limit <= 0 ? 1 : 0;
}

// True when instance b takes no move this step (finished, or the stop action finishes it).
inline bool skip_move(const CopEpisode& ep, int64_t b, int32_t action, double* reward) {
  reward[b] = 0;
  if (ep.done[b]) return true;
  if (action < 0) {
    ep.done[b] = 1;
    return true;
  }
  return false;
}

// After a move of gain g (O decrease): O, the best solution (copied from cur when improved), steps.
inline void finish_move(const CopEpisode& ep, int64_t b, double g, double* reward, const int32_t* cur, int32_t* best,
                        int64_t n) {
  reward[b] = g;
  ep.obj[b] -= g;
  if (ep.obj[b] < ep.best_obj[b]) {
    ep.best_obj[b] = ep.obj[b];
    std::memcpy(best, cur, (size_t)n * sizeof(int32_t));
  }
  if (++ep.steps[b] >= ep.limit) ep.done[b] = 1;
}

inline CopStatus reject(int64_t b, int reason, int64_t value) {
  CopStatus s;
  s.bad = b;
  s.reason = reason;
  s.value = value;
  return s;
}

}  // namespace cop
}  // namespace recforge
