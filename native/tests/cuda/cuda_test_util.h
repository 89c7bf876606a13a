// Helpers for the CUDA kernel tests: device buffers, NaN poisoning of device outputs, and
// comparisons against the CPU kernels' results (NaN == NaN counts as equal: both backends
// may legitimately produce NaN, e.g. log of a negative number; an output the kernel forgot
// to write stays poisoned and is caught wherever the CPU wrote a number).
#pragma once
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "../test_util.h"
#include "recforge/cuda_device.h"

#define CUDA_OK(x)                                                                              \
  do {                                                                                          \
    cudaError_t e_ = (x);                                                                       \
    if (e_ != cudaSuccess) {                                                                    \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #x, cudaGetErrorString(e_)); \
      std::exit(2);                                                                             \
    }                                                                                           \
  } while (0)

namespace cudatest {

inline CUstream_st* stream() {
  std::string err;
  CUstream_st* s = recforge::cuda_stream(&err);
  if (!s) {
    std::fprintf(stderr, "no CUDA device: %s\n", err.c_str());
    std::exit(2);
  }
  return s;
}

// Waits for the stream and fails loudly on any device fault.
inline void sync(const char* what) {
  std::string err;
  if (!recforge::cuda_launch_ok(&err) || !recforge::cuda_check(stream(), &err)) {
    std::fprintf(stderr, "%s: %s\n", what, err.c_str());
    std::exit(2);
  }
}

template <typename T>
struct Dev {
  T* p = nullptr;
  size_t n = 0;
  explicit Dev(size_t n_) : n(n_) { CUDA_OK(cudaMalloc(&p, (n ? n : 1) * sizeof(T))); }
  explicit Dev(const std::vector<T>& v) : Dev(v.size()) { put(v); }
  Dev(const Dev&) = delete;
  Dev& operator=(const Dev&) = delete;
  ~Dev() { cudaFree(p); }
  void put(const std::vector<T>& v) {
    if (n) CUDA_OK(cudaMemcpy(p, v.data(), n * sizeof(T), cudaMemcpyHostToDevice));
  }
  std::vector<T> get() {
    sync("kernel");
    std::vector<T> v(n);
    if (n) CUDA_OK(cudaMemcpy(v.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
    return v;
  }
  void poison() {  // all-ones bits: NaN for float/double, -1 for int32
    if (n) CUDA_OK(cudaMemset(p, 0xFF, n * sizeof(T)));
  }
};

// Scratch device memory of `bytes` bytes.
struct Scratch {
  void* p = nullptr;
  explicit Scratch(int64_t bytes) { CUDA_OK(cudaMalloc(&p, bytes > 0 ? (size_t)bytes : 1)); }
  ~Scratch() { cudaFree(p); }
};

template <typename T>
bool close(const std::vector<T>& got, const std::vector<T>& want, double atol, double rtol, const char* what) {
  if (got.size() != want.size()) {
    std::fprintf(stderr, "%s: size %zu vs %zu\n", what, got.size(), want.size());
    ++rftest::failures();
    return false;
  }
  for (size_t i = 0; i < got.size(); ++i) {
    const double g = (double)got[i], w = (double)want[i];
    if (g != g && w != w) continue;
    if (g == w) continue;  // equal infinities
    if (!(std::fabs(g - w) <= atol + rtol * std::fabs(w))) {
      std::fprintf(stderr, "%s: mismatch at %zu of %zu: got %.9g want %.9g\n", what, i, got.size(), g, w);
      ++rftest::failures();
      return false;
    }
  }
  return true;
}

template <typename T>
bool same(const std::vector<T>& got, const std::vector<T>& want, const char* what) {
  if (got.size() != want.size() || (!got.empty() && std::memcmp(got.data(), want.data(), got.size() * sizeof(T)))) {
    for (size_t i = 0; i < got.size() && i < want.size(); ++i)
      if (std::memcmp(&got[i], &want[i], sizeof(T))) {
        std::fprintf(stderr, "%s: differs at %zu of %zu: got %.17g want %.17g\n", what, i, got.size(),
                     (double)got[i], (double)want[i]);
        break;
      }
    ++rftest::failures();
    return false;
  }
  return true;
}

// Float tolerances for comparing the two backends (different libm / summation order).
template <typename T>
struct Tol;
template <>
struct Tol<float> {
  static constexpr double atol = 1e-6, rtol = 2e-5;
};
template <>
struct Tol<int32_t> {
  static constexpr double atol = 0, rtol = 0;
};
template <>
struct Tol<double> {
  static constexpr double atol = 1e-13, rtol = 1e-11;
};

inline const char* tname(float) { return "float32"; }
inline const char* tname(double) { return "float64"; }
inline const char* tname(int32_t) { return "int32"; }

}  // namespace cudatest
