// interval_attention, the AVX-512 (F, BW, DQ, VL) variant: interval_attention_kernels.h compiled for this instruction set.
// Every system and project header is included BEFORE the target pragma, so the inline functions
// and templates they define keep the baseline target; only this variant's own code (and its copy of
// the attention inner loops, renamed by the attn macro) is compiled for AVX-512 (64-byte vectors in attention_simd.h).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <utility>
#include <vector>
#include <immintrin.h>

#include "recforge/interval_attention.h"
#include "recforge/parallel.h"

#pragma GCC target("avx512f,avx512bw,avx512dq,avx512vl,avx2,fma")
#define attn attn_isa_avx512
#define RECFORGE_ATTN_ISA_LEVEL 2
#include "attention_rows.h"
#include "attention_simd.h"
#define RECFORGE_ISA isa_avx512
#include "interval_attention_kernels.h"
