// What the instruction set costs the CPU kernels outside the GEMM: softmax forward / backward and
// LayerNorm forward on 256 x 1024 floats (1 MiB, cache-resident), Adam on 2^18 parameters, the fused GRU
// forward / backward at bench gru's GRU4Rec shape (B = 100, T = 30, in = H = 50). Prints "name ms"
// (median of runs) per kernel. scripts/isa-kernels-bench.sh builds it twice, with the addon's flags
// (baseline x86-64, the ISA variants chosen at run time) and with -march=native, and runs the builds
// and the forced variants alternated (issue 16 item 2). Run with RECFORGE_NUM_THREADS=1 for the
// single-thread cost; RECFORGE_CPU_ISA picks a variant.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>
#include <algorithm>
#include <functional>
#include <string>
#include "recforge/softmax.h"
#include "recforge/norm.h"
#include "recforge/optim.h"
#include "recforge/gru.h"
#include "recforge/parallel.h"
using namespace recforge;
static double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }
static std::vector<float> rnd(size_t n, unsigned s) { std::vector<float> v(n); for (auto& x : v) { s = s * 1664525u + 1013904223u; x = (float)(s >> 8) / 16777216.f - 0.5f; } return v; }
static double best(std::function<void()> f, int reps) { f(); std::vector<double> t; for (int i = 0; i < reps; ++i) { double a = now(); f(); t.push_back(now() - a); } std::sort(t.begin(), t.end()); return t[t.size() / 2] * 1e3; }
int main() {
    int rows = 256, n = 1024;  // 1 MiB: cache-resident
  auto x = rnd(rows * n, 1), y = rnd(rows * n, 2), g = rnd(n, 3), b = rnd(n, 4), gy = rnd(rows * n, 5);
  std::vector<float> mean(rows), rstd(rows), gx(rows * n);
  printf("softmax_fwd_1MiB %.4f\n", best([&] { softmax_forward<float>(x.data(), y.data(), rows, n, false); }, 200));
  printf("softmax_bwd_1MiB %.4f\n", best([&] { softmax_backward<float>(y.data(), gy.data(), gx.data(), rows, n, false); }, 200));
  printf("layernorm_fwd_1MiB %.4f\n", best([&] { norm_forward<float>(false, x.data(), g.data(), b.data(), y.data(), mean.data(), rstd.data(), rows, n, 1e-5f); }, 200));
  size_t N = 1 << 18;  // 1 MiB per array
  auto p = rnd(N, 6), gr = rnd(N, 7), m = rnd(N, 8), v = rnd(N, 9);
  for (auto& z : v) z = z * z;
  printf("adam_256K %.4f\n", best([&] { adam_step<float>(p.data(), gr.data(), m.data(), v.data(), N, 1e-3, 0.9, 0.999, 1e-8, 0.0, false, 1); }, 200));
  {  // GRU forward, B=100 T=30 in=50 H=50 (the GRU4Rec shape of bench gru): gates + the recurrent GEMMs
    GruDims d; d.B = 100; d.T = 30; d.in = 50; d.H = 50;
    auto X = rnd(d.B * d.T * d.in, 10), h0 = rnd(d.B * d.H, 11), wih = rnd(3 * d.H * d.in, 12), whh = rnd(3 * d.H * d.H, 13), bih = rnd(3 * d.H, 14), bhh = rnd(3 * d.H, 15);
    const float* a[1] = {wih.data()}; const float* bb[1] = {whh.data()}; const float* c[1] = {bih.data()}; const float* e[1] = {bhh.data()};
    GruWeights<float> w; w.w_ih = a; w.w_hh = bb; w.b_ih = c; w.b_hh = e;
    std::vector<float> out(d.B * d.T * d.H), hn(d.B * d.H), res(gru_reserve_size(d)), ws(gru_forward_workspace_size(d));
    printf("gru_fwd_100x30x50 %.4f\n", best([&] { gru_forward<float>(d, X.data(), nullptr, h0.data(), w, out.data(), hn.data(), res.data(), ws.data()); }, 50));
    std::vector<float> dout = rnd(out.size(), 16), dx(X.size()), dh0(h0.size()), dwih(wih.size()), dwhh(whh.size()), dbih(bih.size()), dbhh(bhh.size()), wsb(gru_backward_workspace_size(d));
    float* f1[1] = {dwih.data()}; float* f2[1] = {dwhh.data()}; float* f3[1] = {dbih.data()}; float* f4[1] = {dbhh.data()};
    GruGrads<float> gg; gg.dw_ih = f1; gg.dw_hh = f2; gg.db_ih = f3; gg.db_hh = f4;
    printf("gru_bwd_100x30x50 %.4f\n", best([&] { gru_backward<float>(d, X.data(), nullptr, w, res.data(), dout.data(), nullptr, dx.data(), dh0.data(), gg, wsb.data()); }, 50));
  }
  return 0;
}
