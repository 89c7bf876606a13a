// interval_attention: the run-time dispatch to its instruction-set variants (interval_attention_kernels.h compiled as
// interval_attention_baseline.cc, interval_attention_avx2.cc and interval_attention_avx512.cc). See recforge/cpu_isa.h.
#include "recforge/interval_attention.h"

#include "recforge/cpu_isa.h"

namespace recforge {
namespace isa_baseline {
template <typename T>
void interval_attention_forward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v, const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* out, T* lse);
template <typename T>
void interval_attention_backward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v, const T* out, const T* lse, const T* dout, const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* dq, T* dk, T* dv);
}  // namespace isa_baseline
namespace isa_avx2 {
template <typename T>
void interval_attention_forward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v, const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* out, T* lse);
template <typename T>
void interval_attention_backward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v, const T* out, const T* lse, const T* dout, const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* dq, T* dk, T* dv);
}  // namespace isa_avx2
namespace isa_avx512 {
template <typename T>
void interval_attention_forward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v, const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* out, T* lse);
template <typename T>
void interval_attention_backward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v, const T* out, const T* lse, const T* dout, const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* dq, T* dk, T* dv);
}  // namespace isa_avx512

namespace {
CpuIsa isa() {
  static const CpuIsa v = cpu_isa();
  return v;
}
}  // namespace

template <typename T>
void interval_attention_forward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v, const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* out, T* lse) {
  switch (isa()) {
    case CpuIsa::Avx512:
      return isa_avx512::interval_attention_forward<T>(H, L, D, q, k, v, iv, slopes, pos, scale, out, lse);
    case CpuIsa::Avx2:
      return isa_avx2::interval_attention_forward<T>(H, L, D, q, k, v, iv, slopes, pos, scale, out, lse);
    default:
      return isa_baseline::interval_attention_forward<T>(H, L, D, q, k, v, iv, slopes, pos, scale, out, lse);
  }
}

template <typename T>
void interval_attention_backward(int64_t H, int64_t L, int64_t D, const T* q, const T* k, const T* v, const T* out, const T* lse, const T* dout, const int32_t* iv, const T* slopes, const int32_t* pos, double scale, T* dq, T* dk, T* dv) {
  switch (isa()) {
    case CpuIsa::Avx512:
      return isa_avx512::interval_attention_backward<T>(H, L, D, q, k, v, out, lse, dout, iv, slopes, pos, scale, dq, dk, dv);
    case CpuIsa::Avx2:
      return isa_avx2::interval_attention_backward<T>(H, L, D, q, k, v, out, lse, dout, iv, slopes, pos, scale, dq, dk, dv);
    default:
      return isa_baseline::interval_attention_backward<T>(H, L, D, q, k, v, out, lse, dout, iv, slopes, pos, scale, dq, dk, dv);
  }
}

template void interval_attention_forward<float>(int64_t H, int64_t L, int64_t D, const float* q, const float* k, const float* v, const int32_t* iv, const float* slopes, const int32_t* pos, double scale, float* out, float* lse);
template void interval_attention_backward<float>(int64_t H, int64_t L, int64_t D, const float* q, const float* k, const float* v, const float* out, const float* lse, const float* dout, const int32_t* iv, const float* slopes, const int32_t* pos, double scale, float* dq, float* dk, float* dv);
template void interval_attention_forward<double>(int64_t H, int64_t L, int64_t D, const double* q, const double* k, const double* v, const int32_t* iv, const double* slopes, const int32_t* pos, double scale, double* out, double* lse);
template void interval_attention_backward<double>(int64_t H, int64_t L, int64_t D, const double* q, const double* k, const double* v, const double* out, const double* lse, const double* dout, const int32_t* iv, const double* slopes, const int32_t* pos, double scale, double* dq, double* dk, double* dv);

}  // namespace recforge
