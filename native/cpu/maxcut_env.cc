// Max-Cut flip environment (cop_env.h): gains kept incrementally in O(n) per flip.
#include <cstring>

#include "cop_episode.h"
#include "recforge/cop_env.h"
#include "recforge/parallel.h"

namespace recforge {

double maxcut_objective(int64_t n, const double* w, const int32_t* spin) {
  double o = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j)
      if (spin[i] == spin[j]) o += w[i * n + j];
  return o;
}

CopStatus maxcut_reset(const MaxCutEnv& e) {
  const int64_t n = e.n;
  for (int64_t x = 0; x < e.B * n; ++x)
    if (e.spin[x] != 1 && e.spin[x] != -1) return cop::reject(x / n, kCopBadState, e.spin[x]);
  parallel_for(e.B, cop::grain_for(n * n), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const double* w = e.w + b * n * n;
      const int32_t* s = e.spin + b * n;
      double* g = e.gain + b * n;
      for (int64_t v = 0; v < n; ++v) {
        double acc = 0;
        for (int64_t u = 0; u < n; ++u) acc += w[v * n + u] * s[u];
        g[v] = s[v] * acc;
      }
      std::memcpy(e.best + b * n, s, (size_t)n * sizeof(int32_t));
      cop::reset_episode(e.ep, b, maxcut_objective(n, w, s));
    }
  });
  return CopStatus{};
}

CopStatus maxcut_step(const MaxCutEnv& e, const int32_t* action, double* reward) {
  const int64_t n = e.n;
  for (int64_t b = 0; b < e.B; ++b)
    if (!e.ep.done[b] && (action[b] < -1 || action[b] >= n)) return cop::reject(b, kCopBadAction, action[b]);
  parallel_for(e.B, cop::grain_for(n), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      if (cop::skip_move(e.ep, b, action[b], reward)) continue;
      const int64_t v = action[b];
      const double* wv = e.w + (b * n + v) * n;
      int32_t* s = e.spin + b * n;
      double* g = e.gain + b * n;
      const double gv = g[v];
      const double sv = s[v];
      // Neighbours: gain(u) = s_u Σ_x w_ux s_x loses 2 w_uv s_u s_v (old s_v) when s_v flips.
      for (int64_t u = 0; u < n; ++u) g[u] -= 2 * wv[u] * s[u] * sv;
      g[v] = -gv;  // w_vv = 0, so the loop left g[v] unchanged
      s[v] = -s[v];
      cop::finish_move(e.ep, b, gv, reward, s, e.best + b * n, n);
    }
  });
  return CopStatus{};
}

}  // namespace recforge
