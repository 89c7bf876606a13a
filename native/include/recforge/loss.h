// Fused loss kernels (per-element / per-row losses; the mean/sum reduction is done by
// the ordinary reduce ops so it gets its gradient for free).
#pragma once
#include <cstdint>

struct CUstream_st;  // = cudaStream_t's target; no CUDA headers needed here

namespace recforge {

// loss[i] = max(x,0) - x*y + log1p(exp(-|x|))  (stable BCE on logits); optional pos_weight
// scales the positive term: loss = (1-y)*x + (1 + (pw-1)*y) * softplus(-x).
template <typename T>
void bce_logits_forward(const T* x, const T* y, T* loss, int64_t n, double pos_weight);
// gx[i] = g[i] * ((1 + (pw-1) y) * sigmoid(x) - pw*y ... ) ; with pw = 1: g * (sigmoid(x) - y)
template <typename T>
void bce_logits_backward(const T* x, const T* y, const T* g, T* gx, int64_t n, double pos_weight);

// Row-wise cross-entropy on logits [n, c] with integer targets; rows whose target equals
// ignore_index get loss 0 and gradient 0. lse[n] saved for backward.
template <typename T>
void cross_entropy_forward(const T* logits, const int32_t* target, int64_t n, int64_t c, int32_t ignore_index,
                           T* loss, T* lse);
// glogits[i, :] = g[i] * (softmax(logits[i]) - onehot(target[i]))  (0 for ignored rows)
template <typename T>
void cross_entropy_backward(const T* logits, const int32_t* target, const T* lse, const T* g, int64_t n,
                            int64_t c, int32_t ignore_index, T* glogits);

// ---- CUDA (native/cuda/loss.cu) ------------------------------------------------------
// Same semantics on DEVICE pointers, asynchronous on `stream`. Targets must be validated.
template <typename T>
void bce_logits_forward_cuda(const T* x, const T* y, T* loss, int64_t n, double pos_weight, CUstream_st* stream);
template <typename T>
void bce_logits_backward_cuda(const T* x, const T* y, const T* g, T* gx, int64_t n, double pos_weight,
                              CUstream_st* stream);
template <typename T>
void cross_entropy_forward_cuda(const T* logits, const int32_t* target, int64_t n, int64_t c, int32_t ignore_index,
                                T* loss, T* lse, CUstream_st* stream);
template <typename T>
void cross_entropy_backward_cuda(const T* logits, const int32_t* target, const T* lse, const T* g, int64_t n,
                                 int64_t c, int32_t ignore_index, T* glogits, CUstream_st* stream);

}  // namespace recforge
