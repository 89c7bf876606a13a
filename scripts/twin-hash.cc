// Hashes the CPU outputs of the elementwise binary ops, softmax / log-softmax (forward, backward), RoPE
// (tables, apply), the edge softmax and the GAT layer (forward, backward) and the axis reductions on
// fixed inputs with specials (NaN, ±inf, ±0, denormals, huge) and odd sizes, so a
// refactor of their per-element math into shared host-device headers can be checked bit for bit:
//   g++ -std=c++17 -O3 -fno-trapping-math -mtune=generic -pthread -Inative/include scripts/twin-hash.cc \
//       native/cpu/{elementwise,softmax,rope,edge_softmax,gat,graph_csr,reduce,parallel}.cc -o /tmp/twin-hash && /tmp/twin-hash > before.txt
// (then again after the change; diff the two files). One line per (op, type, case): FNV-1a of the bytes.
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>
#include <array>
#include <utility>

#include "recforge/edge_softmax.h"
#include "recforge/elementwise.h"
#include "recforge/gat.h"
#include "recforge/graph_csr.h"
#include "recforge/reduce.h"
#include "recforge/rope.h"
#include "recforge/softmax.h"

using namespace recforge;

static uint64_t fnv(const void* p, size_t n) {
  const unsigned char* b = (const unsigned char*)p;
  uint64_t h = 1469598103934665603ull;
  for (size_t i = 0; i < n; ++i) h = (h ^ b[i]) * 1099511628211ull;
  return h;
}
static uint64_t rng = 88172645463325252ull;
static double urand() {
  rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17;
  return (double)(rng >> 11) / 9007199254740992.0;
}
template <typename T>
static std::vector<T> data(int64_t n, bool specials, double scale = 4.0) {
  std::vector<T> v(n);
  const T sp[] = {std::numeric_limits<T>::quiet_NaN(), std::numeric_limits<T>::infinity(),
                  -std::numeric_limits<T>::infinity(), T(0), -T(0), std::numeric_limits<T>::denorm_min(),
                  T(1e30), T(-1e30), T(1), T(-1), T(2), T(0.5)};
  for (int64_t i = 0; i < n; ++i) {
    v[i] = (T)((urand() * 2 - 1) * scale);
    if (specials && urand() < 0.15) v[i] = sp[(int)(urand() * 12) % 12];
  }
  return v;
}
template <>
std::vector<int32_t> data<int32_t>(int64_t n, bool specials, double) {
  std::vector<int32_t> v(n);
  const int32_t sp[] = {0, 1, -1, 2, INT32_MAX, INT32_MIN, 7};
  for (int64_t i = 0; i < n; ++i) {
    v[i] = (int32_t)(urand() * 200) - 100;
    if (specials && urand() < 0.2) v[i] = sp[(int)(urand() * 7) % 7];
  }
  return v;
}

template <typename T>
static void binary(const char* tn, bool intish) {
  const int nops = (int)BinaryOp::Count;
  for (int op = 0; op < nops; ++op) {
    if (intish && (op == (int)BinaryOp::Div || op == (int)BinaryOp::Pow)) continue;  // rejected by the binding
    // cases: contiguous odd, a broadcast scalar b, scalar a, 2-D broadcast row, transposed a, empty
    for (int64_t n : {1, 7, 33, 1000, 70001}) {
      auto a = data<T>(n, true), b = data<T>(n, true);
      std::vector<T> o(n);
      int64_t sh[1] = {n}, s1[1] = {1}, s0[1] = {0};
      binary_forward<T>((BinaryOp)op, 1, sh, a.data(), s1, b.data(), s1, o.data());
      printf("bin %s op%d n%lld cc %016llx\n", tn, op, (long long)n, (unsigned long long)fnv(o.data(), n * sizeof(T)));
      binary_forward<T>((BinaryOp)op, 1, sh, a.data(), s1, b.data(), s0, o.data());
      printf("bin %s op%d n%lld cs %016llx\n", tn, op, (long long)n, (unsigned long long)fnv(o.data(), n * sizeof(T)));
      binary_forward<T>((BinaryOp)op, 1, sh, a.data(), s0, b.data(), s1, o.data());
      printf("bin %s op%d n%lld sc %016llx\n", tn, op, (long long)n, (unsigned long long)fnv(o.data(), n * sizeof(T)));
    }
    {
      const int64_t R = 37, C = 29;
      auto a = data<T>(R * C, true), b = data<T>(C, true);
      std::vector<T> o(R * C);
      int64_t sh[2] = {R, C}, sa[2] = {C, 1}, sb[2] = {0, 1}, st[2] = {1, R};
      binary_forward<T>((BinaryOp)op, 2, sh, a.data(), sa, b.data(), sb, o.data());
      printf("bin %s op%d row %016llx\n", tn, op, (unsigned long long)fnv(o.data(), o.size() * sizeof(T)));
      binary_forward<T>((BinaryOp)op, 2, sh, a.data(), st, a.data(), sa, o.data());
      printf("bin %s op%d tr %016llx\n", tn, op, (unsigned long long)fnv(o.data(), o.size() * sizeof(T)));
    }
  }
}

template <typename T>
static void softmax(const char* tn) {
  for (auto rc : {std::pair<int64_t, int64_t>{1, 1}, {3, 7}, {5, 33}, {17, 1000}, {2, 4099}}) {
    const int64_t R = rc.first, N = rc.second;
    for (bool sp : {false, true}) {
      auto x = data<T>(R * N, sp, 10.0), gy = data<T>(R * N, sp);
      std::vector<T> y(R * N), gx(R * N);
      for (bool lg : {false, true}) {
        softmax_forward<T>(x.data(), y.data(), R, N, lg);
        printf("smx %s %lldx%lld sp%d log%d fw %016llx\n", tn, (long long)R, (long long)N, sp, lg,
               (unsigned long long)fnv(y.data(), y.size() * sizeof(T)));
        softmax_backward<T>(y.data(), gy.data(), gx.data(), R, N, lg);
        printf("smx %s %lldx%lld sp%d log%d bw %016llx\n", tn, (long long)R, (long long)N, sp, lg,
               (unsigned long long)fnv(gx.data(), gx.size() * sizeof(T)));
      }
    }
  }
  // all -inf row, a row with +inf
  {
    const T inf = std::numeric_limits<T>::infinity();
    std::vector<T> x = {-inf, -inf, -inf, 1, inf, 2}, y(6);
    for (bool lg : {false, true}) {
      softmax_forward<T>(x.data(), y.data(), 2, 3, lg);
      printf("smx %s inf log%d %016llx\n", tn, lg, (unsigned long long)fnv(y.data(), 6 * sizeof(T)));
    }
  }
}

template <typename T>
static void rope(const char* tn) {
  for (auto hld : {std::array<int64_t, 3>{1, 1, 2}, {3, 5, 8}, {2, 9, 34}, {4, 130, 64}}) {
    const int64_t H = hld[0], L = hld[1], D = hld[2], half = D / 2;
    std::vector<int32_t> pos(L);
    for (int64_t l = 0; l < L; ++l) pos[l] = (int32_t)(l * 3 % 11) - 2 + (L > 100 ? (int32_t)(l * 97) : 0);
    std::vector<T> c(L * half), s(L * half);
    rope_tables<T>(L, D, pos.data(), 10000.0, c.data(), s.data());
    printf("rope %s %lld/%lld/%lld tab %016llx %016llx\n", tn, (long long)H, (long long)L, (long long)D,
           (unsigned long long)fnv(c.data(), c.size() * sizeof(T)), (unsigned long long)fnv(s.data(), s.size() * sizeof(T)));
    auto x = data<T>(H * L * D, true);
    std::vector<T> y(H * L * D);
    for (bool inv : {false, true}) {
      rope_apply<T>(H, L, D, x.data(), D, H * D, c.data(), s.data(), inv, y.data(), L * D, D);
      printf("rope %s %lld/%lld/%lld inv%d %016llx\n", tn, (long long)H, (long long)L, (long long)D, inv,
             (unsigned long long)fnv(y.data(), y.size() * sizeof(T)));
    }
  }
}

template <typename T>
static void edge(const char* tn) {
  // CSR over destinations: degrees 0..6, H heads, scores with specials.
  for (int64_t H : {1, 3}) {
    const int64_t n_dst = 41;
    std::vector<int32_t> rowptr(n_dst + 1, 0);
    for (int64_t d = 0; d < n_dst; ++d) rowptr[d + 1] = rowptr[d] + (int32_t)((d * 5) % 7);
    const int64_t E = rowptr[n_dst];
    for (bool sp : {false, true}) {
      auto sc = data<T>(E * H, sp, 10.0), da = data<T>(E * H, sp);
      std::vector<T> al(E * H), ds(E * H);
      edge_softmax<T>(n_dst, H, rowptr.data(), sc.data(), al.data());
      edge_softmax_backward<T>(n_dst, H, rowptr.data(), al.data(), da.data(), ds.data());
      printf("edge %s H%lld sp%d %016llx %016llx\n", tn, (long long)H, sp,
             (unsigned long long)fnv(al.data(), al.size() * sizeof(T)), (unsigned long long)fnv(ds.data(), ds.size() * sizeof(T)));
    }
  }
}

template <typename T>
static void gat(const char* tn) {
  const int64_t N = 23, H = 2, F = 5;
  std::vector<int32_t> rowptr(N + 1, 0);
  for (int64_t d = 0; d < N; ++d) rowptr[d + 1] = rowptr[d] + (int32_t)((d * 3) % 5);
  const int64_t E = rowptr[N];
  std::vector<int32_t> src(E), trp(N + 1), tdst(E), teid(E);
  for (int64_t e = 0; e < E; ++e) src[e] = (int32_t)((e * 7 + 3) % N);
  csr_transpose(N, N, rowptr.data(), src.data(), trp.data(), tdst.data(), teid.data());
  for (bool sp : {false, true}) {
    auto wh = data<T>(N * H * F, sp), as = data<T>(H * F, false, 1.0), ad = data<T>(H * F, false, 1.0);
    auto dout = data<T>(N * H * F, sp);
    std::vector<T> out(N * H * F), el(N * H), er(N * H), al(E * H), dwh(N * H * F), das(H * F), dad(H * F);
    std::vector<T> ws(gat_backward_workspace_size(N, E, H, F));
    gat_forward<T>(N, H, F, rowptr.data(), src.data(), wh.data(), as.data(), ad.data(), 0.2, out.data(), el.data(),
                   er.data(), al.data());
    gat_backward<T>(N, H, F, rowptr.data(), src.data(), trp.data(), tdst.data(), teid.data(), wh.data(), as.data(),
                    ad.data(), 0.2, el.data(), er.data(), al.data(), dout.data(), dwh.data(), das.data(), dad.data(),
                    ws.data());
    printf("gat %s sp%d fw %016llx %016llx bw %016llx %016llx %016llx\n", tn, sp,
           (unsigned long long)fnv(out.data(), out.size() * sizeof(T)), (unsigned long long)fnv(al.data(), al.size() * sizeof(T)),
           (unsigned long long)fnv(dwh.data(), dwh.size() * sizeof(T)), (unsigned long long)fnv(das.data(), das.size() * sizeof(T)),
           (unsigned long long)fnv(dad.data(), dad.size() * sizeof(T)));
  }
}

template <typename T>
static void reduce(const char* tn) {
  for (int op = 0; op < 4; ++op)
    for (auto ori : {std::array<int64_t, 3>{1, 1, 1}, {7, 33, 1}, {3, 1000, 1}, {5, 0, 1}, {4, 9, 13}, {2, 17, 700}, {3, 0, 5}})
      for (bool sp : {false, true}) {
        const int64_t O = ori[0], R = ori[1], I = ori[2];
        auto x = data<T>(O * R * I, sp);
        std::vector<T> out(O * I);
        std::vector<int32_t> idx(O * I);
        reduce_axis<T>((ReduceOp)op, x.data(), O, R, I, out.data(), op >= 2 ? idx.data() : nullptr);
        printf("red %s op%d %lld/%lld/%lld sp%d %016llx %016llx\n", tn, op, (long long)O, (long long)R, (long long)I, sp,
               (unsigned long long)fnv(out.data(), out.size() * sizeof(T)),
               (unsigned long long)(op >= 2 ? fnv(idx.data(), idx.size() * 4) : 0));
      }
}

int main() {
  binary<float>("f32", false);
  binary<double>("f64", false);
  binary<int32_t>("i32", true);
  softmax<float>("f32");
  softmax<double>("f64");
  rope<float>("f32");
  rope<double>("f64");
  edge<float>("f32");
  edge<double>("f64");
  gat<float>("f32");
  gat<double>("f64");
  reduce<float>("f32");
  reduce<double>("f64");
  return 0;
}
