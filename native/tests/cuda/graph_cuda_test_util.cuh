// Device buffers for the message-passing CUDA tests: upload a host vector, download into one,
// NaN-poisoned output buffers, and a CUDA error check that fails the test binary.
#pragma once
#include <cuda_runtime.h>

#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <vector>

#include "../graph_test_util.h"

#define RF_CUDA(call)                                                                                  \
  do {                                                                                                 \
    cudaError_t err_ = (call);                                                                         \
    if (err_ != cudaSuccess) {                                                                         \
      std::fprintf(stderr, "%s:%d: %s: %s\n", __FILE__, __LINE__, #call, cudaGetErrorString(err_));     \
      std::exit(2);                                                                                    \
    }                                                                                                  \
  } while (0)

namespace rftest {

template <typename T>
struct DevBuf {
  T* ptr = nullptr;
  size_t n = 0;
  DevBuf() = default;
  explicit DevBuf(size_t count) : n(count) { RF_CUDA(cudaMalloc(&ptr, sizeof(T) * (n ? n : 1))); }
  explicit DevBuf(const std::vector<T>& v) : DevBuf(v.size()) {
    if (n) RF_CUDA(cudaMemcpy(ptr, v.data(), sizeof(T) * n, cudaMemcpyHostToDevice));
  }
  DevBuf(const DevBuf&) = delete;
  DevBuf& operator=(const DevBuf&) = delete;
  ~DevBuf() { cudaFree(ptr); }
  std::vector<T> get() const {
    RF_CUDA(cudaDeviceSynchronize());
    std::vector<T> v(n);
    if (n) RF_CUDA(cudaMemcpy(v.data(), ptr, sizeof(T) * n, cudaMemcpyDeviceToHost));
    return v;
  }
};

// A device output buffer filled with NaN (or -99 for int32) so unwritten elements show.
template <typename T>
DevBuf<T>* poisoned(size_t n) {
  std::vector<T> v(n);
  if constexpr (std::is_floating_point<T>::value) poison(v);
  else for (auto& x : v) x = (T)-99;
  return new DevBuf<T>(v);
}

inline void require_device() {
  int count = 0;
  if (cudaGetDeviceCount(&count) != cudaSuccess || count == 0) {
    std::fprintf(stderr, "no CUDA device: this test needs a GPU\n");
    std::exit(2);
  }
}

}  // namespace rftest
