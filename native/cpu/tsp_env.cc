// TSP 2-opt environment (cop_env.h): reversing tour positions i..j changes only the two edges at
// its ends, so a move's gain is four distance look-ups and the reversal itself is O(j − i).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "cop_episode.h"
#include "recforge/cop_env.h"
#include "recforge/parallel.h"

namespace recforge {

double tsp_length(int64_t n, const double* dist, const int32_t* tour) {
  double len = 0;
  for (int64_t p = 0; p < n; ++p) len += dist[(int64_t)tour[p] * n + tour[(p + 1) % n]];
  return len;
}

void tsp_distances(int64_t B, int64_t n, const double* coords, bool euc2d, double* dist) {
  parallel_for(B, cop::grain_for(n * n), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const double* c = coords + b * n * 2;
      double* d = dist + b * n * n;
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) {
          const double dx = c[i * 2] - c[j * 2], dy = c[i * 2 + 1] - c[j * 2 + 1];
          const double r = std::sqrt(dx * dx + dy * dy);
          d[i * n + j] = euc2d ? (double)(int64_t)(r + 0.5) : r;  // TSPLIB nint
        }
    }
  });
}

namespace {

// O decrease of reversing positions i..j (i < j): edges (a,b), (c,d) become (a,c), (b,d) with
// a = L[i−1], b = L[i], c = L[j], d = L[j+1] (cyclic). Reversing the whole tour changes nothing
// (the formula would wrongly count the closing edge twice).
inline double move_gain(const double* d, const int32_t* t, int64_t n, int64_t i, int64_t j) {
  if (i == 0 && j == n - 1) return 0;
  const int64_t a = t[(i + n - 1) % n], b = t[i], c = t[j], e = t[(j + 1) % n];
  return d[a * n + b] + d[c * n + e] - d[a * n + c] - d[b * n + e];
}

}  // namespace

CopStatus tsp_reset(const TspEnv& e) {
  const int64_t n = e.n;
  std::vector<char> seen((size_t)n);
  for (int64_t b = 0; b < e.B; ++b) {
    std::fill(seen.begin(), seen.end(), 0);
    for (int64_t p = 0; p < n; ++p) {
      const int32_t v = e.tour[b * n + p];
      if (v < 0 || v >= n || seen[(size_t)v]) return cop::reject(b, kCopBadState, v);
      seen[(size_t)v] = 1;
    }
  }
  parallel_for(e.B, cop::grain_for(n), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      std::memcpy(e.best + b * n, e.tour + b * n, (size_t)n * sizeof(int32_t));
      cop::reset_episode(e.ep, b, tsp_length(n, e.dist + b * n * n, e.tour + b * n));
    }
  });
  return CopStatus{};
}

CopStatus tsp_step(const TspEnv& e, const int32_t* action, double* reward) {
  const int64_t n = e.n;
  for (int64_t b = 0; b < e.B; ++b) {
    if (e.ep.done[b] || action[b] == -1) continue;
    const int64_t a = action[b];
    if (a < 0 || a >= n * n || a / n >= a % n) return cop::reject(b, kCopBadAction, a);
  }
  parallel_for(e.B, cop::grain_for(n), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      if (cop::skip_move(e.ep, b, action[b], reward)) continue;
      const int64_t i = action[b] / n, j = action[b] % n;
      int32_t* t = e.tour + b * n;
      const double g = move_gain(e.dist + b * n * n, t, n, i, j);
      std::reverse(t + i, t + j + 1);
      cop::finish_move(e.ep, b, g, reward, t, e.best + b * n, n);
    }
  });
  return CopStatus{};
}

void tsp_move_gains(const TspEnv& e, double* out) {
  const int64_t n = e.n;
  const double ninf = -std::numeric_limits<double>::infinity();
  parallel_for(e.B, cop::grain_for(n * n), [&](int64_t b0, int64_t b1) {
    for (int64_t b = b0; b < b1; ++b) {
      const double* d = e.dist + b * n * n;
      const int32_t* t = e.tour + b * n;
      double* o = out + b * n * n;
      for (int64_t i = 0; i < n; ++i)
        for (int64_t j = 0; j < n; ++j) o[i * n + j] = i < j ? move_gain(d, t, n, i, j) : ninf;
    }
  });
}

}  // namespace recforge
