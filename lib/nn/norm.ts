// Normalisation layers over the last axis (fused native kernels in lib/ops/nn.ts).
import type { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { layerNorm, rmsNorm, ones, zeros } from "../ops/index.js";
import { Module } from "./module.js";

function checkDim(name: string, dim: number): void {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`recforge: ${name}: dim must be a positive integer, got ${dim}`);
}

export interface LayerNormOptions {
  eps?: number;
  /** Learnable scale (and bias): default true. */
  elementwiseAffine?: boolean;
  /** Learnable bias when affine (default true). */
  bias?: boolean;
  dtype?: DType;
}

/** (x - mean) / sqrt(var + eps) * weight + bias over the last axis of size `dim`. */
export class LayerNorm extends Module {
  readonly dim: number;
  readonly eps: number;
  readonly weight: Tensor | null;
  readonly bias: Tensor | null;

  constructor(dim: number, opts: LayerNormOptions = {}) {
    super();
    checkDim("LayerNorm", dim);
    this.dim = dim;
    this.eps = opts.eps ?? 1e-5;
    const affine = opts.elementwiseAffine ?? true;
    this.weight = affine ? this.param("weight", ones([dim], { dtype: opts.dtype })) : null;
    this.bias = affine && opts.bias !== false ? this.param("bias", zeros([dim], { dtype: opts.dtype })) : null;
  }

  forward(x: Tensor): Tensor {
    return layerNorm(x, this.weight, this.bias, this.eps);
  }
}

export interface RMSNormOptions {
  eps?: number;
  /** Learnable scale (default true). */
  elementwiseAffine?: boolean;
  dtype?: DType;
}

/** x / sqrt(mean(x²) + eps) * weight over the last axis of size `dim`. */
export class RMSNorm extends Module {
  readonly dim: number;
  readonly eps: number;
  readonly weight: Tensor | null;

  constructor(dim: number, opts: RMSNormOptions = {}) {
    super();
    checkDim("RMSNorm", dim);
    this.dim = dim;
    this.eps = opts.eps ?? 1e-6;
    this.weight = opts.elementwiseAffine === false ? null : this.param("weight", ones([dim], { dtype: opts.dtype }));
  }

  forward(x: Tensor): Tensor {
    return rmsNorm(x, this.weight, this.eps);
  }
}
