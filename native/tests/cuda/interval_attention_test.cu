// CUDA interval attention against the CPU kernel (double precision, on the same input values):
// float inputs with fp32 tolerances; bf16 and half inputs against the CPU result on the rounded
// values with loose tolerances; the autocast entry points (16-bit inputs, float32 outputs) against the
// CPU result on the rounded values with fp32 tolerances. Outputs are poisoned (all bits set = NaN) before each kernel.
// Ends with an informative timing at the DTI layout n = 40, k = 40 (L = 1484, H = 4, D = 64).
#include <cuda_bf16.h>
#include <cuda_fp16.h>
#include <cuda_runtime.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "../attention_layouts.h"
#include "recforge/interval_attention.h"

using namespace rftest;

#define CUDA_OK(expr)                                                                                 \
  do {                                                                                                \
    cudaError_t e_ = (expr);                                                                          \
    if (e_ != cudaSuccess) {                                                                          \
      std::fprintf(stderr, "%s:%d: %s failed: %s\n", __FILE__, __LINE__, #expr, cudaGetErrorString(e_)); \
      std::exit(2);                                                                                   \
    }                                                                                                 \
  } while (0)

namespace {

template <typename T>
struct Dev {
  T* p = nullptr;
  size_t n = 0;
  explicit Dev(size_t n_) : n(n_) { CUDA_OK(cudaMalloc(&p, std::max<size_t>(n, 1) * sizeof(T))); }
  Dev(const std::vector<T>& h) : Dev(h.size()) { CUDA_OK(cudaMemcpy(p, h.data(), n * sizeof(T), cudaMemcpyHostToDevice)); }
  ~Dev() { cudaFree(p); }
  void poison() { CUDA_OK(cudaMemset(p, 0xFF, n * sizeof(T))); }
  std::vector<T> get() const {
    std::vector<T> h(n);
    CUDA_OK(cudaMemcpy(h.data(), p, n * sizeof(T), cudaMemcpyDeviceToHost));
    return h;
  }
};

template <typename T>
T from_double(double x);
template <>
float from_double<float>(double x) { return (float)x; }
template <>
__nv_bfloat16 from_double<__nv_bfloat16>(double x) { return __float2bfloat16((float)x); }
template <>
__half from_double<__half>(double x) { return __float2half((float)x); }

template <typename T>
double to_double(T x);
template <>
double to_double<float>(float x) { return x; }
template <>
double to_double<__nv_bfloat16>(__nv_bfloat16 x) { return __bfloat162float(x); }
template <>
double to_double<__half>(__half x) { return __half2float(x); }

template <typename T>
std::vector<T> to_type(const std::vector<double>& x) {
  std::vector<T> r(x.size());
  for (size_t i = 0; i < x.size(); ++i) r[i] = from_double<T>(x[i]);
  return r;
}
template <typename T>
std::vector<double> to_doubles(const std::vector<T>& x) {
  std::vector<double> r(x.size());
  for (size_t i = 0; i < x.size(); ++i) r[i] = to_double<T>(x[i]);
  return r;
}

struct Tol {
  double atol, rtol;
};

// One random case: q, k, v and dout rounded to T, ALiBi slopes, a scale, and the float64 reference
// (the CPU kernel in double on exactly the rounded values).
template <typename T>
struct Case {
  const Layout& lay;
  int64_t H, L, D, n;
  bool alibi;
  std::vector<T> q, k, v, g;
  std::vector<float> slopes;
  float scale;
  std::vector<double> qd, kd, vd, gd, sd, out_ref, lse_ref, dq_ref, dk_ref, dv_ref;

  Case(const Layout& lay_, int64_t H_, int64_t D_, bool alibi_, Rng& rng)
      : lay(lay_), H(H_), L(lay_.L), D(D_), n(H_ * lay_.L * D_), alibi(alibi_) {
    q = to_type<T>(randn<double>(rng, n)), k = to_type<T>(randn<double>(rng, n));
    v = to_type<T>(randn<double>(rng, n)), g = to_type<T>(randn<double>(rng, n));
    for (int64_t h = 0; h < H; ++h) slopes.push_back((float)std::pow(2.0, -1.0 - h - rng.uniform()));
    scale = (float)((0.5 + rng.uniform()) / std::sqrt((double)std::max<int64_t>(D, 1)));
    qd = to_doubles(q), kd = to_doubles(k), vd = to_doubles(v), gd = to_doubles(g);
    sd.assign(slopes.begin(), slopes.end());
    out_ref.resize(n), lse_ref.resize(H * L), dq_ref.resize(n), dk_ref.resize(n), dv_ref.resize(n);
    recforge::interval_attention_forward<double>(H, L, D, qd.data(), kd.data(), vd.data(), lay.iv.data(), slopes_ref(),
                                                 pos_ref(), scale, out_ref.data(), lse_ref.data());
  }
  const double* slopes_ref() const { return alibi ? sd.data() : nullptr; }
  const int32_t* pos_ref() const { return alibi ? lay.pos.data() : nullptr; }
  // The backward takes the forward's output as an input (delta = rowsum(dout * out)): `out` is the one
  // the kernel's backward gets.
  void backward_ref(const std::vector<double>& out) {
    recforge::interval_attention_backward<double>(H, L, D, qd.data(), kd.data(), vd.data(), out.data(), lse_ref.data(),
                                                  gd.data(), lay.iv.data(), slopes_ref(), pos_ref(), scale,
                                                  dq_ref.data(), dk_ref.data(), dv_ref.data());
  }
  std::string tag(const std::string& what) const {
    return what + " " + lay.name + " L=" + std::to_string(L) + " H=" + std::to_string(H) + " D=" + std::to_string(D) +
           (alibi ? " alibi" : "");
  }
};

template <typename T>
void check_case(const char* type_name, const Layout& lay, int64_t H, int64_t D, bool alibi, Rng& rng, Tol out_tol,
                Tol grad_tol) {
  Case<T> c(lay, H, D, alibi, rng);
  const int64_t L = c.L, n = c.n;
  Dev<T> dq_(c.q), dk_(c.k), dv_(c.v), dg(c.g), out(n), dq(n), dk(n), dv(n);
  Dev<float> lse(H * L), dslopes(c.slopes);
  Dev<int32_t> div(lay.iv), dpos(lay.pos);
  Dev<char> ws(recforge::interval_attention_backward_cuda_workspace_bytes(H, L));
  out.poison(), lse.poison(), dq.poison(), dk.poison(), dv.poison();
  const float* sl = alibi ? dslopes.p : nullptr;
  const int32_t* pos = alibi ? dpos.p : nullptr;
  RF_CHECK(recforge::interval_attention_forward_cuda<T>(H, L, D, dq_.p, dk_.p, dv_.p, div.p, sl, pos, c.scale, out.p,
                                                        lse.p, 0),
           "forward refused H=%lld L=%lld D=%lld", (long long)H, (long long)L, (long long)D);
  CUDA_OK(cudaGetLastError());
  // The reference backward gets the same T-rounded output the kernel gets. With the unrounded out_ref,
  // bf16's rounding of out (~0.4%) shows up in dq through the cancellation in dp - delta (found at
  // D = 1 by the CUDA emulator).
  c.backward_ref(to_doubles(out.get()));
  RF_CHECK(recforge::interval_attention_backward_cuda<T>(H, L, D, dq_.p, dk_.p, dv_.p, out.p, lse.p, dg.p, div.p, sl,
                                                         pos, c.scale, dq.p, dk.p, dv.p, ws.p, ws.n, 0),
           "backward refused H=%lld L=%lld D=%lld", (long long)H, (long long)L, (long long)D);
  CUDA_OK(cudaGetLastError());
  CUDA_OK(cudaDeviceSynchronize());

  const std::string tag = c.tag(type_name);
  allclose(to_doubles(out.get()), c.out_ref, out_tol.atol, out_tol.rtol, (tag + " out").c_str());
  allclose(lse.get(), c.lse_ref, 1e-4, 1e-4, (tag + " lse").c_str());
  allclose(to_doubles(dq.get()), c.dq_ref, grad_tol.atol, grad_tol.rtol, (tag + " dq").c_str());
  allclose(to_doubles(dk.get()), c.dk_ref, grad_tol.atol, grad_tol.rtol, (tag + " dk").c_str());
  allclose(to_doubles(dv.get()), c.dv_ref, grad_tol.atol, grad_tol.rtol, (tag + " dv").c_str());
}

// interval_attention_{forward,backward}_half_cuda: T-rounded q, k, v, dout as raw bits, float32
// outputs; nothing is rounded after the fp32 math, so fp32 tolerances hold.
template <typename T>
void check_half_case(const char* type_name, recforge::HalfKind kind, const Layout& lay, int64_t H, int64_t D,
                     bool alibi, Rng& rng) {
  Case<T> c(lay, H, D, alibi, rng);
  c.backward_ref(c.out_ref);  // the outputs are float32: nothing rounded to T between forward and backward
  const int64_t L = c.L, n = c.n;
  Dev<T> dq_(c.q), dk_(c.k), dv_(c.v), dg(c.g);
  Dev<float> out(n), dq(n), dk(n), dv(n), lse(H * L), dslopes(c.slopes);
  Dev<int32_t> div(lay.iv), dpos(lay.pos);
  Dev<char> ws(recforge::interval_attention_backward_cuda_workspace_bytes(H, L));
  out.poison(), lse.poison(), dq.poison(), dk.poison(), dv.poison();
  const float* sl = alibi ? dslopes.p : nullptr;
  const int32_t* pos = alibi ? dpos.p : nullptr;
  auto bits = [](const T* p) { return reinterpret_cast<const uint16_t*>(p); };
  RF_CHECK(recforge::interval_attention_forward_half_cuda(kind, H, L, D, bits(dq_.p), bits(dk_.p), bits(dv_.p), div.p,
                                                          sl, pos, c.scale, out.p, lse.p, 0),
           "half forward refused H=%lld L=%lld D=%lld", (long long)H, (long long)L, (long long)D);
  CUDA_OK(cudaGetLastError());
  RF_CHECK(recforge::interval_attention_backward_half_cuda(kind, H, L, D, bits(dq_.p), bits(dk_.p), bits(dv_.p), out.p,
                                                           lse.p, bits(dg.p), div.p, sl, pos, c.scale, dq.p, dk.p, dv.p,
                                                           ws.p, ws.n, 0),
           "half backward refused H=%lld L=%lld D=%lld", (long long)H, (long long)L, (long long)D);
  CUDA_OK(cudaGetLastError());
  CUDA_OK(cudaDeviceSynchronize());
  const std::string tag = c.tag(std::string(type_name) + "-in/f32-out");
  allclose(out.get(), c.out_ref, 5e-5, 5e-4, (tag + " out").c_str());
  allclose(lse.get(), c.lse_ref, 1e-4, 1e-4, (tag + " lse").c_str());
  allclose(dq.get(), c.dq_ref, 5e-4, 5e-3, (tag + " dq").c_str());
  allclose(dk.get(), c.dk_ref, 5e-4, 5e-3, (tag + " dk").c_str());
  allclose(dv.get(), c.dv_ref, 5e-4, 5e-3, (tag + " dv").c_str());
}

void check_all_types(const Layout& lay, int64_t H, int64_t D, bool alibi, Rng& rng) {
  check_half_case<__nv_bfloat16>("bf16", recforge::HalfKind::BF16, lay, H, D, alibi, rng);
  check_half_case<__half>("half", recforge::HalfKind::FP16, lay, H, D, alibi, rng);
  check_case<float>("float", lay, H, D, alibi, rng, {5e-5, 5e-4}, {5e-4, 5e-3});
  check_case<__nv_bfloat16>("bf16", lay, H, D, alibi, rng, {2e-2, 2e-2}, {3e-2, 3e-2});
  check_case<__half>("half", lay, H, D, alibi, rng, {3e-3, 3e-3}, {5e-3, 5e-3});
}

template <typename T>
void timing(const char* type_name) {
  Rng rng(7);
  const Layout lay = dti_layout(rng, 16, 40, 40, 12, 12, 12, 12, 1, true);
  const int64_t H = 4, L = lay.L, D = 64, n = H * L * D;
  Dev<T> q(to_type<T>(randn<double>(rng, n))), k(to_type<T>(randn<double>(rng, n))), v(to_type<T>(randn<double>(rng, n)));
  Dev<T> g(to_type<T>(randn<double>(rng, n))), out(n), dq(n), dk(n), dv(n);
  Dev<float> lse(H * L);
  Dev<int32_t> iv(lay.iv);
  Dev<char> ws(recforge::interval_attention_backward_cuda_workspace_bytes(H, L));
  cudaEvent_t a, b;
  CUDA_OK(cudaEventCreate(&a));
  CUDA_OK(cudaEventCreate(&b));
  auto fwd = [&] {
    recforge::interval_attention_forward_cuda<T>(H, L, D, q.p, k.p, v.p, iv.p, nullptr, nullptr, 0.125f, out.p, lse.p, 0);
    CUDA_OK(cudaGetLastError());
  };
  auto bwd = [&] {
    recforge::interval_attention_backward_cuda<T>(H, L, D, q.p, k.p, v.p, out.p, lse.p, g.p, iv.p, nullptr, nullptr,
                                                  0.125f, dq.p, dk.p, dv.p, ws.p, ws.n, 0);
    CUDA_OK(cudaGetLastError());
  };
  auto time_ms = [&](auto f) {
    f();
    CUDA_OK(cudaEventRecord(a));
    for (int r = 0; r < 20; ++r) f();
    CUDA_OK(cudaEventRecord(b));
    CUDA_OK(cudaEventSynchronize(b));
    float ms = 0;
    CUDA_OK(cudaEventElapsedTime(&ms, a, b));
    return ms / 20;
  };
  const float tf = time_ms(fwd), tb = time_ms(bwd);
  std::printf("timing %s (DTI n=40 k=40, L=%lld H=4 D=64): forward %.3f ms, backward %.3f ms\n", type_name,
              (long long)L, tf, tb);
  cudaEventDestroy(a);
  cudaEventDestroy(b);
}

}  // namespace

int main() {
  int dev_count = 0;
  if (cudaGetDeviceCount(&dev_count) != cudaSuccess || dev_count == 0) {
    std::fprintf(stderr, "interval_attention_cuda: no CUDA device\n");
    return 2;
  }
  Rng rng(424242);
  static const int64_t Ds[] = {1, 3, 16, 33, 64, 100, 128, 200, 256};
  int cases = 0;
  for (int t = 0; t < 72; ++t) {
    const int64_t L = rng.randint(1, 300);
    Layout lay;
    switch (t % 8) {
      case 0: lay = random_layout(rng, L); break;
      case 1: lay = causal_packed(rng, L, rng.randint(1, 200)); break;
      case 2: lay = single_tokens(L); break;
      case 3: lay = prefix_only(rng, L); break;
      case 4: lay = overlapping_windows(rng, L); break;
      default: lay = small_dti(rng); break;
    }
    check_all_types(lay, rng.randint(1, 4), Ds[t % 9], rng.uniform() < 0.5, rng);
    ++cases;
  }
  for (int t = 0; t < 4; ++t) {  // realistic, many tiles
    Layout lay = dti_layout(rng, (int)rng.randint(0, 20), (int)rng.randint(5, 40), (int)rng.randint(3, 20), 3, 12, 2,
                            12, t % 2, t % 3 != 0);
    check_all_types(lay, 2, t % 2 ? 64 : 128, t % 2 == 0, rng);
    ++cases;
  }
  // Sizes: empty problems succeed and touch nothing; unsupported head dims are refused.
  RF_CHECK(recforge::interval_attention_forward_cuda<float>(0, 5, 4, nullptr, nullptr, nullptr, nullptr, nullptr,
                                                            nullptr, 1.f, nullptr, nullptr, 0),
           "H = 0 should be a no-op");
  RF_CHECK(recforge::interval_attention_forward_cuda<float>(2, 0, 4, nullptr, nullptr, nullptr, nullptr, nullptr,
                                                            nullptr, 1.f, nullptr, nullptr, 0),
           "L = 0 should be a no-op");
  RF_CHECK(!recforge::interval_attention_forward_cuda<float>(1, 5, 257, nullptr, nullptr, nullptr, nullptr, nullptr,
                                                             nullptr, 1.f, nullptr, nullptr, 0) &&
               !recforge::interval_attention_cuda_supports(1, 5, 257),
           "D = 257 should be refused");
  CUDA_OK(cudaGetLastError());
  std::printf("checked %d layouts x {float, bf16, half}\n", cases);
  if (!rftest::kEmulated) {
    timing<float>("float");
    timing<__nv_bfloat16>("bf16");
  }
  return finish("interval_attention_cuda");
}
