// CUDA target_ranks vs the CPU kernel (itself checked against a sorting reference in
// native/tests/ranking_test.cc): random scores with ties, NaN and inf, odd sizes, rows above
// and below the block size, an exclusion list; ranks poisoned before the launch.
#include <algorithm>
#include <limits>

#include "cuda_test_util.h"
#include "recforge/ranking.h"

using namespace recforge;
using namespace cudatest;
using rftest::Rng;

template <typename T>
void run(Rng& rng) {
  const struct {
    int64_t rows, n;
  } sizes[] = {{0, 3}, {1, 1}, {3, 2}, {5, 255}, {9, 257}, {2, 5003}, {70, 33}};
  for (const auto& sz : sizes)
    for (int mode = 0; mode < 2; ++mode) {
      const int64_t rows = sz.rows, n = sz.n;
      std::vector<T> s(rows * n);
      for (auto& x : s) {
        x = mode == 0 ? (T)rng.normal() : (T)(int)(rng.uniform() * 3);
        if (mode == 1 && rng.uniform() < 0.05) x = std::numeric_limits<T>::quiet_NaN();
        if (mode == 1 && rng.uniform() < 0.03) x = std::numeric_limits<T>::infinity();
      }
      std::vector<int32_t> ex;
      if (mode == 1 && n > 4) ex = {0, 3};
      std::vector<int32_t> tg(rows);
      for (auto& t : tg) {
        do t = (int32_t)rng.randint(0, n);
        while (std::find(ex.begin(), ex.end(), t) != ex.end());
      }
      if (mode == 1 && rows > 1) s[n + tg[1]] = std::numeric_limits<T>::quiet_NaN();
      std::vector<int32_t> want(rows);
      target_ranks<T>(s.data(), rows, n, tg.data(), ex.empty() ? nullptr : ex.data(), (int64_t)ex.size(), want.data());
      Dev<T> ds(s);
      Dev<int32_t> dt(tg), dex(ex), dr(rows);
      dr.poison();
      target_ranks_cuda<T>(ds.p, rows, n, dt.p, ex.empty() ? nullptr : dex.p, (int64_t)ex.size(), dr.p, stream());
      same(dr.get(), want, "target_ranks");
    }
}

int main() {
  Rng rng(5);
  run<float>(rng);
  run<double>(rng);
  return rftest::finish("ranking_cuda");
}
