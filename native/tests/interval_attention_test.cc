// Interval attention (fused) and dense masked attention (baseline) against a naive double-precision
// reference that materialises the L×L mask; forward out/lse and dq/dk/dv, float and double, on
// random, degenerate and realistic DTI layouts. Ends with a timing print (not a pass/fail) of fused
// vs dense at a DTI layout n = 40, k = 40.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "attention_layouts.h"
#include "recforge/cpu_isa.h"
#include "recforge/dense_masked_attention.h"
#include "recforge/interval_attention.h"
#include "recforge/parallel.h"
#include "test_util.h"

using namespace rftest;

namespace {

struct Inputs {
  int64_t H, L, D;
  std::vector<double> q, k, v, dout, slopes;
  bool alibi;
  double scale;
};

struct Ref {
  std::vector<double> out, lse, dq, dk, dv;
};

// Plain loops over a materialised mask, in double.
Ref reference(const Inputs& in, const Layout& lay) {
  const int64_t H = in.H, L = in.L, D = in.D;
  std::vector<char> mask(L * L);
  for (int64_t i = 0; i < L; ++i)
    for (int64_t j = 0; j < L; ++j) mask[i * L + j] = lay.sees(i, j);
  Ref r;
  r.out.assign(H * L * D, 0), r.lse.assign(H * L, 0);
  r.dq.assign(H * L * D, 0), r.dk.assign(H * L * D, 0), r.dv.assign(H * L * D, 0);
  std::vector<double> P(L * L), dS(L * L);
  for (int64_t h = 0; h < H; ++h) {
    auto at = [&](const std::vector<double>& t, int64_t i, int64_t d) { return t[(h * L + i) * D + d]; };
    for (int64_t i = 0; i < L; ++i) {
      double mx = -INFINITY;
      for (int64_t j = 0; j < L; ++j) {
        double s = -INFINITY;
        if (mask[i * L + j]) {
          s = 0;
          for (int64_t d = 0; d < D; ++d) s += at(in.q, i, d) * at(in.k, j, d);
          s *= in.scale;
          if (in.alibi) s -= in.slopes[h] * (double)(lay.pos[i] - lay.pos[j]);
        }
        P[i * L + j] = s;
        mx = std::max(mx, s);
      }
      double sum = 0;
      for (int64_t j = 0; j < L; ++j) sum += mask[i * L + j] ? std::exp(P[i * L + j] - mx) : 0.0;
      r.lse[h * L + i] = mx + std::log(sum);
      for (int64_t j = 0; j < L; ++j) P[i * L + j] = mask[i * L + j] ? std::exp(P[i * L + j] - mx) / sum : 0.0;
      for (int64_t d = 0; d < D; ++d) {
        double o = 0;
        for (int64_t j = 0; j < L; ++j) o += P[i * L + j] * at(in.v, j, d);
        r.out[(h * L + i) * D + d] = o;
      }
    }
    for (int64_t i = 0; i < L; ++i) {
      double delta = 0;
      for (int64_t d = 0; d < D; ++d) delta += at(in.dout, i, d) * r.out[(h * L + i) * D + d];
      for (int64_t j = 0; j < L; ++j) {
        double dp = 0;
        for (int64_t d = 0; d < D; ++d) dp += at(in.dout, i, d) * at(in.v, j, d);
        dS[i * L + j] = P[i * L + j] * (dp - delta);
      }
    }
    for (int64_t i = 0; i < L; ++i)
      for (int64_t j = 0; j < L; ++j) {
        const double p = P[i * L + j], ds = dS[i * L + j] * in.scale;
        if (p == 0 && ds == 0) continue;
        for (int64_t d = 0; d < D; ++d) {
          r.dq[(h * L + i) * D + d] += ds * at(in.k, j, d);
          r.dk[(h * L + j) * D + d] += ds * at(in.q, i, d);
          r.dv[(h * L + j) * D + d] += p * at(in.dout, i, d);
        }
      }
  }
  return r;
}

template <typename T>
std::vector<T> cast(const std::vector<double>& x) {
  return std::vector<T>(x.begin(), x.end());
}

struct Tol {
  double atol, rtol;
};

// Runs one kernel family (fused or dense) in precision T against the reference.
template <typename T, typename Fwd, typename Bwd>
void check_kernel(const char* kernel, const Inputs& in, const Layout& lay, const Ref& ref, Fwd fwd, Bwd bwd,
                  const std::string& what) {
  const int64_t H = in.H, L = in.L, D = in.D;
  const auto q = cast<T>(in.q), k = cast<T>(in.k), v = cast<T>(in.v), dout = cast<T>(in.dout);
  const auto slopes = cast<T>(in.slopes);
  const T* sl = in.alibi ? slopes.data() : nullptr;
  const int32_t* pos = in.alibi ? lay.pos.data() : nullptr;
  std::vector<T> out(H * L * D), lse(H * L), dq(H * L * D), dk(H * L * D), dv(H * L * D);
  poison(out), poison(lse), poison(dq), poison(dk), poison(dv);
  fwd(H, L, D, q.data(), k.data(), v.data(), lay.iv.data(), sl, pos, in.scale, out.data(), lse.data());
  bwd(H, L, D, q.data(), k.data(), v.data(), out.data(), lse.data(), dout.data(), lay.iv.data(), sl, pos, in.scale,
      dq.data(), dk.data(), dv.data());
  const bool dbl = sizeof(T) == 8;
  const Tol fo = dbl ? Tol{1e-11, 1e-9} : Tol{3e-5, 3e-4};
  const Tol gr = dbl ? Tol{1e-10, 1e-8} : Tol{2e-4, 2e-3};
  const std::string tag = std::string(kernel) + (dbl ? "<double> " : "<float> ") + what;
  allclose(out, ref.out, fo.atol, fo.rtol, (tag + " out").c_str());
  allclose(lse, ref.lse, fo.atol, fo.rtol, (tag + " lse").c_str());
  allclose(dq, ref.dq, gr.atol, gr.rtol, (tag + " dq").c_str());
  allclose(dk, ref.dk, gr.atol, gr.rtol, (tag + " dk").c_str());
  allclose(dv, ref.dv, gr.atol, gr.rtol, (tag + " dv").c_str());
}

Inputs make_inputs(Rng& rng, int64_t H, int64_t L, int64_t D, bool alibi) {
  Inputs in{H, L, D, {}, {}, {}, {}, {}, alibi, 0};
  in.q = randn<double>(rng, H * L * D);
  in.k = randn<double>(rng, H * L * D);
  in.v = randn<double>(rng, H * L * D);
  in.dout = randn<double>(rng, H * L * D);
  for (int64_t h = 0; h < H; ++h) in.slopes.push_back(std::pow(2.0, -1.0 - h - rng.uniform()));
  in.scale = (0.5 + rng.uniform()) / std::sqrt((double)std::max<int64_t>(D, 1));
  return in;
}

// Rounds the inputs to float so that the float kernels and the reference see the same values.
Inputs rounded_to_float(Inputs in) {
  for (auto* t : {&in.q, &in.k, &in.v, &in.dout, &in.slopes})
    for (auto& x : *t) x = (double)(float)x;
  in.scale = (double)(float)in.scale;
  return in;
}

void check_layout(Rng& rng, const Layout& lay, int64_t H, int64_t D, bool alibi) {
  const std::string what = lay.name + " L=" + std::to_string(lay.L) + " H=" + std::to_string(H) +
                           " D=" + std::to_string(D) + (alibi ? " alibi" : "");
  const Inputs in = make_inputs(rng, H, lay.L, D, alibi);
  const Ref ref = reference(in, lay);
  check_kernel<double>("interval", in, lay, ref, recforge::interval_attention_forward<double>,
                       recforge::interval_attention_backward<double>, what);
  check_kernel<double>("dense", in, lay, ref, recforge::dense_masked_attention_forward<double>,
                       recforge::dense_masked_attention_backward<double>, what);
  const Inputs inf = rounded_to_float(in);
  const Ref reff = reference(inf, lay);
  check_kernel<float>("interval", inf, lay, reff, recforge::interval_attention_forward<float>,
                      recforge::interval_attention_backward<float>, what);
  check_kernel<float>("dense", inf, lay, reff, recforge::dense_masked_attention_forward<float>,
                      recforge::dense_masked_attention_backward<float>, what);
}

// ---- finite differences: the reference's gradients are those of its forward ----------------
void check_reference_gradients(Rng& rng) {
  for (int trial = 0; trial < 4; ++trial) {
    Layout lay = trial % 2 ? small_dti(rng) : random_layout(rng, rng.randint(1, 9));
    if (lay.L > 14) lay = random_layout(rng, 7);
    const int64_t H = 2, D = 3;
    Inputs in = make_inputs(rng, H, lay.L, D, trial >= 2);
    const Ref ref = reference(in, lay);
    auto loss = [&](const Inputs& x) {
      const Ref r = reference(x, lay);
      double s = 0;
      for (size_t t = 0; t < r.out.size(); ++t) s += r.out[t] * x.dout[t];
      return s;
    };
    const double eps = 1e-6;
    for (int which = 0; which < 3; ++which)
      for (size_t t = 0; t < in.q.size(); ++t) {
        Inputs a = in, b = in;
        std::vector<double>* pa = which == 0 ? &a.q : which == 1 ? &a.k : &a.v;
        std::vector<double>* pb = which == 0 ? &b.q : which == 1 ? &b.k : &b.v;
        (*pa)[t] += eps, (*pb)[t] -= eps;
        const double fd = (loss(a) - loss(b)) / (2 * eps);
        const double an = which == 0 ? ref.dq[t] : which == 1 ? ref.dk[t] : ref.dv[t];
        RF_CHECK(std::fabs(fd - an) <= 1e-6 + 1e-5 * std::fabs(an), "reference grad %d[%zu]: fd %.9g analytic %.9g",
                 which, t, fd, an);
      }
  }
}

// ---- timing (informative) --------------------------------------------------------------------
template <typename F>
double best_ms(F f, int reps) {
  double best = 1e30;
  for (int r = 0; r < reps; ++r) {
    auto t0 = std::chrono::steady_clock::now();
    f();
    best = std::min(best, std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  return best;
}

void timing() {
  Rng rng(7);
  const Layout lay = dti_layout(rng, 16, 40, 40, 12, 12, 12, 12, 1, true);
  const int64_t H = 4, L = lay.L, D = 64;
  int64_t visible = 0;
  const int64_t bq = 8, bk = 16;  // the CPU kernel's tile shape (interval_attention.cc)
  std::vector<char> tile_seen(((L + bq - 1) / bq) * ((L + bk - 1) / bk));
  for (int64_t i = 0; i < L; ++i)
    for (int64_t j = 0; j < L; ++j)
      if (lay.sees(i, j)) ++visible, tile_seen[(i / bq) * ((L + bk - 1) / bk) + j / bk] = 1;
  int64_t tiles = 0;
  for (char t : tile_seen) tiles += t;
  auto q = randn<float>(rng, H * L * D), k = randn<float>(rng, H * L * D), v = randn<float>(rng, H * L * D);
  auto dout = randn<float>(rng, H * L * D);
  std::vector<float> out(H * L * D), lse(H * L), dq(H * L * D), dk(H * L * D), dv(H * L * D);
  const double scale = 0.125;
  auto fwd = [&](auto f) {
    return [&, f] { f(H, L, D, q.data(), k.data(), v.data(), lay.iv.data(), nullptr, nullptr, scale, out.data(), lse.data()); };
  };
  auto bwd = [&](auto f) {
    return [&, f] {
      f(H, L, D, q.data(), k.data(), v.data(), out.data(), lse.data(), dout.data(), lay.iv.data(), nullptr, nullptr,
        scale, dq.data(), dk.data(), dv.data());
    };
  };
  const double ff = best_ms(fwd(recforge::interval_attention_forward<float>), 5);
  const double fb = best_ms(bwd(recforge::interval_attention_backward<float>), 5);
  const double df = best_ms(fwd(recforge::dense_masked_attention_forward<float>), 3);
  const double db = best_ms(bwd(recforge::dense_masked_attention_backward<float>), 3);
  const double vis_gflop = 4.0 * H * (double)visible * D / 1e9;  // QKᵀ + PV on visible pairs
  std::printf("timing (DTI n=40 k=40 c=t=12 P=16: L=%lld H=%lld D=%lld, %d threads; visible pairs %.1f%% of L^2, "
              "visited 8x16 tiles cover %.1f%%)\n",
              (long long)L, (long long)H, (long long)D, recforge::num_threads(), 100.0 * visible / (double)(L * L),
              100.0 * tiles * bq * bk / (double)(L * L));
  std::printf("  forward : fused %8.2f ms (%5.1f GFLOP/s on visible pairs)  dense %8.2f ms  -> %.1fx\n", ff,
              vis_gflop / ff * 1e3, df, df / ff);
  std::printf("  backward: fused %8.2f ms (%5.1f GFLOP/s on visible pairs)  dense %8.2f ms  -> %.1fx\n", fb,
              2.5 * vis_gflop / fb * 1e3, db, db / fb);
}

}  // namespace

int main(int argc, char** argv) {
  // RECFORGE_CPU_ISA (ctest runs interval_attention_test_isa_{baseline,avx2,avx512}): the kernels'
  // variant. One this CPU cannot run is skipped with exit code 77 (ctest's SKIP_RETURN_CODE).
  std::printf("cpu isa: %s (%s)\n", recforge::cpu_isa_name(recforge::cpu_isa()), recforge::cpu_isa_reason());
  if (const char* isa = std::getenv("RECFORGE_CPU_ISA")) {
    if (std::strncmp(recforge::cpu_isa_reason(), "error:", 6) == 0) {
      std::printf("SKIPPED: %s\n", recforge::cpu_isa_reason());
      return 77;
    }
    RF_CHECK(std::strcmp(recforge::cpu_isa_name(recforge::cpu_isa()), isa) == 0, "RECFORGE_CPU_ISA=%s not honoured", isa);
  }
  Rng rng(20250301);
  check_reference_gradients(rng);

  int layouts = 0;
  auto dims = [&]() {
    static const int64_t Ds[] = {1, 3, 16, 64, 5, 8, 33};
    return Ds[rng.randint(0, 7)];
  };
  const int default_threads = recforge::num_threads();
  for (int t = 0; t < 240; ++t) {
    // Thread counts that split heads between threads (the backward's shared-dq path), whatever the machine.
    recforge::set_num_threads(t % 3 == 0 ? 1 : t % 3 == 1 ? 3 : 8);
    const int64_t L = rng.randint(1, 140);
    Layout lay;
    switch (t % 8) {
      case 0: lay = random_layout(rng, L); break;
      case 1: lay = causal_packed(rng, L, rng.randint(1, 60)); break;
      case 2: lay = single_tokens(L); break;
      case 3: lay = prefix_only(rng, L); break;
      case 4: lay = overlapping_windows(rng, L); break;
      default: lay = small_dti(rng); break;
    }
    check_layout(rng, lay, rng.randint(1, 4), dims(), rng.uniform() < 0.5);
    ++layouts;
  }
  recforge::set_num_threads(default_threads);
  // Larger realistic layouts: many tiles, full and partial tiles, window-relative ALiBi positions.
  for (int t = 0; t < 6; ++t) {
    Layout lay = dti_layout(rng, (int)rng.randint(0, 20), (int)rng.randint(5, 15), (int)rng.randint(3, 12), 3, 9, 2,
                            6, t % 2, t % 3 != 0);
    check_layout(rng, lay, 2, t % 2 ? 64 : 16, t % 2 == 0);
    ++layouts;
  }
  check_layout(rng, causal_packed(rng, 300, 1000), 2, 64, true);  // plain causal: mostly full tiles
  ++layouts;
  // Zero sizes: nothing written, nothing read out of bounds.
  for (int64_t L : {0, 5})
    for (int64_t H : {0, 2})
      for (int64_t D : {0, 4}) {
        Layout lay = causal_packed(rng, L, 3);
        lay.name = "zero-size";
        check_layout(rng, lay, H, D, true);
        ++layouts;
      }
  std::printf("checked %d layouts\n", layouts);
  if (!(argc > 1 && std::string(argv[1]) == "--no-timing")) timing();
  return finish("interval_attention");
}
