// LS-DQN's fused Max-Cut Q forward, the AVX2+FMA variant: lsdqn_maxcut_q_kernels.h compiled for this
// instruction set. Every system and project header is included BEFORE the target pragma (see gru_avx2.cc).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gemm_internal.h"
#include "recforge/lsdqn_maxcut_q.h"
#include "recforge/parallel.h"

#pragma GCC target("avx2,fma")
#define RECFORGE_ISA isa_avx2
#include "lsdqn_maxcut_q_kernels.h"
