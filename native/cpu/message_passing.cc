// CPU message passing: CSR aggregation (sum / mean / max / min) with its race-free backward.
// Parallel over output rows only, so every output element is produced by one thread in a fixed
// order: results do not depend on the thread count.
#include "recforge/message_passing.h"

#include <algorithm>

#include "dot_lanes.h"
#include "recforge/parallel.h"
#include "recforge/reduce_rule.h"

namespace recforge {
namespace {

// Items per parallel chunk so that a chunk holds roughly 32k multiply-adds: below that the
// pool's wake-up costs more than it saves.
int64_t grain_for(int64_t work_per_item) { return std::max<int64_t>(1, 32768 / std::max<int64_t>(1, work_per_item)); }

int64_t avg_degree(int64_t n_rows, int64_t n_edges) { return n_rows > 0 ? n_edges / n_rows + 1 : 1; }

inline bool is_extreme(ReduceOp op) { return op == ReduceOp::Max || op == ReduceOp::Min; }

}  // namespace

template <typename T>
void segment_aggregate(int64_t n_dst, int64_t /*n_src*/, int64_t F, const int32_t* rowptr, const int32_t* src,
                       const T* x, const T* w, ReduceOp op, T* out, int32_t* arg) {
  const int64_t n_edges = n_dst > 0 ? rowptr[n_dst] : 0;
  parallel_for(n_dst, grain_for(F * avg_degree(n_dst, n_edges)), [&](int64_t d0, int64_t d1) {
    for (int64_t d = d0; d < d1; ++d) {
      T* __restrict o = out + d * F;
      const int64_t begin = rowptr[d], end = rowptr[d + 1];
      if (is_extreme(op)) {
        const bool is_max = op == ReduceOp::Max;
        int32_t* am = arg + d * F;
        if (begin == end) {
          std::fill(o, o + F, T(0));
          std::fill(am, am + F, -1);
          continue;
        }
        const T* __restrict xs = x + (int64_t)src[begin] * F;
        const T wb = w ? w[begin] : T(1);
        for (int64_t f = 0; f < F; ++f) {
          o[f] = wb * xs[f];
          am[f] = (int32_t)begin;
        }
        for (int64_t e = begin + 1; e < end; ++e) {
          const T* __restrict xe = x + (int64_t)src[e] * F;
          const T we = w ? w[e] : T(1);
          for (int64_t f = 0; f < F; ++f) {
            T m = we * xe[f];
            if (reduce_takes_rule(is_max, m, o[f])) {  // the max / min rule of recforge/reduce_rule.h
              o[f] = m;
              am[f] = (int32_t)e;
            }
          }
        }
        continue;
      }
      std::fill(o, o + F, T(0));
      for (int64_t e = begin; e < end; ++e) {
        const T* __restrict xe = x + (int64_t)src[e] * F;
        const T we = w ? w[e] : T(1);
        for (int64_t f = 0; f < F; ++f) o[f] += we * xe[f];
      }
      if (op == ReduceOp::Mean && end > begin) {
        const T inv = T(1) / T(end - begin);
        for (int64_t f = 0; f < F; ++f) o[f] *= inv;
      }
    }
  });
}

template <typename T>
void segment_aggregate_backward(int64_t n_dst, int64_t n_src, int64_t F, const int32_t* rowptr, const int32_t* src,
                                const int32_t* t_rowptr, const int32_t* t_dst, const int32_t* t_eid, const T* x,
                                const T* w, ReduceOp op, const int32_t* arg, const T* dout, T* dx, T* dw) {
  const int64_t n_edges = n_dst > 0 ? rowptr[n_dst] : 0;
  if (dx) {
    // Per source over the transposed CSR: each dx row is owned by one thread, no atomics.
    parallel_for(n_src, grain_for(F * avg_degree(n_src, n_edges)), [&](int64_t s0, int64_t s1) {
      for (int64_t s = s0; s < s1; ++s) {
        T* __restrict g = dx + s * F;
        std::fill(g, g + F, T(0));
        for (int64_t k = t_rowptr[s]; k < t_rowptr[s + 1]; ++k) {
          const int64_t d = t_dst[k], e = t_eid[k];
          T coef = w ? w[e] : T(1);
          if (op == ReduceOp::Mean) coef /= T(rowptr[d + 1] - rowptr[d]);
          const T* __restrict go = dout + d * F;
          if (is_extreme(op)) {
            const int32_t* am = arg + d * F;
            for (int64_t f = 0; f < F; ++f)
              if (am[f] == e) g[f] += coef * go[f];
          } else {
            for (int64_t f = 0; f < F; ++f) g[f] += coef * go[f];
          }
        }
      }
    });
  }
  if (dw) {
    parallel_for(n_dst, grain_for(F * avg_degree(n_dst, n_edges)), [&](int64_t d0, int64_t d1) {
      for (int64_t d = d0; d < d1; ++d) {
        const int64_t begin = rowptr[d], end = rowptr[d + 1];
        const T* __restrict go = dout + d * F;
        for (int64_t e = begin; e < end; ++e) {
          const T* __restrict xs = x + (int64_t)src[e] * F;
          T acc = 0;
          if (is_extreme(op)) {
            const int32_t* am = arg + d * F;
            for (int64_t f = 0; f < F; ++f)
              if (am[f] == e) acc += go[f] * xs[f];
          } else {
            acc = cpu::dot_lanes(go, xs, F);
            if (op == ReduceOp::Mean) acc /= T(end - begin);
          }
          dw[e] = acc;
        }
      }
    });
  }
}

#define RECFORGE_INSTANTIATE(T)                                                                                 \
  template void segment_aggregate<T>(int64_t, int64_t, int64_t, const int32_t*, const int32_t*, const T*,       \
                                     const T*, ReduceOp, T*, int32_t*);                                        \
  template void segment_aggregate_backward<T>(int64_t, int64_t, int64_t, const int32_t*, const int32_t*,        \
                                              const int32_t*, const int32_t*, const int32_t*, const T*, const T*, \
                                              ReduceOp, const int32_t*, const T*, T*, T*);
RECFORGE_INSTANTIATE(float)
RECFORGE_INSTANTIATE(double)
#undef RECFORGE_INSTANTIATE

}  // namespace recforge
