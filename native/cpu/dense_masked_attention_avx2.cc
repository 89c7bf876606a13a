// dense_masked_attention, the AVX2+FMA variant: dense_masked_attention_kernels.h compiled for this instruction set.
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
#include <immintrin.h>

#include "recforge/dense_masked_attention.h"
#include "recforge/parallel.h"

#pragma GCC target("avx2,fma")
#define attn attn_isa_avx2
#define RECFORGE_ATTN_ISA_LEVEL 1
#include "attention_rows.h"
#include "attention_simd.h"
#define RECFORGE_ISA isa_avx2
#include "dense_masked_attention_kernels.h"
