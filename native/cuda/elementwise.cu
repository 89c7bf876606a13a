// Elementwise kernels on the device: the unary and binary formulas are recforge/unary_rule.h's and
// recforge/binary_rule.h's (shared with native/cpu/elementwise.cc), one element per thread. The op is a runtime switch inside one kernel per type: it is
// uniform across the grid (no divergence) and keeps the number of instantiations small.
#include <cuda_runtime.h>

#include <climits>

#include "common.cuh"
#include "recforge/binary_rule.h"
#include "recforge/elementwise.h"
#include "recforge/unary_rule.h"

namespace recforge {
namespace {
using namespace cuda;

// The formulas are recforge/unary_rule.h's, shared with the CPU kernels; here the op is a runtime
// switch around them (uniform across the grid).
template <typename T>
__device__ __forceinline__ T unary_f(UnaryOp op, T v, T a, T b) {
  switch (op) {
#define RF_CASE(NAME) \
  case UnaryOp::NAME: return unary_value<UnaryOp::NAME, DeviceMath>(v, a, b);
    RECFORGE_UNARY_OPS(RF_CASE)
#undef RF_CASE
    default: return v;
  }
}

template <typename T>
__device__ __forceinline__ T unary_grad_d(UnaryOp op, T u, T v, T g, T a, T b) {
  switch (op) {
#define RF_CASE(NAME) \
  case UnaryOp::NAME: return unary_grad<UnaryOp::NAME, DeviceMath>(u, v, g, a, b);
    RECFORGE_UNARY_OPS(RF_CASE)
#undef RF_CASE
    default: return g;
  }
}

template <typename T>
__global__ void unary_kernel(UnaryOp op, const T* __restrict__ x, T* __restrict__ y, int64_t n, T a, T b) {
  RF_GRID_STRIDE(i, n) y[i] = unary_f(op, x[i], a, b);
}
// x and y may alias (in-place): no __restrict__ on them.
template <typename T>
__global__ void unary_inplace_kernel(UnaryOp op, const T* x, T* y, int64_t n, T a, T b) {
  RF_GRID_STRIDE(i, n) y[i] = unary_f(op, x[i], a, b);
}

template <typename T>
__global__ void unary_backward_kernel(UnaryOp op, const T* x, const T* y, const T* gy, T* gx, int64_t n, T a, T b) {
  RF_GRID_STRIDE(i, n) gx[i] = unary_grad_d(op, x[i], y[i], gy[i], a, b);
}

// The formulas are recforge/binary_rule.h's, shared with the CPU kernel (int32 included: wrapping
// add/sub/mul, division by zero = 0); a runtime switch around them, uniform across the grid.
template <typename T>
__device__ __forceinline__ T binary_f(BinaryOp op, T x, T y) {
  switch (op) {
#define RF_CASE(NAME) \
  case BinaryOp::NAME: return binary_value<BinaryOp::NAME, DeviceMath>(x, y);
    RECFORGE_BINARY_OPS(RF_CASE)
#undef RF_CASE
    default: return x;
  }
}

// Output contiguous; operands through the coalesced strides. Fast paths (both contiguous,
// one operand a scalar) cover nearly every call and avoid the index decomposition.
template <typename T>
__global__ void binary_kernel(BinaryOp op, Strided L, int64_t n, const T* a, const T* b, T* out, int mode) {
  if (mode == 1) {
    RF_GRID_STRIDE(i, n) out[i] = binary_f(op, a[i], b[i]);
  } else if (mode == 2) {
    const T bv = b[0];
    RF_GRID_STRIDE(i, n) out[i] = binary_f(op, a[i], bv);
  } else if (mode == 3) {
    const T av = a[0];
    RF_GRID_STRIDE(i, n) out[i] = binary_f(op, av, b[i]);
  } else {
    RF_GRID_STRIDE(i, n) {
      int64_t off[2];
      offsets<2>(L, i, off);
      out[i] = binary_f(op, a[off[0]], b[off[1]]);
    }
  }
}

template <typename T>
__global__ void where_kernel(Strided L, int64_t n, const T* c, const T* a, const T* b, T* out) {
  RF_GRID_STRIDE(i, n) {
    int64_t off[3];
    offsets<3>(L, i, off);
    out[i] = c[off[0]] != T(0) ? a[off[1]] : b[off[2]];
  }
}

template <typename T>
__global__ void strided_copy_kernel(Strided L, int64_t n, const T* src, T* dst) {
  RF_GRID_STRIDE(i, n) {
    int64_t off[2];
    offsets<2>(L, i, off);
    dst[off[1]] = src[off[0]];
  }
}

template <typename S, typename D>
__device__ __forceinline__ D convert(S v) {
  return (D)v;
}
// x86's cvttss2si/cvttsd2si: NaN and out-of-range values become INT32_MIN (the device's
// cvt would saturate instead); reproduced so cast results match the CPU backend.
template <>
__device__ __forceinline__ int32_t convert<float, int32_t>(float v) {
  return (v != v || v >= 2147483648.0f || v < -2147483648.0f) ? INT_MIN : (int32_t)v;
}
template <>
__device__ __forceinline__ int32_t convert<double, int32_t>(double v) {
  return (v != v || v >= 2147483648.0 || v <= -2147483649.0) ? INT_MIN : (int32_t)v;
}

template <typename S, typename D>
__global__ void cast_kernel(const S* __restrict__ src, D* __restrict__ dst, int64_t n) {
  RF_GRID_STRIDE(i, n) dst[i] = convert<S, D>(src[i]);
}

template <typename T>
__global__ void fill_kernel(T* dst, int64_t n, T v) {
  RF_GRID_STRIDE(i, n) dst[i] = v;
}

template <typename T>
__global__ void axpby_kernel(const T* x, T s, const T* y, T t, T* out, int64_t n) {
  // out may alias x or y (gradient accumulation in place).
  RF_GRID_STRIDE(i, n) out[i] = x[i] * s + y[i] * t;
}

int64_t numel(int ndim, const int64_t* shape) {
  int64_t n = 1;
  for (int d = 0; d < ndim; ++d) n *= shape[d];
  return n;
}

}  // namespace

template <typename T>
void unary_forward_cuda(UnaryOp op, const T* x, T* y, int64_t n, double a, double b, CUstream_st* stream) {
  if (n <= 0) return;
  if ((const void*)x == (const void*)y)
    unary_inplace_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(op, x, y, n, (T)a, (T)b);
  else
    unary_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(op, x, y, n, (T)a, (T)b);
}

template <typename T>
void unary_backward_cuda(UnaryOp op, const T* x, const T* y, const T* gy, T* gx, int64_t n, double a, double b,
                         CUstream_st* stream) {
  if (n <= 0) return;
  unary_backward_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(op, x, y, gy, gx, n, (T)a, (T)b);
}

template <typename T>
void binary_forward_cuda(BinaryOp op, int ndim, const int64_t* shape, const T* a, const int64_t* sa, const T* b,
                         const int64_t* sb, T* out, CUstream_st* stream) {
  const int64_t n = numel(ndim, shape);
  if (n <= 0) return;
  int64_t so[kMaxDims];
  int64_t acc = 1;
  for (int d = ndim - 1; d >= 0; --d) {
    so[d] = acc;
    acc *= shape[d];
  }
  const int64_t* strides[3] = {sa, sb, so};
  Strided L = coalesce(ndim, shape, 3, strides);
  int mode = 0;
  if (L.nd == 1 && L.st[2][0] == 1) {
    if (L.st[0][0] == 1 && L.st[1][0] == 1) mode = 1;
    else if (L.st[0][0] == 1 && L.st[1][0] == 0) mode = 2;
    else if (L.st[0][0] == 0 && L.st[1][0] == 1) mode = 3;
  }
  binary_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(op, L, n, a, b, out, mode);
}

template <typename T>
void where_forward_cuda(int ndim, const int64_t* shape, const T* cond, const int64_t* sc, const T* a,
                        const int64_t* sa, const T* b, const int64_t* sb, T* out, CUstream_st* stream) {
  const int64_t n = numel(ndim, shape);
  if (n <= 0) return;
  // The output is contiguous: coalescing on the three inputs alone is exact because the
  // logical index enumerates the output in order.
  const int64_t* strides[3] = {sc, sa, sb};
  Strided L = coalesce(ndim, shape, 3, strides);
  where_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(L, n, cond, a, b, out);
}

template <typename T>
void strided_copy_cuda(int ndim, const int64_t* shape, const T* src, const int64_t* ss, T* dst, const int64_t* sd,
                       CUstream_st* stream) {
  const int64_t n = numel(ndim, shape);
  if (n <= 0) return;
  const int64_t* strides[2] = {ss, sd};
  Strided L = coalesce(ndim, shape, 2, strides);
  if (L.nd == 1 && L.st[0][0] == 1 && L.st[1][0] == 1) {
    cudaMemcpyAsync(dst, src, (size_t)n * sizeof(T), cudaMemcpyDeviceToDevice, stream);
    return;
  }
  strided_copy_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(L, n, src, dst);
}

template <typename S, typename D>
void cast_cuda(const S* src, D* dst, int64_t n, CUstream_st* stream) {
  if (n <= 0) return;
  cast_kernel<S, D><<<grid_for(n), kThreads, 0, stream>>>(src, dst, n);
}

template <typename T>
void fill_cuda(T* dst, int64_t n, T value, CUstream_st* stream) {
  if (n <= 0) return;
  fill_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(dst, n, value);
}

template <typename T>
void axpby_cuda(const T* x, T s, const T* y, T t, T* out, int64_t n, CUstream_st* stream) {
  if (n <= 0) return;
  axpby_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(x, s, y, t, out, n);
}

#define RF_INST_FLOAT(T)                                                                                         \
  template void unary_forward_cuda<T>(UnaryOp, const T*, T*, int64_t, double, double, CUstream_st*);            \
  template void unary_backward_cuda<T>(UnaryOp, const T*, const T*, const T*, T*, int64_t, double, double,      \
                                       CUstream_st*);                                                           \
  template void axpby_cuda<T>(const T*, T, const T*, T, T*, int64_t, CUstream_st*);
#define RF_INST_ANY(T)                                                                                           \
  template void binary_forward_cuda<T>(BinaryOp, int, const int64_t*, const T*, const int64_t*, const T*,       \
                                       const int64_t*, T*, CUstream_st*);                                       \
  template void where_forward_cuda<T>(int, const int64_t*, const T*, const int64_t*, const T*, const int64_t*,  \
                                      const T*, const int64_t*, T*, CUstream_st*);                              \
  template void strided_copy_cuda<T>(int, const int64_t*, const T*, const int64_t*, T*, const int64_t*,         \
                                     CUstream_st*);                                                             \
  template void fill_cuda<T>(T*, int64_t, T, CUstream_st*);
RF_INST_FLOAT(float)
RF_INST_FLOAT(double)
RF_INST_ANY(float)
RF_INST_ANY(double)
RF_INST_ANY(int32_t)
template void cast_cuda<float, double>(const float*, double*, int64_t, CUstream_st*);
template void cast_cuda<double, float>(const double*, float*, int64_t, CUstream_st*);
template void cast_cuda<float, int32_t>(const float*, int32_t*, int64_t, CUstream_st*);
template void cast_cuda<int32_t, float>(const int32_t*, float*, int64_t, CUstream_st*);
template void cast_cuda<double, int32_t>(const double*, int32_t*, int64_t, CUstream_st*);
template void cast_cuda<int32_t, double>(const int32_t*, double*, int64_t, CUstream_st*);

}  // namespace recforge
