// CUDA softmax / log-softmax forward and backward vs the CPU kernels: warp (n <= 1024) and
// block paths, n = 1, all -inf rows, a NaN row, rows = 0. Outputs NaN-poisoned first.
#include <limits>

#include "cuda_test_util.h"
#include "recforge/softmax.h"

using namespace recforge;
using namespace cudatest;
using rftest::Rng;

template <typename T>
void run(Rng& rng) {
  const int64_t shapes[][2] = {{0, 5}, {1, 1}, {3, 7}, {33, 1024}, {5, 1025}, {2, 5000}, {300, 10}, {1, 70001}};
  for (auto& sh : shapes) {
    const int64_t rows = sh[0], n = sh[1];
    auto x = rftest::randn<T>(rng, rows * n, 3.0);
    if (rows >= 3 && n >= 2) {
      for (int64_t j = 0; j < n; ++j) x[1 * n + j] = -std::numeric_limits<T>::infinity();
      x[2 * n + n / 2] = std::numeric_limits<T>::quiet_NaN();
    }
    auto gy = rftest::randn<T>(rng, rows * n);
    for (bool log : {false, true}) {
      std::vector<T> y(rows * n), gx(rows * n);
      softmax_forward<T>(x.data(), y.data(), rows, n, log);
      softmax_backward<T>(y.data(), gy.data(), gx.data(), rows, n, log);
      Dev<T> dx(x), dy(rows * n), dyref(y), dgy(gy), dgx(rows * n);
      dy.poison();
      dgx.poison();
      softmax_forward_cuda<T>(dx.p, dy.p, rows, n, log, stream());
      softmax_backward_cuda<T>(dyref.p, dgy.p, dgx.p, rows, n, log, stream());
      char what[96];
      std::snprintf(what, sizeof what, "softmax log=%d %s [%lld,%lld]", (int)log, tname(T()), (long long)rows,
                    (long long)n);
      close(dy.get(), y, Tol<T>::atol, Tol<T>::rtol, what);
      std::snprintf(what, sizeof what, "softmax backward log=%d %s [%lld,%lld]", (int)log, tname(T()), (long long)rows,
                    (long long)n);
      close(dgx.get(), gx, Tol<T>::atol * 10, Tol<T>::rtol * 10, what);
    }
  }
}

int main() {
  Rng rng(11);
  run<float>(rng);
  run<double>(rng);
  return rftest::finish("softmax_cuda");
}
