// Fused optimiser updates: one pass over parameter, gradient and state per step.
#pragma once
#include <cstdint>

struct CUstream_st;  // = cudaStream_t's target; no CUDA headers needed here

namespace recforge {

// SGD with momentum (PyTorch semantics): g' = g + wd*p; buf = momentum*buf + (1-dampening)*g'
// (buf = g' on the first step); step = nesterov ? g' + momentum*buf : buf; p -= lr*step.
template <typename T>
void sgd_step(T* p, const T* g, T* buf, int64_t n, double lr, double momentum, double dampening,
              double weight_decay, bool nesterov, bool first_step);

// Adam / AdamW (decoupled = true). step is 1-based (bias correction).
template <typename T>
void adam_step(T* p, const T* g, T* m, T* v, int64_t n, double lr, double beta1, double beta2, double eps,
               double weight_decay, bool decoupled, int64_t step);

template <typename T>
void scale_inplace(T* x, int64_t n, double s);

// ---- CUDA (native/cuda/optim.cu) -----------------------------------------------------
// Same updates on DEVICE pointers, asynchronous on `stream` (one fused pass each).
template <typename T>
void sgd_step_cuda(T* p, const T* g, T* buf, int64_t n, double lr, double momentum, double dampening,
                   double weight_decay, bool nesterov, bool first_step, CUstream_st* stream);
template <typename T>
void adam_step_cuda(T* p, const T* g, T* m, T* v, int64_t n, double lr, double beta1, double beta2, double eps,
                    double weight_decay, bool decoupled, int64_t step, CUstream_st* stream);
template <typename T>
void scale_inplace_cuda(T* x, int64_t n, double s, CUstream_st* stream);

// ---- Adagrad (native/cpu/adagrad.cc, native/cuda/adagrad.cu; per-element rule in
// recforge/adagrad_rule.h, shared by both) ----------------------------------------------
// g' = g + weight_decay·p; sum += g'²; p -= clr·g' / (sqrt(sum) + eps), with
// clr = lr / (1 + (step − 1)·lr_decay); step is 1-based. `sum` starts at the optimiser's
// initial accumulator value (set by the caller).
template <typename T>
void adagrad_step(T* p, const T* g, T* sum, int64_t n, double lr, double lr_decay, double eps, double weight_decay,
                  int64_t step);
template <typename T>
void adagrad_step_cuda(T* p, const T* g, T* sum, int64_t n, double lr, double lr_decay, double eps,
                       double weight_decay, int64_t step, CUstream_st* stream);

}  // namespace recforge
