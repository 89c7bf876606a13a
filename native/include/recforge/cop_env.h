// LS-DQN's local-search environments (../shared/reference/lsdqn.md, "MDP"): a batch of B instances of
// one size n, each holding a *complete* solution that reversible moves change, with incremental move
// gains, the objective O (minimised), the best O seen and its solution, and the episode limit.
// CPU only (plain functions on pointers; the binding is native/napi/bind_cop.cc).
//
//   Max-Cut (k = 2), flip one node:  spins s in {-1, +1}; O = weight inside the two sides;
//     gain[v] = s_v Σ_u w_uv s_u is exactly O(L) − O(flip_v L) (the reward before scaling).
//   Max k-Cut with equal sizes, swap two nodes of different clusters: labels l in [0, k);
//     O = Σ_c Σ_{i<j, l_i = l_j = c} w_ij; kept incrementally: cw[v, c] = Σ_{u: l_u = c} w_uv.
//   TSP, 2-opt "sequential swap" (i < j): reverse tour positions i..j; O = tour length.
//
// Actions are one int32 per instance: Max-Cut the node v; k-cut u·n + v (u != v, different clusters);
// TSP i·n + j (0 <= i < j < n); −1 is the stop action ∅. A step on a finished instance (stopped, or
// `limit` moves made; the spec's limit is 2n) changes nothing and rewards 0. reward = O before − O after.
// The step kernels first check every action and return the first bad instance (nothing is changed
// then), so the binding can refuse it with a clear error.
#pragma once
#include <cstdint>

namespace recforge {

// The episode bookkeeping every environment shares, per instance b.
struct CopEpisode {
  double* obj = nullptr;       // [B] current O
  double* best_obj = nullptr;  // [B] best (smallest) O seen this episode
  int32_t* steps = nullptr;    // [B] moves made
  int32_t* done = nullptr;     // [B] 1 after ∅ or `limit` moves
  int64_t limit = 0;           // moves per episode (2n in the spec)
};

struct MaxCutEnv {
  int64_t B = 0, n = 0;
  const double* w = nullptr;  // [B, n, n] symmetric, zero diagonal
  int32_t* spin = nullptr;    // [B, n] ±1
  double* gain = nullptr;     // [B, n]
  int32_t* best = nullptr;    // [B, n] spins of best_obj
  CopEpisode ep;
};

struct KCutEnv {
  int64_t B = 0, n = 0, k = 0;
  const double* w = nullptr;  // [B, n, n] symmetric, zero diagonal
  int32_t* label = nullptr;   // [B, n] in [0, k)
  double* cw = nullptr;       // [B, n, k] weight from v into each cluster
  int32_t* best = nullptr;    // [B, n]
  CopEpisode ep;
};

struct TspEnv {
  int64_t B = 0, n = 0;
  const double* dist = nullptr;  // [B, n, n] symmetric
  int32_t* tour = nullptr;       // [B, n] a permutation of 0..n-1
  int32_t* best = nullptr;       // [B, n]
  CopEpisode ep;
};

// Result of a step or reset: bad = −1 when applied, else the first instance whose input was refused
// (nothing changed); reason says why.
enum CopReject : int { kCopOk = 0, kCopBadAction = 1, kCopBadState = 2 };
struct CopStatus {
  int64_t bad = -1;
  int reason = kCopOk;
  int64_t value = 0;  // the refused action or state entry
};

// Reset: computes gains / cluster weights and O from the solution in place, best = current, steps = 0,
// done = 0. Refuses a spin outside ±1, a label outside [0, k), or a tour that is not a permutation.
CopStatus maxcut_reset(const MaxCutEnv& e);
CopStatus kcut_reset(const KCutEnv& e);
CopStatus tsp_reset(const TspEnv& e);

// One move per instance (see above); reward [B] written for every instance.
CopStatus maxcut_step(const MaxCutEnv& e, const int32_t* action, double* reward);
CopStatus kcut_step(const KCutEnv& e, const int32_t* action, double* reward);
CopStatus tsp_step(const TspEnv& e, const int32_t* action, double* reward);

// Every move's gain (O decrease) from the incremental state, for greedy moves and the baselines:
// k-cut out [B, n, n] at u·n + v, −inf where u, v share a cluster; TSP out [B, n, n] at i·n + j,
// −inf where i >= j. (Max-Cut's gains are e.gain itself.)
void kcut_swap_gains(const KCutEnv& e, double* out);
void tsp_move_gains(const TspEnv& e, double* out);

// Distances of B point sets coords [B, n, 2] into dist [B, n, n]: euc2d = false gives the Euclidean
// distance, true TSPLIB's EUC_2D: nint(sqrt(dx² + dy²)) = (int)(d + 0.5).
void tsp_distances(int64_t B, int64_t n, const double* coords, bool euc2d, double* dist);

// From-scratch objectives of one instance (the references the incremental state is checked against).
double maxcut_objective(int64_t n, const double* w, const int32_t* spin);
double kcut_objective(int64_t n, const double* w, const int32_t* label);
double tsp_length(int64_t n, const double* dist, const int32_t* tour);

}  // namespace recforge
