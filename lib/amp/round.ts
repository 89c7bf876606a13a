// float32 -> bfloat16 / float16 -> float32 rounding on the host, round to nearest, ties to even:
// the same results as the CUDA conversions (__float2bfloat16_rn, __float2half_rn) that the device
// kernels run before a 16-bit GEMM or attention (and the CPU addon's roundHalf, which the emulated device uses). Used by
// tests that need the rounded inputs of a reference computation.
import type { LowPrecision } from "./autocast.js";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** x rounded to bfloat16 (8 exponent, 7 mantissa bits), as a float32 value. NaN stays NaN, ±inf stay. */
export function roundBf16(x: number): number {
  f32[0] = x;
  const u = u32[0];
  if ((u & 0x7fffffff) > 0x7f800000) return NaN;
  // Add half an ulp of the 16-bit result minus one, plus the result's lowest bit (ties to even); the
  // carry may overflow the exponent into ±inf, which is the correct rounding of values >= the max.
  u32[0] = ((u + 0x7fff + ((u >>> 16) & 1)) & 0xffff0000) >>> 0;
  return f32[0];
}

/** x rounded to IEEE binary16 (max 65504, subnormals down to 2^-24), as a float32 value. */
export function roundFp16(x: number): number {
  f32[0] = x;
  const v = f32[0];
  if (Number.isNaN(v) || !Number.isFinite(v) || v === 0) return v;
  const a = Math.abs(v);
  // 65520 lies halfway between the largest value, 65504 (odd mantissa), and 2^16 (even): the tie
  // rounds up, to infinity, and so does everything above it.
  if (a >= 65520) return v > 0 ? Infinity : -Infinity;
  // Quantum of the binary16 value at a: 2^(e - 10) for normal numbers (e = floor(log2 a) >= -14), 2^-24 below.
  const e = Math.max(((u32[0] >>> 23) & 0xff) - 127, -14);
  const q = 2 ** (e - 10);
  const y = a / q; // exact (power-of-two scaling of a float32 value)
  let r = Math.floor(y);
  const frac = y - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 === 1)) r += 1;
  const out = r * q;
  return v < 0 ? -out : out;
}

/** Every element of `values` rounded to 16 bits (`precision`), as a new Float32Array. */
export function roundTo(values: ArrayLike<number>, precision: LowPrecision): Float32Array {
  const f = precision === "bf16" ? roundBf16 : roundFp16;
  const out = new Float32Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = f(values[i]);
  return out;
}
