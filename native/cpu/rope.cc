#include "recforge/rope.h"

#include <algorithm>
#include <cmath>
#include <vector>

#include "recforge/parallel.h"
#include "recforge/rope_rule.h"
#include "recforge/vmath.h"

namespace recforge {

// The per-element math (frequencies, angles, the pair rotation) is recforge/rope_rule.h's, shared with
// the CUDA kernels.
template <typename T>
void rope_tables(int64_t L, int64_t D, const int32_t* pos, double base, T* cos, T* sin) {
  const int64_t half = D / 2;
  if (half == 0 || L == 0) return;
  std::vector<double> inv_freq(half);
  for (int64_t i = 0; i < half; ++i) inv_freq[i] = rope_inv_freq_rule<HostMath>(base, i, D);
  // Packed prompts repeat the same few hundred positions: when the position range is shorter than
  // L, evaluate cos/sin once per distinct position value and copy rows (trig dominates the cost).
  int64_t lo = pos[0], hi = pos[0];
  for (int64_t l = 1; l < L; ++l) lo = std::min<int64_t>(lo, pos[l]), hi = std::max<int64_t>(hi, pos[l]);
  const int64_t range = hi - lo + 1;
  auto fill = [&](int64_t n, auto position, T* c, T* s) {
    parallel_for(n, std::max<int64_t>(1, 4096 / half), [&](int64_t b, int64_t e) {
      for (int64_t r = b; r < e; ++r) {
        const int64_t p = position(r);
        for (int64_t i = 0; i < half; ++i) {
          const double a = rope_angle_rule(p, inv_freq[i]);
          c[r * half + i] = (T)std::cos(a);
          s[r * half + i] = (T)std::sin(a);
        }
      }
    });
  };
  if (range >= L) {
    fill(L, [&](int64_t l) { return pos[l]; }, cos, sin);
    return;
  }
  std::vector<T> c(range * half), s(range * half);
  fill(range, [&](int64_t r) { return lo + r; }, c.data(), s.data());
  parallel_for(L, std::max<int64_t>(1, 16384 / half), [&](int64_t b, int64_t e) {
    for (int64_t l = b; l < e; ++l) {
      const int64_t r = pos[l] - lo;
      std::copy(c.data() + r * half, c.data() + (r + 1) * half, cos + l * half);
      std::copy(s.data() + r * half, s.data() + (r + 1) * half, sin + l * half);
    }
  });
}

template <typename T>
void rope_apply(int64_t H, int64_t L, int64_t D, const T* x, int64_t x_sh, int64_t x_sl, const T* cos, const T* sin,
                bool inverse, T* y, int64_t y_sh, int64_t y_sl) {
  const int64_t half = D / 2, rows = H * L;
  if (rows == 0 || half == 0) return;
  // Rows are ordered l-major so a thread's chunk reuses one table row across the heads.
  parallel_for(rows, std::max<int64_t>(1, 16384 / D), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const int64_t l = r / H, h = r % H;
      const T* xr = x + h * x_sh + l * x_sl;
      T* yr = y + h * y_sh + l * y_sl;
      const T* c = cos + l * half;
      const T* s = sin + l * half;
      if (!inverse) {
        for (int64_t i = 0; i < half; ++i) {
          rope_rotate_rule<false>(xr[i], xr[i + half], c[i], s[i], yr[i], yr[i + half]);
        }
      } else {
        for (int64_t i = 0; i < half; ++i) {
          rope_rotate_rule<true>(xr[i], xr[i + half], c[i], s[i], yr[i], yr[i + half]);
        }
      }
    }
  });
}

template void rope_tables<float>(int64_t, int64_t, const int32_t*, double, float*, float*);
template void rope_tables<double>(int64_t, int64_t, const int32_t*, double, double*, double*);
template void rope_apply<float>(int64_t, int64_t, int64_t, const float*, int64_t, int64_t, const float*, const float*,
                                bool, float*, int64_t, int64_t);
template void rope_apply<double>(int64_t, int64_t, int64_t, const double*, int64_t, int64_t, const double*,
                                 const double*, bool, double*, int64_t, int64_t);

}  // namespace recforge
