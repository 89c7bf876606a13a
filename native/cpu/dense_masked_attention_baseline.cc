// dense_masked_attention, the baseline x86-64 (SSE2) variant: dense_masked_attention_kernels.h compiled for this instruction set.
// Every system and project header is included BEFORE the target pragma, so the inline functions
// and templates they define keep the baseline target; only this variant's own code (and its copy of
// the attention inner loops, renamed by the attn macro) is compiled for AVX2.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>

#include "recforge/dense_masked_attention.h"
#include "recforge/parallel.h"

#include "attention_rows.h"
#include "attention_simd.h"
#define RECFORGE_ISA isa_baseline
#include "dense_masked_attention_kernels.h"
