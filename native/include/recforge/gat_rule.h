// The per-element math of the fused GAT layer (semantics: recforge/gat.h), shared by the CPU kernels
// (native/cpu/gat.cc) and the CUDA kernels (native/cuda/gat.cu): an edge's attention logit from its
// source's el and destination's er, and the logit's gradient through the in-edge softmax and the
// LeakyReLU. The softmax's exp and normalisation are softmax_rule.h's (edge_softmax_exp_rule,
// softmax_inv_rule, softmax_value_rule); the per-destination max / sum / dot, the feature aggregation
// and the block sums of the backward stay with each backend.
#pragma once

#include "recforge/host_device.h"
#include "recforge/softmax_rule.h"

namespace recforge {

// z = LeakyReLU(el + er) with the given negative slope.
template <typename T>
RECFORGE_HD inline T gat_logit_rule(T el, T er, T slope) {
  const T z = el + er;
  return z > T(0) ? z : z * slope;
}

// d loss / d (el + er) of one edge: the softmax backward alpha (dalpha - dot), dot = Σ alpha·dalpha over
// the destination's in-edges, times the LeakyReLU derivative (slope at z <= 0 and for a NaN z).
template <typename T>
RECFORGE_HD inline T gat_logit_grad_rule(T alpha, T dalpha, T dot, T el, T er, T slope) {
  const T g = softmax_grad_rule(alpha, dalpha, dot);
  return el + er > T(0) ? g : g * slope;
}

}  // namespace recforge
