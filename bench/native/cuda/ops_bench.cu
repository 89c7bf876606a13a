// GPU benchmark of recforge's CUDA kernels (run by scripts/gpu-check.sh next to PyTorch's
// bench/gpu/anchors.py, which times the same shapes). Times with CUDA events on recforge's
// stream: a warm-up call, then the median of `reps` timed calls. Prints one line per case and,
// with --json FILE, writes [{name, shape, ms, tflops?, gbps?}].
#include <cuda_runtime.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "recforge/cuda_device.h"
#include "recforge/elementwise.h"
#include "recforge/gemm.h"
#include "recforge/indexing.h"
#include "recforge/norm.h"
#include "recforge/random.h"
#include "recforge/reduce.h"
#include "recforge/softmax.h"
#include "recforge/sort.h"

using namespace recforge;

namespace {

CUstream_st* g_s = nullptr;

struct Result {
  std::string name, shape;
  double ms, tflops, gbps;
};
std::vector<Result> g_results;

void* dalloc(size_t bytes) {
  void* p = nullptr;
  if (cudaMalloc(&p, bytes ? bytes : 1) != cudaSuccess) {
    std::fprintf(stderr, "cudaMalloc(%zu) failed\n", bytes);
    std::exit(2);
  }
  return p;
}

double time_ms(const std::function<void()>& fn, int reps) {
  cudaEvent_t a, b;
  cudaEventCreate(&a);
  cudaEventCreate(&b);
  fn();  // warm-up (and first-use costs)
  cudaStreamSynchronize(g_s);
  std::vector<float> t;
  for (int i = 0; i < reps; ++i) {
    cudaEventRecord(a, g_s);
    fn();
    cudaEventRecord(b, g_s);
    cudaEventSynchronize(b);
    float ms = 0;
    cudaEventElapsedTime(&ms, a, b);
    t.push_back(ms);
  }
  cudaEventDestroy(a);
  cudaEventDestroy(b);
  std::string err;
  if (!cuda_check(g_s, &err)) {
    std::fprintf(stderr, "device fault: %s\n", err.c_str());
    std::exit(3);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

void report(const std::string& name, const std::string& shape, double ms, double flops, double bytes) {
  Result r{name, shape, ms, flops > 0 ? flops / ms / 1e9 : 0, bytes > 0 ? bytes / ms / 1e6 : 0};
  std::printf("%-28s %-22s %10.4f ms", name.c_str(), shape.c_str(), ms);
  if (r.tflops > 0) std::printf("  %8.2f TFLOP/s", r.tflops);
  if (r.gbps > 0) std::printf("  %8.1f GB/s", r.gbps);
  std::printf("\n");
  std::fflush(stdout);
  g_results.push_back(r);
}

void bench_gemm(int reps) {
  for (int64_t n : {1024, 2048, 4096}) {
    const std::string shape = std::to_string(n) + "x" + std::to_string(n) + "x" + std::to_string(n);
    const double flops = 2.0 * n * n * n;
    float *A = (float*)dalloc(n * n * 4), *B = (float*)dalloc(n * n * 4), *C = (float*)dalloc(n * n * 4);
    uint16_t *hA = (uint16_t*)dalloc(n * n * 2), *hB = (uint16_t*)dalloc(n * n * 2);
    random_fill_cuda<float>(RandomKind::Normal, 1, 0, A, n * n, 0, 1, g_s);
    random_fill_cuda<float>(RandomKind::Normal, 2, 0, B, n * n, 0, 1, g_s);
    float_to_half_cuda(HalfKind::BF16, A, hA, n * n, g_s);
    float_to_half_cuda(HalfKind::BF16, B, hB, n * n, g_s);
    report("gemm_f32_own", shape,
           time_ms([&] { gemm_f32_own_cuda(false, false, n, n, n, 1, A, n, 0, B, n, 0, 0, C, n, 0, 1, g_s); }, reps),
           flops, 0);
    if (std::strcmp(gemm_cuda_backend_name(), "own") != 0)
      report("gemm_f32_cublas", shape,
             time_ms([&] { gemm_f32_cuda(false, false, n, n, n, 1, A, n, 0, B, n, 0, 0, C, n, 0, 1, g_s); }, reps),
             flops, 0);
    report("gemm_bf16_own", shape,
           time_ms([&] { gemm_half_own_cuda(HalfKind::BF16, false, false, n, n, n, 1, hA, n, 0, hB, n, 0, 0, C, n, 0, 1,
                                            g_s); },
                   reps),
           flops, 0);
    report("gemm_bf16_own_tn", shape,
           time_ms([&] { gemm_half_own_cuda(HalfKind::BF16, true, false, n, n, n, 1, hA, n, 0, hB, n, 0, 0, C, n, 0, 1,
                                            g_s); },
                   reps),
           flops, 0);
    float_to_half_cuda(HalfKind::FP16, A, hA, n * n, g_s);
    float_to_half_cuda(HalfKind::FP16, B, hB, n * n, g_s);
    report("gemm_fp16_own", shape,
           time_ms([&] { gemm_half_own_cuda(HalfKind::FP16, false, false, n, n, n, 1, hA, n, 0, hB, n, 0, 0, C, n, 0, 1,
                                            g_s); },
                   reps),
           flops, 0);
    if (std::strcmp(gemm_cuda_backend_name(), "own") != 0)
      report("gemm_fp16_cublas", shape,
             time_ms([&] { gemm_half_cuda(HalfKind::FP16, false, false, n, n, n, 1, hA, n, 0, hB, n, 0, 0, C, n, 0, 1,
                                          g_s); },
                     reps),
             flops, 0);
    cudaFree(A), cudaFree(B), cudaFree(C), cudaFree(hA), cudaFree(hB);
  }
}

void bench_kernels(int reps) {
  const int64_t n = 1 << 26;  // 64M floats, 256 MB
  float *x = (float*)dalloc(n * 4), *y = (float*)dalloc(n * 4), *z = (float*)dalloc(n * 4);
  random_fill_cuda<float>(RandomKind::Normal, 3, 0, x, n, 0, 1, g_s);
  random_fill_cuda<float>(RandomKind::Normal, 4, 0, y, n, 0, 1, g_s);
  report("exp", "67108864", time_ms([&] { unary_forward_cuda<float>(UnaryOp::Exp, x, z, n, 0, 0, g_s); }, reps), 0,
         8.0 * n);
  {
    const int64_t shape[1] = {n}, st[1] = {1};
    report("add", "67108864",
           time_ms([&] { binary_forward_cuda<float>(BinaryOp::Add, 1, shape, x, st, y, st, z, g_s); }, reps), 0,
           12.0 * n);
  }
  report("randn", "67108864",
         time_ms([&] { random_fill_cuda<float>(RandomKind::Normal, 5, 0, z, n, 0, 1, g_s); }, reps), 0, 4.0 * n);
  {
    const int64_t rows = 65536, c = 512;
    report("softmax", "65536x512", time_ms([&] { softmax_forward_cuda<float>(x, z, rows, c, false, g_s); }, reps), 0,
           8.0 * rows * c);
    float *mean = (float*)dalloc(rows * 4), *rstd = (float*)dalloc(rows * 4), *g = (float*)dalloc(c * 4),
          *b = (float*)dalloc(c * 4);
    fill_cuda<float>(g, c, 1.0f, g_s);
    fill_cuda<float>(b, c, 0.0f, g_s);
    report("layer_norm", "65536x512",
           time_ms([&] { norm_forward_cuda<float>(false, x, g, b, z, mean, rstd, rows, c, 1e-5, g_s); }, reps), 0,
           8.0 * rows * c);
    cudaFree(mean), cudaFree(rstd), cudaFree(g), cudaFree(b);
  }
  report("sum_rows", "8192x8192",
         time_ms([&] { reduce_axis_cuda<float>(ReduceOp::Sum, x, 8192, 8192, 1, z, nullptr, g_s); }, reps), 0,
         4.0 * 8192 * 8192);
  report("sum_cols", "8192x8192",
         time_ms([&] { reduce_axis_cuda<float>(ReduceOp::Sum, x, 1, 8192, 8192, z, nullptr, g_s); }, reps), 0,
         4.0 * 8192 * 8192);
  {
    // Embedding lookup and its gradient: 1M-row table, 64 columns, 1M lookups.
    const int64_t rows = 1 << 20, d = 64, m = 1 << 20;
    int32_t* idx = (int32_t*)dalloc(m * 4);
    random_int_cuda(6, 0, idx, m, 0, rows, g_s);
    report("embedding_gather", "1Mx64 <- 1M",
           time_ms([&] { gather_rows_cuda<float>(x, idx, m, d, z, g_s); }, reps), 0, 8.0 * m * d);
    void* ws = dalloc(scatter_add_rows_cuda_workspace_bytes(m, rows));
    report("embedding_scatter_add", "1M -> 1Mx64",
           time_ms([&] { scatter_add_rows_cuda<float>(y, idx, m, d, rows, z, ws, g_s); }, reps), 0, 12.0 * m * d);
    cudaFree(ws);
    cudaFree(idx);
  }
  {
    const int64_t rows = 1024, c = 4096;
    int32_t* ix = (int32_t*)dalloc(rows * c * 4);
    void* ws = dalloc(sort_rows_cuda_workspace_bytes(rows, c));
    report("sort_rows", "1024x4096",
           time_ms([&] { sort_rows_cuda<float>(x, rows, c, true, z, ix, ws, g_s); }, reps), 0, 0);
    cudaFree(ws);
    const int64_t r2 = 256, c2 = 100000;
    void* ws2 = dalloc(sort_rows_cuda_workspace_bytes(r2, c2));
    report("topk_100", "256x100000",
           time_ms([&] { topk_rows_cuda<float>(x, r2, c2, 100, true, z, ix, ws2, g_s); }, reps), 0, 0);
    cudaFree(ws2);
    cudaFree(ix);
  }
  cudaFree(x), cudaFree(y), cudaFree(z);
}

}  // namespace

int main(int argc, char** argv) {
  const char* json = nullptr;
  int reps = 10;
  bool gemm_only = false;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--json") && i + 1 < argc) json = argv[++i];
    else if (!std::strcmp(argv[i], "--reps") && i + 1 < argc) reps = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--gemm-only")) gemm_only = true;
  }
  std::string err;
  g_s = cuda_stream(&err);
  if (!g_s) {
    std::fprintf(stderr, "no CUDA device: %s\n", err.c_str());
    return 2;
  }
  CudaDeviceInfo info = cuda_device_info();
  std::printf("recforge CUDA benchmark on %s (sm_%d%d), gemm backend: %s\n", info.name.c_str(), info.major, info.minor,
              gemm_cuda_backend_name());
  bench_gemm(reps);
  if (!gemm_only) bench_kernels(reps);
  if (json) {
    FILE* f = std::fopen(json, "w");
    if (!f) return 1;
    std::fprintf(f, "[\n");
    for (size_t i = 0; i < g_results.size(); ++i) {
      const Result& r = g_results[i];
      std::fprintf(f, "  {\"name\": \"%s\", \"shape\": \"%s\", \"ms\": %.6f, \"tflops\": %.4f, \"gbps\": %.2f}%s\n",
                   r.name.c_str(), r.shape.c_str(), r.ms, r.tflops, r.gbps, i + 1 < g_results.size() ? "," : "");
    }
    std::fprintf(f, "]\n");
    std::fclose(f);
  }
  return 0;
}
