// Multi-layer perceptron: Linear layers sizes[0] → sizes[1] → ... with an activation
// (and optional dropout) between them. Parameters are named "layers.<i>.weight/bias".
import type { Tensor } from "../tensor/tensor.js";
import { Module } from "./module.js";
import { Linear } from "./linear.js";
import { Dropout } from "./dropout.js";
import { ModuleList } from "./container.js";
import { activationFn, type ActivationFn, type ActivationName } from "./activation.js";
import type { InitOptions } from "./init.js";

export interface MLPOptions extends InitOptions {
  /** Between layers (default "relu"). */
  activation?: ActivationName | ActivationFn;
  /** Dropout probability after each hidden activation (default 0: none). */
  dropout?: number;
  /** Biases on every Linear (default true). */
  bias?: boolean;
  /** Apply the activation (and dropout) after the last layer too (default false). */
  activateLast?: boolean;
}

export class MLP extends Module {
  readonly sizes: readonly number[];
  readonly layers: ModuleList<Linear>;
  readonly dropout: Dropout | null;
  private readonly act: ActivationFn;
  private readonly activateLast: boolean;

  constructor(sizes: number[], opts: MLPOptions = {}) {
    super();
    if (!Array.isArray(sizes) || sizes.length < 2)
      throw new RangeError(`recforge: MLP: sizes must list at least an input and an output size, got ${JSON.stringify(sizes)}`);
    this.sizes = Object.freeze(sizes.slice());
    this.act = activationFn(opts.activation ?? "relu");
    this.activateLast = opts.activateLast ?? false;
    const linears: Linear[] = [];
    for (let i = 0; i + 1 < sizes.length; i++)
      linears.push(new Linear(sizes[i], sizes[i + 1], { bias: opts.bias, dtype: opts.dtype, generator: opts.generator }));
    this.layers = this.module("layers", new ModuleList(linears));
    const p = opts.dropout ?? 0;
    this.dropout = p > 0 ? this.module("dropout", new Dropout(p, { generator: opts.generator })) : null;
  }

  forward(x: Tensor): Tensor {
    let h = x;
    const n = this.layers.length;
    for (let i = 0; i < n; i++) {
      let y = this.layers.at(i)!.call(h);
      if (i < n - 1 || this.activateLast) {
        y = replace(y, this.act(y));
        if (this.dropout) y = replace(y, this.dropout.call(y));
      }
      if (h !== x) h.dispose();
      h = y;
    }
    return h;
  }
}

// Returns next, disposing prev when next is a different tensor (the graph keeps what it needs).
function replace(prev: Tensor, next: Tensor): Tensor {
  if (next !== prev) prev.dispose();
  return next;
}
