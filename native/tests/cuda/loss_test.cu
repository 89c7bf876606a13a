// CUDA BCE-with-logits and cross-entropy (forward + backward) vs the CPU kernels: pos_weight
// 1 and 3, extreme logits, ignore_index rows, class counts on both sides of the warp/block
// switch. Outputs NaN-poisoned first.
#include "cuda_test_util.h"
#include "recforge/loss.h"

using namespace recforge;
using namespace cudatest;
using rftest::Rng;

template <typename T>
void run(Rng& rng) {
  for (int64_t n : {0, 1, 7, 100003}) {
    for (double pw : {1.0, 3.0}) {
      auto x = rftest::randn<T>(rng, n, 4.0), g = rftest::randn<T>(rng, n);
      if (n > 3) x[0] = (T)80, x[1] = (T)-80, x[2] = (T)0;
      std::vector<T> y(n);
      for (auto& v : y) v = (T)(rng.uniform() < 0.5 ? 1 : (rng.uniform() < 0.5 ? 0 : rng.uniform()));
      std::vector<T> loss(n), gx(n);
      bce_logits_forward<T>(x.data(), y.data(), loss.data(), n, pw);
      bce_logits_backward<T>(x.data(), y.data(), g.data(), gx.data(), n, pw);
      Dev<T> dx(x), dy(y), dg(g), dl(n), dgx(n);
      dl.poison();
      dgx.poison();
      bce_logits_forward_cuda<T>(dx.p, dy.p, dl.p, n, pw, stream());
      bce_logits_backward_cuda<T>(dx.p, dy.p, dg.p, dgx.p, n, pw, stream());
      close(dl.get(), loss, Tol<T>::atol, Tol<T>::rtol, "bce forward");
      close(dgx.get(), gx, Tol<T>::atol, Tol<T>::rtol, "bce backward");
    }
  }
  const int64_t shapes[][2] = {{0, 3}, {1, 1}, {9, 5}, {300, 1024}, {17, 1025}, {3, 50000}};
  for (auto& sh : shapes) {
    const int64_t n = sh[0], c = sh[1];
    auto x = rftest::randn<T>(rng, n * c, 3.0), g = rftest::randn<T>(rng, n);
    std::vector<int32_t> t(n);
    for (auto& v : t) v = rng.uniform() < 0.1 ? -100 : (int32_t)rng.randint(0, c);
    std::vector<T> loss(n), lse(n), gx(n * c);
    cross_entropy_forward<T>(x.data(), t.data(), n, c, -100, loss.data(), lse.data());
    cross_entropy_backward<T>(x.data(), t.data(), lse.data(), g.data(), n, c, -100, gx.data());
    Dev<T> dx(x), dg(g), dl(n), dlse(n), dlse_ref(lse), dgx(n * c);
    Dev<int32_t> dt(t);
    dl.poison();
    dlse.poison();
    dgx.poison();
    cross_entropy_forward_cuda<T>(dx.p, dt.p, n, c, -100, dl.p, dlse.p, stream());
    cross_entropy_backward_cuda<T>(dx.p, dt.p, dlse_ref.p, dg.p, n, c, -100, dgx.p, stream());
    char what[80];
    std::snprintf(what, sizeof what, "cross_entropy %s [%lld,%lld]", tname(T()), (long long)n, (long long)c);
    close(dl.get(), loss, Tol<T>::atol * 10, Tol<T>::rtol, what);
    close(dlse.get(), lse, Tol<T>::atol * 10, Tol<T>::rtol, what);
    close(dgx.get(), gx, Tol<T>::atol, Tol<T>::rtol, what);
  }
}

int main() {
  Rng rng(9);
  run<float>(rng);
  run<double>(rng);
  return rftest::finish("loss_cuda");
}
