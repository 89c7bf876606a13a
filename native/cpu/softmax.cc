// softmax: the run-time dispatch to its instruction-set variants (softmax_kernels.h compiled as
// softmax_{baseline,avx2,avx512}.cc). See recforge/cpu_isa.h.
#include "recforge/softmax.h"

#include "recforge/cpu_isa.h"

namespace recforge {
#define RECFORGE_DECLARE(NS)                                                                    \
  namespace NS {                                                                                \
  template <typename T>                                                                         \
  void softmax_forward(const T* x, T* y, int64_t rows, int64_t n, bool log);                    \
  template <typename T>                                                                         \
  void softmax_backward(const T* y, const T* gy, T* gx, int64_t rows, int64_t n, bool log);     \
  }
RECFORGE_DECLARE(isa_baseline)
RECFORGE_DECLARE(isa_avx2)
RECFORGE_DECLARE(isa_avx512)
#undef RECFORGE_DECLARE

template <typename T>
void softmax_forward(const T* x, T* y, int64_t rows, int64_t n, bool log) {
  switch (cpu_isa()) {
    case CpuIsa::Avx512:
      return isa_avx512::softmax_forward<T>(x, y, rows, n, log);
    case CpuIsa::Avx2:
      return isa_avx2::softmax_forward<T>(x, y, rows, n, log);
    default:
      return isa_baseline::softmax_forward<T>(x, y, rows, n, log);
  }
}

template <typename T>
void softmax_backward(const T* y, const T* gy, T* gx, int64_t rows, int64_t n, bool log) {
  switch (cpu_isa()) {
    case CpuIsa::Avx512:
      return isa_avx512::softmax_backward<T>(y, gy, gx, rows, n, log);
    case CpuIsa::Avx2:
      return isa_avx2::softmax_backward<T>(y, gy, gx, rows, n, log);
    default:
      return isa_baseline::softmax_backward<T>(y, gy, gx, rows, n, log);
  }
}

template void softmax_forward<float>(const float*, float*, int64_t, int64_t, bool);
template void softmax_forward<double>(const double*, double*, int64_t, int64_t, bool);
template void softmax_backward<float>(const float*, const float*, float*, int64_t, int64_t, bool);
template void softmax_backward<double>(const double*, const double*, double*, int64_t, int64_t, bool);

}  // namespace recforge
