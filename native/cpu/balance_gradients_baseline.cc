// MultiBalance CPU kernel, the baseline x86-64 (SSE2) variant: balance_gradients_kernels.h compiled for this instruction set.
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

#define RECFORGE_ISA isa_baseline
#define RECFORGE_BALANCE_PASS2_V8 1  // the faster pass-2 width for SSE2 (balance_gradients_kernels.h)
#include "balance_gradients_kernels.h"
