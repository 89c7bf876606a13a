// Elementwise kernels: unary maps (with their derivative rules), broadcasting binary
// ops, where(), strided copies and casts. Shapes have at most 6 dims; strides are in
// elements; a broadcast operand has stride 0 along the broadcast dims.
#pragma once
#include <cstdint>

#include "recforge/enums.generated.h"

struct CUstream_st;  // = cudaStream_t's target; no CUDA headers needed here

namespace recforge {

constexpr int kMaxDims = 6;

// UnaryOp and BinaryOp: enums.generated.h (from the op table, native/ops.table.mjs).

// y[i] = f(x[i]) for i < n. x and y may alias.
template <typename T>
void unary_forward(UnaryOp op, const T* x, T* y, int64_t n, double a, double b);
// gx[i] = gy[i] * f'(x[i]); y = f(x) is passed too (cheaper for exp, sigmoid, tanh...).
template <typename T>
void unary_backward(UnaryOp op, const T* x, const T* y, const T* gy, T* gx, int64_t n, double a, double b);

// out (contiguous, `shape`) = a op b where a, b are read through their own strides.
// Comparisons write 1 or 0 in T.
template <typename T>
void binary_forward(BinaryOp op, int ndim, const int64_t* shape, const T* a, const int64_t* sa, const T* b,
                    const int64_t* sb, T* out);

// out = cond != 0 ? a : b, all three read through strides; out contiguous.
template <typename T>
void where_forward(int ndim, const int64_t* shape, const T* cond, const int64_t* sc, const T* a,
                   const int64_t* sa, const T* b, const int64_t* sb, T* out);

// dst (through dst strides) = src (through src strides) over `shape`. Used for
// contiguous(), permute/expand materialisation, slicing and concatenation.
template <typename T>
void strided_copy(int ndim, const int64_t* shape, const T* src, const int64_t* ss, T* dst, const int64_t* sd);

template <typename S, typename D>
void cast(const S* src, D* dst, int64_t n);

template <typename T>
void fill(T* dst, int64_t n, T value);

// out[i] = x[i] * s + y[i]*t  (axpby), the building block of gradient accumulation.
template <typename T>
void axpby(const T* x, T s, const T* y, T t, T* out, int64_t n);

// ---- CUDA (native/cuda/elementwise.cu) -----------------------------------------------
// Same semantics on DEVICE pointers, asynchronous on `stream`; shape/stride arrays stay on
// the host. Instantiated for the same types as the CPU kernels. The float->int32 cast
// reproduces x86's conversion (NaN and out-of-range give INT32_MIN), so both backends agree.
template <typename T>
void unary_forward_cuda(UnaryOp op, const T* x, T* y, int64_t n, double a, double b, CUstream_st* stream);
template <typename T>
void unary_backward_cuda(UnaryOp op, const T* x, const T* y, const T* gy, T* gx, int64_t n, double a, double b,
                         CUstream_st* stream);
template <typename T>
void binary_forward_cuda(BinaryOp op, int ndim, const int64_t* shape, const T* a, const int64_t* sa, const T* b,
                         const int64_t* sb, T* out, CUstream_st* stream);
template <typename T>
void where_forward_cuda(int ndim, const int64_t* shape, const T* cond, const int64_t* sc, const T* a,
                        const int64_t* sa, const T* b, const int64_t* sb, T* out, CUstream_st* stream);
template <typename T>
void strided_copy_cuda(int ndim, const int64_t* shape, const T* src, const int64_t* ss, T* dst, const int64_t* sd,
                       CUstream_st* stream);
template <typename S, typename D>
void cast_cuda(const S* src, D* dst, int64_t n, CUstream_st* stream);
template <typename T>
void fill_cuda(T* dst, int64_t n, T value, CUstream_st* stream);
template <typename T>
void axpby_cuda(const T* x, T s, const T* y, T t, T* out, int64_t n, CUstream_st* stream);

}  // namespace recforge
