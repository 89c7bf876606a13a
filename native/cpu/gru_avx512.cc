// The fused GRU, the AVX-512 (F, BW, DQ, VL) variant: gru_kernels.h compiled for this instruction set. Every system
// and project header is included BEFORE the target pragma, so the inline functions and templates they
// define keep the baseline target; inlined into this variant's loops they are compiled for its ISA.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gemm_internal.h"
#include "recforge/gemm.h"
#include "recforge/gru.h"
#include "recforge/gru_rule.h"
#include "recforge/parallel.h"
#include "recforge/vmath.h"

#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")
#define RECFORGE_ISA isa_avx512
#include "gru_kernels.h"
