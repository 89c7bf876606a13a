// CUDA SGD (plain, momentum, Nesterov, weight decay) and Adam / AdamW steps vs the CPU
// kernels over several steps with state kept on the device, Adagrad (plain; weight decay, lr
// decay, initial accumulator) the same way, and scale_inplace.
#include "cuda_test_util.h"
#include "recforge/optim.h"

using namespace recforge;
using namespace cudatest;
using rftest::Rng;

template <typename T>
void run(Rng& rng) {
  for (int64_t n : {0, 1, 1000, 100003}) {
    for (int variant = 0; variant < 4; ++variant) {
      const bool momentum = variant & 1, nesterov = variant == 3;
      auto p = rftest::randn<T>(rng, n);
      std::vector<T> buf(n, T(0));
      Dev<T> dp(p), dbuf(n);
      for (int step = 0; step < 3; ++step) {
        auto g = rftest::randn<T>(rng, n);
        Dev<T> dg(g);
        sgd_step<T>(p.data(), g.data(), momentum ? buf.data() : nullptr, n, 0.1, 0.9, 0.1, 0.01, nesterov, step == 0);
        sgd_step_cuda<T>(dp.p, dg.p, momentum ? dbuf.p : nullptr, n, 0.1, 0.9, 0.1, 0.01, nesterov, step == 0,
                         stream());
      }
      close(dp.get(), p, Tol<T>::atol, Tol<T>::rtol, "sgd param");
      if (momentum) close(dbuf.get(), buf, Tol<T>::atol, Tol<T>::rtol, "sgd momentum");
    }
    for (bool decoupled : {false, true}) {
      auto p = rftest::randn<T>(rng, n);
      std::vector<T> m(n, T(0)), v(n, T(0));
      Dev<T> dp(p), dm(m), dv(v);
      for (int step = 1; step <= 4; ++step) {
        auto g = rftest::randn<T>(rng, n);
        Dev<T> dg(g);
        adam_step<T>(p.data(), g.data(), m.data(), v.data(), n, 1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled, step);
        adam_step_cuda<T>(dp.p, dg.p, dm.p, dv.p, n, 1e-3, 0.9, 0.999, 1e-8, 0.01, decoupled, step, stream());
      }
      close(dp.get(), p, Tol<T>::atol, Tol<T>::rtol, "adam param");
      close(dm.get(), m, Tol<T>::atol, Tol<T>::rtol, "adam m");
      close(dv.get(), v, Tol<T>::atol, Tol<T>::rtol * 10, "adam v");
    }
    // Adagrad: plain, and weight decay + lr decay + an initial accumulator
    for (int variant = 0; variant < 2; ++variant) {
      const double wd = variant ? 0.02 : 0, lr_decay = variant ? 0.3 : 0, init = variant ? 0.1 : 0;
      auto p = rftest::randn<T>(rng, n);
      std::vector<T> sum(n, T(init));
      Dev<T> dp(p), dsum(sum);
      for (int step = 1; step <= 4; ++step) {
        auto g = rftest::randn<T>(rng, n);
        if (n > 3) g[3] = T(0);  // a zero gradient: sum stays at init, p moves only by decay
        Dev<T> dg(g);
        adagrad_step<T>(p.data(), g.data(), sum.data(), n, 0.05, lr_decay, 1e-10, wd, step);
        adagrad_step_cuda<T>(dp.p, dg.p, dsum.p, n, 0.05, lr_decay, 1e-10, wd, step, stream());
      }
      close(dp.get(), p, Tol<T>::atol, Tol<T>::rtol, "adagrad param");
      close(dsum.get(), sum, Tol<T>::atol, Tol<T>::rtol, "adagrad sum");
    }
    auto x = rftest::randn<T>(rng, n);
    Dev<T> dx(x);
    scale_inplace<T>(x.data(), n, 0.37);
    scale_inplace_cuda<T>(dx.p, n, 0.37, stream());
    same(dx.get(), x, "scale_inplace");
  }
}

int main() {
  Rng rng(13);
  run<float>(rng);
  run<double>(rng);
  return rftest::finish("optim_cuda");
}
