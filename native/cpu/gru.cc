// The fused GRU: the run-time dispatch to its instruction-set variants (gru_kernels.h compiled as
// gru_{baseline,avx2,avx512}.cc). See recforge/cpu_isa.h.
#include "recforge/gru.h"

#include "recforge/cpu_isa.h"

namespace recforge {
#define RECFORGE_DECLARE(NS)                                                                                       \
  namespace NS {                                                                                                   \
  template <typename T>                                                                                            \
  void gru_forward(const GruDims& d, const T* x, const int32_t* lengths, const T* h0, const GruWeights<T>& w,        \
                   T* out, T* h_n, T* reserve, T* workspace);                                                      \
  template <typename T>                                                                                            \
  void gru_backward(const GruDims& d, const T* x, const int32_t* lengths, const GruWeights<T>& w, const T* reserve, \
                    const T* dout, const T* dh_n, T* dx, T* dh0, const GruGrads<T>& g, T* workspace);              \
  }
RECFORGE_DECLARE(isa_baseline)
RECFORGE_DECLARE(isa_avx2)
RECFORGE_DECLARE(isa_avx512)
#undef RECFORGE_DECLARE

template <typename T>
void gru_forward(const GruDims& d, const T* x, const int32_t* lengths, const T* h0, const GruWeights<T>& w, T* out,
                 T* h_n, T* reserve, T* workspace) {
  switch (cpu_isa()) {
    case CpuIsa::Avx512:
      return isa_avx512::gru_forward<T>(d, x, lengths, h0, w, out, h_n, reserve, workspace);
    case CpuIsa::Avx2:
      return isa_avx2::gru_forward<T>(d, x, lengths, h0, w, out, h_n, reserve, workspace);
    default:
      return isa_baseline::gru_forward<T>(d, x, lengths, h0, w, out, h_n, reserve, workspace);
  }
}

template <typename T>
void gru_backward(const GruDims& d, const T* x, const int32_t* lengths, const GruWeights<T>& w, const T* reserve,
                  const T* dout, const T* dh_n, T* dx, T* dh0, const GruGrads<T>& g, T* workspace) {
  switch (cpu_isa()) {
    case CpuIsa::Avx512:
      return isa_avx512::gru_backward<T>(d, x, lengths, w, reserve, dout, dh_n, dx, dh0, g, workspace);
    case CpuIsa::Avx2:
      return isa_avx2::gru_backward<T>(d, x, lengths, w, reserve, dout, dh_n, dx, dh0, g, workspace);
    default:
      return isa_baseline::gru_backward<T>(d, x, lengths, w, reserve, dout, dh_n, dx, dh0, g, workspace);
  }
}

template void gru_forward<float>(const GruDims&, const float*, const int32_t*, const float*, const GruWeights<float>&,
                                 float*, float*, float*, float*);
template void gru_forward<double>(const GruDims&, const double*, const int32_t*, const double*,
                                  const GruWeights<double>&, double*, double*, double*, double*);
template void gru_backward<float>(const GruDims&, const float*, const int32_t*, const GruWeights<float>&, const float*,
                                  const float*, const float*, float*, float*, const GruGrads<float>&, float*);
template void gru_backward<double>(const GruDims&, const double*, const int32_t*, const GruWeights<double>&,
                                   const double*, const double*, const double*, double*, double*,
                                   const GruGrads<double>&, double*);

}  // namespace recforge
