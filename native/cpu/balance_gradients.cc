// balanceGradients on the CPU: the run-time dispatch to the kernel's instruction-set variants
// (balance_gradients_kernels.h compiled as balance_gradients_{baseline,avx2,avx512}.cc; see
// recforge/cpu_isa.h). Semantics, edge cases and determinism rules: recforge/balance_gradients.h.
#include "recforge/balance_gradients.h"

#include <cstddef>
#include <vector>

#include "recforge/cpu_isa.h"

namespace recforge {
#define RECFORGE_DECLARE(NS)                                                                                  \
  namespace NS {                                                                                              \
  template <typename E>                                                                                       \
  BalanceStatus balance_run(const E* const* rows, int64_t T, int64_t N, double* m, int32_t* initialized,       \
                            const BalanceParams& p, E* out, double* weights, double* norms);                  \
  }
RECFORGE_DECLARE(isa_baseline)
RECFORGE_DECLARE(isa_avx2)
RECFORGE_DECLARE(isa_avx512)
#undef RECFORGE_DECLARE

namespace {
template <typename E>
BalanceStatus run(const E* const* rows, int64_t T, int64_t N, double* m, int32_t* initialized, const BalanceParams& p,
                  E* out, double* weights, double* norms) {
  switch (cpu_isa()) {
    case CpuIsa::Avx512:
      return isa_avx512::balance_run<E>(rows, T, N, m, initialized, p, out, weights, norms);
    case CpuIsa::Avx2:
      return isa_avx2::balance_run<E>(rows, T, N, m, initialized, p, out, weights, norms);
    default:
      return isa_baseline::balance_run<E>(rows, T, N, m, initialized, p, out, weights, norms);
  }
}
}  // namespace

template <typename E>
BalanceStatus balance_gradients_rows(const E* const* rows, int64_t T, int64_t N, double* m, int32_t* initialized,
                                     const BalanceParams& p, E* out, double* weights, double* norms) {
  return run(rows, T, N, m, initialized, p, out, weights, norms);
}

template <typename E>
BalanceStatus balance_gradients(const E* G, int64_t T, int64_t N, double* m, int32_t* initialized,
                                const BalanceParams& p, E* out, double* weights, double* norms) {
  std::vector<const E*> rows((size_t)T);
  for (int64_t i = 0; i < T; ++i) rows[(size_t)i] = G + i * N;
  return run(rows.data(), T, N, m, initialized, p, out, weights, norms);
}

template BalanceStatus balance_gradients<float>(const float*, int64_t, int64_t, double*, int32_t*,
                                                const BalanceParams&, float*, double*, double*);
template BalanceStatus balance_gradients<double>(const double*, int64_t, int64_t, double*, int32_t*,
                                                 const BalanceParams&, double*, double*, double*);
template BalanceStatus balance_gradients_rows<float>(const float* const*, int64_t, int64_t, double*, int32_t*,
                                                     const BalanceParams&, float*, double*, double*);
template BalanceStatus balance_gradients_rows<double>(const double* const*, int64_t, int64_t, double*, int32_t*,
                                                      const BalanceParams&, double*, double*, double*);

}  // namespace recforge
