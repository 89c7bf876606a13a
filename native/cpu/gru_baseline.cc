// The fused GRU, the baseline x86-64 (SSE2) variant: gru_kernels.h compiled for this instruction set. Every system
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

#define RECFORGE_ISA isa_baseline
#include "gru_kernels.h"
