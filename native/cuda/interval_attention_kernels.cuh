// Device code of the CUDA interval attention (kernels and their helpers); the launchers are in
// interval_attention.cu. Kept apart so that a test harness can compile these kernels on their own.
// See interval_attention.cu for the design.
#pragma once
#include <cuda_bf16.h>
#include <cuda_fp16.h>

#include <climits>
#include <cstdint>

// Dynamic shared memory of the block, as floats (overridable by a harness that runs these kernels
// without a GPU).
#ifndef RECFORGE_DYNAMIC_SMEM
#define RECFORGE_DYNAMIC_SMEM(name) extern __shared__ float name[]
#endif

namespace recforge {
namespace interval_attention_cuda {


constexpr float kNegInf = -INFINITY;

template <typename T>
__device__ __forceinline__ float to_f(T x);
template <>
__device__ __forceinline__ float to_f<float>(float x) {
  return x;
}
template <>
__device__ __forceinline__ float to_f<__nv_bfloat16>(__nv_bfloat16 x) {
  return __bfloat162float(x);
}
template <>
__device__ __forceinline__ float to_f<__half>(__half x) {
  return __half2float(x);
}

template <typename T>
__device__ __forceinline__ T from_f(float x);
template <>
__device__ __forceinline__ float from_f<float>(float x) {
  return x;
}
template <>
__device__ __forceinline__ __nv_bfloat16 from_f<__nv_bfloat16>(float x) {
  return __float2bfloat16(x);
}
template <>
__device__ __forceinline__ __half from_f<__half>(float x) {
  return __float2half(x);
}

// The intervals of query row i: [pl, ph) ∪ [cl, ch) ∪ [sl, i]. Rows past L are invalid (see nothing).
struct RowIv {
  int pl, ph, cl, ch, sl, i;
  bool valid;

  __device__ static RowIv load(const int32_t* iv, int L, int i) {
    RowIv r{0, 0, 0, 0, 1, i, i < L};
    if (r.valid) r.pl = iv[i], r.ph = iv[L + i], r.cl = iv[2 * L + i], r.ch = iv[3 * L + i], r.sl = iv[4 * L + i];
    return r;
  }
  __device__ bool sees(int j) const {
    return valid && ((j >= pl && j < ph) || (j >= cl && j < ch) || (j >= sl && j <= i));
  }
  // Whether some key of [j0, j1) is visible.
  __device__ bool touches(int j0, int j1) const {
    return valid && ((pl < ph && pl < j1 && ph > j0) || (cl < ch && cl < j1 && ch > j0) || (sl <= i && sl < j1 && i >= j0));
  }
  // Whether every key of [j0, j1) is visible (three sweeps follow any chain of adjacent intervals).
  __device__ bool covers(int j0, int j1) const {
    int at = j0;
    for (int sweep = 0; sweep < 3; ++sweep) {
      if (pl <= at && at < ph) at = ph;
      if (cl <= at && at < ch) at = ch;
      if (sl <= at && at <= i) at = i + 1;
    }
    return at >= j1;
  }
};

// Hulls of the valid rows' non-empty intervals, in tile units: lo[t] .. hi[t] (empty: lo > hi).
// Called by every thread of the block; `leader` marks one thread per row. Contains barriers.
template <int TILE>
__device__ void block_hulls(const RowIv& row, bool leader, int* lo, int* hi) {
  if (threadIdx.x < 3) lo[threadIdx.x] = INT_MAX, hi[threadIdx.x] = -1;
  __syncthreads();
  if (leader && row.valid) {
    if (row.pl < row.ph) atomicMin(&lo[0], row.pl / TILE), atomicMax(&hi[0], (row.ph - 1) / TILE);
    if (row.cl < row.ch) atomicMin(&lo[1], row.cl / TILE), atomicMax(&hi[1], (row.ch - 1) / TILE);
    atomicMin(&lo[2], row.sl / TILE), atomicMax(&hi[2], row.i / TILE);
  }
  __syncthreads();
}

// The three hull ranges sorted by start (every thread computes the same), so that a block can walk
// their union once: for each range, tiles max(a, next) .. b, then next = max(next, b + 1).
struct Ranges {
  int a[3], b[3];
  __device__ Ranges(const int* lo, const int* hi) {
    for (int t = 0; t < 3; ++t) a[t] = lo[t], b[t] = hi[t];
    sort_pair(0, 1), sort_pair(1, 2), sort_pair(0, 1);
  }
  __device__ void sort_pair(int x, int y) {
    if (a[y] < a[x]) {
      int ta = a[x], tb = b[x];
      a[x] = a[y], b[x] = b[y], a[y] = ta, b[y] = tb;
    }
  }
};

__device__ __forceinline__ float quad_max(float x) {
  x = fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 1));
  return fmaxf(x, __shfl_xor_sync(0xffffffffu, x, 2));
}
__device__ __forceinline__ float quad_sum(float x) {
  x += __shfl_xor_sync(0xffffffffu, x, 1);
  return x + __shfl_xor_sync(0xffffffffu, x, 2);
}

// rows [r0, r0 + TILE) of a [L, D] matrix into shared memory (leading dimension ld), zero past L.
template <typename T, int TILE>
__device__ void load_tile(const T* src, int L, int D, int r0, float* dst, int ld) {
  for (int idx = threadIdx.x; idx < TILE * D; idx += blockDim.x) {
    const int r = idx / D, d = idx - r * D;
    dst[r * ld + d] = r0 + r < L ? to_f(src[(size_t)(r0 + r) * D + d]) : 0.f;
  }
}

// Odd leading dimension: rows read at the same column by the lanes of a warp fall in different banks.
__host__ __device__ constexpr int odd_ld(int D) { return D | 1; }

// ----------------------------------------------------------------------------------- forward
template <int TILE>
inline size_t fwd_smem(int D) {
  return sizeof(float) * (3 * (size_t)TILE * odd_ld(D) + TILE * (TILE + 1)) + sizeof(int) * TILE;
}

// T: the type of q, k, v; TO: the type of out (T itself, or float for 16-bit inputs with fp32 outputs).
template <typename T, typename TO, int TILE, int DMAX>
__global__ void __launch_bounds__(4 * TILE)
    fwd_kernel(int L, int D, const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
               const int32_t* __restrict__ iv, const float* __restrict__ slopes, const int32_t* __restrict__ pos,
               float scale, TO* __restrict__ out, float* __restrict__ lse) {
  constexpr int CPT = TILE / 4, DPT = DMAX / 4;
  RECFORGE_DYNAMIC_SMEM(smem);
  __shared__ int hull_lo[3], hull_hi[3];
  const int ld = odd_ld(D), pld = TILE + 1;
  float* Qs = smem;
  float* Ks = Qs + TILE * ld;
  float* Vs = Ks + TILE * ld;
  float* Ps = Vs + TILE * ld;
  int* posk = reinterpret_cast<int*>(Ps + TILE * pld);

  const int h = blockIdx.y, t = threadIdx.x, r = t >> 2, lane4 = t & 3;
  const int i0 = blockIdx.x * TILE, i = i0 + r;
  const size_t head = (size_t)h * L * D;
  const RowIv row = RowIv::load(iv, L, i);
  const bool alibi = slopes != nullptr;
  const float slope = alibi ? slopes[h] : 0.f;
  const int pos_i = alibi && row.valid ? pos[i] : 0;

  load_tile<T, TILE>(q + head, L, D, i0, Qs, ld);
  block_hulls<TILE>(row, lane4 == 0, hull_lo, hull_hi);
  const Ranges rg(hull_lo, hull_hi);

  float o[DPT];
#pragma unroll
  for (int u = 0; u < DPT; ++u) o[u] = 0.f;
  float m = kNegInf, l = 0.f;

  int next = 0;
  for (int ri = 0; ri < 3; ++ri) {
    for (int kt = max(rg.a[ri], next); kt <= rg.b[ri]; ++kt) {
      const int j0 = kt * TILE;
      // The vote is also the barrier after which the previous tile's K/V/P may be overwritten.
      if (!__syncthreads_or(row.touches(j0, j0 + TILE))) continue;
      const bool full = __syncthreads_and(!row.valid || row.covers(j0, j0 + TILE)) && j0 + TILE <= L;
      load_tile<T, TILE>(k + head, L, D, j0, Ks, ld);
      load_tile<T, TILE>(v + head, L, D, j0, Vs, ld);
      if (alibi)
        for (int jj = t; jj < TILE; jj += blockDim.x) posk[jj] = j0 + jj < L ? pos[j0 + jj] : 0;
      __syncthreads();

      float s[CPT];
#pragma unroll
      for (int c = 0; c < CPT; ++c) s[c] = 0.f;
      for (int d = 0; d < D; ++d) {
        const float qv = Qs[r * ld + d];
#pragma unroll
        for (int c = 0; c < CPT; ++c) s[c] = fmaf(qv, Ks[(lane4 + 4 * c) * ld + d], s[c]);
      }
      float tmax = kNegInf;
#pragma unroll
      for (int c = 0; c < CPT; ++c) {
        const int jj = lane4 + 4 * c;
        float x = s[c] * scale;
        if (alibi) x -= slope * (float)(pos_i - posk[jj]);
        if (!(row.valid && (full || row.sees(j0 + jj)))) x = kNegInf;
        s[c] = x;
        tmax = fmaxf(tmax, x);
      }
      tmax = quad_max(tmax);
      const float m_new = fmaxf(m, tmax);
      float corr = 1.f, psum = 0.f;
      if (m_new != kNegInf) {  // else nothing visible to this row yet: p = 0
        corr = expf(m - m_new);  // 0 when m = -inf
#pragma unroll
        for (int c = 0; c < CPT; ++c) s[c] = s[c] == kNegInf ? 0.f : __expf(s[c] - m_new), psum += s[c];
      } else {
#pragma unroll
        for (int c = 0; c < CPT; ++c) s[c] = 0.f;
      }
#pragma unroll
      for (int c = 0; c < CPT; ++c) Ps[r * pld + lane4 + 4 * c] = s[c];
      psum = quad_sum(psum);
      l = l * corr + psum;
      m = m_new;
#pragma unroll
      for (int u = 0; u < DPT; ++u) o[u] *= corr;
      __syncwarp();  // row r of P is written by its own quad
      for (int j = 0; j < TILE; ++j) {
        const float p = Ps[r * pld + j];
#pragma unroll
        for (int u = 0; u < DPT; ++u) {
          const int d = lane4 + 4 * u;
          if (d < D) o[u] = fmaf(p, Vs[j * ld + d], o[u]);
        }
      }
    }
    next = max(next, rg.b[ri] + 1);
  }
  if (row.valid) {  // l > 0: every row sees its own key
    const float inv = 1.f / l;
#pragma unroll
    for (int u = 0; u < DPT; ++u) {
      const int d = lane4 + 4 * u;
      if (d < D) out[head + (size_t)i * D + d] = from_f<TO>(o[u] * inv);
    }
    if (lane4 == 0) lse[(size_t)h * L + i] = m + logf(l);
  }
}

// ---------------------------------------------------------------------------------- backward
// delta[h, i] = Σ_d dout[h, i, d] · out[h, i, d]: one warp per row. TO: out's type, T: dout's type
// (the same except for 16-bit inputs with fp32 outputs, where dout is rounded like q, k, v).
template <typename TO, typename T>
__global__ void delta_kernel(int64_t rows, int D, const TO* __restrict__ out, const T* __restrict__ dout,
                             float* __restrict__ delta) {
  const int64_t row = (int64_t)blockIdx.x * (blockDim.x / 32) + threadIdx.x / 32;
  const int lane = threadIdx.x & 31;
  if (row >= rows) return;
  float s = 0.f;
  for (int d = lane; d < D; d += 32) s += to_f(dout[row * D + d]) * to_f(out[row * D + d]);
  for (int off = 16; off; off >>= 1) s += __shfl_xor_sync(0xffffffffu, s, off);
  if (lane == 0) delta[row] = s;
}

// hulls[qt · 6 + 2t], hulls[qt · 6 + 2t + 1] = key-tile hull of interval t over query tile qt.
template <int TILE>
__global__ void plan_kernel(int L, const int32_t* __restrict__ iv, int* __restrict__ hulls) {
  __shared__ int lo[3], hi[3];
  const RowIv row = RowIv::load(iv, L, blockIdx.x * TILE + threadIdx.x);
  block_hulls<TILE>(row, true, lo, hi);
  if (threadIdx.x < 3) hulls[blockIdx.x * 6 + 2 * threadIdx.x] = lo[threadIdx.x];
  if (threadIdx.x < 3) hulls[blockIdx.x * 6 + 2 * threadIdx.x + 1] = hi[threadIdx.x];
}

template <int TILE>
inline size_t dq_smem(int D) {
  return sizeof(float) * (4 * (size_t)TILE * odd_ld(D) + TILE * (TILE + 1)) + sizeof(int) * TILE;
}

// dq of one query tile: walks its visible key tiles like the forward, recomputing P from lse.
template <typename T, typename TO, int TILE, int DMAX>
__global__ void __launch_bounds__(4 * TILE)
    dq_kernel(int L, int D, const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
              const float* __restrict__ lse, const float* __restrict__ delta, const T* __restrict__ dout,
              const int32_t* __restrict__ iv, const float* __restrict__ slopes, const int32_t* __restrict__ pos,
              float scale, TO* __restrict__ dq) {
  constexpr int CPT = TILE / 4, DPT = DMAX / 4;
  RECFORGE_DYNAMIC_SMEM(smem);
  __shared__ int hull_lo[3], hull_hi[3];
  const int ld = odd_ld(D), pld = TILE + 1;
  float* Qs = smem;
  float* dOs = Qs + TILE * ld;
  float* Ks = dOs + TILE * ld;
  float* Vs = Ks + TILE * ld;
  float* dSs = Vs + TILE * ld;
  int* posk = reinterpret_cast<int*>(dSs + TILE * pld);

  const int h = blockIdx.y, t = threadIdx.x, r = t >> 2, lane4 = t & 3;
  const int i0 = blockIdx.x * TILE, i = i0 + r;
  const size_t head = (size_t)h * L * D;
  const RowIv row = RowIv::load(iv, L, i);
  const bool alibi = slopes != nullptr;
  const float slope = alibi ? slopes[h] : 0.f;
  const int pos_i = alibi && row.valid ? pos[i] : 0;
  const float lse_i = row.valid ? lse[(size_t)h * L + i] : 0.f;
  const float delta_i = row.valid ? delta[(size_t)h * L + i] : 0.f;

  load_tile<T, TILE>(q + head, L, D, i0, Qs, ld);
  load_tile<T, TILE>(dout + head, L, D, i0, dOs, ld);
  block_hulls<TILE>(row, lane4 == 0, hull_lo, hull_hi);
  const Ranges rg(hull_lo, hull_hi);

  float acc[DPT];
#pragma unroll
  for (int u = 0; u < DPT; ++u) acc[u] = 0.f;

  int next = 0;
  for (int ri = 0; ri < 3; ++ri) {
    for (int kt = max(rg.a[ri], next); kt <= rg.b[ri]; ++kt) {
      const int j0 = kt * TILE;
      if (!__syncthreads_or(row.touches(j0, j0 + TILE))) continue;
      const bool full = __syncthreads_and(!row.valid || row.covers(j0, j0 + TILE)) && j0 + TILE <= L;
      load_tile<T, TILE>(k + head, L, D, j0, Ks, ld);
      load_tile<T, TILE>(v + head, L, D, j0, Vs, ld);
      if (alibi)
        for (int jj = t; jj < TILE; jj += blockDim.x) posk[jj] = j0 + jj < L ? pos[j0 + jj] : 0;
      __syncthreads();

      float s[CPT], dp[CPT];
#pragma unroll
      for (int c = 0; c < CPT; ++c) s[c] = 0.f, dp[c] = 0.f;
      for (int d = 0; d < D; ++d) {
        const float qv = Qs[r * ld + d], gv = dOs[r * ld + d];
#pragma unroll
        for (int c = 0; c < CPT; ++c) {
          s[c] = fmaf(qv, Ks[(lane4 + 4 * c) * ld + d], s[c]);
          dp[c] = fmaf(gv, Vs[(lane4 + 4 * c) * ld + d], dp[c]);
        }
      }
#pragma unroll
      for (int c = 0; c < CPT; ++c) {
        const int jj = lane4 + 4 * c;
        float x = s[c] * scale;
        if (alibi) x -= slope * (float)(pos_i - posk[jj]);
        const bool vis = row.valid && (full || row.sees(j0 + jj));
        const float p = vis ? __expf(x - lse_i) : 0.f;
        dSs[r * pld + jj] = p * (dp[c] - delta_i) * scale;
      }
      __syncwarp();
      for (int j = 0; j < TILE; ++j) {
        const float ds = dSs[r * pld + j];
#pragma unroll
        for (int u = 0; u < DPT; ++u) {
          const int d = lane4 + 4 * u;
          if (d < D) acc[u] = fmaf(ds, Ks[j * ld + d], acc[u]);
        }
      }
    }
    next = max(next, rg.b[ri] + 1);
  }
  if (row.valid) {
#pragma unroll
    for (int u = 0; u < DPT; ++u) {
      const int d = lane4 + 4 * u;
      if (d < D) dq[head + (size_t)i * D + d] = from_f<TO>(acc[u]);
    }
  }
}

template <int TILE>
inline size_t dkv_smem(int D) {
  return sizeof(float) * (4 * (size_t)TILE * odd_ld(D) + 2 * TILE * (TILE + 1) + 2 * TILE) +
         sizeof(int) * (7 * TILE + 4 * TILE + 32);
}

// dk, dv of one key tile: scans the query-tile hull table for tiles that may see it, then
// accumulates over them. Thread (key row c = t/4, lane4) owns output columns lane4 + 4u.
template <typename T, typename TO, int TILE, int DMAX>
__global__ void __launch_bounds__(4 * TILE)
    dkv_kernel(int L, int D, const T* __restrict__ q, const T* __restrict__ k, const T* __restrict__ v,
               const float* __restrict__ lse, const float* __restrict__ delta, const T* __restrict__ dout,
               const int32_t* __restrict__ iv, const float* __restrict__ slopes, const int32_t* __restrict__ pos,
               float scale, const int* __restrict__ hulls, TO* __restrict__ dk, TO* __restrict__ dv) {
  constexpr int NT = 4 * TILE, RPT = TILE / 4, DPT = DMAX / 4, NWARPS = NT / 32;
  RECFORGE_DYNAMIC_SMEM(smem);
  const int ld = odd_ld(D), pld = TILE + 1;
  float* Ks = smem;
  float* Vs = Ks + TILE * ld;
  float* Qs = Vs + TILE * ld;
  float* dOs = Qs + TILE * ld;
  float* Pt = dOs + TILE * ld;  // [key][query row]
  float* dSt = Pt + TILE * pld;
  float* lse_s = dSt + TILE * pld;
  float* delta_s = lse_s + TILE;
  int* riv = reinterpret_cast<int*>(delta_s + TILE);  // 7 × TILE: pl, ph, cl, ch, sl, valid, pos
  int* list = riv + 7 * TILE;                          // candidate query tiles (NT = 4 · TILE)
  int* warp_cnt = list + NT;

  const int h = blockIdx.y, t = threadIdx.x, c = t >> 2, lane4 = t & 3, lane = t & 31, warp = t >> 5;
  const int kt = blockIdx.x, j0 = kt * TILE, j = j0 + c;
  const bool key_valid = j < L;
  const size_t head = (size_t)h * L * D;
  const bool alibi = slopes != nullptr;
  const float slope = alibi ? slopes[h] : 0.f;
  const int pos_j = alibi && key_valid ? pos[j] : 0;
  const int nqt = (L + TILE - 1) / TILE;

  load_tile<T, TILE>(k + head, L, D, j0, Ks, ld);
  load_tile<T, TILE>(v + head, L, D, j0, Vs, ld);

  float dk_acc[DPT], dv_acc[DPT];
#pragma unroll
  for (int u = 0; u < DPT; ++u) dk_acc[u] = 0.f, dv_acc[u] = 0.f;

  for (int base = 0; base < nqt; base += NT) {
    // Candidates of this chunk, compacted in ascending order (deterministic accumulation order).
    const int cq = base + t;
    bool cand = false;
    if (cq < nqt)
      for (int s = 0; s < 3; ++s) cand |= hulls[cq * 6 + 2 * s] <= kt && kt <= hulls[cq * 6 + 2 * s + 1];
    const unsigned ballot = __ballot_sync(0xffffffffu, cand);
    if (lane == 0) warp_cnt[warp] = __popc(ballot);
    __syncthreads();
    int offset = 0, total = 0;
    for (int w = 0; w < NWARPS; ++w) offset += w < warp ? warp_cnt[w] : 0, total += warp_cnt[w];
    if (cand) list[offset + __popc(ballot & ((1u << lane) - 1u))] = cq;
    __syncthreads();

    for (int li = 0; li < total; ++li) {
      const int i0 = list[li] * TILE;
      __syncthreads();  // previous query tile's Q/dO/P/row data no longer read
      load_tile<T, TILE>(q + head, L, D, i0, Qs, ld);
      load_tile<T, TILE>(dout + head, L, D, i0, dOs, ld);
      bool touches = false, covers = true;
      if (t < TILE) {
        const RowIv row = RowIv::load(iv, L, i0 + t);
        riv[t] = row.pl, riv[TILE + t] = row.ph, riv[2 * TILE + t] = row.cl, riv[3 * TILE + t] = row.ch;
        riv[4 * TILE + t] = row.sl, riv[5 * TILE + t] = row.valid;
        riv[6 * TILE + t] = alibi && row.valid ? pos[i0 + t] : 0;
        lse_s[t] = row.valid ? lse[(size_t)h * L + i0 + t] : 0.f;
        delta_s[t] = row.valid ? delta[(size_t)h * L + i0 + t] : 0.f;
        touches = row.touches(j0, j0 + TILE);
        covers = !row.valid || row.covers(j0, j0 + TILE);
      }
      if (!__syncthreads_or(touches)) continue;
      const bool full = __syncthreads_and(covers) && j0 + TILE <= L;

      float s[RPT], dp[RPT];
#pragma unroll
      for (int u = 0; u < RPT; ++u) s[u] = 0.f, dp[u] = 0.f;
      for (int d = 0; d < D; ++d) {
        const float kv = Ks[c * ld + d], vv = Vs[c * ld + d];
#pragma unroll
        for (int u = 0; u < RPT; ++u) {
          s[u] = fmaf(Qs[(lane4 + 4 * u) * ld + d], kv, s[u]);
          dp[u] = fmaf(dOs[(lane4 + 4 * u) * ld + d], vv, dp[u]);
        }
      }
#pragma unroll
      for (int u = 0; u < RPT; ++u) {
        const int rr = lane4 + 4 * u, i = i0 + rr;
        bool vis = key_valid && riv[5 * TILE + rr];
        if (vis && !full)
          vis = (j >= riv[rr] && j < riv[TILE + rr]) || (j >= riv[2 * TILE + rr] && j < riv[3 * TILE + rr]) ||
                (j >= riv[4 * TILE + rr] && j <= i);
        float x = s[u] * scale;
        if (alibi) x -= slope * (float)(riv[6 * TILE + rr] - pos_j);
        const float p = vis ? __expf(x - lse_s[rr]) : 0.f;
        Pt[c * pld + rr] = p;
        dSt[c * pld + rr] = p * (dp[u] - delta_s[rr]) * scale;
      }
      __syncwarp();  // row c of Pt/dSt is written by its own quad
      for (int rr = 0; rr < TILE; ++rr) {
        const float p = Pt[c * pld + rr], ds = dSt[c * pld + rr];
#pragma unroll
        for (int u = 0; u < DPT; ++u) {
          const int d = lane4 + 4 * u;
          if (d < D) {
            dv_acc[u] = fmaf(p, dOs[rr * ld + d], dv_acc[u]);
            dk_acc[u] = fmaf(ds, Qs[rr * ld + d], dk_acc[u]);
          }
        }
      }
    }
    __syncthreads();  // list and warp_cnt are rewritten by the next chunk
  }
  if (key_valid) {
#pragma unroll
    for (int u = 0; u < DPT; ++u) {
      const int d = lane4 + 4 * u;
      if (d < D) {
        dk[head + (size_t)j * D + d] = from_f<TO>(dk_acc[u]);
        dv[head + (size_t)j * D + d] = from_f<TO>(dv_acc[u]);
      }
    }
  }
}

}  // namespace interval_attention_cuda
}  // namespace recforge
