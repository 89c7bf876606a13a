// softmax, the AVX2+FMA variant: softmax_kernels.h compiled for this instruction set. Every system and
// project header is included BEFORE the target pragma, so the inline functions and templates they
// define keep the baseline target (a copy compiled for AVX here could otherwise be the one the linker
// keeps for every caller); inlined into this variant's loops they are compiled for its ISA.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "recforge/parallel.h"
#include "recforge/softmax.h"
#include "recforge/softmax_rule.h"
#include "recforge/vmath.h"

#pragma GCC target("avx2,fma")
#define RECFORGE_ISA isa_avx2
#include "softmax_kernels.h"
