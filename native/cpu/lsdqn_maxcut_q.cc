// LS-DQN's fused Max-Cut Q forward: the run-time dispatch to its instruction-set variants
// (lsdqn_maxcut_q_kernels.h compiled as lsdqn_maxcut_q_{baseline,avx2,avx512}.cc). See recforge/cpu_isa.h.
#include "recforge/lsdqn_maxcut_q.h"

#include "recforge/cpu_isa.h"

namespace recforge {
#define RECFORGE_DECLARE(NS)                                                                                 \
  namespace NS {                                                                                             \
  template <typename T>                                                                                      \
  void lsdqn_maxcut_q(const MaxCutQNetParams<T>& p, const MaxCutQGraph& g, int64_t R, const int32_t* spins, T* q, \
                      T* stop, const MaxCutQCache<T>* cache);                                                \
  }
RECFORGE_DECLARE(isa_baseline)
RECFORGE_DECLARE(isa_avx2)
RECFORGE_DECLARE(isa_avx512)
#undef RECFORGE_DECLARE

template <typename T>
void lsdqn_maxcut_q(const MaxCutQNetParams<T>& p, const MaxCutQGraph& g, int64_t R, const int32_t* spins, T* q, T* stop,
                    const MaxCutQCache<T>* cache) {
  switch (cpu_isa()) {
    case CpuIsa::Avx512:
      return isa_avx512::lsdqn_maxcut_q<T>(p, g, R, spins, q, stop, cache);
    case CpuIsa::Avx2:
      return isa_avx2::lsdqn_maxcut_q<T>(p, g, R, spins, q, stop, cache);
    default:
      return isa_baseline::lsdqn_maxcut_q<T>(p, g, R, spins, q, stop, cache);
  }
}

template void lsdqn_maxcut_q<float>(const MaxCutQNetParams<float>&, const MaxCutQGraph&, int64_t, const int32_t*,
                                    float*, float*, const MaxCutQCache<float>*);
template void lsdqn_maxcut_q<double>(const MaxCutQNetParams<double>&, const MaxCutQGraph&, int64_t, const int32_t*,
                                     double*, double*, const MaxCutQCache<double>*);

}  // namespace recforge
