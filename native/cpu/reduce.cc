#include "recforge/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

#include "recforge/parallel.h"
#include "recforge/reduce_rule.h"

namespace recforge {

// Which element wins and the mean's division are recforge/reduce_rule.h's (shared with the CUDA
// kernels); the accumulation order is this file's.
template <typename T>
void reduce_axis(ReduceOp op, const T* x, int64_t outer, int64_t r, int64_t inner, T* out, int32_t* idx) {
  if (outer * inner == 0) return;
  const bool is_max = op == ReduceOp::Max;
  if (inner == 1) {
    // Reduce contiguous rows: one output per row.
    parallel_for(outer, std::max<int64_t>(1, 32768 / std::max<int64_t>(r, 1)), [&](int64_t b, int64_t e) {
      for (int64_t o = b; o < e; ++o) {
        const T* row = x + o * r;
        if (op == ReduceOp::Sum || op == ReduceOp::Mean) {
          // 4 independent double accumulators: vectorisable, and accurate.
          double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
          int64_t k = 0;
          for (; k + 4 <= r; k += 4) {
            s0 += row[k];
            s1 += row[k + 1];
            s2 += row[k + 2];
            s3 += row[k + 3];
          }
          for (; k < r; ++k) s0 += row[k];
          double s = (s0 + s1) + (s2 + s3);
          out[o] = (T)(op == ReduceOp::Mean ? (r ? reduce_mean_rule(s, r) : std::numeric_limits<double>::quiet_NaN()) : s);
        } else {
          T best = r ? row[0] : T(0);
          int32_t bi = 0;
          for (int64_t k = 1; k < r && best == best; ++k) {
            T v = row[k];
            if (reduce_takes_rule(is_max, v, best)) {  // best is not NaN here (loop condition)
              best = v;
              bi = (int32_t)k;
            }
          }
          out[o] = best;
          if (idx) idx[o] = bi;
        }
      }
    });
    return;
  }
  // Strided: for each outer block walk k outer, i inner (contiguous, vectorisable).
  int64_t chunk = 512;
  int64_t nchunks = (inner + chunk - 1) / chunk;
  parallel_for(outer * nchunks, std::max<int64_t>(1, 32768 / std::max<int64_t>(r * chunk, 1)),
               [&](int64_t b, int64_t e) {
                 std::vector<double> acc(chunk);
                 for (int64_t t = b; t < e; ++t) {
                   int64_t o = t / nchunks, c = t % nchunks;
                   int64_t i0 = c * chunk, n = std::min(chunk, inner - i0);
                   const T* base = x + o * r * inner + i0;
                   T* dst = out + o * inner + i0;
                   if (op == ReduceOp::Sum || op == ReduceOp::Mean) {
                     std::fill(acc.begin(), acc.begin() + n, 0.0);
                     for (int64_t k = 0; k < r; ++k) {
                       const T* row = base + k * inner;
                       for (int64_t i = 0; i < n; ++i) acc[i] += row[i];
                     }
                     double scale = op == ReduceOp::Mean ? (r ? reduce_mean_scale_rule(r) : std::numeric_limits<double>::quiet_NaN()) : 1.0;
                     for (int64_t i = 0; i < n; ++i) dst[i] = (T)(acc[i] * scale);
                   } else {
                     int32_t* di = idx ? idx + o * inner + i0 : nullptr;
                     for (int64_t i = 0; i < n; ++i) {
                       dst[i] = r ? base[i] : T(0);
                       if (di) di[i] = 0;
                     }
                     for (int64_t k = 1; k < r; ++k) {
                       const T* row = base + k * inner;
                       for (int64_t i = 0; i < n; ++i) {
                         T v = row[i], cur = dst[i];
                         // reduce_takes_rule written out: through the helper GCC compiled this chunk loop
                         // differently and float sums with NaN / inf inputs came out with NaNs of the other
                         // sign bit (scripts/twin-hash.cc, f32, inner 700).
                         if (cur == cur && (v != v || (is_max ? v > cur : v < cur))) {
                           dst[i] = v;
                           if (di) di[i] = (int32_t)k;
                         }
                       }
                     }
                   }
                 }
               });
}

template <typename T>
double sum_squares(const T* x, int64_t n) {
  // Fixed 64k-element blocks reduced in order: the result does not depend on thread count.
  const int64_t block = 1 << 16;
  int64_t nb = (n + block - 1) / block;
  std::vector<double> part(nb, 0.0);
  parallel_for(nb, 1, [&](int64_t b, int64_t e) {
    for (int64_t j = b; j < e; ++j) {
      double s = 0;
      int64_t end = std::min(n, (j + 1) * block);
      for (int64_t i = j * block; i < end; ++i) s += (double)x[i] * (double)x[i];
      part[j] = s;
    }
  });
  double s = 0;
  for (double p : part) s += p;
  return s;
}

template void reduce_axis<float>(ReduceOp, const float*, int64_t, int64_t, int64_t, float*, int32_t*);
template void reduce_axis<double>(ReduceOp, const double*, int64_t, int64_t, int64_t, double*, int32_t*);
template double sum_squares<float>(const float*, int64_t);
template double sum_squares<double>(const double*, int64_t);

}  // namespace recforge
