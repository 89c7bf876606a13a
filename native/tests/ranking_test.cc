// target_ranks (recforge/ranking.h) vs a naive reference that SORTS each row (stable, target
// placed first among its ties) and reads the target's position after dropping excluded
// columns: a different algorithm from the kernel's counting. Random scores with many ties,
// NaNs, +-inf, odd sizes, exclusion lists; outputs poisoned.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <vector>

#include "recforge/ranking.h"
#include "test_util.h"

using namespace recforge;
using rftest::Rng;

template <typename T>
std::vector<int32_t> reference(const std::vector<T>& s, int64_t rows, int64_t n, const std::vector<int32_t>& tg,
                               const std::vector<int32_t>& ex) {
  std::vector<int32_t> out(rows);
  for (int64_t r = 0; r < rows; ++r) {
    const T* row = s.data() + r * n;
    const T st = row[tg[r]];
    std::vector<int64_t> cols;
    for (int64_t j = 0; j < n; ++j)
      if (std::find(ex.begin(), ex.end(), (int32_t)j) == ex.end()) cols.push_back(j);
    if (std::isnan(st)) {  // documented: a NaN target is ranked last
      out[r] = (int32_t)cols.size();
      continue;
    }
    // descending score, NaN scores last, the target first among its ties
    std::stable_sort(cols.begin(), cols.end(), [&](int64_t a, int64_t b) {
      const bool na = std::isnan((double)row[a]), nb = std::isnan((double)row[b]);
      if (na != nb) return nb;
      if (na) return false;
      if (row[a] != row[b]) return row[a] > row[b];
      return a == tg[r] && b != tg[r];
    });
    out[r] = (int32_t)(std::find(cols.begin(), cols.end(), (int64_t)tg[r]) - cols.begin() + 1);
  }
  return out;
}

template <typename T>
void run(Rng& rng) {
  const struct {
    int64_t rows, n;
  } sizes[] = {{0, 5}, {1, 1}, {3, 2}, {7, 17}, {33, 101}, {5, 3001}, {64, 257}};
  for (const auto& sz : sizes) {
    for (int mode = 0; mode < 3; ++mode) {  // 0: continuous, 1: heavy ties, 2: ties + NaN + inf
      const int64_t rows = sz.rows, n = sz.n;
      std::vector<T> s(rows * n);
      for (auto& x : s) {
        x = mode == 0 ? (T)rng.normal() : (T)(int)(rng.uniform() * 4);
        if (mode == 2) {
          const double u = rng.uniform();
          if (u < 0.05) x = std::numeric_limits<T>::quiet_NaN();
          else if (u < 0.08) x = std::numeric_limits<T>::infinity();
          else if (u < 0.1) x = -std::numeric_limits<T>::infinity();
        }
      }
      std::vector<int32_t> ex;
      if (n > 3 && mode > 0) ex = {0, (int32_t)(n - 1)};  // padding column and one more
      std::vector<int32_t> tg(rows);
      for (auto& t : tg) {
        do t = (int32_t)rng.randint(0, n);
        while (std::find(ex.begin(), ex.end(), t) != ex.end());
      }
      // a NaN target and an infinite target in some rows
      if (mode == 2 && rows > 1) s[1 * n + tg[1]] = std::numeric_limits<T>::quiet_NaN();
      if (mode == 2 && rows > 2) s[2 * n + tg[2]] = std::numeric_limits<T>::infinity();
      std::vector<int32_t> got(rows, -7);
      target_ranks<T>(s.data(), rows, n, tg.data(), ex.empty() ? nullptr : ex.data(), (int64_t)ex.size(), got.data());
      const auto want = reference(s, rows, n, tg, ex);
      for (int64_t r = 0; r < rows; ++r)
        RF_CHECK(got[r] == want[r], "rows %lld n %lld mode %d row %lld: rank %d, reference %d", (long long)rows,
                 (long long)n, mode, (long long)r, got[r], want[r]);
    }
  }
  // a hand case: scores 3 1 3 2 NaN, target col 2 (score 3, tied with col 0) -> rank 1; col 3 -> 3
  const T nan = std::numeric_limits<T>::quiet_NaN();
  std::vector<T> s = {3, 1, 3, 2, nan, 3, 1, 3, 2, nan};
  std::vector<int32_t> tg = {2, 3}, got(2, -1);
  target_ranks<T>(s.data(), 2, 5, tg.data(), nullptr, 0, got.data());
  RF_CHECK(got[0] == 1 && got[1] == 3, "hand case: %d %d", got[0], got[1]);
  std::vector<int32_t> ex = {0};
  target_ranks<T>(s.data(), 2, 5, tg.data(), ex.data(), 1, got.data());
  RF_CHECK(got[0] == 1 && got[1] == 2, "hand case with exclusion: %d %d", got[0], got[1]);
}

int main() {
  Rng rng(21);
  run<float>(rng);
  run<double>(rng);
  return rftest::finish("ranking");
}
