// CUDA interval attention (see recforge/interval_attention.h for the contract).
//
// Simple shared-memory flash-attention kernels (no tensor cores), fp32 math on float, bf16 or half
// inputs (the 16-bit entry points write float32 outputs: autocast). A block owns one tile of TILE query rows (forward, dq) or TILE keys (dk/dv) of one head;
// four threads (a "quad") share each row: in Q·Kᵀ a thread owns TILE/4 key columns, in P·V it owns
// DMAX/4 output columns held in registers.
//
// Tile skipping: a query tile's candidate key tiles are the union of three hulls (min lo .. max hi
// over the tile's rows of the prefix, context and self intervals, in tile units); each candidate is
// then checked exactly with one block vote (skip when no row sees any of its keys) and a second vote
// marks "full" tiles that need no per-element predicate. For dk/dv, a small plan kernel stores the
// hulls of every query tile in the workspace, and each key-tile block scans that table.
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <climits>
#include <cstdint>

#include "interval_attention_kernels.cuh"
#include "recforge/interval_attention.h"

namespace recforge {
namespace {

using namespace interval_attention_cuda;

// ------------------------------------------------------------------------------------ launch
// Kernels above 48 KB of dynamic shared memory must opt in. A failure here (or of a launch) is left
// in cudaGetLastError for the caller's cuda_check.
template <typename Kernel>
void allow_smem(Kernel kernel, size_t bytes) {
  cudaFuncSetAttribute(kernel, cudaFuncAttributeMaxDynamicSharedMemorySize, (int)bytes);
}

// T: input type (q, k, v, dout); TO: output type (out, dq, dk, dv): T itself, or float.
template <typename T, typename TO, int TILE, int DMAX>
void launch_fwd(int H, int L, int D, const T* q, const T* k, const T* v, const int32_t* iv,
                       const float* slopes, const int32_t* pos, float scale, TO* out, float* lse, cudaStream_t stream) {
  const size_t smem = fwd_smem<TILE>(D);
  auto kernel = fwd_kernel<T, TO, TILE, DMAX>;
  allow_smem(kernel, smem);
  kernel<<<dim3((L + TILE - 1) / TILE, H), 4 * TILE, smem, stream>>>(L, D, q, k, v, iv, slopes, pos, scale, out, lse);
}

template <typename T, typename TO, int TILE, int DMAX>
void launch_bwd(int H, int L, int D, const T* q, const T* k, const T* v, const float* lse, const T* dout,
                       const int32_t* iv, const float* slopes, const int32_t* pos, float scale, TO* dq, TO* dk, TO* dv,
                       float* delta, int* hulls, cudaStream_t stream) {
  plan_kernel<TILE><<<(L + TILE - 1) / TILE, TILE, 0, stream>>>(L, iv, hulls);
  const size_t s1 = dq_smem<TILE>(D), s2 = dkv_smem<TILE>(D);
  auto k1 = dq_kernel<T, TO, TILE, DMAX>;
  auto k2 = dkv_kernel<T, TO, TILE, DMAX>;
  allow_smem(k1, s1);
  allow_smem(k2, s2);
  k1<<<dim3((L + TILE - 1) / TILE, H), 4 * TILE, s1, stream>>>(L, D, q, k, v, lse, delta, dout, iv, slopes, pos, scale,
                                                              dq);
  k2<<<dim3((L + TILE - 1) / TILE, H), 4 * TILE, s2, stream>>>(L, D, q, k, v, lse, delta, dout, iv, slopes, pos, scale,
                                                              hulls, dk, dv);
}

constexpr int64_t kMaxD = 256;

// L < 2^28 keeps every tile index and j0 + TILE inside int; grid.y holds the head.
bool supported(int64_t H, int64_t L, int64_t D) {
  return H >= 0 && L >= 0 && D >= 0 && D <= kMaxD && L <= INT_MAX / 8 && H <= 65535;
}

size_t align256(size_t n) { return (n + 255) / 256 * 256; }

template <typename T, typename TO>
bool forward_impl(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v, const int32_t* iv,
                  const float* slopes, const int32_t* pos, float scale, TO* out, float* lse, cudaStream_t stream) {
  if (!supported(H, L, D)) return false;
  if (H == 0 || L == 0) return true;
  if (!pos) slopes = nullptr;
  const int h = (int)H, l = (int)L, d = (int)D;
  if (D <= 32) launch_fwd<T, TO, 64, 32>(h, l, d, q, k, v, iv, slopes, pos, scale, out, lse, stream);
  else if (D <= 64) launch_fwd<T, TO, 64, 64>(h, l, d, q, k, v, iv, slopes, pos, scale, out, lse, stream);
  else if (D <= 128) launch_fwd<T, TO, 64, 128>(h, l, d, q, k, v, iv, slopes, pos, scale, out, lse, stream);
  else launch_fwd<T, TO, 32, 256>(h, l, d, q, k, v, iv, slopes, pos, scale, out, lse, stream);
  return true;
}

template <typename T, typename TO>
bool backward_impl(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v, const TO* out,
                   const float* lse, const T* dout, const int32_t* iv, const float* slopes, const int32_t* pos,
                   float scale, TO* dq, TO* dk, TO* dv, void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  if (!supported(H, L, D)) return false;
  if (H == 0 || L == 0) return true;
  if (!workspace || workspace_bytes < interval_attention_backward_cuda_workspace_bytes(H, L)) return false;
  if (!pos) slopes = nullptr;
  float* delta = static_cast<float*>(workspace);
  int* hulls = reinterpret_cast<int*>(static_cast<char*>(workspace) + align256(sizeof(float) * (size_t)(H * L)));
  const int64_t rows = H * L;
  delta_kernel<TO, T><<<(unsigned)((rows + 7) / 8), 256, 0, stream>>>(rows, (int)D, out, dout, delta);
  const int h = (int)H, l = (int)L, d = (int)D;
  if (D <= 32)
    launch_bwd<T, TO, 64, 32>(h, l, d, q, k, v, lse, dout, iv, slopes, pos, scale, dq, dk, dv, delta, hulls, stream);
  else if (D <= 64)
    launch_bwd<T, TO, 64, 64>(h, l, d, q, k, v, lse, dout, iv, slopes, pos, scale, dq, dk, dv, delta, hulls, stream);
  else if (D <= 128)
    launch_bwd<T, TO, 32, 128>(h, l, d, q, k, v, lse, dout, iv, slopes, pos, scale, dq, dk, dv, delta, hulls, stream);
  else
    launch_bwd<T, TO, 32, 256>(h, l, d, q, k, v, lse, dout, iv, slopes, pos, scale, dq, dk, dv, delta, hulls, stream);
  return true;
}

}  // namespace

bool interval_attention_cuda_supports(int64_t H, int64_t L, int64_t D) { return supported(H, L, D); }

size_t interval_attention_backward_cuda_workspace_bytes(int64_t H, int64_t L) {
  const int64_t min_tile = 32;
  return align256(sizeof(float) * (size_t)(H * L)) + sizeof(int) * 6 * (size_t)((L + min_tile - 1) / min_tile);
}

template <typename T>
bool interval_attention_forward_cuda(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                     const int32_t* iv, const float* slopes, const int32_t* pos, float scale, T* out,
                                     float* lse, cudaStream_t stream) {
  return forward_impl<T, T>(H, L, D, q, k, v, iv, slopes, pos, scale, out, lse, stream);
}

template <typename T>
bool interval_attention_backward_cuda(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v,
                                      const T* out, const float* lse, const T* dout, const int32_t* iv,
                                      const float* slopes, const int32_t* pos, float scale, T* dq, T* dk, T* dv,
                                      void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  return backward_impl<T, T>(H, L, D, q, k, v, out, lse, dout, iv, slopes, pos, scale, dq, dk, dv, workspace,
                             workspace_bytes, stream);
}

bool interval_attention_forward_half_cuda(HalfKind kind, int64_t H, int64_t L, int64_t D, const uint16_t* q,
                                          const uint16_t* k, const uint16_t* v, const int32_t* iv,
                                          const float* slopes, const int32_t* pos, float scale, float* out,
                                          float* lse, cudaStream_t stream) {
  if (kind == HalfKind::BF16) {
    using B = __nv_bfloat16;
    return forward_impl<B, float>(H, L, D, reinterpret_cast<const B*>(q), reinterpret_cast<const B*>(k),
                                  reinterpret_cast<const B*>(v), iv, slopes, pos, scale, out, lse, stream);
  }
  return forward_impl<__half, float>(H, L, D, reinterpret_cast<const __half*>(q), reinterpret_cast<const __half*>(k),
                                     reinterpret_cast<const __half*>(v), iv, slopes, pos, scale, out, lse, stream);
}

bool interval_attention_backward_half_cuda(HalfKind kind, int64_t H, int64_t L, int64_t D, const uint16_t* q,
                                           const uint16_t* k, const uint16_t* v, const float* out, const float* lse,
                                           const uint16_t* dout, const int32_t* iv, const float* slopes,
                                           const int32_t* pos, float scale, float* dq, float* dk, float* dv,
                                           void* workspace, size_t workspace_bytes, cudaStream_t stream) {
  if (kind == HalfKind::BF16) {
    using B = __nv_bfloat16;
    return backward_impl<B, float>(H, L, D, reinterpret_cast<const B*>(q), reinterpret_cast<const B*>(k),
                                   reinterpret_cast<const B*>(v), out, lse, reinterpret_cast<const B*>(dout), iv,
                                   slopes, pos, scale, dq, dk, dv, workspace, workspace_bytes, stream);
  }
  using F = __half;
  return backward_impl<F, float>(H, L, D, reinterpret_cast<const F*>(q), reinterpret_cast<const F*>(k),
                                 reinterpret_cast<const F*>(v), out, lse, reinterpret_cast<const F*>(dout), iv, slopes,
                                 pos, scale, dq, dk, dv, workspace, workspace_bytes, stream);
}

#define RECFORGE_INSTANTIATE(T)                                                                                       \
  template bool interval_attention_forward_cuda<T>(int64_t, int64_t, int64_t, const T*, const T*, const T*,           \
                                                   const int32_t*, const float*, const int32_t*, float, T*, float*,   \
                                                   cudaStream_t);                                                     \
  template bool interval_attention_backward_cuda<T>(int64_t, int64_t, int64_t, const T*, const T*, const T*,          \
                                                    const T*, const float*, const T*, const int32_t*, const float*,   \
                                                    const int32_t*, float, T*, T*, T*, void*, size_t, cudaStream_t);
RECFORGE_INSTANTIATE(float)
RECFORGE_INSTANTIATE(__nv_bfloat16)
RECFORGE_INSTANTIATE(__half)
#undef RECFORGE_INSTANTIATE

}  // namespace recforge
