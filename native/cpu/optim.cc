#include "recforge/optim.h"

#include <cmath>

#include "recforge/parallel.h"

namespace recforge {

template <typename T>
void sgd_step(T* p, const T* g, T* buf, int64_t n, double lr, double momentum, double dampening,
              double weight_decay, bool nesterov, bool first_step) {
  const T lr_ = (T)lr, mo = (T)momentum, damp = (T)(1 - dampening), wd = (T)weight_decay;
  parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T gi = g[i] + wd * p[i];
      if (buf) {
        T bi = first_step ? gi : mo * buf[i] + damp * gi;
        buf[i] = bi;
        gi = nesterov ? gi + mo * bi : bi;
      }
      p[i] -= lr_ * gi;
    }
  });
}

template <typename T>
void adam_step(T* p, const T* g, T* m, T* v, int64_t n, double lr, double beta1, double beta2, double eps,
               double weight_decay, bool decoupled, int64_t step) {
  const double bc1 = 1 - std::pow(beta1, (double)step), bc2 = 1 - std::pow(beta2, (double)step);
  const T b1 = (T)beta1, b2 = (T)beta2, e_ = (T)eps, wd = (T)weight_decay;
  const T step_size = (T)(lr / bc1), inv_sqrt_bc2 = (T)(1 / std::sqrt(bc2)), decay = (T)(1 - lr * weight_decay);
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) {
      T gi = g[i];
      T pi = p[i];
      if (decoupled)
        pi *= decay;
      else
        gi += wd * pi;
      T mi = b1 * m[i] + (T(1) - b1) * gi;
      T vi = b2 * v[i] + (T(1) - b2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      p[i] = pi - step_size * mi / (std::sqrt(vi) * inv_sqrt_bc2 + e_);
    }
  });
}

template <typename T>
void scale_inplace(T* x, int64_t n, double s) {
  const T s_ = (T)s;
  parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) x[i] *= s_;
  });
}

#define RF_INST(T)                                                                                          \
  template void sgd_step<T>(T*, const T*, T*, int64_t, double, double, double, double, bool, bool);         \
  template void adam_step<T>(T*, const T*, T*, T*, int64_t, double, double, double, double, double, bool,  \
                             int64_t);                                                                      \
  template void scale_inplace<T>(T*, int64_t, double);
RF_INST(float)
RF_INST(double)

}  // namespace recforge
