// LayerNorm / RMSNorm: the run-time dispatch to their instruction-set variants (norm_kernels.h compiled
// as norm_{baseline,avx2,avx512}.cc). See recforge/cpu_isa.h.
#include "recforge/norm.h"

#include "recforge/cpu_isa.h"

namespace recforge {
#define RECFORGE_DECLARE(NS)                                                                                \
  namespace NS {                                                                                            \
  template <typename T>                                                                                     \
  void norm_forward(bool rms, const T* x, const T* gamma, const T* beta, T* y, T* mean, T* rstd, int64_t rows, \
                    int64_t n, double eps);                                                                 \
  template <typename T>                                                                                     \
  void norm_backward(bool rms, const T* x, const T* gamma, const T* mean, const T* rstd, const T* gy, T* gx,  \
                     T* ggamma, T* gbeta, int64_t rows, int64_t n);                                         \
  }
RECFORGE_DECLARE(isa_baseline)
RECFORGE_DECLARE(isa_avx2)
RECFORGE_DECLARE(isa_avx512)
#undef RECFORGE_DECLARE

template <typename T>
void norm_forward(bool rms, const T* x, const T* gamma, const T* beta, T* y, T* mean, T* rstd, int64_t rows,
                  int64_t n, double eps) {
  switch (cpu_isa()) {
    case CpuIsa::Avx512:
      return isa_avx512::norm_forward<T>(rms, x, gamma, beta, y, mean, rstd, rows, n, eps);
    case CpuIsa::Avx2:
      return isa_avx2::norm_forward<T>(rms, x, gamma, beta, y, mean, rstd, rows, n, eps);
    default:
      return isa_baseline::norm_forward<T>(rms, x, gamma, beta, y, mean, rstd, rows, n, eps);
  }
}

template <typename T>
void norm_backward(bool rms, const T* x, const T* gamma, const T* mean, const T* rstd, const T* gy, T* gx,
                   T* ggamma, T* gbeta, int64_t rows, int64_t n) {
  switch (cpu_isa()) {
    case CpuIsa::Avx512:
      return isa_avx512::norm_backward<T>(rms, x, gamma, mean, rstd, gy, gx, ggamma, gbeta, rows, n);
    case CpuIsa::Avx2:
      return isa_avx2::norm_backward<T>(rms, x, gamma, mean, rstd, gy, gx, ggamma, gbeta, rows, n);
    default:
      return isa_baseline::norm_backward<T>(rms, x, gamma, mean, rstd, gy, gx, ggamma, gbeta, rows, n);
  }
}

template void norm_forward<float>(bool, const float*, const float*, const float*, float*, float*, float*, int64_t,
                                  int64_t, double);
template void norm_forward<double>(bool, const double*, const double*, const double*, double*, double*, double*,
                                   int64_t, int64_t, double);
template void norm_backward<float>(bool, const float*, const float*, const float*, const float*, const float*,
                                   float*, float*, float*, int64_t, int64_t);
template void norm_backward<double>(bool, const double*, const double*, const double*, const double*,
                                    const double*, double*, double*, double*, int64_t, int64_t);

}  // namespace recforge
