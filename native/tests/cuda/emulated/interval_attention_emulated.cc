// Runs the CUDA interval-attention kernels under the CPU emulator and compares them with the CPU
// kernel in double precision: float inputs and outputs, and 16-bit (bf16 / fp16) inputs with float32
// outputs (the autocast entry points; the reference then runs on the rounded inputs). Checks the
// kernels' logic where no GPU is available
// (scripts/cuda-emulated-tests.sh builds and runs it). Usage: interval_attention_emulated [cases]
// (no argument: six fixed cases covering every tile/head-dim variant; N: N random small cases).
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include "cuda_emulator.h"
// after the emulator:
#include "../../../cuda/interval_attention_kernels.cuh"
#include "../../attention_layouts.h"
#include "recforge/interval_attention.h"
#include <cstdio>
#include <type_traits>
#include <string>

using namespace rftest;
using namespace recforge::interval_attention_cuda;

template <typename T>
const char* type_name() {
  if constexpr (std::is_same_v<T, float>) return "";
  else if constexpr (std::is_same_v<T, __nv_bfloat16>) return " bf16-in";
  else return " fp16-in";
}

// Inputs as the kernel reads them (T) and the same values back in float for the reference.
template <typename T>
std::vector<T> as_input(std::vector<float>& x) {
  std::vector<T> r(x.size());
  for (size_t i = 0; i < x.size(); ++i) {
    if constexpr (std::is_same_v<T, float>) r[i] = x[i];
    else if constexpr (std::is_same_v<T, __nv_bfloat16>) r[i] = __float2bfloat16_rn(x[i]), x[i] = __bfloat162float(r[i]);
    else r[i] = __float2half_rn(x[i]), x[i] = __half2float(r[i]);
  }
  return r;
}

// T: input type; outputs are float (T = float: the plain kernels; 16-bit T: the autocast ones).
template <int TILE, int DMAX, typename T = float>
void run(const Layout& lay, int H, int D, bool alibi, Rng& rng) {
  const int L = (int)lay.L;
  const int64_t n = (int64_t)H * L * D;
  auto q = randn<float>(rng, n), k = randn<float>(rng, n), v = randn<float>(rng, n), g = randn<float>(rng, n);
  const auto qi = as_input<T>(q), ki = as_input<T>(k), vi = as_input<T>(v), gi = as_input<T>(g);
  std::vector<float> slopes;
  for (int h = 0; h < H; ++h) slopes.push_back(std::pow(2.0f, -1.0f - h));
  const float scale = 1.f / std::sqrt((float)std::max(D, 1));
  std::vector<float> out(n, NAN), lse(H * L, NAN), dq(n, NAN), dk(n, NAN), dv(n, NAN), delta(H * L, NAN);
  std::vector<int> hulls(6 * ((L + TILE - 1) / TILE), -7);
  const float* sl = alibi ? slopes.data() : nullptr;
  const int* pos = alibi ? lay.pos.data() : nullptr;
  const unsigned nqt = (L + TILE - 1) / TILE;
  emu::launch(fwd_kernel<T, float, TILE, DMAX>, dim3(nqt, H), dim3(4 * TILE), fwd_smem<TILE>(D), L, D,
              (const T*)qi.data(), (const T*)ki.data(), (const T*)vi.data(), lay.iv.data(), sl, pos, scale,
              out.data(), lse.data());
  const int64_t rows = (int64_t)H * L;
  emu::launch(delta_kernel<float, T>, dim3((unsigned)((rows + 7) / 8)), dim3(256), 0, rows, D, (const float*)out.data(),
              (const T*)gi.data(), delta.data());
  emu::launch(plan_kernel<TILE>, dim3(nqt), dim3(TILE), 0, L, lay.iv.data(), hulls.data());
  emu::launch(dq_kernel<T, float, TILE, DMAX>, dim3(nqt, H), dim3(4 * TILE), dq_smem<TILE>(D), L, D, (const T*)qi.data(),
              (const T*)ki.data(), (const T*)vi.data(), (const float*)lse.data(), (const float*)delta.data(),
              (const T*)gi.data(), lay.iv.data(), sl, pos, scale, dq.data());
  emu::launch(dkv_kernel<T, float, TILE, DMAX>, dim3(nqt, H), dim3(4 * TILE), dkv_smem<TILE>(D), L, D,
              (const T*)qi.data(), (const T*)ki.data(), (const T*)vi.data(), (const float*)lse.data(),
              (const float*)delta.data(), (const T*)gi.data(), lay.iv.data(), sl, pos, scale,
              (const int*)hulls.data(), dk.data(), dv.data());
  // CPU reference in double on the same values
  std::vector<double> qd(q.begin(), q.end()), kd(k.begin(), k.end()), vd(v.begin(), v.end()), gd(g.begin(), g.end()),
      sd(slopes.begin(), slopes.end());
  std::vector<double> ro(n), rl(H * L), rq(n), rk(n), rv(n);
  recforge::interval_attention_forward<double>(H, L, D, qd.data(), kd.data(), vd.data(), lay.iv.data(),
                                               alibi ? sd.data() : nullptr, pos, scale, ro.data(), rl.data());
  recforge::interval_attention_backward<double>(H, L, D, qd.data(), kd.data(), vd.data(), ro.data(), rl.data(), gd.data(),
                                                lay.iv.data(), alibi ? sd.data() : nullptr, pos, scale, rq.data(),
                                                rk.data(), rv.data());
  std::string tag = lay.name + " L=" + std::to_string(L) + " H=" + std::to_string(H) + " D=" + std::to_string(D) +
                    " TILE=" + std::to_string(TILE) + (alibi ? " alibi" : "") + type_name<T>();
  allclose(out, ro, 5e-5, 5e-4, (tag + " out").c_str());
  allclose(lse, rl, 1e-4, 1e-4, (tag + " lse").c_str());
  allclose(dq, rq, 5e-4, 5e-3, (tag + " dq").c_str());
  allclose(dk, rk, 5e-4, 5e-3, (tag + " dk").c_str());
  allclose(dv, rv, 5e-4, 5e-3, (tag + " dv").c_str());
  std::printf("%s: %s\n", tag.c_str(), failures() ? "FAIL so far" : "ok");
  std::fflush(stdout);
}

int main(int argc, char** argv) {
  Rng rng(99);
  int which = argc > 1 ? std::atoi(argv[1]) : 0;
  if (which == 0) {
    run<64, 64>(dti_layout(rng, 5, 6, 5, 2, 5, 1, 3, 1, true), 2, 16, true, rng);
    run<64, 32>(random_layout(rng, 77), 1, 3, true, rng);
    run<32, 128>(causal_packed(rng, 150, 40), 2, 33, false, rng);
    run<64, 64>(overlapping_windows(rng, 130), 1, 64, true, rng);
    run<32, 256>(prefix_only(rng, 70), 1, 200, true, rng);
    run<64, 32>(single_tokens(65), 1, 1, false, rng);
    run<64, 64, __nv_bfloat16>(dti_layout(rng, 5, 6, 5, 2, 5, 1, 3, 1, true), 2, 16, true, rng);
    run<32, 128, __half>(causal_packed(rng, 150, 40), 2, 33, false, rng);
    run<64, 32, __nv_bfloat16>(random_layout(rng, 77), 1, 3, true, rng);
  } else {
    for (int t = 0; t < which; ++t) {
      const int64_t L = rng.randint(1, 200);
      Layout lay;
      switch (t % 6) {
        case 0: lay = random_layout(rng, L); break;
        case 1: lay = causal_packed(rng, L, rng.randint(1, 100)); break;
        case 2: lay = overlapping_windows(rng, L); break;
        case 3: lay = prefix_only(rng, L); break;
        default: lay = small_dti(rng); break;
      }
      if (t % 2) run<64, 32>(lay, (int)rng.randint(1, 3), (int)rng.randint(0, 33), rng.uniform() < 0.5, rng);
      else run<32, 64>(lay, (int)rng.randint(1, 3), (int)rng.randint(1, 65), rng.uniform() < 0.5, rng);
    }
  }
  return finish("interval_attention_cuda (emulated)");
}
