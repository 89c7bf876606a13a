// Tests the LS-DQN environments (recforge/cop_env.h) against naive references written here: after
// EVERY move of random episodes on random instances (odd sizes, several thread counts), the
// incremental objective and move gains equal a from-scratch recomputation; the best-so-far value is
// the minimum seen and its stored solution measures it; the episode ends at the stop action or after
// `limit` moves and then ignores actions; a bad action or state is refused with nothing changed.
#include "recforge/cop_env.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <vector>

#include "recforge/parallel.h"
#include "test_util.h"

using namespace recforge;
using rftest::Rng;

namespace {

std::vector<double> random_symmetric(Rng& r, int64_t B, int64_t n, bool signs) {
  std::vector<double> w((size_t)(B * n * n), 0.0);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = i + 1; j < n; ++j) {
        double v = signs ? (r.uniform() < 0.3 ? 0.0 : (r.uniform() < 0.5 ? -1.0 : 1.0)) : r.uniform();
        w[(size_t)(b * n * n + i * n + j)] = w[(size_t)(b * n * n + j * n + i)] = v;
      }
  return w;
}

struct Episode {
  std::vector<double> obj, best_obj;
  std::vector<int32_t> steps, done;
  explicit Episode(int64_t B) : obj(B), best_obj(B), steps(B, -7), done(B, -7) {
    rftest::poison(obj);
    rftest::poison(best_obj);
  }
  CopEpisode view(int64_t limit) { return CopEpisode{obj.data(), best_obj.data(), steps.data(), done.data(), limit}; }
};

const double kTol = 1e-9;

void test_maxcut(Rng& r, int64_t B, int64_t n, bool signs) {
  auto w = random_symmetric(r, B, n, signs);
  std::vector<int32_t> spin((size_t)(B * n)), best((size_t)(B * n), 99);
  for (auto& s : spin) s = r.uniform() < 0.5 ? -1 : 1;
  std::vector<double> gain((size_t)(B * n));
  rftest::poison(gain);
  Episode ep(B);
  const int64_t limit = 2 * n;
  MaxCutEnv e{B, n, w.data(), spin.data(), gain.data(), best.data(), ep.view(limit)};
  RF_CHECK(maxcut_reset(e).bad == -1, "reset refused");
  std::vector<double> seen_min(ep.obj);
  std::vector<int32_t> stop_at(B);
  for (int64_t b = 0; b < B; ++b) stop_at[b] = b % 3 == 0 ? (int32_t)r.randint(0, limit + 1) : -1;
  for (int64_t t = 0; t <= limit + 1; ++t) {
    std::vector<int32_t> act(B);
    std::vector<int32_t> was_done(ep.done);
    for (int64_t b = 0; b < B; ++b) act[b] = stop_at[b] == t ? -1 : (int32_t)r.randint(0, n);
    std::vector<double> reward(B);
    rftest::poison(reward);
    std::vector<int32_t> before(spin);
    RF_CHECK(maxcut_step(e, act.data(), reward.data()).bad == -1, "step refused");
    for (int64_t b = 0; b < B; ++b) {
      const double* wb = w.data() + b * n * n;
      const int32_t* s = spin.data() + b * n;
      const double o = maxcut_objective(n, wb, s);
      RF_CHECK(std::fabs(ep.obj[b] - o) <= kTol * (1 + std::fabs(o)), "maxcut n=%lld b=%lld t=%lld: obj %.17g vs scratch %.17g",
               (long long)n, (long long)b, (long long)t, ep.obj[b], o);
      const double o_before = maxcut_objective(n, wb, before.data() + b * n);
      RF_CHECK(std::fabs(reward[b] - (o_before - o)) <= kTol * (1 + std::fabs(o)), "maxcut reward %.17g vs %.17g", reward[b],
               o_before - o);
      if (was_done[b]) RF_CHECK(reward[b] == 0 && std::equal(s, s + n, before.data() + b * n), "done instance moved");
      // Every gain: the O decrease of flipping that node, from scratch.
      std::vector<int32_t> f(s, s + n);
      for (int64_t v = 0; v < n; ++v) {
        f[v] = -f[v];
        const double want = o - maxcut_objective(n, wb, f.data());
        f[v] = -f[v];
        RF_CHECK(std::fabs(gain[b * n + v] - want) <= kTol * (1 + std::fabs(want)), "maxcut gain[%lld] %.17g vs %.17g",
                 (long long)v, gain[b * n + v], want);
      }
      seen_min[b] = std::min(seen_min[b], o);
      RF_CHECK(std::fabs(ep.best_obj[b] - seen_min[b]) <= kTol * (1 + std::fabs(o)), "maxcut best %.17g vs min seen %.17g",
               ep.best_obj[b], seen_min[b]);
      RF_CHECK(std::fabs(maxcut_objective(n, wb, best.data() + b * n) - ep.best_obj[b]) <= kTol * (1 + std::fabs(o)),
               "maxcut best solution does not measure best_obj");
      const bool want_done = stop_at[b] >= 0 && stop_at[b] <= t ? true : (t + 1 >= limit);
      RF_CHECK(ep.done[b] == (want_done ? 1 : 0), "maxcut b=%lld t=%lld done=%d want %d", (long long)b, (long long)t,
               ep.done[b], want_done);
      RF_CHECK(ep.steps[b] <= limit, "steps past the limit");
    }
  }
  // A bad action (on a running instance) is refused and nothing changes.
  RF_CHECK(maxcut_reset(e).bad == -1, "reset refused");
  std::vector<int32_t> act(B, 0), snap(spin);
  std::vector<double> reward(B), gsnap(gain);
  act[B - 1] = (int32_t)n;
  CopStatus st = maxcut_step(e, act.data(), reward.data());
  RF_CHECK(st.bad == B - 1 && st.reason == kCopBadAction && st.value == n, "bad action not refused");
  RF_CHECK(spin == snap && gain == gsnap, "refused step changed the state");
  spin[0] = 0;
  st = maxcut_reset(e);
  RF_CHECK(st.bad == 0 && st.reason == kCopBadState, "bad spin not refused");
}

void test_kcut(Rng& r, int64_t B, int64_t k, int64_t m) {
  const int64_t n = k * m;
  auto w = random_symmetric(r, B, n, false);
  std::vector<int32_t> label((size_t)(B * n)), best((size_t)(B * n), 99);
  for (int64_t b = 0; b < B; ++b) {
    std::vector<int32_t> l((size_t)n);
    for (int64_t v = 0; v < n; ++v) l[v] = (int32_t)(v % k);
    for (int64_t v = n - 1; v > 0; --v) std::swap(l[v], l[r.randint(0, v + 1)]);
    std::copy(l.begin(), l.end(), label.begin() + b * n);
  }
  std::vector<double> cw((size_t)(B * n * k)), gains((size_t)(B * n * n));
  rftest::poison(cw);
  Episode ep(B);
  const int64_t limit = 2 * n;
  KCutEnv e{B, n, k, w.data(), label.data(), cw.data(), best.data(), ep.view(limit)};
  RF_CHECK(kcut_reset(e).bad == -1, "kcut reset refused");
  std::vector<double> seen_min(ep.obj);
  for (int64_t t = 0; t < limit; ++t) {
    std::vector<int32_t> act(B);
    for (int64_t b = 0; b < B; ++b) {
      const int32_t* l = label.data() + b * n;
      int64_t u, v;
      do {
        u = r.randint(0, n);
        v = r.randint(0, n);
      } while (l[u] == l[v]);
      act[b] = (int32_t)(u * n + v);
    }
    std::vector<double> reward(B);
    rftest::poison(reward);
    std::vector<int32_t> before(label);
    RF_CHECK(kcut_step(e, act.data(), reward.data()).bad == -1, "kcut step refused");
    rftest::poison(gains);
    kcut_swap_gains(e, gains.data());
    for (int64_t b = 0; b < B; ++b) {
      const double* wb = w.data() + b * n * n;
      const int32_t* l = label.data() + b * n;
      const double o = kcut_objective(n, wb, l);
      RF_CHECK(std::fabs(ep.obj[b] - o) <= kTol * (1 + o), "kcut obj %.17g vs scratch %.17g", ep.obj[b], o);
      RF_CHECK(std::fabs(reward[b] - (kcut_objective(n, wb, before.data() + b * n) - o)) <= kTol * (1 + o), "kcut reward");
      // Cluster sizes stay equal (swaps only).
      std::vector<int64_t> size((size_t)k, 0);
      for (int64_t v = 0; v < n; ++v) ++size[l[v]];
      for (int64_t c = 0; c < k; ++c) RF_CHECK(size[c] == m, "kcut cluster %lld has %lld nodes", (long long)c, (long long)size[c]);
      // Every pair's gain from scratch.
      std::vector<int32_t> f(l, l + n);
      for (int64_t u = 0; u < n; ++u)
        for (int64_t v = 0; v < n; ++v) {
          const double got = gains[(size_t)(b * n * n + u * n + v)];
          if (l[u] == l[v]) {
            RF_CHECK(std::isinf(got) && got < 0, "kcut same-cluster pair not -inf");
            continue;
          }
          std::swap(f[u], f[v]);
          const double want = o - kcut_objective(n, wb, f.data());
          std::swap(f[u], f[v]);
          RF_CHECK(std::fabs(got - want) <= kTol * (1 + o), "kcut gain (%lld,%lld) %.17g vs %.17g", (long long)u, (long long)v,
                   got, want);
        }
      seen_min[b] = std::min(seen_min[b], o);
      RF_CHECK(std::fabs(ep.best_obj[b] - seen_min[b]) <= kTol * (1 + o), "kcut best");
      RF_CHECK(std::fabs(kcut_objective(n, wb, best.data() + b * n) - ep.best_obj[b]) <= kTol * (1 + o), "kcut best solution");
      RF_CHECK(ep.done[b] == (t + 1 >= limit ? 1 : 0), "kcut done flag");
    }
  }
  // Same-cluster swap refused.
  RF_CHECK(kcut_reset(e).bad == -1, "kcut reset refused");
  std::vector<int32_t> act(B, -1), snap(label);
  std::vector<double> reward(B);
  int64_t u = 0, v = 1;
  while (label[v] != label[u]) ++v;
  act[0] = (int32_t)(u * n + v);
  CopStatus st = kcut_step(e, act.data(), reward.data());
  RF_CHECK(st.bad == 0 && st.reason == kCopBadAction, "same-cluster swap not refused");
  RF_CHECK(label == snap, "refused kcut step changed labels");
}

void test_tsp(Rng& r, int64_t B, int64_t n, bool euc2d) {
  std::vector<double> coords((size_t)(B * n * 2));
  for (auto& c : coords) c = euc2d ? std::floor(r.uniform() * 1000) : r.uniform();
  std::vector<double> dist((size_t)(B * n * n)), gains((size_t)(B * n * n));
  rftest::poison(dist);
  tsp_distances(B, n, coords.data(), euc2d, dist.data());
  for (int64_t b = 0; b < B; ++b)
    for (int64_t i = 0; i < n; ++i)
      for (int64_t j = 0; j < n; ++j) {
        const double dx = coords[(b * n + i) * 2] - coords[(b * n + j) * 2];
        const double dy = coords[(b * n + i) * 2 + 1] - coords[(b * n + j) * 2 + 1];
        const double want = euc2d ? std::floor(std::sqrt(dx * dx + dy * dy) + 0.5) : std::sqrt(dx * dx + dy * dy);
        RF_CHECK(dist[(size_t)(b * n * n + i * n + j)] == want, "distance (%lld,%lld)", (long long)i, (long long)j);
      }
  std::vector<int32_t> tour((size_t)(B * n)), best((size_t)(B * n), 99);
  for (int64_t b = 0; b < B; ++b) {
    std::iota(tour.begin() + b * n, tour.begin() + (b + 1) * n, 0);
    for (int64_t v = n - 1; v > 0; --v) std::swap(tour[b * n + v], tour[b * n + r.randint(0, v + 1)]);
  }
  Episode ep(B);
  const int64_t limit = 2 * n;
  TspEnv e{B, n, dist.data(), tour.data(), best.data(), ep.view(limit)};
  RF_CHECK(tsp_reset(e).bad == -1, "tsp reset refused");
  std::vector<double> seen_min(ep.obj);
  for (int64_t t = 0; t < limit; ++t) {
    std::vector<int32_t> act(B);
    for (int64_t b = 0; b < B; ++b) {
      int64_t i = r.randint(0, n - 1), j = r.randint(i + 1, n);
      if (b == 0 && t == 0) i = 0, j = n - 1;  // the whole-tour reversal (gain 0)
      act[b] = (int32_t)(i * n + j);
    }
    std::vector<double> reward(B);
    rftest::poison(reward);
    std::vector<int32_t> before(tour);
    RF_CHECK(tsp_step(e, act.data(), reward.data()).bad == -1, "tsp step refused");
    rftest::poison(gains);
    tsp_move_gains(e, gains.data());
    for (int64_t b = 0; b < B; ++b) {
      const double* d = dist.data() + b * n * n;
      const int32_t* tb = tour.data() + b * n;
      const int64_t i = act[b] / n, j = act[b] % n;
      std::vector<int32_t> want_tour(before.begin() + b * n, before.begin() + (b + 1) * n);
      std::reverse(want_tour.begin() + i, want_tour.begin() + j + 1);
      RF_CHECK(std::equal(want_tour.begin(), want_tour.end(), tb), "tsp tour is not the reversal of %lld..%lld", (long long)i,
               (long long)j);
      const double o = tsp_length(n, d, tb);
      const double tol = euc2d ? 0 : kTol * (1 + o);  // integer lengths are exact
      RF_CHECK(std::fabs(ep.obj[b] - o) <= tol, "tsp n=%lld obj %.17g vs scratch %.17g", (long long)n, ep.obj[b], o);
      RF_CHECK(std::fabs(reward[b] - (tsp_length(n, d, before.data() + b * n) - o)) <= tol, "tsp reward");
      std::vector<int32_t> f(tb, tb + n);
      for (int64_t x = 0; x < n; ++x)
        for (int64_t y = 0; y < n; ++y) {
          const double got = gains[(size_t)(b * n * n + x * n + y)];
          if (x >= y) {
            RF_CHECK(std::isinf(got) && got < 0, "tsp i >= j not -inf");
            continue;
          }
          std::reverse(f.begin() + x, f.begin() + y + 1);
          const double want = o - tsp_length(n, d, f.data());
          std::reverse(f.begin() + x, f.begin() + y + 1);
          RF_CHECK(std::fabs(got - want) <= (euc2d ? 0 : kTol * (1 + o)), "tsp gain (%lld,%lld) %.17g vs %.17g", (long long)x,
                   (long long)y, got, want);
        }
      seen_min[b] = std::min(seen_min[b], o);
      RF_CHECK(std::fabs(ep.best_obj[b] - seen_min[b]) <= tol, "tsp best");
      RF_CHECK(std::fabs(tsp_length(n, d, best.data() + b * n) - ep.best_obj[b]) <= tol, "tsp best solution");
      RF_CHECK(ep.done[b] == (t + 1 >= limit ? 1 : 0), "tsp done flag");
    }
  }
  RF_CHECK(tsp_reset(e).bad == -1, "tsp reset refused");
  std::vector<int32_t> act(B, -1), snap(tour);
  std::vector<double> reward(B);
  act[B - 1] = (int32_t)(1 * n + 1);  // i == j
  CopStatus st = tsp_step(e, act.data(), reward.data());
  RF_CHECK(st.bad == B - 1 && st.reason == kCopBadAction, "tsp i == j not refused");
  RF_CHECK(tour == snap, "refused tsp step changed the tour");
  tour[1] = tour[0];
  st = tsp_reset(e);
  RF_CHECK(st.bad == 0 && st.reason == kCopBadState, "tsp non-permutation not refused");
}

}  // namespace

int main() {
  Rng r(20210214);
  for (int threads : {1, 3}) {
    set_num_threads(threads);
    for (int64_t n : {1, 2, 7, 20, 33}) {
      test_maxcut(r, 5, n, false);
      test_maxcut(r, 3, n, true);
    }
    test_kcut(r, 4, 2, 3);
    test_kcut(r, 3, 5, 6);
    test_kcut(r, 2, 3, 7);
    for (int64_t n : {3, 4, 9, 25}) {
      test_tsp(r, 4, n, false);
      test_tsp(r, 3, n, true);
    }
  }
  return rftest::finish("cop_env_test");
}
