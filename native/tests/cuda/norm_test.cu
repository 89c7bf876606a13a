// CUDA LayerNorm / RMSNorm forward and backward vs the CPU kernels, with and without
// gamma / beta, warp and block paths, parameter gradients over many row chunks (and a
// deterministic rerun). Outputs NaN-poisoned first.
#include "cuda_test_util.h"
#include "recforge/norm.h"

using namespace recforge;
using namespace cudatest;
using rftest::Rng;

template <typename T>
void run(Rng& rng) {
  const int64_t shapes[][2] = {{1, 1}, {3, 7}, {65, 1024}, {5, 1025}, {2, 4097}, {40000, 3}, {0, 8}, {130, 33}};
  for (auto& sh : shapes) {
    const int64_t rows = sh[0], n = sh[1];
    for (int variant = 0; variant < 4; ++variant) {
      const bool rms = variant & 1, affine = variant & 2;
      auto x = rftest::randn<T>(rng, rows * n, 2.0);
      for (auto& v : x) v += (T)0.5;
      auto gamma = rftest::randn<T>(rng, n), beta = rftest::randn<T>(rng, n), gy = rftest::randn<T>(rng, rows * n);
      std::vector<T> y(rows * n), mean(rows), rstd(rows), gx(rows * n), gg(n), gb(n);
      const T* g = affine ? gamma.data() : nullptr;
      const T* b = affine ? beta.data() : nullptr;
      norm_forward<T>(rms, x.data(), g, b, y.data(), mean.data(), rstd.data(), rows, n, 1e-5);
      norm_backward<T>(rms, x.data(), g, mean.data(), rstd.data(), gy.data(), gx.data(), affine ? gg.data() : nullptr,
                       affine && !rms ? gb.data() : nullptr, rows, n);
      Dev<T> dx(x), dgamma(gamma), dbeta(beta), dy(rows * n), dmean(rows), drstd(rows), dgy(gy), dgx(rows * n), dgg(n),
          dgb(n), dmean_ref(mean), drstd_ref(rstd);
      dy.poison();
      dmean.poison();
      drstd.poison();
      dgx.poison();
      dgg.poison();
      dgb.poison();
      norm_forward_cuda<T>(rms, dx.p, affine ? dgamma.p : nullptr, affine ? dbeta.p : nullptr, dy.p, dmean.p, drstd.p,
                           rows, n, 1e-5, stream());
      Scratch ws(norm_backward_cuda_workspace_bytes(rows, n));
      norm_backward_cuda<T>(rms, dx.p, affine ? dgamma.p : nullptr, dmean_ref.p, drstd_ref.p, dgy.p, dgx.p,
                            affine ? dgg.p : nullptr, affine && !rms ? dgb.p : nullptr, rows, n, ws.p, stream());
      char what[96];
      std::snprintf(what, sizeof what, "norm rms=%d affine=%d %s [%lld,%lld]", (int)rms, (int)affine, tname(T()),
                    (long long)rows, (long long)n);
      close(dy.get(), y, Tol<T>::atol * 10, Tol<T>::rtol * 10, what);
      if (!rms) close(dmean.get(), mean, Tol<T>::atol, Tol<T>::rtol, what);
      close(drstd.get(), rstd, Tol<T>::atol, Tol<T>::rtol, what);
      close(dgx.get(), gx, Tol<T>::atol * 100, Tol<T>::rtol * 10, what);
      if (affine) {
        auto g1 = dgg.get();
        close(g1, gg, Tol<T>::atol * 100, Tol<T>::rtol * 10, what);
        if (!rms) close(dgb.get(), gb, Tol<T>::atol * 100, Tol<T>::rtol * 10, what);
        norm_backward_cuda<T>(rms, dx.p, dgamma.p, dmean_ref.p, drstd_ref.p, dgy.p, dgx.p, dgg.p,
                              !rms ? dgb.p : nullptr, rows, n, ws.p, stream());
        same(dgg.get(), g1, "norm ggamma rerun (deterministic)");
      }
    }
  }
}

int main() {
  Rng rng(5);
  run<float>(rng);
  run<double>(rng);
  return rftest::finish("norm_cuda");
}
