// CUDA row sorts and top-k vs the CPU kernels (float32, float64, int32): ascending and
// descending, many ties (order by index), NaN and +-0 and +-inf, one row (plain sort) and
// many rows (segmented), k in {1, n/2, n}, n = 1. Bit-identical values and indices.
#include <limits>

#include "cuda_test_util.h"
#include "recforge/sort.h"

using namespace recforge;
using namespace cudatest;
using rftest::Rng;

template <typename T>
std::vector<T> values(Rng& rng, int64_t n) {
  std::vector<T> v(n);
  for (auto& x : v) {
    if (std::is_integral<T>::value) {
      x = (T)rng.randint(-20, 20);
    } else {
      const double u = rng.uniform();
      if (u < 0.05) x = std::numeric_limits<T>::quiet_NaN();
      else if (u < 0.08) x = (T)(rng.uniform() < 0.5 ? 0.0 : -0.0);
      else if (u < 0.1) x = (rng.uniform() < 0.5 ? 1 : -1) * std::numeric_limits<T>::infinity();
      else if (u < 0.4) x = (T)rng.randint(-3, 4);  // ties
      else x = (T)rng.normal();
    }
  }
  return v;
}

template <typename T>
void run(Rng& rng) {
  const int64_t shapes[][2] = {{1, 1}, {1, 100003}, {3, 1}, {7, 33}, {1000, 17}, {5, 4099}, {0, 5}, {4, 0}};
  for (auto& sh : shapes) {
    const int64_t rows = sh[0], n = sh[1];
    auto x = values<T>(rng, rows * n);
    Dev<T> dx(x);
    Scratch ws(sort_rows_cuda_workspace_bytes(rows, n));
    for (bool desc : {false, true}) {
      std::vector<T> v(rows * n);
      std::vector<int32_t> idx(rows * n);
      sort_rows<T>(x.data(), rows, n, desc, v.data(), idx.data());
      Dev<T> dv(rows * n);
      Dev<int32_t> di(rows * n);
      dv.poison();
      di.poison();
      sort_rows_cuda<T>(dx.p, rows, n, desc, dv.p, di.p, ws.p, stream());
      char what[80];
      std::snprintf(what, sizeof what, "sort %s desc=%d [%lld,%lld]", tname(T()), (int)desc, (long long)rows,
                    (long long)n);
      same(dv.get(), v, what);
      same(di.get(), idx, what);
      for (int64_t k : {int64_t(1), n / 2, n}) {
        if (k < 1 || k > n) continue;
        std::vector<T> tv(rows * k);
        std::vector<int32_t> ti(rows * k);
        topk_rows<T>(x.data(), rows, n, k, desc, tv.data(), ti.data());
        Dev<T> dtv(rows * k);
        Dev<int32_t> dti(rows * k);
        dtv.poison();
        dti.poison();
        topk_rows_cuda<T>(dx.p, rows, n, k, desc, dtv.p, dti.p, ws.p, stream());
        std::snprintf(what, sizeof what, "topk %s largest=%d k=%lld [%lld,%lld]", tname(T()), (int)desc, (long long)k,
                      (long long)rows, (long long)n);
        same(dtv.get(), tv, what);
        same(dti.get(), ti, what);
      }
    }
  }
}

int main() {
  Rng rng(17);
  run<float>(rng);
  run<double>(rng);
  run<int32_t>(rng);
  return rftest::finish("sort_cuda");
}
