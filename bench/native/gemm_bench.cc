// GEMM throughput: the dispatched gemm_f32, the own kernel gemm_f32_own and the loaded
// library's cblas_sgemm called directly (the baseline), square float32 products
// n = 256..2048 (C = A·B, row-major, beta = 0), then the shapes of small dense layers, then batches of small products (the
// case where gemm_f32 prefers its own kernel over one library call per entry).
// Reports GFLOP/s: the median of several interleaved runs (so that load from other
// processes hits every contender alike), the best run in brackets.
//
//   gemm_bench [--threads N] [--reps R] [--sizes 256,512,...] [--shapes MxNxK[tA][tB],...]
//              [--no-batched] [--no-layers]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bench_common.h"
#include "recforge/gemm.h"
#include "recforge/parallel.h"

extern char** environ;

namespace {

using rfbench_cpu::median;
using rfbench_cpu::now_s;
using rfbench_cpu::random_vec;

struct Contender {
  const char* name;
  std::function<void()> run;
  std::vector<double> secs;
};

// Times every contender `reps` times, round-robin, after one warm-up call each.
void time_round_robin(std::vector<Contender>& cs, int reps) {
  for (auto& c : cs) c.run();
  for (int r = 0; r < reps; ++r)
    for (auto& c : cs) {
      double t0 = now_s();
      c.run();
      c.secs.push_back(now_s() - t0);
    }
}

void print_env() {
  std::printf("backend: %s\n", recforge::gemm_backend_name());
  std::printf("threads: %d\n", recforge::num_threads());
  bool any = false;
  for (char** e = environ; *e; ++e)
    if (std::strncmp(*e, "OPENBLAS_", 9) == 0 || std::strncmp(*e, "RECFORGE_", 9) == 0 ||
        std::strncmp(*e, "OMP_NUM_THREADS", 15) == 0) {
      std::printf("env: %s\n", *e);
      any = true;
    }
  if (!any) std::printf("env: (no OPENBLAS_*, RECFORGE_* or OMP_NUM_THREADS set)\n");
}

// C (M×N) = op(A)·op(B), packed operands, beta = 0.
void bench_gemm(int64_t M, int64_t N, int64_t K, bool tA, bool tB, int reps) {
  std::vector<float> A = random_vec(M * K, 1), B = random_vec(K * N, 2), C(M * N);
  const int64_t lda = tA ? M : K, ldb = tB ? K : N;
  const bool blas = recforge::cblas_available();
  std::vector<Contender> cs;
  cs.push_back({"gemm_f32", [&] {
                  recforge::gemm_f32(tA, tB, M, N, K, 1.f, A.data(), lda, 0, B.data(), ldb, 0, 0.f, C.data(), N, 0,
                                     1);
                }, {}});
  cs.push_back({"gemm_f32_own", [&] {
                  recforge::gemm_f32_own(tA, tB, M, N, K, 1.f, A.data(), lda, 0, B.data(), ldb, 0, 0.f, C.data(), N,
                                         0, 1);
                }, {}});
  if (blas)
    cs.push_back({"cblas_sgemm", [&] {
                    recforge::cblas_sgemm_direct(tA, tB, M, N, K, 1.f, A.data(), lda, B.data(), ldb, 0.f, C.data(),
                                                 N);
                  }, {}});
  time_round_robin(cs, reps);
  const double flops = 2.0 * M * N * K;
  if (M == N && N == K && !tA && !tB)
    std::printf("n=%-5lld", (long long)M);
  else
    std::printf("%lldx%lldx%lld%s%s", (long long)M, (long long)N, (long long)K, tA ? " tA" : "", tB ? " tB" : "");
  double base = blas ? flops / median(cs.back().secs) / 1e9 : 0;
  for (auto& c : cs) {
    double g = flops / median(c.secs) / 1e9;
    std::printf("  %s %6.1f", c.name, g);
    if (blas && &c != &cs.back()) std::printf(" (%.2fx)", g / base);
    std::printf(" [best %.1f]", flops / *std::min_element(c.secs.begin(), c.secs.end()) / 1e9);
  }
  std::printf("\n");
}

// batch × (m×k · k×n), B broadcast (stride 0): own kernel split over the batch versus one
// library call per entry.
void bench_batched(int64_t batch, int64_t m, int reps) {
  const int64_t n = m, k = m;
  std::vector<float> A = random_vec(batch * m * k, 3), B = random_vec(k * n, 4), C(batch * m * n);
  const bool blas = recforge::cblas_available();
  std::vector<Contender> cs;
  cs.push_back({"gemm_f32", [&] {
                  recforge::gemm_f32(false, false, m, n, k, 1.f, A.data(), k, m * k, B.data(), n, 0, 0.f, C.data(),
                                     n, m * n, batch);
                }, {}});
  cs.push_back({"gemm_f32_own", [&] {
                  recforge::gemm_f32_own(false, false, m, n, k, 1.f, A.data(), k, m * k, B.data(), n, 0, 0.f,
                                         C.data(), n, m * n, batch);
                }, {}});
  if (blas)
    cs.push_back({"cblas_sgemm per entry", [&] {
                    for (int64_t b = 0; b < batch; ++b)
                      recforge::cblas_sgemm_direct(false, false, m, n, k, 1.f, A.data() + b * m * k, k, B.data(), n,
                                                   0.f, C.data() + b * m * n, n);
                  }, {}});
  time_round_robin(cs, reps);
  const double flops = 2.0 * batch * m * n * k;
  std::printf("batch=%lld x %lld^3", (long long)batch, (long long)m);
  for (auto& c : cs)
    std::printf("  %s %6.1f [best %.1f]", c.name, flops / median(c.secs) / 1e9,
                flops / *std::min_element(c.secs.begin(), c.secs.end()) / 1e9);
  std::printf("\n");
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0, reps = 0;
  bool batched = true, layers = true;
  struct Shape {
    long long m, n, k;
    bool tA, tB;
  };
  std::vector<Shape> shapes;
  std::vector<int64_t> sizes = {256, 512, 1024, 2048};
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--threads" && i + 1 < argc) {
      threads = std::atoi(argv[++i]);
    } else if (a == "--reps" && i + 1 < argc) {
      reps = std::atoi(argv[++i]);
    } else if (a == "--sizes" && i + 1 < argc) {
      sizes.clear();
      for (char* p = std::strtok(argv[++i], ","); p; p = std::strtok(nullptr, ",")) sizes.push_back(std::atoll(p));
    } else if (a == "--shapes" && i + 1 < argc) {  // MxNxK, MxNxKtA, MxNxKtB, MxNxKtAtB
      layers = false;
      for (char* p = std::strtok(argv[++i], ","); p; p = std::strtok(nullptr, ",")) {
        long long m = 0, n = 0, k = 0;
        int used = 0;
        if (std::sscanf(p, "%lldx%lldx%lld%n", &m, &n, &k, &used) != 3) {
          std::fprintf(stderr, "bad shape %s\n", p);
          return 2;
        }
        std::string rest = p + used;
        shapes.push_back({m, n, k, rest.find("tA") != std::string::npos, rest.find("tB") != std::string::npos});
      }
    } else if (a == "--no-batched") {
      batched = false;
    } else if (a == "--no-layers") {
      layers = false;
    } else {
      std::fprintf(stderr, "usage: %s [--threads N] [--reps R] [--sizes 256,512,...] [--shapes MxNxK[tA][tB],...] [--no-batched] [--no-layers]\n", argv[0]);
      return 2;
    }
  }
  if (threads > 0) recforge::set_num_threads(threads);
  recforge::gemm_set_num_threads(recforge::num_threads());
  print_env();
  std::printf("GFLOP/s, median of interleaved runs [best run]; (ratio to cblas_sgemm)\n");
  for (int64_t n : sizes) {
    // About a second per size in total: more repetitions for the small ones.
    int r = reps > 0 ? reps : (int)std::clamp<int64_t>((int64_t)(2e10 / (2.0 * n * n * n)), 5, 51);
    bench_gemm(n, n, n, false, false, r);
  }
  for (auto& sh : shapes) bench_gemm(sh.m, sh.n, sh.k, sh.tA, sh.tB, reps > 0 ? reps : 11);
  if (layers) {
    // Shapes of small dense layers on a batch of 4096 rows: forward X·W, forward X·Wᵀ,
    // weight gradient Xᵀ·dY.
    const int64_t rows = 4096;
    for (int64_t d : {16, 64, 128, 256}) {
      bench_gemm(rows, d, d, false, false, reps > 0 ? reps : 21);
      bench_gemm(rows, d, d, false, true, reps > 0 ? reps : 21);
      bench_gemm(d, d, rows, true, false, reps > 0 ? reps : 21);
    }
  }
  if (batched) {
    const int64_t cases[][2] = {{512, 16}, {256, 32}, {128, 64}, {32, 128}, {8, 256}};
    for (auto& c : cases) bench_batched(c[0], c[1], reps > 0 ? reps : 15);
  }
  return 0;
}
