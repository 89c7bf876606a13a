// Shared pieces of the GPU benchmarks under bench/native/cuda (attention_bench, gnn_bench,
// balance_bench): device buffers, CUDA-event timing on recforge's stream (warm-up calls, then
// the median of `reps` timed calls), one-JSON-object-per-line output, and the result file that
// bench/gpu/table.py reads ([{name, shape, ms, tflops, gbps}], the format of ops_bench.cu).
#pragma once
#include <cuda_runtime.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "recforge/cuda_device.h"

namespace rfbench {

#define RFB_CUDA(call)                                                                               \
  do {                                                                                               \
    cudaError_t e_ = (call);                                                                         \
    if (e_ != cudaSuccess) {                                                                         \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(e_));    \
      std::exit(2);                                                                                  \
    }                                                                                                \
  } while (0)

// A device buffer of n elements (plain cudaMalloc: the benchmarks time kernels, not the allocator).
template <typename T>
struct DevBuf {
  T* p = nullptr;
  size_t n = 0;
  DevBuf() = default;
  explicit DevBuf(size_t count) : n(count) { RFB_CUDA(cudaMalloc(&p, sizeof(T) * (n ? n : 1))); }
  explicit DevBuf(const std::vector<T>& v) : DevBuf(v.size()) {
    if (n) RFB_CUDA(cudaMemcpy(p, v.data(), sizeof(T) * n, cudaMemcpyHostToDevice));
  }
  DevBuf(const DevBuf&) = delete;
  DevBuf& operator=(const DevBuf&) = delete;
  ~DevBuf() { cudaFree(p); }
  std::vector<T> get(size_t count = (size_t)-1) const {
    RFB_CUDA(cudaDeviceSynchronize());
    std::vector<T> v(std::min(count, n));
    if (!v.empty()) RFB_CUDA(cudaMemcpy(v.data(), p, sizeof(T) * v.size(), cudaMemcpyDeviceToHost));
    return v;
  }
};

// recforge's stream (every kernel of the library runs on it), or exit 2 without a device.
inline CUstream_st* bench_stream() {
  std::string err;
  CUstream_st* s = recforge::cuda_stream(&err);
  if (!s) {
    std::fprintf(stderr, "no CUDA device: %s\n", err.c_str());
    std::exit(2);
  }
  return s;
}

// Median ms of `reps` calls of fn, each between two events on `s`, after `warmup` untimed calls.
inline double time_ms(CUstream_st* s, const std::function<void()>& fn, int reps, int warmup = 2) {
  cudaEvent_t a, b;
  RFB_CUDA(cudaEventCreate(&a));
  RFB_CUDA(cudaEventCreate(&b));
  for (int i = 0; i < warmup; ++i) fn();
  RFB_CUDA(cudaStreamSynchronize(s));
  std::vector<float> t;
  for (int i = 0; i < std::max(1, reps); ++i) {
    RFB_CUDA(cudaEventRecord(a, s));
    fn();
    RFB_CUDA(cudaEventRecord(b, s));
    RFB_CUDA(cudaEventSynchronize(b));
    float ms = 0;
    RFB_CUDA(cudaEventElapsedTime(&ms, a, b));
    t.push_back(ms);
  }
  RFB_CUDA(cudaEventDestroy(a));
  RFB_CUDA(cudaEventDestroy(b));
  std::string err;
  if (!recforge::cuda_check(s, &err)) {
    std::fprintf(stderr, "device fault: %s\n", err.c_str());
    std::exit(3);
  }
  std::sort(t.begin(), t.end());
  return t[t.size() / 2];
}

// One JSON object on one line: JsonLine().str("bench", "x").num("ms", 1.5).print().
class JsonLine {
 public:
  JsonLine& str(const char* key, const std::string& v) {
    sep();
    s_ += "\"" + std::string(key) + "\": \"" + v + "\"";
    return *this;
  }
  JsonLine& num(const char* key, double v) {
    sep();
    char buf[64];
    if (!std::isfinite(v)) std::snprintf(buf, sizeof buf, "null");
    else if (v == std::floor(v) && std::fabs(v) < 9e15) std::snprintf(buf, sizeof buf, "%.0f", v);
    else std::snprintf(buf, sizeof buf, "%.6g", v);
    s_ += "\"" + std::string(key) + "\": " + buf;
    return *this;
  }
  JsonLine& boolean(const char* key, bool v) {
    sep();
    s_ += "\"" + std::string(key) + "\": " + (v ? "true" : "false");
    return *this;
  }
  std::string done() const { return s_ + "}"; }
  void print() const {
    std::printf("%s\n", done().c_str());
    std::fflush(stdout);
  }

 private:
  void sep() { s_ += s_.size() > 1 ? ", " : ""; }
  std::string s_ = "{";
};

// Rows of the table file (bench/gpu/table.py pairs them with PyTorch's by name and shape).
struct TableRows {
  struct Row {
    std::string name, shape;
    double ms, tflops, gbps;
  };
  std::vector<Row> rows;
  void add(const std::string& name, const std::string& shape, double ms, double flops, double bytes) {
    rows.push_back({name, shape, ms, flops > 0 ? flops / ms / 1e9 : 0, bytes > 0 ? bytes / ms / 1e6 : 0});
  }
  bool write(const char* path) const {
    FILE* f = std::fopen(path, "w");
    if (!f) return false;
    std::fprintf(f, "[\n");
    for (size_t i = 0; i < rows.size(); ++i) {
      const Row& r = rows[i];
      std::fprintf(f, "  {\"name\": \"%s\", \"shape\": \"%s\", \"ms\": %.6f, \"tflops\": %.4f, \"gbps\": %.2f}%s\n",
                   r.name.c_str(), r.shape.c_str(), r.ms, r.tflops, r.gbps, i + 1 < rows.size() ? "," : "");
    }
    std::fprintf(f, "]\n");
    return std::fclose(f) == 0;
  }
};

// max |a - b| over the elements, and max |b| (the scale a loose check compares it with).
struct Diff {
  double max_abs = 0, ref_max = 0;
  double rel() const { return ref_max > 0 ? max_abs / ref_max : max_abs; }
};
template <typename A, typename B>
Diff max_diff(const std::vector<A>& a, const std::vector<B>& b) {
  Diff d;
  for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
    const double x = (double)a[i], y = (double)b[i];
    const double e = std::fabs(x - y);
    d.max_abs = (e > d.max_abs || std::isnan(e)) ? e : d.max_abs;  // NaN sticks
    d.ref_max = std::max(d.ref_max, std::fabs(y));
  }
  return d;
}

}  // namespace rfbench
