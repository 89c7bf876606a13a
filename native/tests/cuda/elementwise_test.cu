// CUDA elementwise kernels vs the CPU kernels on fresh random inputs: every unary op
// (forward + backward, in place too), every binary op over random broadcast / transposed
// layouts (float32, float64, int32), where, strided copies into strided destinations,
// every cast (NaN / inf / out-of-range included), fill and axpby. Sizes include 0, 1 and
// odd lengths; device outputs are NaN-poisoned before each kernel.
#include <algorithm>
#include <limits>

#include "cuda_test_util.h"
#include "recforge/elementwise.h"

using namespace recforge;
using namespace cudatest;
using rftest::Rng;

namespace {

const int64_t kSizes[] = {0, 1, 7, 33, 1000, 100003};

template <typename T>
void test_unary(Rng& rng) {
  for (int op = 0; op < (int)UnaryOp::Count; ++op) {
    double a = 0, b = 0;
    if (op == (int)UnaryOp::LeakyRelu) a = 0.1;
    if (op == (int)UnaryOp::Elu) a = 1.3;
    if (op == (int)UnaryOp::Clamp) a = -0.5, b = 0.7;
    if (op == (int)UnaryOp::PowScalar) a = (rng.uniform() < 0.5) ? 2.0 : 1.5;
    if (op == (int)UnaryOp::AddScalar) a = 0.25;
    if (op == (int)UnaryOp::MulScalar) a = -3.0;
    for (int64_t n : kSizes) {
      auto x = rftest::randn<T>(rng, n, 2.0);
      if (n > 3) x[1] = T(0), x[2] = -T(0);
      std::vector<T> y(n), gy = rftest::randn<T>(rng, n), gx(n);
      unary_forward<T>((UnaryOp)op, x.data(), y.data(), n, a, b);
      unary_backward<T>((UnaryOp)op, x.data(), y.data(), gy.data(), gx.data(), n, a, b);
      Dev<T> dx(x), dy(n), dgy(gy), dgx(n), dyref(y);
      dy.poison();
      dgx.poison();
      unary_forward_cuda<T>((UnaryOp)op, dx.p, dy.p, n, a, b, stream());
      unary_backward_cuda<T>((UnaryOp)op, dx.p, dyref.p, dgy.p, dgx.p, n, a, b, stream());
      char what[96];
      std::snprintf(what, sizeof what, "unary %d %s n=%lld", op, tname(T()), (long long)n);
      close(dy.get(), y, Tol<T>::atol, Tol<T>::rtol, what);
      std::snprintf(what, sizeof what, "unary backward %d %s n=%lld", op, tname(T()), (long long)n);
      close(dgx.get(), gx, Tol<T>::atol, Tol<T>::rtol, what);
      // In place: x and y alias.
      if (n == 1000) {
        unary_forward_cuda<T>((UnaryOp)op, dx.p, dx.p, n, a, b, stream());
        std::snprintf(what, sizeof what, "unary in place %d %s", op, tname(T()));
        close(dx.get(), y, Tol<T>::atol, Tol<T>::rtol, what);
      }
    }
  }
}

// A random operand layout over `shape`: broadcast dims (stride 0) and, sometimes, a
// transposed (non-contiguous) storage. Returns strides; `extent` is the storage length.
std::vector<int64_t> random_strides(Rng& rng, const std::vector<int64_t>& shape, int64_t* extent) {
  const int nd = (int)shape.size();
  std::vector<int64_t> st(nd, 0), perm(nd);
  for (int d = 0; d < nd; ++d) perm[d] = d;
  if (rng.uniform() < 0.4)
    for (int d = nd - 1; d > 0; --d) std::swap(perm[d], perm[rng.randint(0, d + 1)]);
  std::vector<bool> bcast(nd);
  for (int d = 0; d < nd; ++d) bcast[d] = rng.uniform() < 0.25;
  int64_t acc = 1;
  for (int q = nd - 1; q >= 0; --q) {
    const int d = (int)perm[q];
    if (bcast[d]) continue;
    st[d] = acc;
    acc *= shape[d];
  }
  int64_t ext = 1;
  for (int d = 0; d < nd; ++d) {
    if (shape[d] == 0) {
      ext = 0;
      break;
    }
    ext += (shape[d] - 1) * st[d];
  }
  *extent = ext;
  return st;
}

std::vector<int64_t> random_shape(Rng& rng) {
  static const int64_t dims[] = {1, 2, 3, 5, 17, 64};
  const int nd = (int)rng.randint(0, 5);
  std::vector<int64_t> s(nd);
  for (auto& v : s) v = dims[rng.randint(0, 6)];
  if (nd && rng.uniform() < 0.05) s[rng.randint(0, nd)] = 0;
  return s;
}

template <typename T>
std::vector<T> rand_vals(Rng& rng, int64_t n) {
  std::vector<T> v(n);
  for (auto& x : v) {
    if (std::is_integral<T>::value)
      x = (T)rng.randint(-5, 6);
    else
      x = (T)(rng.uniform() < 0.1 ? std::round(rng.normal()) : rng.normal() * 2);  // some exact ties
  }
  return v;
}

int64_t numel(const std::vector<int64_t>& s) {
  int64_t n = 1;
  for (auto v : s) n *= v;
  return n;
}

template <typename T>
void test_binary_where(Rng& rng) {
  for (int iter = 0; iter < 40; ++iter) {
    auto shape = random_shape(rng);
    const int nd = (int)shape.size();
    const int64_t n = numel(shape);
    int64_t ea, eb, ec;
    auto sa = random_strides(rng, shape, &ea), sb = random_strides(rng, shape, &eb),
         sc = random_strides(rng, shape, &ec);
    auto a = rand_vals<T>(rng, ea), b = rand_vals<T>(rng, eb), c = rand_vals<T>(rng, ec);
    for (auto& v : c) v = (v > T(0)) ? v : T(0);
    Dev<T> da(a), db(b), dc(c), dout(n);
    for (int op = 0; op < (int)BinaryOp::Count; ++op) {
      if (std::is_integral<T>::value && (op == (int)BinaryOp::Div || op == (int)BinaryOp::Pow)) continue;
      std::vector<T> want(n);
      binary_forward<T>((BinaryOp)op, nd, shape.data(), a.data(), sa.data(), b.data(), sb.data(), want.data());
      dout.poison();
      binary_forward_cuda<T>((BinaryOp)op, nd, shape.data(), da.p, sa.data(), db.p, sb.data(), dout.p, stream());
      char what[96];
      std::snprintf(what, sizeof what, "binary %d %s iter %d", op, tname(T()), iter);
      close(dout.get(), want, Tol<T>::atol, Tol<T>::rtol, what);
    }
    std::vector<T> want(n);
    where_forward<T>(nd, shape.data(), c.data(), sc.data(), a.data(), sa.data(), b.data(), sb.data(), want.data());
    dout.poison();
    where_forward_cuda<T>(nd, shape.data(), dc.p, sc.data(), da.p, sa.data(), db.p, sb.data(), dout.p, stream());
    same(dout.get(), want, "where");
  }
}

template <typename T>
void test_strided_copy(Rng& rng) {
  for (int iter = 0; iter < 30; ++iter) {
    auto shape = random_shape(rng);
    const int nd = (int)shape.size();
    int64_t es;
    auto ss = random_strides(rng, shape, &es);
    // Destination: a permuted (no broadcast) layout inside a larger, pre-filled buffer.
    std::vector<int64_t> perm(nd), sd(nd);
    for (int d = 0; d < nd; ++d) perm[d] = d;
    for (int d = nd - 1; d > 0; --d) std::swap(perm[d], perm[rng.randint(0, d + 1)]);
    int64_t acc = 1;
    for (int q = nd - 1; q >= 0; --q) {
      sd[perm[q]] = acc;
      acc *= shape[perm[q]] + (rng.uniform() < 0.3 ? 1 : 0);  // gaps between rows
    }
    const int64_t ed = acc + 3;
    auto src = rand_vals<T>(rng, es);
    auto dst = rand_vals<T>(rng, ed);
    Dev<T> dsrc(src), ddst(dst);
    strided_copy<T>(nd, shape.data(), src.data(), ss.data(), dst.data(), sd.data());
    strided_copy_cuda<T>(nd, shape.data(), dsrc.p, ss.data(), ddst.p, sd.data(), stream());
    same(ddst.get(), dst, "strided_copy");
  }
}

template <typename S, typename D>
void test_cast(Rng& rng) {
  for (int64_t n : kSizes) {
    std::vector<S> x(n);
    for (auto& v : x) v = (S)(rng.normal() * 1000);
    if constexpr (!std::is_integral<S>::value) {
     if (n >= 7) {
      x[0] = std::numeric_limits<S>::quiet_NaN();
      x[1] = std::numeric_limits<S>::infinity();
      x[2] = -std::numeric_limits<S>::infinity();
      x[3] = (S)3e9;
      x[4] = (S)-3e9;
      x[5] = (S)-2147483648.0;
      x[6] = (S)-0.7;
     }
    }
    std::vector<D> want(n);
    cast<S, D>(x.data(), want.data(), n);
    Dev<S> dx(x);
    Dev<D> dy(n);
    dy.poison();
    cast_cuda<S, D>(dx.p, dy.p, n, stream());
    char what[64];
    std::snprintf(what, sizeof what, "cast %s->%s n=%lld", tname(S()), tname(D()), (long long)n);
    same(dy.get(), want, what);
  }
}

template <typename T>
void test_fill_axpby(Rng&) {
  for (int64_t n : kSizes) {
    Dev<T> d(n);
    d.poison();
    fill_cuda<T>(d.p, n, (T)3, stream());
    same(d.get(), std::vector<T>(n, (T)3), "fill");
  }
}
template <typename T>
void test_axpby(Rng& rng) {
  for (int64_t n : kSizes) {
    auto x = rftest::randn<T>(rng, n), y = rftest::randn<T>(rng, n);
    std::vector<T> want(n);
    axpby<T>(x.data(), (T)0.3, y.data(), (T)-1.7, want.data(), n);
    Dev<T> dx(x), dy(y), dout(n);
    dout.poison();
    axpby_cuda<T>(dx.p, (T)0.3, dy.p, (T)-1.7, dout.p, n, stream());
    close(dout.get(), want, Tol<T>::atol, Tol<T>::rtol, "axpby");
    axpby_cuda<T>(dx.p, (T)0.3, dy.p, (T)-1.7, dy.p, n, stream());  // in place (gradient accumulation)
    close(dy.get(), want, Tol<T>::atol, Tol<T>::rtol, "axpby in place");
  }
}

}  // namespace

int main() {
  Rng rng(20240611);
  test_unary<float>(rng);
  test_unary<double>(rng);
  test_binary_where<float>(rng);
  test_binary_where<double>(rng);
  test_binary_where<int32_t>(rng);
  test_strided_copy<float>(rng);
  test_strided_copy<double>(rng);
  test_strided_copy<int32_t>(rng);
  test_cast<float, double>(rng);
  test_cast<double, float>(rng);
  test_cast<float, int32_t>(rng);
  test_cast<int32_t, float>(rng);
  test_cast<double, int32_t>(rng);
  test_cast<int32_t, double>(rng);
  test_fill_axpby<float>(rng);
  test_fill_axpby<double>(rng);
  test_fill_axpby<int32_t>(rng);
  test_axpby<float>(rng);
  test_axpby<double>(rng);
  return rftest::finish("elementwise_cuda");
}
