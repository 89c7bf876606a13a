// Adagrad on the CPU: one parallel pass over parameter, gradient and accumulator; the
// per-element rule is recforge/adagrad_rule.h (shared with the CUDA kernel).
#include "recforge/adagrad_rule.h"
#include "recforge/optim.h"
#include "recforge/parallel.h"

namespace recforge {

template <typename T>
void adagrad_step(T* p, const T* g, T* sum, int64_t n, double lr, double lr_decay, double eps, double weight_decay,
                  int64_t step) {
  const T clr = (T)adagrad_clr(lr, lr_decay, step), e = (T)eps, wd = (T)weight_decay;
  parallel_for(n, 1 << 14, [&](int64_t b, int64_t end) {
    for (int64_t i = b; i < end; ++i) adagrad_update<T>(p[i], g[i], sum[i], clr, e, wd);
  });
}

template void adagrad_step<float>(float*, const float*, float*, int64_t, double, double, double, double, int64_t);
template void adagrad_step<double>(double*, const double*, double*, int64_t, double, double, double, double,
                                   int64_t);

}  // namespace recforge
