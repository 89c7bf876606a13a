// CUDA RoPE vs the CPU kernels on fresh random inputs: odd and zero sizes, both layouts in and
// out, forward and inverse, float and double, device outputs poisoned with NaN before each call.
// Built by CMake when nvcc exists; run on a GPU machine. Prints "rope_cuda: ok".
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "cuda_test_util.h"
#include "recforge/rope.h"

using namespace recforge;
using rftest::Rng;
using cudatest::Dev;

namespace {

template <typename T>
void run(int64_t H, int64_t L, int64_t D, bool in_lhd, bool out_lhd, bool inverse, Rng& rng) {
  const int64_t half = D / 2, n = H * L * D;
  std::vector<int32_t> pos(L);
  for (auto& p : pos) p = (int32_t)rng.randint(-3, 5000);
  std::vector<T> x(n);
  for (auto& v : x) v = (T)rng.normal();
  const int64_t xsh = in_lhd ? D : L * D, xsl = in_lhd ? H * D : D;
  const int64_t ysh = out_lhd ? D : L * D, ysl = out_lhd ? H * D : D;
  std::vector<T> c(L * half), s(L * half), y(n);
  rope_tables<T>(L, D, pos.data(), 10000.0, c.data(), s.data());
  rope_apply<T>(H, L, D, x.data(), xsh, xsl, c.data(), s.data(), inverse, y.data(), ysh, ysl);

  Dev<int32_t> dpos(L);
  Dev<T> dx(n), dc(L * half), ds(L * half), dy(n);
  dpos.put(pos);
  dx.put(x);
  dc.poison();
  ds.poison();
  dy.poison();
  rope_tables_cuda<T>(L, D, dpos.p, 10000.0, dc.p, ds.p, nullptr);
  CUDA_OK(cudaGetLastError());
  const double tol = sizeof(T) == 4 ? 1e-6 : 1e-12;
  rftest::allclose(dc.get(), c, tol, 0, "cos table");
  rftest::allclose(ds.get(), s, tol, 0, "sin table");
  // apply on the CPU's tables, so the rotation itself is compared
  dc.put(c);
  ds.put(s);
  rope_apply_cuda<T>(H, L, D, dx.p, xsh, xsl, dc.p, ds.p, inverse, dy.p, ysh, ysl, nullptr);
  CUDA_OK(cudaGetLastError());
  CUDA_OK(cudaDeviceSynchronize());
  char what[128];
  std::snprintf(what, sizeof what, "apply H=%lld L=%lld D=%lld in=%d out=%d inv=%d", (long long)H, (long long)L, (long long)D,
                (int)in_lhd, (int)out_lhd, (int)inverse);
  rftest::allclose(dy.get(), y, sizeof(T) == 4 ? 1e-6 : 1e-14, sizeof(T) == 4 ? 1e-6 : 1e-14, what);
}

}  // namespace

int main() {
  Rng rng(3);
  const int64_t shapes[][3] = {{1, 1, 2}, {3, 7, 6}, {4, 257, 64}, {8, 1000, 128}, {2, 33, 10}, {0, 5, 4}, {3, 0, 4}, {2, 3, 0}};
  for (auto& sh : shapes)
    for (int lin = 0; lin < 2; ++lin)
      for (int lout = 0; lout < 2; ++lout)
        for (int inv = 0; inv < 2; ++inv) {
          run<float>(sh[0], sh[1], sh[2], lin, lout, inv, rng);
          run<double>(sh[0], sh[1], sh[2], lin, lout, inv, rng);
        }
  return rftest::finish("rope_cuda");
}
