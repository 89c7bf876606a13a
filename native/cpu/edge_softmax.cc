// CPU edge softmax over each destination's incoming edges, per head. Parallel over
// destinations; each group is normalised by one thread, so results are thread-count independent.
#include "recforge/edge_softmax.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "recforge/parallel.h"
#include "recforge/softmax_rule.h"
#include "recforge/vmath.h"

namespace recforge {
namespace {
int64_t grain_for(int64_t work_per_item) { return std::max<int64_t>(1, 16384 / std::max<int64_t>(1, work_per_item)); }
}  // namespace

// The per-element formulas are recforge/softmax_rule.h's (shared with the CUDA kernels); the per-head
// max / sum / dot over a destination's edges stay here.
template <typename T>
void edge_softmax(int64_t n_dst, int64_t H, const int32_t* rowptr, const T* scores, T* alpha) {
  if (n_dst <= 0 || H <= 0) return;
  const int64_t per_dst = H * (rowptr[n_dst] / n_dst + 1);
  parallel_for(n_dst, grain_for(per_dst), [&](int64_t d0, int64_t d1) {
    std::vector<T> mx(H), sum(H);
    for (int64_t d = d0; d < d1; ++d) {
      const int64_t begin = rowptr[d], end = rowptr[d + 1];
      if (begin == end) continue;
      std::fill(mx.begin(), mx.end(), -std::numeric_limits<T>::infinity());
      std::fill(sum.begin(), sum.end(), T(0));
      for (int64_t e = begin; e < end; ++e)
        for (int64_t h = 0; h < H; ++h) mx[h] = std::max(mx[h], scores[e * H + h]);
      for (int64_t e = begin; e < end; ++e)
        for (int64_t h = 0; h < H; ++h) {
          T p = edge_softmax_exp_rule<HostMath>(scores[e * H + h], mx[h]);
          alpha[e * H + h] = p;
          sum[h] += p;
        }
      for (int64_t h = 0; h < H; ++h) sum[h] = softmax_inv_rule(sum[h]);
      for (int64_t e = begin; e < end; ++e)
        for (int64_t h = 0; h < H; ++h) alpha[e * H + h] = softmax_value_rule(alpha[e * H + h], sum[h]);
    }
  });
}

template <typename T>
void edge_softmax_backward(int64_t n_dst, int64_t H, const int32_t* rowptr, const T* alpha, const T* dalpha,
                           T* dscores) {
  if (n_dst <= 0 || H <= 0) return;
  const int64_t per_dst = H * (rowptr[n_dst] / n_dst + 1);
  parallel_for(n_dst, grain_for(per_dst), [&](int64_t d0, int64_t d1) {
    std::vector<T> dot(H);
    for (int64_t d = d0; d < d1; ++d) {
      const int64_t begin = rowptr[d], end = rowptr[d + 1];
      std::fill(dot.begin(), dot.end(), T(0));
      for (int64_t e = begin; e < end; ++e)
        for (int64_t h = 0; h < H; ++h) dot[h] += alpha[e * H + h] * dalpha[e * H + h];
      for (int64_t e = begin; e < end; ++e)
        for (int64_t h = 0; h < H; ++h) dscores[e * H + h] = softmax_grad_rule(alpha[e * H + h], dalpha[e * H + h], dot[h]);
    }
  });
}

template void edge_softmax<float>(int64_t, int64_t, const int32_t*, const float*, float*);
template void edge_softmax<double>(int64_t, int64_t, const int32_t*, const double*, double*);
template void edge_softmax_backward<float>(int64_t, int64_t, const int32_t*, const float*, const float*, float*);
template void edge_softmax_backward<double>(int64_t, int64_t, const int32_t*, const double*, const double*, double*);

}  // namespace recforge
