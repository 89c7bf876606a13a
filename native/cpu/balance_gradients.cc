// CPU MultiBalance kernel: two memory-bound passes over the T gradient rows.
// Semantics, edge cases and determinism rules: recforge/balance_gradients.h.
#include "recforge/balance_gradients.h"

#include <algorithm>
#include <vector>

#include "recforge/balance_rule.h"
#include "recforge/parallel.h"

namespace recforge {
namespace {

// Sum of squares (double) of one block and whether it holds a NaN/Inf. A fixed lane
// pattern, independent of where the block runs, keeps the result bit-reproducible; the 8
// independent lanes let the compiler vectorise without reassociating anything.
template <typename E>
void block_sumsq(const E* x, int64_t n, double* sumsq, bool* nonfinite) {
  constexpr int L = 8;
  double acc[L] = {};
  E chk[L] = {};  // x - x is 0 for finite x and NaN for NaN/±Inf; NaN sticks in the sum
  int64_t i = 0;
  for (; i + L <= n; i += L) {
#pragma GCC unroll 8
    for (int k = 0; k < L; ++k) {
      const double v = (double)x[i + k];
      acc[k] += v * v;
      chk[k] += x[i + k] - x[i + k];
    }
  }
  const int rem = (int)(n - i);  // < L
  for (int k = 0; k < rem; ++k) {
    const double v = (double)x[i + k];
    acc[k] += v * v;
    chk[k] += x[i + k] - x[i + k];
  }
  *sumsq = ((acc[0] + acc[4]) + (acc[2] + acc[6])) + ((acc[1] + acc[5]) + (acc[3] + acc[7]));
  *nonfinite = ((chk[0] + chk[4]) + (chk[2] + chk[6])) + ((chk[1] + chk[5]) + (chk[3] + chk[7])) != 0;  // NaN != 0
}

// out[j0, j0+n) = Σ_i w_i rows[i][j0, ...), accumulated in double in task order. Elements
// go in register blocks of V: all T rows of a block are read before it is written (so out
// may be one of the rows), and the accumulators never leave registers.
constexpr int64_t kTile = 4096;  // elements per pass-2 work item

template <typename E>
void weighted_sum_tile(const E* const* rows, const double* w, int64_t T, int64_t j0, int64_t n, E* out) {
  constexpr int V = 16;
  const int64_t jend = j0 + n;
  int64_t j = j0;
  for (; j + V <= jend; j += V) {
    double a[V];
    const E* r0 = rows[0] + j;
    const double w0 = w[0];
#pragma GCC unroll 16
    for (int k = 0; k < V; ++k) a[k] = w0 * (double)r0[k];
    for (int64_t i = 1; i < T; ++i) {
      const E* r = rows[i] + j;
      const double wi = w[i];
#pragma GCC unroll 16
      for (int k = 0; k < V; ++k) a[k] += wi * (double)r[k];
    }
#pragma GCC unroll 16
    for (int k = 0; k < V; ++k) out[j + k] = (E)a[k];
  }
  for (; j < jend; ++j) {  // same arithmetic, one element at a time
    double a = w[0] * (double)rows[0][j];
    for (int64_t i = 1; i < T; ++i) a += w[i] * (double)rows[i][j];
    out[j] = (E)a;
  }
}

// Aim for ~64K elements per parallel chunk: enough work to amortise the pool wake-up.
constexpr int64_t kChunkElems = 65536;

template <typename E>
BalanceStatus run(const E* const* rows, int64_t T, int64_t N, double* m, int32_t* initialized, const BalanceParams& p,
                  E* out, double* weights, double* norms) {
  // ---- pass 1: per-block partials, then an in-order reduction per task ----
  const int64_t nb = (N + kBalanceNormBlock - 1) / kBalanceNormBlock;
  std::vector<double> part((size_t)(T * nb));
  std::vector<char> bad((size_t)(T * nb));
  const int64_t item_elems = std::max<int64_t>(1, std::min(N, kBalanceNormBlock));
  parallel_for(T * nb, std::max<int64_t>(1, kChunkElems / item_elems), [&](int64_t b0, int64_t b1) {
    for (int64_t it = b0; it < b1; ++it) {
      const int64_t i = it / nb, b = it % nb;
      const int64_t j0 = b * kBalanceNormBlock, len = std::min(kBalanceNormBlock, N - j0);
      bool nf;
      block_sumsq(rows[i] + j0, len, &part[(size_t)it], &nf);
      bad[(size_t)it] = nf;
    }
  });
  std::vector<double> sumsq((size_t)T, 0.0);
  std::vector<int32_t> nonfinite((size_t)T, 0);
  for (int64_t i = 0; i < T; ++i)
    for (int64_t b = 0; b < nb; ++b) {
      sumsq[(size_t)i] += part[(size_t)(i * nb + b)];
      nonfinite[(size_t)i] |= bad[(size_t)(i * nb + b)];
    }

  // ---- state, reference and weights (nothing written when rejected) ----
  BalanceStatus st = balance_apply_rule(T, sumsq.data(), nonfinite.data(), m, initialized, p, weights, norms);
  if (!st.ok() || N == 0) return st;

  // ---- pass 2: weighted sum ----
  const int64_t ntiles = (N + kTile - 1) / kTile;
  parallel_for(ntiles, std::max<int64_t>(1, kChunkElems / kTile), [&](int64_t t0, int64_t t1) {
    for (int64_t t = t0; t < t1; ++t) {
      const int64_t j0 = t * kTile;
      weighted_sum_tile(rows, weights, T, j0, std::min(kTile, N - j0), out);
    }
  });
  return st;
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
