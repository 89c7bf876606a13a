#include "recforge/elementwise.h"

#include <cmath>
#include <algorithm>
#include <cstring>
#include <vector>

#include "recforge/binary_rule.h"
#include "recforge/parallel.h"
#include "recforge/strided_layout.h"
#include "recforge/unary_rule.h"
#include "recforge/vmath.h"

namespace recforge {
namespace {

constexpr int64_t kGrain = 1 << 15;  // below ~32k elements threads cost more than they save

template <typename T, typename F>
void map_n(int64_t n, F f) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) f(i);
  });
}

using Layout = StridedLayout;
inline Layout coalesce(int ndim, const int64_t* shape, int nops, const int64_t* const* strides) {
  return coalesce_layout(ndim, shape, nops, strides);
}

template <typename F>
void for_rows(const Layout& L, int nops, F body) {
  // Work items are (row, chunk of the inner dim) so that one long contiguous row (the
  // common case after coalescing) is still split across threads.
  const int64_t inner = L.shape[L.nd - 1];
  int64_t rows = 1;
  for (int d = 0; d < L.nd - 1; ++d) rows *= L.shape[d];
  const int64_t chunk = inner > kGrain ? kGrain : std::max<int64_t>(inner, 1);
  const int64_t nch = (inner + chunk - 1) / chunk;
  const int64_t items = rows * nch;
  int64_t grain = std::max<int64_t>(1, kGrain / chunk);
  parallel_for(items, grain, [&](int64_t tb, int64_t te) {
    for (int64_t t = tb; t < te; ++t) {
      int64_t r = t / nch, c = t % nch;
      int64_t off[3] = {0, 0, 0};
      int64_t rem = r;
      for (int d = L.nd - 2; d >= 0; --d) {
        int64_t idx = rem % L.shape[d];
        rem /= L.shape[d];
        for (int o = 0; o < nops; ++o) off[o] += idx * L.st[o][d];
      }
      int64_t is[3] = {L.st[0][L.nd - 1], nops > 1 ? L.st[1][L.nd - 1] : 0, nops > 2 ? L.st[2][L.nd - 1] : 0};
      for (int o = 0; o < nops; ++o) off[o] += c * chunk * is[o];
      body(off, std::min(chunk, inner - c * chunk), is);
    }
  });
}

template <typename T, typename F>
inline void binary_loop(const T* a, int64_t sa, const T* b, int64_t sb, T* o, int64_t n, F f) {
  // Specialised stride patterns let the compiler vectorise the common cases.
  if (sa == 1 && sb == 1)
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], b[i]);
  else if (sa == 1 && sb == 0) {
    T bv = b[0];
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i], bv);
  } else if (sa == 0 && sb == 1) {
    T av = a[0];
    for (int64_t i = 0; i < n; ++i) o[i] = f(av, b[i]);
  } else
    for (int64_t i = 0; i < n; ++i) o[i] = f(a[i * sa], b[i * sb]);
}

}  // namespace

// The formulas are recforge/unary_rule.h's (shared with the CUDA kernels); the op is chosen once per
// call, so each loop is the bare formula and float loops vectorise (HostMath::fast_exp is vmath.h's
// vectorisable exp).
template <typename T>
void unary_forward(UnaryOp op, const T* x, T* y, int64_t n, double a_, double b_) {
  const T a = (T)a_, b = (T)b_;
  auto run = [&](auto f) {
    parallel_for(n, kGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) y[i] = f(x[i]);
    });
  };
  switch (op) {
#define RF_CASE(NAME) \
  case UnaryOp::NAME: return run([a, b](T v) { return unary_value<UnaryOp::NAME, HostMath>(v, a, b); });
    RECFORGE_UNARY_OPS(RF_CASE)
#undef RF_CASE
    default: return;
  }
}

template <typename T>
void unary_backward(UnaryOp op, const T* x, const T* y, const T* gy, T* gx, int64_t n, double a_, double b_) {
  const T a = (T)a_, b = (T)b_;
  auto run = [&](auto f) {
    parallel_for(n, kGrain, [&](int64_t s, int64_t e) {
      for (int64_t i = s; i < e; ++i) gx[i] = f(x[i], y[i], gy[i]);
    });
  };
  switch (op) {
#define RF_CASE(NAME) \
  case UnaryOp::NAME: return run([a, b](T u, T v, T g) { return unary_grad<UnaryOp::NAME, HostMath>(u, v, g, a, b); });
    RECFORGE_UNARY_OPS(RF_CASE)
#undef RF_CASE
    default: return;
  }
}

// The formulas are recforge/binary_rule.h's (shared with the CUDA kernel); as for the unary ops the op
// is chosen once per call and binary_loop's stride-specialised loops stay vectorisable.
template <typename T>
void binary_forward(BinaryOp op, int ndim, const int64_t* shape, const T* a, const int64_t* sa, const T* b,
                    const int64_t* sb, T* out) {
  int64_t so[kMaxDims];
  int64_t acc = 1;
  for (int d = ndim - 1; d >= 0; --d) {
    so[d] = acc;
    acc *= shape[d];
  }
  if (acc == 0) return;
  const int64_t* strides[3] = {sa, sb, so};
  Layout L = coalesce(ndim, shape, 3, strides);
  auto run = [&](auto f) {
    for_rows(L, 3, [&](const int64_t* off, int64_t n, const int64_t* is) {
      T* o = out + off[2];
      if (is[2] == 1) {
        binary_loop(a + off[0], is[0], b + off[1], is[1], o, n, f);
      } else {
        for (int64_t i = 0; i < n; ++i) o[i * is[2]] = f(a[off[0] + i * is[0]], b[off[1] + i * is[1]]);
      }
    });
  };
  switch (op) {
#define RF_CASE(NAME) \
  case BinaryOp::NAME: return run([](T x, T y) { return binary_value<BinaryOp::NAME, HostMath>(x, y); });
    RECFORGE_BINARY_OPS(RF_CASE)
#undef RF_CASE
    default: return;
  }
}

template <typename T>
void where_forward(int ndim, const int64_t* shape, const T* cond, const int64_t* sc, const T* a,
                   const int64_t* sa, const T* b, const int64_t* sb, T* out) {
  // Iterate output rows; three strided reads per element.
  int64_t acc = 1;
  for (int d = ndim - 1; d >= 0; --d) acc *= shape[d];
  if (acc == 0) return;
  int64_t inner = ndim ? shape[ndim - 1] : 1;
  int64_t rows = inner ? acc / inner : 0;
  parallel_for(rows, std::max<int64_t>(1, kGrain / std::max<int64_t>(inner, 1)), [&](int64_t rb, int64_t re) {
    for (int64_t r = rb; r < re; ++r) {
      int64_t oc = 0, oa = 0, ob = 0, rem = r;
      for (int d = ndim - 2; d >= 0; --d) {
        int64_t idx = rem % shape[d];
        rem /= shape[d];
        oc += idx * sc[d];
        oa += idx * sa[d];
        ob += idx * sb[d];
      }
      int64_t ic = ndim ? sc[ndim - 1] : 0, ia = ndim ? sa[ndim - 1] : 0, ib = ndim ? sb[ndim - 1] : 0;
      T* o = out + r * inner;
      for (int64_t i = 0; i < inner; ++i) o[i] = cond[oc + i * ic] != T(0) ? a[oa + i * ia] : b[ob + i * ib];
    }
  });
}

template <typename T>
void strided_copy(int ndim, const int64_t* shape, const T* src, const int64_t* ss, T* dst, const int64_t* sd) {
  int64_t total = 1;
  for (int d = 0; d < ndim; ++d) total *= shape[d];
  if (total == 0) return;
  const int64_t* strides[2] = {ss, sd};
  Layout L = coalesce(ndim, shape, 2, strides);
  for_rows(L, 2, [&](const int64_t* off, int64_t n, const int64_t* is) {
    const T* s = src + off[0];
    T* d = dst + off[1];
    if (is[0] == 1 && is[1] == 1)
      std::memcpy(d, s, n * sizeof(T));
    else if (is[1] == 1)
      for (int64_t i = 0; i < n; ++i) d[i] = s[i * is[0]];
    else
      for (int64_t i = 0; i < n; ++i) d[i * is[1]] = s[i * is[0]];
  });
}

template <typename S, typename D>
void cast(const S* src, D* dst, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) dst[i] = (D)src[i];
  });
}

template <typename T>
void fill(T* dst, int64_t n, T value) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) dst[i] = value;
  });
}

template <typename T>
void axpby(const T* x, T s, const T* y, T t, T* out, int64_t n) {
  parallel_for(n, kGrain, [&](int64_t b, int64_t e) {
    for (int64_t i = b; i < e; ++i) out[i] = x[i] * s + y[i] * t;
  });
}

#define RF_INST_FLOAT(T)                                                                                   \
  template void unary_forward<T>(UnaryOp, const T*, T*, int64_t, double, double);                         \
  template void unary_backward<T>(UnaryOp, const T*, const T*, const T*, T*, int64_t, double, double);    \
  template void axpby<T>(const T*, T, const T*, T, T*, int64_t);
#define RF_INST_ANY(T)                                                                                     \
  template void binary_forward<T>(BinaryOp, int, const int64_t*, const T*, const int64_t*, const T*,      \
                                  const int64_t*, T*);                                                     \
  template void where_forward<T>(int, const int64_t*, const T*, const int64_t*, const T*, const int64_t*, \
                                 const T*, const int64_t*, T*);                                            \
  template void strided_copy<T>(int, const int64_t*, const T*, const int64_t*, T*, const int64_t*);       \
  template void fill<T>(T*, int64_t, T);
RF_INST_FLOAT(float)
RF_INST_FLOAT(double)
RF_INST_ANY(float)
RF_INST_ANY(double)
RF_INST_ANY(int32_t)
template void cast<float, double>(const float*, double*, int64_t);
template void cast<double, float>(const double*, float*, int64_t);
template void cast<float, int32_t>(const float*, int32_t*, int64_t);
template void cast<int32_t, float>(const int32_t*, float*, int64_t);
template void cast<double, int32_t>(const double*, int32_t*, int64_t);
template void cast<int32_t, double>(const int32_t*, double*, int64_t);

}  // namespace recforge
