// The CPU's fused optimiser updates: the per-element math is recforge/optim_rule.h, shared with the
// CUDA kernels (native/cuda/optim.cu).
#include "recforge/optim.h"

#include "recforge/optim_rule.h"
#include "recforge/parallel.h"

namespace recforge {

template <typename T>
void sgd_step(T* p, const T* g, T* buf, int64_t n, double lr, double momentum, double dampening,
              double weight_decay, bool nesterov, bool first_step) {
  const SgdRule<T> r = sgd_rule<T>(lr, momentum, dampening, weight_decay, nesterov, first_step);
  parallel_for(n, 1 << 15, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) sgd_update(r, p[i], g[i], buf ? buf + i : nullptr);
  });
}

template <typename T>
void adam_step(T* p, const T* g, T* m, T* v, int64_t n, double lr, double beta1, double beta2, double eps,
               double weight_decay, bool decoupled, int64_t step) {
  const AdamRule<T> r = adam_rule<T>(lr, beta1, beta2, eps, weight_decay, decoupled, step);
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) adam_update(r, p[i], g[i], m[i], v[i]);
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
