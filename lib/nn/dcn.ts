// Deep & Cross Network (Wang et al. 2017, "DCN"; the matrix cross layer of DCN-V2, Wang et al.
// 2021, as an option): a cross network that forms explicit feature crosses of bounded degree,
// beside a deep MLP, both on the same input, combined by a final linear layer.
//   cross layer l ("vector", DCN):  x_{l+1} = x0 · (x_l · w_l) + b_l + x_l      (w_l, b_l ∈ R^d)
//   cross layer l ("matrix", DCN-V2): x_{l+1} = x0 ⊙ (W_l x_l + b_l) + x_l      (W_l ∈ R^{d×d})
//   out = Linear([x_L ; deep(x0)])
import type { Tensor } from "../tensor/tensor.js";
import { add, mul, matmul, concat, zeros } from "../ops/index.js";
import { Module } from "./module.js";
import { Linear } from "./linear.js";
import { MLP } from "./mlp.js";
import { ModuleList } from "./container.js";
import { xavierUniform, type InitOptions } from "./init.js";
import type { ActivationName } from "./activation.js";

export interface DCNOptions extends InitOptions {
  /** Number of cross layers (default 2). */
  crossLayers?: number;
  /** "vector" (DCN, default) or "matrix" (DCN-V2). */
  crossType?: "vector" | "matrix";
  /** Hidden widths of the deep tower (default [256, 128]); [] for a cross-only network. */
  deep?: number[];
  /** Output width (default 1: a logit). */
  outFeatures?: number;
  /** Activation of the deep tower (default "relu"). */
  activation?: ActivationName;
  /** Dropout after each deep hidden layer (default 0). */
  dropout?: number;
}

/** One cross layer; forward(x0, xl). */
export class CrossLayer extends Module<[Tensor, Tensor], Tensor> {
  readonly kind: "vector" | "matrix";
  readonly weight: Tensor | null; // vector kind: [d, 1]
  readonly bias: Tensor | null;
  readonly linear: Linear | null; // matrix kind

  constructor(dim: number, kind: "vector" | "matrix", opts: InitOptions = {}) {
    super();
    this.kind = kind;
    if (kind === "vector") {
      this.weight = this.param("weight", xavierUniform([dim, 1], opts));
      this.bias = this.param("bias", zeros([dim], { dtype: opts.dtype }));
      this.linear = null;
    } else {
      this.weight = this.bias = null;
      this.linear = this.module("linear", new Linear(dim, dim, opts));
    }
  }

  forward(x0: Tensor, xl: Tensor): Tensor {
    const gate = this.kind === "vector" ? matmul(xl, this.weight!) : this.linear!.call(xl); // [B, 1] or [B, d]
    const crossed = mul(x0, gate);
    gate.dispose();
    const withRes = add(crossed, xl);
    crossed.dispose();
    if (!this.bias) return withRes;
    const out = add(withRes, this.bias);
    withRes.dispose();
    return out;
  }
}

export class DCN extends Module {
  readonly inFeatures: number;
  readonly cross: ModuleList<CrossLayer>;
  readonly deep: MLP | null;
  readonly head: Linear;

  constructor(inFeatures: number, opts: DCNOptions = {}) {
    super();
    if (!Number.isInteger(inFeatures) || inFeatures < 1) throw new RangeError(`recforge: DCN: inFeatures must be a positive integer, got ${inFeatures}`);
    const nCross = opts.crossLayers ?? 2;
    if (!Number.isInteger(nCross) || nCross < 0) throw new RangeError(`recforge: DCN: crossLayers must be a non-negative integer, got ${nCross}`);
    const kind = opts.crossType ?? "vector";
    if (kind !== "vector" && kind !== "matrix") throw new TypeError(`recforge: DCN: crossType must be "vector" or "matrix", got ${JSON.stringify(kind)}`);
    const init = { dtype: opts.dtype, generator: opts.generator };
    this.inFeatures = inFeatures;
    this.cross = this.module("cross", new ModuleList(Array.from({ length: nCross }, () => new CrossLayer(inFeatures, kind, init))));
    const deep = opts.deep ?? [256, 128];
    this.deep = deep.length
      ? this.module("deep", new MLP([inFeatures, ...deep], { ...init, activation: opts.activation ?? "relu", activateLast: true, dropout: opts.dropout ?? 0 }))
      : null;
    this.head = this.module("head", new Linear(inFeatures + (deep.length ? deep[deep.length - 1] : 0), opts.outFeatures ?? 1, init));
  }

  /** x [B, inFeatures] → [B, outFeatures]. */
  forward(x: Tensor): Tensor {
    let xl = x;
    for (let i = 0; i < this.cross.length; i++) {
      const next = this.cross.at(i)!.call(x, xl);
      if (xl !== x) xl.dispose();
      xl = next;
    }
    let joined = xl;
    if (this.deep) {
      const d = this.deep.call(x);
      joined = concat([xl, d], 1);
      d.dispose();
      if (xl !== x) xl.dispose();
    }
    const out = this.head.call(joined);
    if (joined !== x) joined.dispose();
    return out;
  }
}
