// Inverted dropout, active only in training mode (module.train() / module.eval()).
import type { Tensor } from "../tensor/tensor.js";
import type { Generator } from "../tensor/random.js";
import { dropout } from "../ops/index.js";
import { Module } from "./module.js";

export class Dropout extends Module {
  readonly p: number;
  private readonly generator?: Generator;

  constructor(p = 0.5, opts: { generator?: Generator } = {}) {
    super();
    if (typeof p !== "number" || !(p >= 0 && p < 1)) throw new RangeError(`recforge: Dropout: p must be in [0, 1), got ${p}`);
    this.p = p;
    this.generator = opts.generator;
  }

  /** In eval mode (or p = 0) returns x itself. */
  forward(x: Tensor): Tensor {
    return dropout(x, this.p, { training: this.training, generator: this.generator });
  }
}
