// Where the fused GRU's time goes (gru.h), float32, one layer: the whole forward and the whole
// backward, next to the GEMMs they are made of run alone on the same operands' shapes (the
// dispatched gemm_f32, as the kernel calls it). Everything is timed round-robin (load from other
// processes hits every part alike); medians in ms, GFLOP/s for the GEMMs. The gap between a
// pass and the sum of its GEMMs is the gate passes, copies and thread hand-offs.
//
//   gru_bench [--threads N] [--reps R] [--shape B,T,in,H,dirs]   (default 256,25,300,300,2)
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bench_common.h"
#include "recforge/gemm.h"
#include "recforge/gru.h"
#include "recforge/parallel.h"
#include "../../native/cpu/gemm_internal.h"

namespace {

using rfbench_cpu::median;
using rfbench_cpu::now_s;
using rfbench_cpu::random_vec;

struct Part {
  std::string name;
  double gflop;  // 0: not a GEMM
  std::function<void()> run;
  std::vector<double> secs;
};

}  // namespace

int main(int argc, char** argv) {
  int threads = 0, reps = 7;
  int64_t B = 256, T = 25, in = 300, H = 300;
  int dirs = 2;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc)
      threads = std::atoi(argv[++i]);
    else if (a == "--reps" && i + 1 < argc)
      reps = std::atoi(argv[++i]);
    else if (a == "--shape" && i + 1 < argc) {
      long long b, t, n, h;
      int d;
      if (std::sscanf(argv[++i], "%lld,%lld,%lld,%lld,%d", &b, &t, &n, &h, &d) != 5 || (d != 1 && d != 2)) {
        std::fprintf(stderr, "--shape wants B,T,in,H,dirs (dirs 1 or 2)\n");
        return 2;
      }
      B = b, T = t, in = n, H = h, dirs = d;
    } else {
      std::fprintf(stderr, "usage: %s [--threads N] [--reps R] [--shape B,T,in,H,dirs]\n", argv[0]);
      return 2;
    }
  }
  if (threads > 0) recforge::set_num_threads(threads);
  recforge::gemm_set_num_threads(recforge::num_threads());
  std::printf("gru_bench B=%lld T=%lld in=%lld H=%lld dirs=%d threads=%d reps=%d\n", (long long)B, (long long)T,
              (long long)in, (long long)H, dirs, recforge::num_threads(), reps);

  recforge::GruDims d;
  d.B = B, d.T = T, d.in = in, d.H = H, d.dirs = dirs;
  const int64_t D = dirs, H3 = 3 * H, bt = B * T;
  const float ws = 1.0f / std::sqrt((float)H);
  std::vector<float> x = random_vec(bt * in, 1, 2.f), h0 = random_vec(D * B * H, 2, 2.f);
  std::vector<float> dout = random_vec(bt * D * H, 3, 2.f);
  std::vector<std::vector<float>> wih, whh, bih, bhh, dwih(D), dwhh(D), dbih(D), dbhh(D);
  std::vector<const float*> pwih, pwhh, pbih, pbhh;
  std::vector<float*> pdwih, pdwhh, pdbih, pdbhh;
  for (int64_t k = 0; k < D; ++k) {
    wih.push_back(random_vec(H3 * in, 10 + k, 2 * ws));
    whh.push_back(random_vec(H3 * H, 20 + k, 2 * ws));
    bih.push_back(random_vec(H3, 30 + k, 2 * ws));
    bhh.push_back(random_vec(H3, 40 + k, 2 * ws));
    dwih[k].resize(H3 * in), dwhh[k].resize(H3 * H), dbih[k].resize(H3), dbhh[k].resize(H3);
  }
  for (int64_t k = 0; k < D; ++k) {
    pwih.push_back(wih[k].data()), pwhh.push_back(whh[k].data()), pbih.push_back(bih[k].data()),
        pbhh.push_back(bhh[k].data());
    pdwih.push_back(dwih[k].data()), pdwhh.push_back(dwhh[k].data()), pdbih.push_back(dbih[k].data()),
        pdbhh.push_back(dbhh[k].data());
  }
  recforge::GruWeights<float> w;
  w.w_ih = pwih.data(), w.w_hh = pwhh.data(), w.b_ih = pbih.data(), w.b_hh = pbhh.data();
  recforge::GruGrads<float> g;
  g.dw_ih = pdwih.data(), g.dw_hh = pdwhh.data(), g.db_ih = pdbih.data(), g.db_hh = pdbhh.data();
  std::vector<float> out(bt * D * H), h_n(D * B * H), dx(bt * in), dh0(D * B * H);
  std::vector<float> reserve(recforge::gru_reserve_size(d)), fws(recforge::gru_forward_workspace_size(d)),
      bws(recforge::gru_backward_workspace_size(d));

  // Operands for the GEMMs alone (contents do not matter for their time).
  std::vector<float> A1 = random_vec(D * bt * std::max(in, H3), 5, 1.f), A2 = random_vec(bt * std::max(in, H3), 6, 1.f);
  std::vector<float> Wt = random_vec(H3 * std::max(in, H) * D, 7, 1.f), C = random_vec(D * bt * std::max(in, H3), 8, 1.f);
  std::vector<float> Cs = random_vec(D * B * H3, 9, 1.f);
  const double gf_all = 2.0 * bt * in * H3 * 1e-9, gf_allh = 2.0 * bt * H * H3 * 1e-9;
  std::vector<Part> parts;
  parts.push_back({"forward (fused)", 0, [&] {
                     recforge::gru_forward<float>(d, x.data(), nullptr, h0.data(), w, out.data(), h_n.data(),
                                                  reserve.data(), fws.data());
                   }});
  parts.push_back({"backward (fused)", 0, [&] {
                     recforge::gru_backward<float>(d, x.data(), nullptr, w, reserve.data(), dout.data(), nullptr,
                                                   dx.data(), dh0.data(), g, bws.data());
                   }});
  // Forward: X W_ih^T over all steps (per direction), then T batched [B,H]x[H,3H] steps.
  parts.push_back({"fwd input proj  [bt,in]x[in,3H]", D * gf_all, [&] {
                     for (int64_t k = 0; k < D; ++k)
                       recforge::gemm_f32(false, true, bt, H3, in, 1.f, A1.data(), in, 0, Wt.data(), in, 0, 0.f,
                                          C.data(), H3, 0, 1);
                   }});
  parts.push_back({"fwd recurrent   T x [B,H]x[H,3H]", D * gf_allh, [&] {
                     for (int64_t s = 0; s < T; ++s)
                       recforge::gemm_f32(false, true, B, H3, H, 1.f, A1.data(), H, B * H, Wt.data(), H, H3 * H, 0.f,
                                          Cs.data(), H3, B * H3, D);
                   }});
  // Backward: T batched [B,3H]x[3H,H] steps, then per direction dW_ih, dW_hh, dx over all steps.
  parts.push_back({"bwd recurrent   T x [B,3H]x[3H,H]", D * gf_allh, [&] {
                     for (int64_t s = 0; s < T; ++s)
                       recforge::gemm_f32(false, false, B, H, H3, 1.f, A1.data(), T * H3, bt * H3, Wt.data(), H,
                                          H3 * H, 1.f, Cs.data(), H, B * H, D);
                   }});
  parts.push_back({"bwd dW_ih       [3H,bt]x[bt,in]", D * gf_all, [&] {
                     for (int64_t k = 0; k < D; ++k)
                       recforge::gemm_f32(true, false, H3, in, bt, 1.f, A1.data(), H3, 0, A2.data(), in, 0, 0.f,
                                          C.data(), in, 0, 1);
                   }});
  parts.push_back({"bwd dW_hh       [3H,bt]x[bt,H]", D * gf_allh, [&] {
                     for (int64_t k = 0; k < D; ++k)
                       recforge::gemm_f32(true, false, H3, H, bt, 1.f, A1.data(), H3, 0, A2.data(), H, 0, 0.f,
                                          C.data(), H, 0, 1);
                   }});
  parts.push_back({"bwd dx          [bt,3H]x[3H,in]", D * gf_all, [&] {
                     for (int64_t k = 0; k < D; ++k)
                       recforge::gemm_f32(false, false, bt, in, H3, 1.f, A1.data(), H3, 0, Wt.data(), in, 0,
                                          k == 0 ? 0.f : 1.f, C.data(), in, 0, 1);
                   }});
  // The per-step products the other way: one direction per thread, each an own-kernel GEMM run serially.
  if (D == 2) {
    parts.push_back({"fwd recurrent   own, dir per thread", D * gf_allh, [&] {
                       for (int64_t s = 0; s < T; ++s)
                         recforge::parallel_for(2, 1, [&](int64_t d0, int64_t d1) {
                           for (int64_t k = d0; k < d1; ++k)
                             recforge::gemm_detail::own_gemm_one<float>(false, true, B, H3, H, 1.f, A1.data() + k * B * H, H,
                                                                        Wt.data() + k * H3 * H, H, 0.f,
                                                                        Cs.data() + k * B * H3, H3, true);
                         });
                     }});
    parts.push_back({"fwd recurrent   own, dir/thread, W_hh^T stored", D * gf_allh, [&] {
                       for (int64_t s = 0; s < T; ++s)
                         recforge::parallel_for(2, 1, [&](int64_t d0, int64_t d1) {
                           for (int64_t k = d0; k < d1; ++k)
                             recforge::gemm_detail::own_gemm_one<float>(false, false, B, H3, H, 1.f, A1.data() + k * B * H, H,
                                                                        Wt.data() + k * H3 * H, H3, 0.f,
                                                                        Cs.data() + k * B * H3, H3, true);
                         });
                     }});
    parts.push_back({"fwd input proj  own, dir per thread", D * gf_all, [&] {
                       recforge::parallel_for(2, 1, [&](int64_t d0, int64_t d1) {
                         for (int64_t k = d0; k < d1; ++k)
                           recforge::gemm_detail::own_gemm_one<float>(false, true, bt, H3, in, 1.f, A1.data(), in,
                                                                      Wt.data() + k * H3 * in, in, 0.f,
                                                                      C.data() + k * bt * H3, H3, true);
                       });
                     }});
    parts.push_back({"bwd dW_ih       own, dir per thread", D * gf_all, [&] {
                       recforge::parallel_for(2, 1, [&](int64_t d0, int64_t d1) {
                         for (int64_t k = d0; k < d1; ++k)
                           recforge::gemm_detail::own_gemm_one<float>(true, false, H3, in, bt, 1.f, A1.data() + k * bt * H3, H3,
                                                                      A2.data(), in, 0.f, Wt.data() + k * H3 * in, in, true);
                       });
                     }});
    parts.push_back({"bwd recurrent   own, dir per thread", D * gf_allh, [&] {
                       for (int64_t s = 0; s < T; ++s)
                         recforge::parallel_for(2, 1, [&](int64_t d0, int64_t d1) {
                           for (int64_t k = d0; k < d1; ++k)
                             recforge::gemm_detail::own_gemm_one<float>(false, false, B, H, H3, 1.f, A1.data() + k * bt * H3,
                                                                        T * H3, Wt.data() + k * H3 * H, H, 1.f,
                                                                        Cs.data() + k * B * H, H, true);
                         });
                     }});
  }
  for (auto& p : parts) p.run();  // warm-up
  for (int r = 0; r < reps; ++r)
    for (auto& p : parts) {
      const double t0 = now_s();
      p.run();
      p.secs.push_back(now_s() - t0);
    }
  double fwd_gemm = 0, bwd_gemm = 0, gflop = 0;
  for (size_t i = 0; i < parts.size(); ++i) {
    const Part& p = parts[i];
    const double ms = median(p.secs) * 1e3;
    if (p.gflop > 0) {
      std::printf("  %-36s %8.2f ms  %6.1f GFLOP/s\n", p.name.c_str(), ms, p.gflop / ms * 1e3);
      if (i < 8) {  // the GEMMs as the kernel runs them at 3+ threads (below: the per-direction variants)
        (i < 4 ? fwd_gemm : bwd_gemm) += ms;
        gflop += p.gflop;
      }
    } else {
      std::printf("  %-36s %8.2f ms\n", p.name.c_str(), ms);
    }
  }
  const double f = median(parts[0].secs) * 1e3, b = median(parts[1].secs) * 1e3;
  std::printf("GEMMs alone: forward %.2f ms (pass %.2f, rest %.2f), backward %.2f ms (pass %.2f, rest %.2f)\n",
              fwd_gemm, f, f - fwd_gemm, bwd_gemm, b, b - bwd_gemm);
  std::printf("%.2f GFLOP of GEMMs per forward + backward; fused %.1f GFLOP/s overall\n", gflop, gflop / (f + b) * 1e3);
  return 0;
}
