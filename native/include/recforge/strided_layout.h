// The coalesced strided layout shared by the CPU and CUDA elementwise kernels: adjacent
// dims that are contiguous for every operand are merged and size-1 dims dropped, so most
// calls become 1-2 dims. Plain host code (nvcc compiles it too); passed to kernels by value.
#pragma once
#include <cstdint>

namespace recforge {

constexpr int kLayoutMaxDims = 6;

struct StridedLayout {
  int nd = 0;
  int64_t shape[kLayoutMaxDims];
  int64_t st[3][kLayoutMaxDims];  // per operand (at most 3); unused operands get 0 strides
};

inline StridedLayout coalesce_layout(int ndim, const int64_t* shape, int nops, const int64_t* const* strides) {
  StridedLayout L;
  for (int d = 0; d < ndim; ++d) {
    if (shape[d] == 1) continue;
    if (L.nd > 0) {
      bool mergeable = true;
      for (int o = 0; o < nops; ++o)
        if (L.st[o][L.nd - 1] != strides[o][d] * shape[d]) mergeable = false;
      if (mergeable) {
        L.shape[L.nd - 1] *= shape[d];
        for (int o = 0; o < nops; ++o) L.st[o][L.nd - 1] = strides[o][d];
        continue;
      }
    }
    L.shape[L.nd] = shape[d];
    for (int o = 0; o < nops; ++o) L.st[o][L.nd] = strides[o][d];
    ++L.nd;
  }
  if (L.nd == 0) {
    L.nd = 1;
    L.shape[0] = 1;
    for (int o = 0; o < nops; ++o) L.st[o][0] = 0;
  }
  for (int o = nops; o < 3; ++o)
    for (int d = 0; d < L.nd; ++d) L.st[o][d] = 0;
  return L;
}

}  // namespace recforge
