// recforge's own GEMM, AVX-512 (F, BW, DQ, VL) variant: gemm_own_kernels.h compiled for
// this instruction set. Every header is included BEFORE the target pragma, so the inline
// functions and templates they define keep the baseline target (a copy compiled for AVX in
// this file could otherwise be the one the linker keeps for every caller).
#include <immintrin.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "gemm_internal.h"
#include "recforge/gemm.h"
#include "recforge/parallel.h"

#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")
#define RECFORGE_GEMM_ISA isa_avx512
#define RECFORGE_GEMM_ISA_LEVEL 2
#include "gemm_own_kernels.h"

namespace recforge {
namespace gemm_detail {
namespace isa_avx512 {
template void own_gemm_one<float>(bool, bool, int64_t, int64_t, int64_t, float, const float*, int64_t, const float*,
                                  int64_t, float, float*, int64_t, bool);
template void own_gemm_one<double>(bool, bool, int64_t, int64_t, int64_t, double, const double*, int64_t,
                                   const double*, int64_t, double, double*, int64_t, bool);
}  // namespace isa_avx512
}  // namespace gemm_detail
}  // namespace recforge
