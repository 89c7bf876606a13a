// MultiBalance CPU kernel, the AVX2+FMA variant: balance_gradients_kernels.h compiled for this instruction set.
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

#pragma GCC target("avx2,fma")
#define RECFORGE_ISA isa_avx2
#include "balance_gradients_kernels.h"
