// Linear layer: y = x Wᵀ + b with W [out, in], initialised like PyTorch's nn.Linear
// (Kaiming-uniform weight with a = √5, bias uniform in ±1/sqrt(in)).
import type { Tensor } from "../tensor/tensor.js";
import { linear } from "../ops/index.js";
import { Module } from "./module.js";
import { kaimingUniform, uniformInit, type InitOptions } from "./init.js";

export interface LinearOptions extends InitOptions {
  /** Add a learnable bias (default true). */
  bias?: boolean;
}

export class Linear extends Module {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weight: Tensor;
  readonly bias: Tensor | null;

  constructor(inFeatures: number, outFeatures: number, opts: LinearOptions = {}) {
    super();
    for (const [v, what] of [[inFeatures, "inFeatures"], [outFeatures, "outFeatures"]] as const)
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`recforge: Linear: ${what} must be a non-negative integer, got ${v}`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.weight = this.param("weight", kaimingUniform([outFeatures, inFeatures], { ...opts, a: Math.sqrt(5) }));
    this.bias =
      opts.bias === false ? null : this.param("bias", uniformInit([outFeatures], inFeatures > 0 ? 1 / Math.sqrt(inFeatures) : 0, opts));
  }

  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}
