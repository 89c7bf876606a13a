// Interval attention: the fused attention kernel behind DTI (Dynamic Target Isolation).
//
// Every query token attends to at most three half-open key intervals given per token, so
// that packed prompts, shared prefixes, per-interaction context windows and isolated targets
// are all one rule, without an L×L mask (see shared/reference/dti.md, "The attention rule").
//
// Layout (all row-major, contiguous):
//   q, k, v, out, dout, dq, dk, dv : [H, L, D]   H heads, L packed tokens, head dim D
//   lse                            : [H, L]      row log-sum-exp of the scaled, biased logits
//   iv                             : int32 [5, L], rows in this order:
//       iv[0*L + i] = prefLo[i]   iv[1*L + i] = prefHi[i]     prefix interval  [prefLo, prefHi)
//       iv[2*L + i] = ctxLo[i]    iv[3*L + i] = ctxHi[i]      context interval [ctxLo, ctxHi)
//       iv[4*L + i] = selfLo[i]                               self span        [selfLo, i]  (causal)
//   slopes : [H] ALiBi slope per head, pos : int32 [L] token positions (both nullptr = no ALiBi)
//
// Semantics: query i may attend key j iff
//     j ∈ [prefLo[i], prefHi[i]) ∪ [ctxLo[i], ctxHi[i]) ∪ [selfLo[i], i]
// (a union: a key inside two intervals counts once; an interval with lo >= hi is empty).
//     logit(h, i, j) = scale * <q[h,i], k[h,j]>  - slopes[h] * (pos[i] - pos[j])   (ALiBi term optional)
//     out[h, i]      = softmax_j(logit) · v[h, j]        lse[h, i] = log Σ_j exp(logit(h, i, j))
// Backward is the standard flash-attention backward (delta_i = Σ_d dout[h,i,d] * out[h,i,d]);
// dq, dk, dv are overwritten (not accumulated); slopes and pos get no gradient.
//
// Preconditions (the Node binding validates them; the kernels trust them):
//   for every i: 0 <= selfLo[i] <= i, and every non-empty interval lies inside [0, L)
//   (0 <= lo and hi <= L). |pos[i]| <= 2^30 so that position differences fit int32.
//   Outputs do not alias inputs.
//
// Cost: the CPU and CUDA kernels work in tiles (query tile × key tile) and only visit key tiles
// that at least one query of the tile may see; tiles where every query sees every key skip the
// per-element predicate. Work grows with L × (visible keys per query), not with L².
#pragma once
#include <cstddef>
#include <cstdint>

namespace recforge {

// Forward. T = float or double. lse has the input type T (float32 for float inputs).
// Threads: recforge::parallel_for over (head, query tile), balanced by visible key tiles.
// Allocates per call: a tile plan (O(L + visited tile pairs) ints), a transposed copy of K
// (H·L·D elements, packed once so that no key tile is transposed per query tile) and per-thread
// tile scratch (a few tile-sized buffers).
template <typename T>
void interval_attention_forward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* out,
                                T* lse);

// Backward, in one pass over (head, key tile) items: each key tile accumulates its dk, dv over
// the query tiles that see it, and adds its dq contributions to rows of dq. Race-free without
// atomics: the items are cut into one contiguous range per thread, a thread writes dq[h] directly
// for heads whose items it owns entirely, and uses a private [L, D] buffer for the (at most two)
// heads it shares with a neighbouring thread, summed afterwards. Extra memory: at most
// 2 · num_threads · L · D elements, plus the tile plan and tile scratch.
template <typename T>
void interval_attention_backward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                 const T* out, const T* lse, const T* dout, const int32_t* iv, const T* slopes,
                                 const int32_t* pos, double scale, T* dq, T* dk, T* dv);

}  // namespace recforge

// ---- CUDA (native/cuda/interval_attention.cu) ---------------------------------------------
// Same semantics and tile skipping; DEVICE pointers; T = float, __nv_bfloat16 or __half with fp32
// accumulation; lse is always float32 and slopes are float32. Enqueued on `stream`. Returns false
// (and enqueues nothing) when the sizes are unsupported: negative, D > 256, H > 65535 or L >= 2^28
// (interval_attention_cuda_supports says so beforehand); launch errors surface at the next
// cuda_check / cudaGetLastError. Shared memory per block is at most ~140 KB (D = 256), within sm_80
// and sm_90 limits.
struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;  // same typedef as cuda_runtime_api.h

#include "recforge/half.h"

namespace recforge {

bool interval_attention_cuda_supports(int64_t H, int64_t L, int64_t D);

template <typename T>
bool interval_attention_forward_cuda(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                     const int32_t* iv, const float* slopes, const int32_t* pos, float scale, T* out,
                                     float* lse, cudaStream_t stream);

// Bytes of device workspace interval_attention_backward_cuda needs: delta [H, L] (float32) and a
// per-query-tile table of visible key-tile ranges (24 bytes per 32 tokens).
size_t interval_attention_backward_cuda_workspace_bytes(int64_t H, int64_t L);

// workspace: device memory of at least interval_attention_backward_cuda_workspace_bytes(H, L) bytes
// (false, nothing enqueued, when smaller). Kernels: delta, a tile plan, dq per query tile (walks
// visible key tiles), dk/dv per key tile (walks the query tiles whose ranges include it). No atomics
// on outputs: results are deterministic.
template <typename T>
bool interval_attention_backward_cuda(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                      const T* out, const float* lse, const T* dout, const int32_t* iv,
                                      const float* slopes, const int32_t* pos, float scale, T* dq, T* dk, T* dv,
                                      void* workspace, size_t workspace_bytes, cudaStream_t stream);

// 16-bit inputs, fp32 outputs (autocast): q, k, v (and dout) are raw bfloat16 / IEEE-half bit
// patterns (`kind`), everything computed in fp32 as above, and out, lse, dq, dk, dv are float32
// (no second rounding of the results). The backward's `out` is the float32 forward output;
// delta = Σ_d dout · out uses the 16-bit dout, the same one that enters dP = dout · Vᵀ, so the
// softmax gradient stays consistent. Same size limits, workspace and return values as above.
bool interval_attention_forward_half_cuda(HalfKind kind, int64_t H, int64_t L, int64_t D, const uint16_t* q,
                                          const uint16_t* k, const uint16_t* v, const int32_t* iv,
                                          const float* slopes, const int32_t* pos, float scale, float* out,
                                          float* lse, cudaStream_t stream);
bool interval_attention_backward_half_cuda(HalfKind kind, int64_t H, int64_t L, int64_t D, const uint16_t* q,
                                           const uint16_t* k, const uint16_t* v, const float* out, const float* lse,
                                           const uint16_t* dout, const int32_t* iv, const float* slopes,
                                           const int32_t* pos, float scale, float* dq, float* dk, float* dv,
                                           void* workspace, size_t workspace_bytes, cudaStream_t stream);

}  // namespace recforge
