// Dense masked attention: the baseline the interval-attention kernel is measured against.
//
// Computes exactly what interval_attention_forward/backward compute (same arguments, layouts and
// semantics: see recforge/interval_attention.h), the way a generic "attention with an arbitrary
// mask" does it: it materialises an additive L×L mask (0 / -inf) from the intervals, then for
// each head the full L×L score matrix (scale·QKᵀ + ALiBi + mask), a row softmax and P·V — no tile
// is ever skipped. Work and memory grow with L².
//
// Memory: allocates the L×L mask once per call plus one (forward) or two (backward) L×L
// matrices reused across heads, and packed copies of one head's K/V (O(L·D)).
// Threads: recforge::parallel_for over row blocks (and key blocks for dk/dv), heads in sequence.
#pragma once
#include <cstdint>

namespace recforge {

template <typename T>
void dense_masked_attention_forward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                    const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* out,
                                    T* lse);

template <typename T>
void dense_masked_attention_backward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                     const T* out, const T* lse, const T* dout, const int32_t* iv, const T* slopes,
                                     const int32_t* pos, double scale, T* dq, T* dk, T* dv);

}  // namespace recforge
