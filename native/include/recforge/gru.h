// Fused multi-layer, optionally bidirectional GRU over a batch of variable-length sequences:
// the whole forward and the whole backward through time are one call each.
//
// Math and weight layout are PyTorch's nn.GRU (so its state dict loads unchanged). For layer l,
// direction d (0 forward, 1 reverse), k = l * dirs + d:
//   w_ih[k] [3H, in_l] (rows r, z, n), w_hh[k] [3H, H], b_ih[k] [3H], b_hh[k] [3H];
//   in_0 = in, in_l = dirs * H for l > 0 (layer l reads the concatenation of layer l-1's directions).
//   r = σ(W_ir x + b_ir + W_hr h + b_hr)      z = σ(W_iz x + b_iz + W_hz h + b_hz)
//   n = tanh(W_in x + b_in + r ⊙ (W_hn h + b_hn))      h' = (1 - z) ⊙ n + z ⊙ h
// Layouts (row-major): x [B, T, in] (batch first); out [B, T, dirs*H] (direction d in columns
// [d*H, (d+1)*H)); h0, h_n [layers*dirs, B, H].
//
// Lengths: row b has lengths[b] in [0, T] real steps (lengths == nullptr: all T). The forward
// direction runs t = 0 .. len-1, the reverse direction t = len-1 .. 0, each from h0. Steps
// t >= len are padding: x there is never read (a NaN there changes nothing), out there is
// written as 0, and they get zero gradient. h_n[k][b] is the state after row b's last real step
// of that direction; a zero-length row gives h_n = h0 and an all-zero output row (defined, not an
// error), and passes dh_n straight through to dh0.
//
// Work per layer: the input projection of all B*T steps is ONE GEMM per direction (gemm.h);
// then per time step one batched GEMM [B, H] x [H, 3H] covering both directions (the two
// directions walk their own time order in the same loop) and one fused gate pass over the
// batch rows (thread pool); with no more threads than directions, each thread instead runs one
// direction's product and then its gate pass (one pool hand-off per step). The backward mirrors it: per step one gate pass and one batched
// GEMM [B, 3H] x [3H, H] (the carried dh), then per direction a handful of GEMMs over all
// steps for dW_ih, dW_hh, dx and column sums for the biases. Padding costs GEMM work (the
// GEMMs run over all B rows / B*T steps) but not gate work.
//
// What the forward keeps for the backward (`reserve`, gru_reserve_size elements): per (l, d)
// the gates of every step [B, T, 5H] = (r, z, n, W_hn h + b_hn, h_prev), and the outputs of
// layers 0 .. L-2 [B, T, dirs*H]. Scratch memory is passed in (`workspace`, sizes below; its
// contents are ignored and clobbered).
//
// CPU: float and double; bit-identical for any thread count from 1 to dirs, and for any count above
// dirs (elementwise passes and GEMMs only; the bias sums run over rows in a fixed order). The two
// ranges differ because a bidirectional network with no more threads than directions runs its
// per-step work one direction per thread (recurrent GEMM on the own kernel, serially, then that
// direction's gate pass), while more threads share each step's batched GEMM and gate pass. CUDA (`_cuda`, device pointers, asynchronous
// on `stream`): same contract; lengths is a DEVICE int32 array there.
#pragma once
#include <cstdint>

struct CUstream_st;
typedef struct CUstream_st* cudaStream_t;  // same typedef as cuda_runtime_api.h

namespace recforge {

struct GruDims {
  int64_t B = 0, T = 0, in = 0, H = 0, layers = 1;
  int dirs = 1;  // 1 or 2
  int64_t in_of(int64_t layer) const { return layer == 0 ? in : dirs * H; }
};

// Parameters, arrays of layers*dirs pointers indexed k = l * dirs + d. b_ih / b_hh may be
// nullptr (bias=False) — both or neither.
template <typename T>
struct GruWeights {
  const T* const* w_ih = nullptr;
  const T* const* w_hh = nullptr;
  const T* const* b_ih = nullptr;
  const T* const* b_hh = nullptr;
};

// Their gradients (overwritten, never accumulated into). db_* are ignored (may be nullptr)
// when the weights have no bias.
template <typename T>
struct GruGrads {
  T* const* dw_ih = nullptr;
  T* const* dw_hh = nullptr;
  T* const* db_ih = nullptr;
  T* const* db_hh = nullptr;
};

// Sizes in elements of T, and how the CPU and CUDA kernels carve up reserve and workspace
// (one definition, so both backends agree on the reserve layout).
struct GruLayout {
  int64_t bt, g5;        // B*T; one (l, d) block of gates: B*T*5H
  int64_t layer_gates;   // dirs * g5
  int64_t layer_out;     // B*T*dirs*H
  int64_t reserve;       // layers * layer_gates + (layers - 1) * layer_out
  // forward workspace: state [dirs, B, H] | gh [dirs, B, 3H] | whh [dirs, 3H, H] | xclean [B, T, in]
  int64_t f_state, f_gh, f_whh, f_xclean, forward_ws;
  // backward workspace: dgi, dgh [dirs, B, T, 3H] | dh [dirs, B, H] | whh [dirs, 3H, H] |
  //                     dy0, dy1 [B, T, dirs*H] (layers > 1) | xclean [B, T, in]
  int64_t b_dgi, b_dgh, b_dh, b_whh, b_dy0, b_dy1, b_xclean, backward_ws;
  explicit GruLayout(const GruDims& d) {
    const int64_t D = d.dirs, H = d.H;
    bt = d.B * d.T;
    g5 = bt * 5 * H;
    layer_gates = D * g5;
    layer_out = bt * D * H;
    reserve = d.layers * layer_gates + (d.layers - 1) * layer_out;
    f_state = 0;
    f_gh = f_state + D * d.B * H;
    f_whh = f_gh + D * d.B * 3 * H;
    f_xclean = f_whh + D * 3 * H * H;
    forward_ws = f_xclean + bt * d.in;
    b_dgi = 0;
    b_dgh = b_dgi + D * bt * 3 * H;
    b_dh = b_dgh + D * bt * 3 * H;
    b_whh = b_dh + D * d.B * H;
    b_dy0 = b_whh + D * 3 * H * H;
    b_dy1 = b_dy0 + (d.layers > 1 ? layer_out : 0);
    b_xclean = b_dy1 + (d.layers > 2 ? layer_out : 0);
    backward_ws = b_xclean + bt * d.in;
  }
  // Gates of (layer l, direction dir): [B, T, 5H].
  int64_t gates(int64_t l, int64_t dir) const { return l * layer_gates + dir * g5; }
  // Output of layer l < layers - 1: [B, T, dirs*H].
  int64_t layer_output(int64_t layers, int64_t l) const { return layers * layer_gates + l * layer_out; }
};
inline int64_t gru_reserve_size(const GruDims& d) { return GruLayout(d).reserve; }
inline int64_t gru_forward_workspace_size(const GruDims& d) { return GruLayout(d).forward_ws; }
inline int64_t gru_backward_workspace_size(const GruDims& d) { return GruLayout(d).backward_ws; }

// Forward. x [B, T, in]; lengths [B] or nullptr; h0 [layers*dirs, B, H] or nullptr (zeros).
// Writes out [B, T, dirs*H], h_n [layers*dirs, B, H] and reserve (all overwritten).
template <typename T>
void gru_forward(const GruDims& d, const T* x, const int32_t* lengths, const T* h0, const GruWeights<T>& w, T* out,
                 T* h_n, T* reserve, T* workspace);

// Backward from dout [B, T, dirs*H] and dh_n [layers*dirs, B, H] (either may be nullptr: zero).
// x, lengths, weights and reserve as given to / written by gru_forward. Writes dx [B, T, in]
// (nullptr: not computed; 0 at padding), dh0 [layers*dirs, B, H] (nullptr: not computed) and
// every weight gradient.
template <typename T>
void gru_backward(const GruDims& d, const T* x, const int32_t* lengths, const GruWeights<T>& w, const T* reserve,
                  const T* dout, const T* dh_n, T* dx, T* dh0, const GruGrads<T>& g, T* workspace);

// CUDA twins: device pointers (lengths, weights' targets, workspace), host arrays of pointers.
template <typename T>
void gru_forward_cuda(const GruDims& d, const T* x, const int32_t* lengths, const T* h0, const GruWeights<T>& w,
                      T* out, T* h_n, T* reserve, T* workspace, cudaStream_t stream);
template <typename T>
void gru_backward_cuda(const GruDims& d, const T* x, const int32_t* lengths, const GruWeights<T>& w,
                       const T* reserve, const T* dout, const T* dh_n, T* dx, T* dh0, const GruGrads<T>& g,
                       T* workspace, cudaStream_t stream);

}  // namespace recforge
