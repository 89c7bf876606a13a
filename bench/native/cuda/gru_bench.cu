// GPU benchmark of the fused GRU (gru.h): forward, and forward + backward (from dout and dh_n), float32,
// one layer, at the sequential-recommendation specs' shapes (GatedLongRec B=100 T=30 in=H=50; CTA B=100
// T=8 in=500 H=10 bidirectional; CompExp B=256 T=25 in=H=300 bidirectional). CUDA-event medians on
// recforge's stream; one JSON line per shape; --json FILE writes the table rows (bench/gpu/table.py's
// format). Before timing, each shape's CUDA output is compared with the CPU kernel's (max |diff| is
// printed, and a mismatch fails the run): the numbers are only worth something when the two agree.
//
//   cuda_gru_bench [--shapes B,T,in,H,dirs;...] [--reps N] [--json FILE]
// (the CPU emulator runs it at a toy shape: scripts/cuda-emulate.mjs)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench_util.h"
#include "recforge/gru.h"

using namespace rfbench;
using recforge::GruDims;

namespace {

uint64_t g_seed = 7;
float frand() {  // splitmix64 → uniform(-1, 1)
  uint64_t z = (g_seed += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  z ^= z >> 31;
  return (float)((z >> 11) * (2.0 / 9007199254740992.0) - 1.0);
}
std::vector<float> rnd(size_t n, float scale) {
  std::vector<float> v(n);
  for (auto& x : v) x = frand() * scale;
  return v;
}

bool bench_case(const GruDims& d, int reps, CUstream_st* s, TableRows& table) {
  const int64_t K = d.layers * d.dirs, H = d.H;
  const float sc = 1.0f / std::sqrt((float)H);
  const std::vector<float> x = rnd(d.B * d.T * d.in, 1.0f), h0 = rnd(K * d.B * H, 0.5f),
                           dout = rnd(d.B * d.T * d.dirs * H, 1.0f), dhn = rnd(K * d.B * H, 1.0f);
  std::vector<std::vector<float>> w[4];
  for (int64_t k = 0; k < K; ++k) {
    w[0].push_back(rnd(3 * H * d.in_of(k / d.dirs), sc));
    w[1].push_back(rnd(3 * H * H, sc));
    w[2].push_back(rnd(3 * H, sc));
    w[3].push_back(rnd(3 * H, sc));
  }
  // CPU reference output
  std::vector<float> out_c(dout.size()), hn_c(h0.size()), res_c(recforge::gru_reserve_size(d)),
      fws_c(recforge::gru_forward_workspace_size(d));
  std::vector<const float*> pw[4];
  for (int q = 0; q < 4; ++q)
    for (auto& v : w[q]) pw[q].push_back(v.data());
  recforge::gru_forward<float>(d, x.data(), nullptr, h0.data(), {pw[0].data(), pw[1].data(), pw[2].data(), pw[3].data()},
                               out_c.data(), hn_c.data(), res_c.data(), fws_c.data());
  // device
  DevBuf<float> dx_in(x), dh0(h0), ddout(dout), ddhn(dhn), dout_y(out_c.size()), dhn_y(hn_c.size()),
      dres(res_c.size()), dfws(fws_c.size()), dbws(recforge::gru_backward_workspace_size(d)), ddx(x.size()),
      ddh0(h0.size());
  std::vector<DevBuf<float>*> dw[4], dg[4];
  std::vector<const float*> qw[4];
  std::vector<float*> qg[4];
  for (int q = 0; q < 4; ++q)
    for (auto& v : w[q]) {
      dw[q].push_back(new DevBuf<float>(v));
      dg[q].push_back(new DevBuf<float>(v.size()));
      qw[q].push_back(dw[q].back()->p);
      qg[q].push_back(dg[q].back()->p);
    }
  const recforge::GruWeights<float> gw{qw[0].data(), qw[1].data(), qw[2].data(), qw[3].data()};
  const recforge::GruGrads<float> gg{qg[0].data(), qg[1].data(), qg[2].data(), qg[3].data()};
  auto fwd = [&] {
    recforge::gru_forward_cuda<float>(d, dx_in.p, nullptr, dh0.p, gw, dout_y.p, dhn_y.p, dres.p, dfws.p, s);
  };
  auto bwd = [&] {
    recforge::gru_backward_cuda<float>(d, dx_in.p, nullptr, gw, dres.p, ddout.p, ddhn.p, ddx.p, ddh0.p, gg, dbws.p, s);
  };
  fwd();
  const std::vector<float> out_g = dout_y.get();
  double diff = 0;
  for (size_t i = 0; i < out_g.size(); ++i) diff = std::fmax(diff, std::fabs((double)out_g[i] - out_c[i]));
  if (!(diff <= 1e-3)) std::fprintf(stderr, "GRU CUDA output differs from the CPU kernel: max |diff| %.3g\n", diff);
  const double f_ms = time_ms(s, fwd, reps);
  const double fb_ms = time_ms(s, [&] { fwd(); bwd(); }, reps);
  const double flops = 18.0 * d.B * d.T * d.dirs * H * (double)(d.in + H);  // one layer, fwd + bwd (docs/gru.md)
  char shape[96];
  std::snprintf(shape, sizeof shape, "B=%lld T=%lld in=%lld H=%lld dirs=%d", (long long)d.B, (long long)d.T,
                (long long)d.in, (long long)H, d.dirs);
  JsonLine().str("bench", "gru").str("shape", shape).num("ms_fwd", f_ms).num("ms_fwd_bwd", fb_ms)
      .num("tflops", flops / fb_ms / 1e9).num("max_abs_diff_vs_cpu", diff).boolean("vs_cpu_ok", diff <= 1e-3).print();
  table.add("gru fwd+bwd", shape, fb_ms, flops, 0);
  for (int q = 0; q < 4; ++q)
    for (size_t k = 0; k < dw[q].size(); ++k) delete dw[q][k], delete dg[q][k];
  return diff <= 1e-3;
}

}  // namespace

int main(int argc, char** argv) {
  const char* json = nullptr;
  int reps = 20;
  std::vector<GruDims> shapes;
  auto shape = [](int64_t B, int64_t T, int64_t in, int64_t H, int dirs) {
    GruDims d;
    d.B = B, d.T = T, d.in = in, d.H = H, d.layers = 1, d.dirs = dirs;
    return d;
  };
  for (int i = 1; i < argc; ++i) {
    const bool more = i + 1 < argc;
    if (!std::strcmp(argv[i], "--json") && more) json = argv[++i];
    else if (!std::strcmp(argv[i], "--reps") && more) reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--shapes") && more) {  // "B,T,in,H,dirs;..."
      for (char* p = std::strtok(argv[++i], ";"); p; p = std::strtok(nullptr, ";")) {
        long long B, T, in, H;
        int dirs;
        if (std::sscanf(p, "%lld,%lld,%lld,%lld,%d", &B, &T, &in, &H, &dirs) != 5 || B < 1 || T < 1 || in < 1 || H < 1 ||
            (dirs != 1 && dirs != 2)) {
          std::fprintf(stderr, "bad shape %s (want B,T,in,H,dirs)\n", p);
          return 1;
        }
        shapes.push_back(shape(B, T, in, H, dirs));
      }
    } else {
      std::fprintf(stderr, "unknown or incomplete argument %s\n", argv[i]);
      return 1;
    }
  }
  if (shapes.empty()) shapes = {shape(100, 30, 50, 50, 1), shape(100, 8, 500, 10, 2), shape(256, 25, 300, 300, 2)};
  CUstream_st* s = bench_stream();
  const recforge::CudaDeviceInfo info = recforge::cuda_device_info();
  std::printf("recforge fused GRU benchmark on %s (sm_%d%d), reps %d\n", info.name.c_str(), info.major, info.minor, reps);
  TableRows table;
  bool ok = true;
  for (const GruDims& d : shapes) ok = bench_case(d, reps, s, table) && ok;
  if (json && !table.write(json)) return 1;
  return ok ? 0 : 1;
}
