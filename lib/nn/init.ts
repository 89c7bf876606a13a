// Parameter initialisers. Each draws from a Generator (the seeded default one unless
// given), so the same seed always produces identical parameters.
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import type { Generator } from "../tensor/random.js";
import { rand, randn } from "../ops/index.js";

export interface InitOptions {
  dtype?: DType;
  generator?: Generator;
}

/** Uniform in [-bound, bound). */
export function uniformInit(shape: number[], bound: number, opts: InitOptions = {}): Tensor {
  if (!(bound >= 0)) throw new RangeError(`recforge: uniformInit: bound must be >= 0, got ${bound}`);
  return rand(shape, { low: -bound, high: bound, dtype: opts.dtype, generator: opts.generator });
}

/** Normal(mean, std). */
export function normalInit(shape: number[], std = 1, opts: InitOptions & { mean?: number } = {}): Tensor {
  return randn(shape, { mean: opts.mean ?? 0, std, dtype: opts.dtype, generator: opts.generator });
}

/**
 * Kaiming (He) uniform, as PyTorch's kaiming_uniform_ with leaky-ReLU slope `a`:
 * bound = sqrt(2 / (1 + a²)) * sqrt(3 / fanIn). With a = √5 (nn.Linear's default)
 * this is 1/sqrt(fanIn). fanIn defaults to the product of all dims but the first.
 */
export function kaimingUniform(shape: number[], opts: InitOptions & { a?: number; fanIn?: number } = {}): Tensor {
  const fanIn = opts.fanIn ?? shape.slice(1).reduce((p, c) => p * c, 1);
  const a = opts.a ?? Math.sqrt(5);
  const gain = Math.sqrt(2 / (1 + a * a));
  const bound = fanIn > 0 ? gain * Math.sqrt(3 / fanIn) : 0;
  return uniformInit(shape, bound, opts);
}

/** Glorot / Xavier uniform for a [fanOut, fanIn, ...] weight: bound = gain * sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform(shape: number[], opts: InitOptions & { gain?: number } = {}): Tensor {
  const rf = shape.slice(2).reduce((p, c) => p * c, 1);
  const fanIn = (shape.length > 1 ? shape[1] : shape[0] ?? 0) * rf;
  const fanOut = (shape[0] ?? 0) * rf;
  const bound = fanIn + fanOut > 0 ? (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut)) : 0;
  return uniformInit(shape, bound, opts);
}
