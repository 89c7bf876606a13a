// softmax / log-softmax over rows (semantics: recforge/softmax.h), compiled once per instruction set
// (recforge/cpu_isa.h): softmax_{baseline,avx2,avx512}.cc include this after their includes (the AVX
// ones after `#pragma GCC target`), RECFORGE_ISA names the variant's namespace and softmax.cc
// dispatches on cpu_isa(). Why variants: the row's exp loop is compute-bound, and the baseline
// x86-64 build runs it on 4 SSE2 lanes; single thread, 256 x 1024 floats, forward: baseline 0.70 ms
// vs 0.23 ms for the whole file built with -march=native (AVX-512), backward 1.4x (issue 16 item 2).
#if !defined(RECFORGE_ISA)
#error "define RECFORGE_ISA before including softmax_kernels.h"
#endif

namespace recforge {
namespace RECFORGE_ISA {

// The per-element formulas are recforge/softmax_rule.h's (shared with the CUDA kernels); the row
// reductions (row_max, row_sum, row_sum_d, row_dot_d: 8-lane, vectorised) stay here.
template <typename T>
void softmax_forward(const T* x, T* y, int64_t rows, int64_t n, bool log) {
  parallel_for(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* xr = x + r * n;
      T* yr = y + r * n;
      T m = row_max(xr, n, -std::numeric_limits<T>::infinity());
      m = softmax_shift_rule(m);  // all -inf row: avoid inf - inf
      // exp into the output first (vectorised), then a vectorised sum.
      for (int64_t i = 0; i < n; ++i) yr[i] = softmax_exp_rule<HostMath>(xr[i], m);
      T s = row_sum(yr, n);
      if (log) {
        T lse = softmax_lse_rule<HostMath>(m, s);
        for (int64_t i = 0; i < n; ++i) yr[i] = log_softmax_value_rule(xr[i], lse);
      } else {
        T inv = softmax_inv_rule(s);
        for (int64_t i = 0; i < n; ++i) yr[i] = softmax_value_rule(yr[i], inv);
      }
    }
  });
}

template <typename T>
void softmax_backward(const T* y, const T* gy, T* gx, int64_t rows, int64_t n, bool log) {
  parallel_for(rows, std::max<int64_t>(1, 16384 / std::max<int64_t>(n, 1)), [&](int64_t b, int64_t e) {
    for (int64_t r = b; r < e; ++r) {
      const T* yr = y + r * n;
      const T* gr = gy + r * n;
      T* out = gx + r * n;
      if (log) {
        T s = (T)row_sum_d(gr, n);
        for (int64_t i = 0; i < n; ++i) out[i] = log_softmax_grad_rule<HostMath>(yr[i], gr[i], s);
      } else {
        T s = (T)row_dot_d(gr, yr, n);
        for (int64_t i = 0; i < n; ++i) out[i] = softmax_grad_rule(yr[i], gr[i], s);
      }
    }
  });
}

#define RECFORGE_INSTANTIATE(T)                                                \
  template void softmax_forward<T>(const T*, T*, int64_t, int64_t, bool);     \
  template void softmax_backward<T>(const T*, const T*, T*, int64_t, int64_t, bool);
RECFORGE_INSTANTIATE(float)
RECFORGE_INSTANTIATE(double)
#undef RECFORGE_INSTANTIATE

}  // namespace RECFORGE_ISA
}  // namespace recforge
