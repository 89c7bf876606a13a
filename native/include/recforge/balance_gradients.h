// MultiBalance: fused gradient balancing at the shared representation
// (shared/reference/multibalance.md; MetaBalance's rule applied to ∂L_i/∂z).
//
// One call = one training step. Given T per-task gradients g_i at the representation z
// (each N = B*d elements) it
//   1. computes n_i = ||g_i||_F                      (pass 1 over G; see Precision)
//   2. updates m_i = n_i                              on a task's first step (initialized[i] == 0)
//              m_i = beta*m_i + (1-beta)*n_i          afterwards
//   3. m_ref   = m[target] | mean_i m_i | max_i m_i  (ref_mode 0 | 1 | 2; mean summed i = 0..T-1)
//   4. w_i     = relax*(m_ref/m_i) + (1-relax)        (w_i = 1 exactly when m_i == m_ref or m_i == 0)
//      then the strategy: 0 both (as is), 1 shrink only w_i = min(w_i, 1), 2 enlarge only w_i = max(w_i, 1)
//   5. out[j]  = Σ_i w_i*g_i[j]                      (pass 2 over G)
// and reports weights[i] = w_i and norms[i] = n_i (for logging/metrics).
//
// Exactly two passes over G: pass 2 needs every norm. Both are multithreaded
// (recforge::parallel_for) and memory-bound.
//
// Precision. Norms, the state m, the reference and the weights are double for both
// element types (the state is tiny; keeping it double makes float and double runs share
// one state layout, and the float64 JS state arrays map onto it directly).
//   double gradients: sums of squares and pass 2 in double; pass 2 in task order
//     (acc = w_0*g_0[j]; acc += w_i*g_i[j], i = 1..T-1), one rounding at the end.
//   float gradients (since session 6, CPU; CUDA pass 2): the float -> double converts bounded
//     the CPU kernel, so both passes run in float lanes. Pass 1 (CPU) sums squares in 64 float
//     lanes over sub-blocks of 2048 elements (<= 32 squares per lane) and adds each sub-block's
//     lanes, the sub-blocks and the blocks in double: the norms are within ~32 float ulps
//     (2e-6 relative) of the float64 norms, typically ~1e-7; the tests hold norms, m and weights
//     to 1e-5 relative. A sub-block whose float sum falls outside [1e-30, FLT_MAX] (squares that
//     underflow float, or finite elements whose squares overflow it) is summed again in double,
//     so tiny and huge gradients keep float64 norms. The CUDA pass 1 stays in double. Pass 2
//     (CPU and CUDA): w_i rounded to float once, acc = w_0*g_0[j], acc = fma(w_i, g_i[j], acc) in
//     task order (FMA where the CPU variant has it; SSE2 rounds the product): error within
//     (T + 1) float roundings of Σ|w_i g_i[j]|. If a weight is outside float's normal range
//     (> FLT_MAX, or below FLT_MIN and not 0), pass 2 accumulates in double instead, as for
//     double gradients. T == 1 still gives out == g_0 bit for bit (w_0 == 1).
//
// Determinism. Results are bit-identical for any thread count: pass 1 cuts every row into
// fixed blocks of kBalanceNormBlock elements (independent of the thread count), sums each
// block with a fixed lane pattern, and adds the per-block partials serially in block order.
// Pass 2 is element-wise. (Different compilers / FP-contraction settings may differ in the
// last bits; runs of one build do not.)
//
// Edge cases (exact rules):
//   - Zero-norm task: if m_i == 0 (its gradient has been exactly zero since its first step,
//     or N == 0), w_i = 1 (before the strategy, which leaves 1 unchanged); no division.
//     If m_ref/m_i overflows double (m_i > 0 but astronomically smaller than m_ref — e.g. a
//     task whose gradient stayed zero for ~6700 steps while m_i decayed geometrically) the
//     ratio is clamped to DBL_MAX, so every weight is finite and w_i*0 never makes a NaN.
//     Since beta < 1, m_i >= (1-beta)*n_i, so w_i*n_i <= relax*m_ref/(1-beta) + n_i: a large
//     weight only ever multiplies a small gradient.
//   - Non-finite gradient: pass 1 checks every element. If any task has a NaN/±Inf element
//     (reason kBalanceNonFinite), or — float64 gradients only — a sum of squares that overflows
//     double although every element is finite (norm > ~1.3e154, reason kBalanceNormOverflow),
//     the call returns that reason and the SMALLEST such task index, and writes NOTHING:
//     out, m, initialized, weights and norms are all left untouched. (Pass 2 never runs.)
//   - T == 1: m_ref == m_0 in every mode, so w_0 == 1 exactly and out == g_0 bit for bit.
//   - N == 0: every n_i = 0; the state still advances (first step m_i = 0, later m_i decays
//     by beta), weights follow the rules above, norms are 0, out (empty) is not touched.
//
// Preconditions (the binding validates them; the kernel does not re-check):
//   T >= 1, N >= 0, 0 <= beta < 1, 0 <= relax <= 1, ref_mode in {0,1,2}, strategy in {0,1,2},
//   0 <= target < T (read only when ref_mode == 0), and for initialized tasks m_i finite and >= 0.
// Aliasing: out may be exactly one of the gradient rows (in-place into g_k: every row of an
// element is read before that element is written) but must not partially overlap G.
// m, initialized, weights and norms must not overlap G, out or each other; they are written
// only after the non-finite check has passed.
//
// Memory: the CPU kernel allocates T*ceil(N/kBalanceNormBlock) doubles + bytes for the
// per-block partials (~T*N/910 bytes: 0.03% of a float G) plus O(T); the CUDA kernel takes a
// caller-provided workspace instead (balance_gradients_cuda_workspace_bytes).
#pragma once
#include <cstdint>

#include "recforge/enums.generated.h"

struct CUstream_st;  // == cudaStream_t, declared here without the CUDA headers

namespace recforge {

// BalanceRefMode (kBalanceRef{Target, Mean, Max}), BalanceStrategy (kBalance{Both, ShrinkOnly,
// EnlargeOnly}) and BalanceReason (kBalance{Ok, NonFinite, NormOverflow}): enums.generated.h.

struct BalanceParams {
  double beta = 0.9;   // moving-average factor, [0, 1)
  double relax = 0.7;  // r, [0, 1]: 0 turns balancing off (all w = 1), 1 matches magnitudes fully
  int ref_mode = kBalanceRefTarget;
  int target = 0;      // task index used by kBalanceRefTarget
  int strategy = kBalanceBoth;
};

struct BalanceStatus {
  int32_t reason = kBalanceOk;  // BalanceReason
  int32_t task = -1;            // smallest offending task index, -1 when ok
  bool ok() const { return reason == kBalanceOk; }
};

// Elements per pass-1 block: the unit of the deterministic reduction. The GPU uses smaller
// slices so that a few-MB G still spreads over every SM.
constexpr int64_t kBalanceNormBlock = 8192;
constexpr int64_t kBalanceNormBlockCuda = 2048;

// G stored [T, N] contiguous (row i = g_i at G + i*N).
//   m           double [T]  moving averages (state, read and written)
//   initialized int32  [T]  0 = task has not had its first step yet; set to 1 by the call
//   out         Elem   [N]  Σ_i w_i g_i
//   weights     double [T]  w_i (output)
//   norms       double [T]  n_i (output)
// Elem = float or double.
template <typename Elem>
BalanceStatus balance_gradients(const Elem* G, int64_t T, int64_t N, double* m, int32_t* initialized,
                                const BalanceParams& p, Elem* out, double* weights, double* norms);

// Same, with the T gradients given as T separate row pointers (rows[i] -> N elements), so
// callers need not stack them.
template <typename Elem>
BalanceStatus balance_gradients_rows(const Elem* const* rows, int64_t T, int64_t N, double* m,
                                     int32_t* initialized, const BalanceParams& p, Elem* out, double* weights,
                                     double* norms);

// ---- CUDA (native/cuda/balance_gradients.cu) ----------------------------------------------
// Same semantics and the same two passes; every pointer is a DEVICE pointer (G / rows' data,
// m, initialized, out, weights, norms, status, workspace). Three launches on `stream`, no
// host synchronisation:
//   pass 1: grid (ceil(N/kBalanceNormBlockCuda), T) blocks each write one double partial sum
//           of squares and one non-finite flag to the workspace (fixed tree reduction);
//   weights: one block adds the partials of each task in a fixed order, checks them, and on
//           success updates m / initialized and writes weights and norms;
//   pass 2: element-wise weighted sum; every block reads `status` first and exits without
//           writing when the step was rejected.
// status: device int32 [2] = {reason, task} (BalanceStatus layout), always written by the
// weights kernel; copy it back (after the stream) only if you want to know whether the step
// was applied. Results are bit-identical run to run and independent of the GPU model (but
// not bit-identical to the CPU kernel: another summation order; agreement ~1e-15 relative on
// norms/weights, 1 ulp of the element type on out).
// rows_dev (the _rows variant) is a DEVICE array of T device pointers.
// Limits: T <= 65535 (grid y); workspace: device memory of
// balance_gradients_cuda_workspace_bytes(T, N) = 12*T*(ceil(N/2048) + 1) bytes, 8-byte aligned,
// owned by the caller and reusable once the stream has passed the call.
int64_t balance_gradients_cuda_workspace_bytes(int64_t T, int64_t N);

template <typename Elem>
void balance_gradients_cuda(const Elem* G, int64_t T, int64_t N, double* m, int32_t* initialized,
                            const BalanceParams& p, Elem* out, double* weights, double* norms, int32_t* status,
                            void* workspace, CUstream_st* stream);

template <typename Elem>
void balance_gradients_rows_cuda(const Elem* const* rows_dev, int64_t T, int64_t N, double* m,
                                 int32_t* initialized, const BalanceParams& p, Elem* out, double* weights,
                                 double* norms, int32_t* status, void* workspace, CUstream_st* stream);

}  // namespace recforge
