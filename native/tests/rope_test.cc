// RoPE kernels against a naive double-precision reference of HF LLaMA's rotate-half rotation:
// tables, forward in both layouts ([H, L, D] and [L, H, D] in, either out), the inverse
// (backward) as the exact inverse of the forward, odd and zero sizes, outputs poisoned with NaN.
#include <cmath>
#include <cstdio>
#include <vector>

#include "recforge/parallel.h"
#include "recforge/rope.h"
#include "test_util.h"

using namespace rftest;
using namespace recforge;

namespace {

// y = rotate(x) for rows laid out [H, L, D] (reference layout), in double.
std::vector<double> reference(int64_t H, int64_t L, int64_t D, const std::vector<double>& x, const std::vector<int32_t>& pos,
                              double base, bool inverse) {
  std::vector<double> y(x.size());
  const int64_t half = D / 2;
  for (int64_t h = 0; h < H; ++h)
    for (int64_t l = 0; l < L; ++l)
      for (int64_t i = 0; i < half; ++i) {
        const double theta = 1.0 / std::pow(base, (2.0 * i) / D);
        const double a = (inverse ? -1.0 : 1.0) * pos[l] * theta;
        const double x1 = x[(h * L + l) * D + i], x2 = x[(h * L + l) * D + i + half];
        // HF: q * cos + rotate_half(q) * sin, rotate_half(q) = cat(-q2, q1)
        y[(h * L + l) * D + i] = x1 * std::cos(a) + (-x2) * std::sin(a);
        y[(h * L + l) * D + i + half] = x2 * std::cos(a) + x1 * std::sin(a);
      }
  return y;
}

template <typename T>
void run(int64_t H, int64_t L, int64_t D, double base, bool in_lhd, bool out_lhd, Rng& rng) {
  const int64_t half = D / 2, n = H * L * D;
  std::vector<int32_t> pos(L);
  // wide positions (one table row per token) or a narrow range (rows shared: the dedup path)
  const bool narrow = rng.uniform() < 0.5;
  for (auto& p : pos) p = narrow ? (int32_t)rng.randint(7, 7 + std::max<int64_t>(1, L / 4)) : (int32_t)rng.randint(-5, 3000);
  const std::vector<double> xd = randn<double>(rng, n);
  std::vector<T> ct(L * half), st(L * half);
  poison(ct);
  poison(st);
  rope_tables<T>(L, D, pos.data(), base, ct.data(), st.data());
  {
    std::vector<double> cref(L * half), sref(L * half);
    for (int64_t l = 0; l < L; ++l)
      for (int64_t i = 0; i < half; ++i) {
        const double a = pos[l] / std::pow(base, (2.0 * i) / D);
        cref[l * half + i] = std::cos(a);
        sref[l * half + i] = std::sin(a);
      }
    const double tol = sizeof(T) == 4 ? 1e-6 : 1e-12;
    allclose(ct, cref, tol, 0, "cos table");
    allclose(st, sref, tol, 0, "sin table");
  }
  // Strides of [H, L, D] or [L, H, D] storage, addressed as rows (h, l).
  auto sh = [&](bool lhd) { return lhd ? D : L * D; };
  auto sl = [&](bool lhd) { return lhd ? H * D : D; };
  auto to_layout = [&](const std::vector<double>& hld, bool lhd) {
    std::vector<T> o(n);
    for (int64_t h = 0; h < H; ++h)
      for (int64_t l = 0; l < L; ++l)
        for (int64_t d = 0; d < D; ++d) o[h * sh(lhd) + l * sl(lhd) + d] = (T)hld[(h * L + l) * D + d];
    return o;
  };
  auto from_layout = [&](const std::vector<T>& v, bool lhd) {
    std::vector<double> o(n);
    for (int64_t h = 0; h < H; ++h)
      for (int64_t l = 0; l < L; ++l)
        for (int64_t d = 0; d < D; ++d) o[(h * L + l) * D + d] = (double)v[h * sh(lhd) + l * sl(lhd) + d];
    return o;
  };
  const std::vector<T> x = to_layout(xd, in_lhd);
  std::vector<T> y(n), back(n);
  poison(y);
  poison(back);
  rope_apply<T>(H, L, D, x.data(), sh(in_lhd), sl(in_lhd), ct.data(), st.data(), false, y.data(), sh(out_lhd), sl(out_lhd));
  const double tol = sizeof(T) == 4 ? 2e-5 : 1e-11;
  char what[128];
  std::snprintf(what, sizeof what, "forward H=%lld L=%lld D=%lld in=%s out=%s %s", (long long)H, (long long)L, (long long)D,
                in_lhd ? "LHD" : "HLD", out_lhd ? "LHD" : "HLD", sizeof(T) == 4 ? "f32" : "f64");
  allclose(from_layout(y, out_lhd), reference(H, L, D, xd, pos, base, false), tol, tol, what);
  // inverse: the reference rotation by -angle, and it undoes the forward
  rope_apply<T>(H, L, D, y.data(), sh(out_lhd), sl(out_lhd), ct.data(), st.data(), true, back.data(), sh(in_lhd), sl(in_lhd));
  std::snprintf(what, sizeof what, "inverse(forward) H=%lld L=%lld D=%lld", (long long)H, (long long)L, (long long)D);
  allclose(from_layout(back, in_lhd), xd, tol, tol, what);
  std::vector<T> inv(n);
  poison(inv);
  rope_apply<T>(H, L, D, x.data(), sh(in_lhd), sl(in_lhd), ct.data(), st.data(), true, inv.data(), sh(in_lhd), sl(in_lhd));
  std::snprintf(what, sizeof what, "inverse H=%lld L=%lld D=%lld", (long long)H, (long long)L, (long long)D);
  allclose(from_layout(inv, in_lhd), reference(H, L, D, xd, pos, base, true), tol, tol, what);
}

}  // namespace

int main() {
  Rng rng(11);
  const int threads[] = {1, 3};
  for (int t : threads) {
    set_num_threads(t);
    const int64_t shapes[][3] = {{1, 1, 2}, {3, 7, 6}, {4, 33, 32}, {2, 129, 64}, {1, 300, 16}, {5, 1, 10}, {1, 9, 2}, {0, 5, 4}, {3, 0, 4}, {2, 3, 0}};
    for (auto& s : shapes)
      for (int lin = 0; lin < 2; ++lin)
        for (int lout = 0; lout < 2; ++lout) {
          run<double>(s[0], s[1], s[2], 10000.0, lin, lout, rng);
          run<float>(s[0], s[1], s[2], 500000.0, lin, lout, rng);
        }
  }
  return finish("rope");
}
