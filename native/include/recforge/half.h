// The 16-bit floating-point formats of the CUDA kernels that take 16-bit inputs with fp32
// accumulation (gemm_half_cuda, interval_attention_*_half_cuda). Values cross this header as raw
// bit patterns (uint16_t), so no CUDA header is needed to declare those kernels.
#pragma once
#include <cstdint>

#include "recforge/enums.generated.h"

namespace recforge {

// BF16: bfloat16 (8 exponent bits, 7 mantissa bits: float32's range, ~3 significant digits).
// FP16: IEEE binary16 (5 exponent bits, 10 mantissa bits: max 65504, subnormals below 6.1e-5).
// float32 -> 16 bits rounds to nearest, ties to even, everywhere (device kernels and the
// emulated device of the JS layer).
// HalfKind { BF16, FP16 }: enums.generated.h (from the op table).

// y[i] = x[i] rounded to `kind` (nearest, ties to even), as float32 values: what the device kernels
// feed their fp32 accumulation. NaN stays NaN, ±inf stay; float16 overflows to ±inf from 65520 up.
// The emulated CUDA device (lib/native.ts) runs the float32 kernels on these values.
void round_half(HalfKind kind, const float* x, float* y, int64_t n);

}  // namespace recforge
