// LS-DQN's Max-Cut Q-network forward, fused, for test-time search (lib/methods/lsdqn/search.ts):
// the Q-value of every flip and of the stop action for R solutions (spin rows) of ONE shared graph.
// It computes exactly what LsdqnQNet.forward (lib/methods/lsdqn/model/qnet.ts, problem "maxcut")
// computes from generic ops, up to float rounding (the TS forward is the reference; tests compare the
// two on fresh random graphs, test/lsdqn/maxcut_q_kernel.test.js), without the autograd tape, the per-op
// dispatch and allocations, and without replicating the graph R times:
//   gain(v) = s_v Σ_{u→v} w_uv s_u (float64), f(v) = gain(v) / scale (the "gain feature", flip reward)
//   x_v = [1{s_v<0}; 1{s_v>0}; f(v) if gains]
//   fixed_v = θ0 x_v + edge_term_v            (edge_term = θ2 mean_u relu(θ3 w_uv): graph-only, given)
//   μ¹ = relu(fixed); μ^{t+1}_v = relu(fixed_v + θ1 (1/deg v) Σ_{u→v} w_uv μ^t_u), t = 1 … rounds−1
//   H_c = mean of μ over side c (0 when empty); K_c = H_cᵀ Wa;  o(v) = the other side of v
//   att_v = softmax_c(K_c · [μ_v; H_o(v)]);  ws_v = Σ_c att_vc W1 H_c
//   act_v = W2 [μ_v; H_o(v)] + f(v) wg (wg if gains)
//   net_v = W0[:d] · relu(ws_v) + W0[d:] · relu(act_v);  net_stop = W0[:d] · relu(W1 (H_0 + H_1)/2)
//   q_v = residual ? f(v) + λ net_v : net_v;  stop = residual ? λ net_stop : net_stop.
// Layout: the graph is a destination-grouped CSR (indptr [n+1], src [E], weight [E] float64, no
// self-loops required); parameters are the network's row-major tensors (θ0 [d, 2 + gains], θ1 / W1
// [d, d], W2 / Wa [d, 2d], W0 [1, 2d], wg [d]). Rows are independent (one thread each when the pool
// has several). Inputs are validated by the binding (native/napi/bind_lsdqn_q.cc).
#pragma once
#include <cstdint>

namespace recforge {

template <typename T>
struct MaxCutQNetParams {
  int64_t d = 0, rounds = 0;
  bool gains = false, residual = false;
  T lambda = 1;
  const T* theta0 = nullptr;     // [d, 2 + gains]
  const T* theta1 = nullptr;     // [d, d]
  const T* w1 = nullptr;         // [d, d]
  const T* w2 = nullptr;         // [d, 2d]
  const T* w0 = nullptr;         // [2d]
  const T* wa = nullptr;         // [d, 2d]
  const T* wg = nullptr;         // [d], gains only
  const T* edge_term = nullptr;  // [n, d]
};

struct MaxCutQGraph {
  int64_t n = 0;
  const int32_t* indptr = nullptr;  // [n + 1]
  const int32_t* src = nullptr;     // [E]
  const double* weight = nullptr;   // [E]
  double scale = 1;                 // the flip-gain scale (mean weighted |degree|; 1 if 0)
};

// Optional per-row caches for incremental recomputation across calls of a search (parameters and graph held
// fixed between the calls): row r keeps, in values + r * maxcut_q_cache_values(n, d, rounds), the last call's
// fixed [n, d], μ¹..μ^T [T, n, d], θ1 agg(μ^t) for t < T [T−1, n, d] and W2[:, :d] μ^T [n, d]; in
// last + r * (n + 1) that call's spins [n] and a valid flag (last[n] = 1; 0 = compute everything, e.g. a fresh
// cache). A value is then recomputed only where one of its inputs changed (bitwise): after one flip, the
// flipped node's neighbourhood, one hop more per round. Same arithmetic as without a cache, so the outputs
// are the same up to the GEMM's rounding on a different number of rows.
template <typename T>
struct MaxCutQCache {
  T* values = nullptr;
  int32_t* last = nullptr;
};
inline int64_t maxcut_q_cache_values(int64_t n, int64_t d, int64_t rounds) { return (2 * rounds + 1) * n * d; }

// spins [R, n] (±1), q [R, n], stop [R]; cache null: every call computes everything.
template <typename T>
void lsdqn_maxcut_q(const MaxCutQNetParams<T>& p, const MaxCutQGraph& g, int64_t R, const int32_t* spins, T* q, T* stop,
                    const MaxCutQCache<T>* cache = nullptr);

}  // namespace recforge
