// Max k-Cut swap environment (cop_env.h): per node the weight into every cluster, cw[v, c], kept in
// O(n) per swap; a swap's gain is read from it in O(1).
#include <cmath>
#include <cstring>
#include <limits>

#include "cop_episode.h"
#include "recforge/cop_env.h"
#include "recforge/parallel.h"

namespace recforge {

double kcut_objective(int64_t n, const double* w, const int32_t* label) {
  double o = 0;
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = i + 1; j < n; ++j)
      if (label[i] == label[j]) o += w[i * n + j];
  return o;
}

namespace {

// O decrease when u (cluster a) and v (cluster b != a) swap: u's mates change from a \ {u} to
// b \ {v}, v's from b \ {v} to a \ {u}; the u-v edge stays between clusters.
inline double swap_gain(const double* cw, int64_t k, const double* w, int64_t n, int64_t u, int64_t v, int32_t a,
                        int32_t b) {
  return cw[u * k + a] + cw[v * k + b] - cw[u * k + b] - cw[v * k + a] + 2 * w[u * n + v];
}

}  // namespace

CopStatus kcut_reset(const KCutEnv& e) {
  const int64_t n = e.n, k = e.k;
  for (int64_t x = 0; x < e.B * n; ++x)
    if (e.label[x] < 0 || e.label[x] >= k) return cop::reject(x / n, kCopBadState, e.label[x]);
  parallel_for(e.B, cop::grain_for(n * n), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const double* w = e.w + b * n * n;
      const int32_t* l = e.label + b * n;
      double* cw = e.cw + b * n * k;
      for (int64_t v = 0; v < n; ++v) {
        for (int64_t c = 0; c < k; ++c) cw[v * k + c] = 0;
        for (int64_t u = 0; u < n; ++u) cw[v * k + l[u]] += w[v * n + u];
      }
      std::memcpy(e.best + b * n, l, (size_t)n * sizeof(int32_t));
      cop::reset_episode(e.ep, b, kcut_objective(n, w, l));
    }
  });
  return CopStatus{};
}

CopStatus kcut_step(const KCutEnv& e, const int32_t* action, double* reward) {
  const int64_t n = e.n, k = e.k;
  for (int64_t b = 0; b < e.B; ++b) {
    if (e.ep.done[b] || action[b] == -1) continue;
    const int64_t a = action[b];
    if (a < 0 || a >= n * n) return cop::reject(b, kCopBadAction, a);
    const int32_t* l = e.label + b * n;
    if (l[a / n] == l[a % n]) return cop::reject(b, kCopBadAction, a);  // includes u == v
  }
  parallel_for(e.B, cop::grain_for(n), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      if (cop::skip_move(e.ep, b, action[b], reward)) continue;
      const int64_t u = action[b] / n, v = action[b] % n;
      const double* w = e.w + b * n * n;
      int32_t* l = e.label + b * n;
      double* cw = e.cw + b * n * k;
      const int32_t cu = l[u], cv = l[v];
      const double g = swap_gain(cw, k, w, n, u, v, cu, cv);
      for (int64_t x = 0; x < n; ++x) {
        const double wu = w[u * n + x], wv = w[v * n + x];
        cw[x * k + cu] += wv - wu;
        cw[x * k + cv] += wu - wv;
      }
      l[u] = cv;
      l[v] = cu;
      cop::finish_move(e.ep, b, g, reward, l, e.best + b * n, n);
    }
  });
  return CopStatus{};
}

void kcut_swap_gains(const KCutEnv& e, double* out) {
  const int64_t n = e.n, k = e.k;
  const double ninf = -std::numeric_limits<double>::infinity();
  parallel_for(e.B, cop::grain_for(n * n), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const double* w = e.w + b * n * n;
      const int32_t* l = e.label + b * n;
      const double* cw = e.cw + b * n * k;
      double* o = out + b * n * n;
      for (int64_t u = 0; u < n; ++u)
        for (int64_t v = 0; v < n; ++v)
          o[u * n + v] = l[u] == l[v] ? ninf : swap_gain(cw, k, w, n, u, v, l[u], l[v]);
    }
  });
}

}  // namespace recforge
