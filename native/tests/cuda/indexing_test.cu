// CUDA gathers / scatter-adds vs the CPU kernels (float32, float64, int32): many repeated
// indices (the deterministic run sums), tables of 1 row, d = 1, n = 0, and the device index
// check (first bad position, ignore value). Outputs NaN-poisoned (gathers) or pre-filled
// (scatter-adds accumulate).
#include "cuda_test_util.h"
#include "recforge/indexing.h"

using namespace recforge;
using namespace cudatest;
using rftest::Rng;

namespace {

template <typename T>
std::vector<T> vals(Rng& rng, int64_t n) {
  std::vector<T> v(n);
  for (auto& x : v) x = std::is_integral<T>::value ? (T)rng.randint(-100, 100) : (T)rng.normal();
  return v;
}

template <typename T>
void rows_case(Rng& rng, int64_t table_rows, int64_t n, int64_t d) {
  auto table = vals<T>(rng, table_rows * d), g = vals<T>(rng, n * d), tg = vals<T>(rng, table_rows * d);
  std::vector<int32_t> idx(n);
  for (auto& i : idx) i = (int32_t)rng.randint(0, table_rows);
  std::vector<T> out(n * d), tg_want = tg;
  gather_rows<T>(table.data(), idx.data(), n, d, out.data());
  scatter_add_rows<T>(g.data(), idx.data(), n, d, tg_want.data());
  Dev<T> dtable(table), dg(g), dtg(tg), dout(n * d);
  Dev<int32_t> didx(idx);
  dout.poison();
  gather_rows_cuda<T>(dtable.p, didx.p, n, d, dout.p, stream());
  same(dout.get(), out, "gather_rows");
  Scratch ws(scatter_add_rows_cuda_workspace_bytes(n, table_rows));
  scatter_add_rows_cuda<T>(dg.p, didx.p, n, d, table_rows, dtg.p, ws.p, stream());
  // Same order of additions as the CPU: bit-identical.
  char what[80];
  std::snprintf(what, sizeof what, "scatter_add_rows %s rows=%lld n=%lld d=%lld", tname(T()), (long long)table_rows,
                (long long)n, (long long)d);
  same(dtg.get(), tg_want, what);
}

template <typename T>
void axis_case(Rng& rng, int64_t outer, int64_t dim, int64_t k, int64_t inner) {
  auto x = vals<T>(rng, outer * dim * inner), src = vals<T>(rng, outer * k * inner), acc = vals<T>(rng, outer * dim * inner);
  std::vector<int32_t> idx(outer * k * inner);
  for (auto& i : idx) i = (int32_t)rng.randint(0, dim);
  std::vector<T> out(outer * k * inner), acc_want = acc;
  gather_axis<T>(x.data(), idx.data(), outer, dim, k, inner, out.data());
  scatter_add_axis<T>(src.data(), idx.data(), outer, dim, k, inner, acc_want.data());
  Dev<T> dx(x), dsrc(src), dacc(acc), dout(outer * k * inner);
  Dev<int32_t> didx(idx);
  dout.poison();
  gather_axis_cuda<T>(dx.p, didx.p, outer, dim, k, inner, dout.p, stream());
  same(dout.get(), out, "gather_axis");
  scatter_add_axis_cuda<T>(dsrc.p, didx.p, outer, dim, k, inner, dacc.p, stream());
  same(dacc.get(), acc_want, "scatter_add_axis");
}

template <typename T>
void run(Rng& rng) {
  rows_case<T>(rng, 1, 5, 3);
  rows_case<T>(rng, 7, 0, 4);
  rows_case<T>(rng, 10, 1000, 1);
  rows_case<T>(rng, 13, 5000, 33);       // heavy repetition
  rows_case<T>(rng, 100003, 20011, 16);  // sparse, wide key range
  rows_case<T>(rng, 3, 70000, 2);
  axis_case<T>(rng, 1, 1, 1, 1);
  axis_case<T>(rng, 3, 5, 7, 2);
  axis_case<T>(rng, 2, 9, 40, 1);
  axis_case<T>(rng, 4, 3, 1, 300);
  axis_case<T>(rng, 0, 3, 2, 5);
}

void test_index_check(Rng& rng) {
  for (int64_t n : {1, 17, 100000}) {
    std::vector<int32_t> idx(n);
    for (auto& i : idx) i = (int32_t)rng.randint(0, 50);
    Dev<int64_t> res(2);
    {
      Dev<int32_t> d(idx);
      find_bad_index_cuda(d.p, n, 50, false, 0, res.p, stream());
      same(res.get(), std::vector<int64_t>{-1, 0}, "index check: all valid");
    }
    const int64_t p1 = n / 2, p2 = n - 1;
    idx[p2] = -3;
    idx[p1] = 50;
    Dev<int32_t> d(idx);
    find_bad_index_cuda(d.p, n, 50, false, 0, res.p, stream());
    same(res.get(), std::vector<int64_t>{p1, idx[p1]}, "index check: first bad");
    idx[p1] = -100;
    d.put(idx);
    find_bad_index_cuda(d.p, n, 50, true, -100, res.p, stream());
    if (p1 != p2) same(res.get(), std::vector<int64_t>{p2, -3}, "index check: ignore value skipped");
  }
}

}  // namespace

int main() {
  Rng rng(3);
  run<float>(rng);
  run<double>(rng);
  run<int32_t>(rng);
  test_index_check(rng);
  return rftest::finish("indexing_cuda");
}
