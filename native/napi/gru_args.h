// Argument parser of the fused GRU bindings (gru.h), shared by the CPU addon (bind_gru.cc) and the
// CUDA addon (napi_cuda/bind_cuda_gru.cc): every size, span, optional tensor, length and overlap
// rule is checked here, once, with the same messages on both devices. Float dtypes: float32 and
// float64 on both.
//
// Arguments (native/ops.table.mjs; read through args::GruForward / GruBackward / GruSizes):
//   gruForward({dtype, B, T, inSize, H, layers, dirs, bias, x, lengths?, h0?, out, hN, reserve,
//               workspace?, weights})
//   gruBackward({dtype, B, T, inSize, H, layers, dirs, bias, x, lengths?, reserve, dout?, dhN?, dx?,
//                dh0?, workspace?, weights, grads})
//   gruSizes({B, T, inSize, H, layers, dirs}) -> [reserve, forward workspace, backward workspace] (elements)
// weights: a tensor list; for k = l * dirs + d in order, wIh [3H, in_l], wHh [3H, H] and, with bias,
// bIh [3H], bHh [3H] (PyTorch's weight_ih_l{l}[_reverse], ...). grads: the same list for the
// gradients (written). lengths: int32 [B], each in [0, T]; null / absent tensors: "?".
// x [B, T, in]; h0, hN, dhN, dh0 [layers*dirs, B, H]; out, dout [B, T, dirs*H]; dx [B, T, in].
#pragma once
#include <cstdint>
#include <vector>

#include "recforge/gru.h"
#include "op_args.generated.h"
#include "tensor_args.h"

namespace recforge {
namespace napi {

struct GruArgs {
  int dtype = F32;
  GruDims d;
  bool bias = true;
  const void* x = nullptr;
  const int32_t* lengths = nullptr;
  const void* h0 = nullptr;      // forward
  void *out = nullptr, *h_n = nullptr;
  void* reserve = nullptr;       // written by forward, read by backward
  const void *dout = nullptr, *dh_n = nullptr;  // backward
  void *dx = nullptr, *dh0 = nullptr;
  void* workspace = nullptr;     // nullptr: the binding provides workspace_elems elements
  int64_t workspace_elems = 0;
  std::vector<const void*> w_ih, w_hh, b_ih, b_hh;  // [layers*dirs]; b_* empty without bias
  std::vector<void*> dw_ih, dw_hh, db_ih, db_hh;    // backward
};
GruArgs gru_args(const Napi::CallbackInfo& info, TensorArgs& mem, bool backward);
Napi::Value gru_sizes(const Napi::CallbackInfo& info);

// The kernel's pointer tables for one dtype (views into a GruArgs, valid while it lives).
template <typename T>
struct GruPointers {
  std::vector<const T*> w_ih, w_hh, b_ih, b_hh;
  std::vector<T*> dw_ih, dw_hh, db_ih, db_hh;
  GruWeights<T> weights;
  GruGrads<T> grads;
  explicit GruPointers(const GruArgs& a) {
    for (auto* p : a.w_ih) w_ih.push_back(static_cast<const T*>(p));
    for (auto* p : a.w_hh) w_hh.push_back(static_cast<const T*>(p));
    for (auto* p : a.b_ih) b_ih.push_back(static_cast<const T*>(p));
    for (auto* p : a.b_hh) b_hh.push_back(static_cast<const T*>(p));
    for (auto* p : a.dw_ih) dw_ih.push_back(static_cast<T*>(p));
    for (auto* p : a.dw_hh) dw_hh.push_back(static_cast<T*>(p));
    for (auto* p : a.db_ih) db_ih.push_back(static_cast<T*>(p));
    for (auto* p : a.db_hh) db_hh.push_back(static_cast<T*>(p));
    weights.w_ih = w_ih.data();
    weights.w_hh = w_hh.data();
    weights.b_ih = a.bias ? b_ih.data() : nullptr;
    weights.b_hh = a.bias ? b_hh.data() : nullptr;
    grads.dw_ih = dw_ih.data();
    grads.dw_hh = dw_hh.data();
    grads.db_ih = a.bias ? db_ih.data() : nullptr;
    grads.db_hh = a.bias ? db_hh.data() : nullptr;
  }
};

}  // namespace napi
}  // namespace recforge
