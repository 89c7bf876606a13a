// LayerNorm / RMSNorm on the device (semantics: recforge/norm.h). Row statistics with a
// warp or a block per row (double sums, two passes for the variance as on the CPU);
// parameter gradients as fixed row-chunk partials then a column sum in chunk order.
#include <cuda_runtime.h>

#include <cmath>

#include "common.cuh"
#include "recforge/norm.h"
#include "recforge/norm_rule.h"

namespace recforge {
namespace {
using namespace cuda;

template <typename T, int W>
__global__ void norm_fwd_kernel(bool rms, const T* __restrict__ x, const T* __restrict__ gamma,
                                const T* __restrict__ beta, T* __restrict__ y, T* __restrict__ mean,
                                T* __restrict__ rstd, int64_t rows, int64_t n, double eps) {
  using G = RowGroup<W>;
  __shared__ double ssum[kWarps];
  for (int64_t row0 = (int64_t)blockIdx.x * G::kRowsPerBlock; row0 < rows;
       row0 += (int64_t)gridDim.x * G::kRowsPerBlock) {
    const int64_t row = row0 + G::slot();
    const bool active = row < rows;
    if (W == 32 && !active) continue;
    const T* xr = x + (active ? row : 0) * n;
    double mu = 0;
    if (!rms) {
      double s = 0;
      if (active)
        for (int64_t k = G::lane(); k < n; k += W) s += (double)xr[k];
      mu = G::sum(s, ssum) / (double)n;
    }
    double q = 0;
    if (active)
      for (int64_t k = G::lane(); k < n; k += W) {
        double d = (double)xr[k] - mu;
        q += d * d;
      }
    const double var = G::sum(q, ssum) / (double)n;
    if (!active) continue;
    const T m = (T)mu, rs = norm_rstd_rule<T>(var, eps);
    if (G::lane() == 0) {
      if (mean && !rms) mean[row] = m;
      rstd[row] = rs;
    }
    T* yr = y + row * n;
    const T* b = rms ? nullptr : beta;
    for (int64_t k = G::lane(); k < n; k += W) yr[k] = norm_output_rule(xr[k], m, rs, gamma, b, k);
  }
}

template <typename T, int W>
__global__ void norm_bwd_kernel(bool rms, const T* __restrict__ x, const T* __restrict__ gamma,
                                const T* __restrict__ mean, const T* __restrict__ rstd, const T* __restrict__ gy,
                                T* __restrict__ gx, int64_t rows, int64_t n) {
  using G = RowGroup<W>;
  __shared__ double ssum[kWarps];
  for (int64_t row0 = (int64_t)blockIdx.x * G::kRowsPerBlock; row0 < rows;
       row0 += (int64_t)gridDim.x * G::kRowsPerBlock) {
    const int64_t row = row0 + G::slot();
    const bool active = row < rows;
    if (W == 32 && !active) continue;
    const int64_t r = active ? row : 0;
    const T* xr = x + r * n;
    const T* gr = gy + r * n;
    const T m = rms ? T(0) : mean[r], rs = rstd[r];
    double sg = 0, sgx = 0;
    if (active)
      for (int64_t k = G::lane(); k < n; k += W) {
        const T g = norm_gy_rule(gr, gamma, k);
        sg += g;
        sgx += (double)g * norm_xhat_rule(xr[k], m, rs);
      }
    sg = G::sum(sg, ssum);
    sgx = G::sum(sgx, ssum);
    if (!active) continue;
    const T mg = rms ? T(0) : (T)(sg / n), mgx = (T)(sgx / n);
    T* out = gx + r * n;
    for (int64_t k = G::lane(); k < n; k += W)
      out[k] = norm_input_grad_rule(rs, norm_gy_rule(gr, gamma, k), mg, norm_xhat_rule(xr[k], m, rs), mgx);
  }
}

// Row chunking for the parameter gradients: depends on `rows` only (so results do not
// depend on the GPU), at most kMaxChunks chunks.
constexpr int64_t kMaxChunks = 512;
int64_t chunk_rows(int64_t rows) { return std::max<int64_t>(64, (rows + kMaxChunks - 1) / kMaxChunks); }

constexpr int kTy = 8;
template <typename T>
__global__ void norm_param_partial_kernel(bool rms, const T* __restrict__ x, const T* __restrict__ mean,
                                          const T* __restrict__ rstd, const T* __restrict__ gy, int64_t rows,
                                          int64_t n, int64_t chunk, double* __restrict__ pg, double* __restrict__ pb) {
  __shared__ double sg[kTy][33], sb[kTy][33];
  const int tx = threadIdx.x, ty = threadIdx.y;
  const int64_t c = (int64_t)blockIdx.x * 32 + tx;
  const int64_t j = blockIdx.y;
  const int64_t r0 = j * chunk, r1 = min(rows, r0 + chunk);
  double ag = 0, ab = 0;
  if (c < n)
    for (int64_t r = r0 + ty; r < r1; r += kTy) {
      const T g = gy[r * n + c];
      if (pg) {
        const T m = rms ? T(0) : mean[r];
        ag += (double)g * norm_xhat_rule(x[r * n + c], m, rstd[r]);
      }
      ab += g;
    }
  sg[ty][tx] = ag;
  sb[ty][tx] = ab;
  __syncthreads();
  if (ty == 0 && c < n) {
    double a = 0, b = 0;
    for (int t = 0; t < kTy; ++t) {
      a += sg[t][tx];
      b += sb[t][tx];
    }
    if (pg) pg[j * n + c] = a;
    if (pb) pb[j * n + c] = b;
  }
}

template <typename T>
__global__ void norm_param_final_kernel(const double* __restrict__ pg, const double* __restrict__ pb, int64_t nb,
                                        int64_t n, T* __restrict__ ggamma, T* __restrict__ gbeta) {
  RF_GRID_STRIDE(c, n) {
    double a = 0, b = 0;
    for (int64_t j = 0; j < nb; ++j) {
      if (pg) a += pg[j * n + c];
      if (pb) b += pb[j * n + c];
    }
    if (ggamma) ggamma[c] = (T)a;
    if (gbeta) gbeta[c] = (T)b;
  }
}

}  // namespace

int64_t norm_backward_cuda_workspace_bytes(int64_t rows, int64_t n) {
  const int64_t nb = (rows + chunk_rows(rows) - 1) / chunk_rows(rows);
  return std::max<int64_t>(8, 2 * 8 * nb * n);
}

template <typename T>
void norm_forward_cuda(bool rms, const T* x, const T* gamma, const T* beta, T* y, T* mean, T* rstd, int64_t rows,
                       int64_t n, double eps, CUstream_st* stream) {
  if (rows <= 0) return;
  // n == 0: the CPU computes 0/0 = NaN statistics; so do the kernels.
  if (n <= 1024)
    norm_fwd_kernel<T, 32><<<row_grid(rows, RowGroup<32>::kRowsPerBlock), kThreads, 0, stream>>>(
        rms, x, gamma, beta, y, mean, rstd, rows, n, eps);
  else
    norm_fwd_kernel<T, kThreads><<<row_grid(rows, 1), kThreads, 0, stream>>>(rms, x, gamma, beta, y, mean, rstd, rows,
                                                                             n, eps);
}

template <typename T>
void norm_backward_cuda(bool rms, const T* x, const T* gamma, const T* mean, const T* rstd, const T* gy, T* gx,
                        T* ggamma, T* gbeta, int64_t rows, int64_t n, void* workspace, CUstream_st* stream) {
  if (rows > 0 && n > 0) {
    if (n <= 1024)
      norm_bwd_kernel<T, 32><<<row_grid(rows, RowGroup<32>::kRowsPerBlock), kThreads, 0, stream>>>(
          rms, x, gamma, mean, rstd, gy, gx, rows, n);
    else
      norm_bwd_kernel<T, kThreads><<<row_grid(rows, 1), kThreads, 0, stream>>>(rms, x, gamma, mean, rstd, gy, gx, rows,
                                                                               n);
  }
  if ((!ggamma && !gbeta) || n <= 0) return;
  const int64_t chunk = chunk_rows(rows), nb = (rows + chunk - 1) / chunk;
  double* pg = ggamma ? static_cast<double*>(workspace) : nullptr;
  double* pb = gbeta ? static_cast<double*>(workspace) + nb * n : nullptr;
  if (nb > 0) {
    dim3 block(32, kTy), grid((unsigned)((n + 31) / 32), (unsigned)nb);
    norm_param_partial_kernel<T><<<grid, block, 0, stream>>>(rms, x, mean, rstd, gy, rows, n, chunk, pg, pb);
  }
  norm_param_final_kernel<T><<<grid_for(n), kThreads, 0, stream>>>(pg, pb, nb, n, ggamma, gbeta);
}

template void norm_forward_cuda<float>(bool, const float*, const float*, const float*, float*, float*, float*,
                                       int64_t, int64_t, double, CUstream_st*);
template void norm_forward_cuda<double>(bool, const double*, const double*, const double*, double*, double*,
                                        double*, int64_t, int64_t, double, CUstream_st*);
template void norm_backward_cuda<float>(bool, const float*, const float*, const float*, const float*, const float*,
                                        float*, float*, float*, int64_t, int64_t, void*, CUstream_st*);
template void norm_backward_cuda<double>(bool, const double*, const double*, const double*, const double*,
                                         const double*, double*, double*, double*, int64_t, int64_t, void*,
                                         CUstream_st*);

}  // namespace recforge
