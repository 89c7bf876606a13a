// LS-DQN's fused Max-Cut Q forward, the AVX-512 (F, BW, DQ, VL) variant: lsdqn_maxcut_q_kernels.h compiled for this
// instruction set. Every system and project header is included BEFORE the target pragma (see gru_avx2.cc).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gemm_internal.h"
#include "recforge/lsdqn_maxcut_q.h"
#include "recforge/parallel.h"

#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")
#define RECFORGE_ISA isa_avx512
#include "lsdqn_maxcut_q_kernels.h"
