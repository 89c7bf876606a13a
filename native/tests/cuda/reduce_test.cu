// CUDA reductions vs the CPU kernels: sum / mean / max / min (with argmax / argmin) over
// contiguous rows (warp and block paths) and strided axes, NaN propagation and first-index
// ties, r = 0, and sum_squares over block boundaries. Outputs NaN-poisoned first.
#include <limits>

#include "cuda_test_util.h"
#include "recforge/reduce.h"

using namespace recforge;
using namespace cudatest;
using rftest::Rng;

namespace {

template <typename T>
void test_reduce(Rng& rng) {
  const int64_t shapes[][3] = {{1, 1, 1}, {3, 7, 1},  {5, 1000, 1}, {2, 5000, 1}, {7, 3, 5},  {2, 1025, 33},
                               {1, 1, 64}, {4, 0, 3}, {3, 0, 1},    {65, 17, 1},  {1, 300000, 1}, {3, 2, 70000}};
  for (auto& sh : shapes) {
    const int64_t outer = sh[0], r = sh[1], inner = sh[2];
    std::vector<T> x(outer * r * inner);
    for (auto& v : x) v = (T)(rng.uniform() < 0.2 ? std::round(rng.normal() * 2) : rng.normal());  // ties
    // A NaN in some slices (not all), at a random position.
    if (!x.empty() && rng.uniform() < 0.7) x[rng.randint(0, (int64_t)x.size())] = std::numeric_limits<T>::quiet_NaN();
    Dev<T> dx(x), dout(outer * inner);
    Dev<int32_t> didx(outer * inner);
    for (int op = 0; op < 4; ++op) {
      if (r == 0 && op >= 2) continue;  // the binding rejects max/min over an empty axis
      std::vector<T> want(outer * inner);
      std::vector<int32_t> widx(outer * inner);
      reduce_axis<T>((ReduceOp)op, x.data(), outer, r, inner, want.data(), op >= 2 ? widx.data() : nullptr);
      dout.poison();
      didx.poison();
      reduce_axis_cuda<T>((ReduceOp)op, dx.p, outer, r, inner, dout.p, op >= 2 ? didx.p : nullptr, stream());
      char what[96];
      std::snprintf(what, sizeof what, "reduce op %d %s [%lld,%lld,%lld]", op, tname(T()), (long long)outer,
                    (long long)r, (long long)inner);
      if (op >= 2) {
        same(dout.get(), want, what);
        same(didx.get(), widx, what);
      } else {
        close(dout.get(), want, Tol<T>::atol, sizeof(T) == 4 ? 1e-6 : 1e-13, what);
      }
    }
  }
}

template <typename T>
void test_sum_squares(Rng& rng) {
  for (int64_t n : {0, 1, 65535, 65536, 65537, 1000003}) {
    auto x = rftest::randn<T>(rng, n);
    const double want = sum_squares<T>(x.data(), n);
    Dev<T> dx(x);
    Dev<double> out(1);
    out.poison();
    Scratch ws(sum_squares_cuda_workspace_bytes(n));
    sum_squares_cuda<T>(dx.p, n, out.p, ws.p, stream());
    close(out.get(), std::vector<double>{want}, 1e-12, 1e-12, "sum_squares");
    // Deterministic: a rerun gives the same bits.
    const double first = out.get()[0];
    sum_squares_cuda<T>(dx.p, n, out.p, ws.p, stream());
    same(out.get(), std::vector<double>{first}, "sum_squares rerun");
  }
}

}  // namespace

int main() {
  Rng rng(7);
  test_reduce<float>(rng);
  test_reduce<double>(rng);
  test_sum_squares<float>(rng);
  test_sum_squares<double>(rng);
  return rftest::finish("reduce_cuda");
}
