// Rotary position embedding (RoPE) in the rotate-half layout of Hugging Face LLaMA / GPT-NeoX.
//
// For an even head dim D, pair index i in [0, D/2) and token position p, the pair
// (x[i], x[i + D/2]) of each head row is rotated by the angle p * theta_i, theta_i = base^(-2i/D):
//     y[i]       = x[i]       * cos - x[i + D/2] * sin
//     y[i + D/2] = x[i + D/2] * cos + x[i]       * sin
// (HF's apply_rotary_pos_emb: q * cos + rotate_half(q) * sin with cos/sin = cat(freqs, freqs)).
// HF checkpoints' q/k projection weights are stored permuted for exactly this layout, so they
// load without un-permuting. (Meta's original LLaMA code rotates interleaved pairs (2i, 2i+1).)
//
// The backward of a rotation is its transpose, the rotation by -angle: rope_apply with inverse.
#pragma once
#include <cstdint>

namespace recforge {

// Angle tables for L tokens: cos[l * (D/2) + i] = cos(pos[l] * theta_i), same for sin; D even.
// Angles are computed in double (pos * base^(-2i/D)) and rounded once to T.
template <typename T>
void rope_tables(int64_t L, int64_t D, const int32_t* pos, double base, T* cos, T* sin);

// Rotates H*L head rows of D contiguous elements. Row (h, l) of x starts at x + h*x_sh + l*x_sl,
// row (h, l) of y at y + h*y_sh + l*y_sl: one call both rotates and re-lays out, e.g. reads
// q as [L, H, D] (x_sh = D, x_sl = H*D) and writes [H, L, D] (y_sh = L*D, y_sl = D).
// cos/sin: [L, D/2] from rope_tables. inverse = true rotates by -angle (the backward).
// Preconditions (the binding checks them): D even, strides >= 0, y rows disjoint and not
// overlapping x. Threads: parallel_for over the H*L rows.
template <typename T>
void rope_apply(int64_t H, int64_t L, int64_t D, const T* x, int64_t x_sh, int64_t x_sl, const T* cos, const T* sin,
                bool inverse, T* y, int64_t y_sh, int64_t y_sl);

}  // namespace recforge

// ---- CUDA (native/cuda/rope.cu) -----------------------------------------------------------
// Same semantics and argument layout; DEVICE pointers; T = float or double (angles in double);
// enqueued on `stream`. One thread per (row, pair): no shared memory, no workspace. Launch errors
// surface at the next cuda_check / cudaGetLastError.
struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;  // same typedef as cuda_runtime_api.h

namespace recforge {

template <typename T>
void rope_tables_cuda(int64_t L, int64_t D, const int32_t* pos, double base, T* cos, T* sin, cudaStream_t stream);

template <typename T>
void rope_apply_cuda(int64_t H, int64_t L, int64_t D, const T* x, int64_t x_sh, int64_t x_sl, const T* cos,
                     const T* sin, bool inverse, T* y, int64_t y_sh, int64_t y_sl, cudaStream_t stream);

}  // namespace recforge
