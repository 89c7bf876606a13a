// MultiBalance CPU kernel, the AVX-512 (F, BW, DQ, VL) variant: balance_gradients_kernels.h compiled for this instruction set.
// Every system and project header is included BEFORE the target pragma, so the inline functions and
// templates they define keep the baseline target.
#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>
#include <vector>

#include "recforge/balance_gradients.h"
#include "recforge/balance_rule.h"
#include "recforge/parallel.h"

#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")
#define RECFORGE_ISA isa_avx512
#define RECFORGE_BALANCE_AVX512 1    // 8-wide double vectors in both passes (balance_gradients_kernels.h)
#define RECFORGE_BALANCE_PASS2_V8 1
#include "balance_gradients_kernels.h"
