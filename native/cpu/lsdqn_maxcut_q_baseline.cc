// LS-DQN's fused Max-Cut Q forward, the baseline x86-64 (SSE2) variant: lsdqn_maxcut_q_kernels.h compiled for this
// instruction set. Every system and project header is included BEFORE the target pragma (see gru_avx2.cc).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include "gemm_internal.h"
#include "recforge/lsdqn_maxcut_q.h"
#include "recforge/parallel.h"


#define RECFORGE_ISA isa_baseline
#include "lsdqn_maxcut_q_kernels.h"
