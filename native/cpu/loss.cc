#include "recforge/loss.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "recforge/loss_rule.h"
#include "recforge/parallel.h"
#include "recforge/vmath.h"

namespace recforge {

template <typename T>
void bce_logits_forward(const T* x, const T* y, T* loss, int64_t n, double pos_weight) {
  const T pw = (T)pos_weight;
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      loss[i] = bce_logits_loss_rule<HostMath>(x[i], y[i], pw);
    }
  });
}

template <typename T>
void bce_logits_backward(const T* x, const T* y, const T* g, T* gx, int64_t n, double pos_weight) {
  const T pw = (T)pos_weight;
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      gx[i] = bce_logits_grad_rule<HostMath>(x[i], y[i], g[i], pw);
    }
  });
}

template <typename T>
void cross_entropy_forward(const T* logits, const int32_t* target, int64_t n, int64_t c, int32_t ignore_index,
                           T* loss, T* lse) {
  parallel_for(n, std::max<int64_t>(1, 16384 / std::max<int64_t>(c, 1)), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      const T* row = logits + i * c;
      T m = -std::numeric_limits<T>::infinity();
      for (int64_t j = 0; j < c; ++j) m = std::max(m, row[j]);
      double s = 0;
      for (int64_t j = 0; j < c; ++j) s += ce_exp_term_rule<HostMath>(row[j], m);
      T l = ce_lse_rule<HostMath>(m, s);
      lse[i] = l;
      int32_t t = target[i];
      loss[i] = t == ignore_index ? T(0) : l - row[t];
    }
  });
}

template <typename T>
void cross_entropy_backward(const T* logits, const int32_t* target, const T* lse, const T* g, int64_t n,
                            int64_t c, int32_t ignore_index, T* glogits) {
  parallel_for(n, std::max<int64_t>(1, 16384 / std::max<int64_t>(c, 1)), [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T* out = glogits + i * c;
      int32_t t = target[i];
      if (t == ignore_index) {
        std::fill(out, out + c, T(0));
        continue;
      }
      const T* row = logits + i * c;
      T gi = g[i], l = lse[i];
      for (int64_t j = 0; j < c; ++j) out[j] = ce_grad_rule<HostMath>(row[j], l, gi, j == t);
    }
  });
}

#define RF_INST(T)                                                                                       \
  template void bce_logits_forward<T>(const T*, const T*, T*, int64_t, double);                          \
  template void bce_logits_backward<T>(const T*, const T*, const T*, T*, int64_t, double);               \
  template void cross_entropy_forward<T>(const T*, const int32_t*, int64_t, int64_t, int32_t, T*, T*);   \
  template void cross_entropy_backward<T>(const T*, const int32_t*, const T*, const T*, int64_t, int64_t, \
                                          int32_t, T*);
RF_INST(float)
RF_INST(double)

}  // namespace recforge
