// Embedding table: rows of a [num, dim] weight looked up by int32 indices. Normal(0, std)
// init (std 1, as PyTorch). With paddingIdx, that row starts at zero and never receives
// a gradient (a hook zeroes it), so it stays zero under any optimiser without weight decay.
import type { Tensor } from "../tensor/tensor.js";
import { embedding, backendFor, code } from "../ops/internal.js";
import { Module } from "./module.js";
import { normalInit, type InitOptions } from "./init.js";

export interface EmbeddingOptions extends InitOptions {
  /** Row that is held at zero (negative counts from the end). */
  paddingIdx?: number;
  /** Standard deviation of the normal init (default 1). */
  std?: number;
}

export class Embedding extends Module {
  readonly numEmbeddings: number;
  readonly embeddingDim: number;
  readonly paddingIdx: number | null;
  readonly weight: Tensor;

  constructor(numEmbeddings: number, embeddingDim: number, opts: EmbeddingOptions = {}) {
    super();
    for (const [v, what] of [[numEmbeddings, "numEmbeddings"], [embeddingDim, "embeddingDim"]] as const)
      if (!Number.isInteger(v) || v < 0) throw new RangeError(`recforge: Embedding: ${what} must be a non-negative integer, got ${v}`);
    let pad: number | null = null;
    if (opts.paddingIdx !== undefined && opts.paddingIdx !== null) {
      const p = opts.paddingIdx;
      if (!Number.isInteger(p) || p < -numEmbeddings || p >= numEmbeddings)
        throw new RangeError(`recforge: Embedding: paddingIdx ${p} is out of range for ${numEmbeddings} embeddings`);
      pad = p < 0 ? p + numEmbeddings : p;
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    this.paddingIdx = pad;
    const w = normalInit([numEmbeddings, embeddingDim], opts.std ?? 1, opts);
    if (pad !== null) backendFor(w).fill({ dtype: code(w), n: embeddingDim, dst: { _h: w._h, offset: pad * embeddingDim }, value: 0 });
    this.weight = this.param("weight", w);
    if (pad !== null && embeddingDim > 0) {
      const d = embeddingDim;
      this.weight.registerHook((g) => {
        const c = g._cloneNoGrad(); // the incoming gradient may be shared: never edit it in place
        backendFor(c).fill({ dtype: code(c), n: d, dst: { _h: c._h, offset: c.offset + pad * d }, value: 0 });
        return c;
      });
    }
  }

  forward(indices: Tensor): Tensor {
    return embedding(indices, this.weight);
  }
}
