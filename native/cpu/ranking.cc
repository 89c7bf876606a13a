// target_ranks on the CPU (semantics: recforge/ranking.h): rows in parallel, each one pass
// counting strictly greater scores (a branch-free compare-and-add GCC vectorises).
#include "recforge/ranking.h"

#include "recforge/parallel.h"
#include "recforge/ranking_rule.h"

namespace recforge {

template <typename T>
void target_ranks(const T* scores, int64_t rows, int64_t n, const int32_t* targets, const int32_t* exclude,
                  int64_t n_exclude, int32_t* ranks) {
  const int64_t grain = n >= (1 << 14) ? 1 : (1 << 14) / (n > 0 ? n : 1);
  parallel_for(rows, grain, [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* row = scores + r * n;
      const T s = row[targets[r]];
      int64_t greater = 0;
      for (int64_t j = 0; j < n; ++j) greater += row[j] > s ? 1 : 0;
      ranks[r] = rank_from_count(row, s, greater, n, exclude, n_exclude);
    }
  });
}

template void target_ranks<float>(const float*, int64_t, int64_t, const int32_t*, const int32_t*, int64_t, int32_t*);
template void target_ranks<double>(const double*, int64_t, int64_t, const int32_t*, const int32_t*, int64_t,
                                   int32_t*);

}  // namespace recforge
