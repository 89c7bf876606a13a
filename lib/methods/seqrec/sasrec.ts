// SASRec (Kang & McAuley 2018) as the GatedLongRec spec's baseline: learned positions, 2 causal
// self-attention blocks, the LAST position's state scored against every item with the output tied
// to the item embedding (logits = h·Eᵀ + b), full-softmax cross-entropy with the next item (the
// harness's loss for every model). Windows W = 30 and 200.
//
// Attention runs on recforge's fused interval-attention op (lib/ops/attention.ts, DTI's kernel)
// over PACKED rows: the real actions of all B windows laid end to end (no padding tokens), each
// token seeing its own row's prefix [rowStart, i] through the op's causal span (selfLo =
// rowStart; no prefix / context intervals). Positions count back from the target: the last
// action is position W − 1 in every row, as in SASRec's left-padded windows.
import type { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { add, contiguous, crossEntropy, embedding, indexSelect, intervalAttention, linear, mul, relu, reshape, tensor, transpose, zeros } from "../../ops/index.js";
import { Embedding } from "../../nn/embedding.js";
import { Linear } from "../../nn/linear.js";
import { LayerNorm } from "../../nn/norm.js";
import { Dropout } from "../../nn/dropout.js";
import { ModuleList } from "../../nn/container.js";
import { Module } from "../../nn/module.js";
import { normalInit } from "../../nn/init.js";
import { SeqRecModel, type SeqInputs } from "./model.js";

export interface SasRecConfig {
  numItems: number;
  hidden?: number;
  window?: number;
  blocks?: number;
  heads?: number;
  dropout?: number;
  dtype?: DType;
}

/** Packed layout of a right-padded window batch: tokens, positions, intervals, last-token rows. */
export interface PackedWindows {
  L: number;
  items: Int32Array;
  positions: Int32Array;
  /** [5, L] rows prefLo, prefHi, ctxLo, ctxHi, selfLo (see lib/ops/attention.ts). */
  intervals: Int32Array;
  last: Int32Array;
}

export function packWindows(items: Int32Array, lengths: Int32Array, W: number): PackedWindows {
  const B = lengths.length;
  let L = 0;
  for (let b = 0; b < B; b++) L += lengths[b];
  const out: PackedWindows = { L, items: new Int32Array(L), positions: new Int32Array(L), intervals: new Int32Array(5 * L), last: new Int32Array(B) };
  let at = 0;
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    if (n < 1) throw new RangeError(`recforge: SASRec: row ${b} has no action before its target`);
    for (let k = 0; k < n; k++) {
      out.items[at + k] = items[b * W + k];
      out.positions[at + k] = W - n + k;
      out.intervals[4 * L + at + k] = at; // selfLo: the row's first token
    }
    out.last[b] = at + n - 1;
    at += n;
  }
  return out;
}

class Block extends Module<[Tensor, Tensor, number], Tensor> {
  readonly ln1: LayerNorm;
  readonly ln2: LayerNorm;
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly o: Linear;
  readonly ff1: Linear;
  readonly ff2: Linear;
  readonly drop: Dropout;
  constructor(private readonly D: number, private readonly heads: number, p: number, dtype?: DType) {
    super();
    const o = { dtype };
    this.ln1 = this.module("ln1", new LayerNorm(D, o));
    this.ln2 = this.module("ln2", new LayerNorm(D, o));
    this.q = this.module("q", new Linear(D, D, o));
    this.k = this.module("k", new Linear(D, D, o));
    this.v = this.module("v", new Linear(D, D, o));
    this.o = this.module("o", new Linear(D, D, o));
    this.ff1 = this.module("ff1", new Linear(D, D, o));
    this.ff2 = this.module("ff2", new Linear(D, D, o));
    this.drop = this.module("drop", new Dropout(p));
  }
  /** x [L, D] → [L, D] (pre-norm residual block). */
  forward(x: Tensor, intervals: Tensor, L: number): Tensor {
    const h = this.heads, dh = this.D / h;
    const toHeads = (t: Tensor) => contiguous(transpose(reshape(t, [L, h, dh]), 0, 1));
    const n = this.ln1.call(x);
    const att = intervalAttention(toHeads(this.q.call(n)), toHeads(this.k.call(n)), toHeads(this.v.call(n)), intervals, { scale: 1 / Math.sqrt(dh) });
    const merged = reshape(contiguous(transpose(att, 0, 1)), [L, this.D]);
    const x2 = add(x, this.drop.call(this.o.call(merged)));
    return add(x2, this.drop.call(this.ff2.call(relu(this.ff1.call(this.ln2.call(x2))))));
  }
}

export class SasRec extends SeqRecModel {
  readonly window: number;
  readonly D: number;
  readonly itemEmb: Embedding;
  readonly posEmb: Tensor;
  readonly blocks: ModuleList<Block>;
  readonly lnOut: LayerNorm;
  readonly drop: Dropout;
  readonly outBias: Tensor;
  private readonly cfg: SasRecConfig;

  constructor(cfg: SasRecConfig) {
    super();
    this.cfg = cfg;
    this.D = cfg.hidden ?? 50;
    this.window = cfg.window ?? 30;
    const heads = cfg.heads ?? 1;
    if (this.D % heads !== 0) throw new RangeError(`recforge: SASRec: hidden ${this.D} is not a multiple of heads ${heads}`);
    const dtype = cfg.dtype;
    this.itemEmb = this.module("item_emb", new Embedding(cfg.numItems, this.D, { paddingIdx: 0, std: 0.1, dtype }));
    this.posEmb = this.param("pos_emb", normalInit([this.window, this.D], 0.1, { dtype }));
    this.blocks = this.module("blocks", new ModuleList(Array.from({ length: cfg.blocks ?? 2 }, () => new Block(this.D, heads, cfg.dropout ?? 0.2, dtype))));
    this.lnOut = this.module("ln_out", new LayerNorm(this.D, { dtype }));
    this.drop = this.module("drop", new Dropout(cfg.dropout ?? 0.2));
    this.outBias = this.param("out_bias", zeros([cfg.numItems], { dtype: dtype ?? "float32" }));
  }

  config(): Record<string, unknown> {
    return { model: "sasrec", hidden: this.D, window: this.window, blocks: this.cfg.blocks ?? 2, heads: this.cfg.heads ?? 1, dropout: this.cfg.dropout ?? 0.2, numItems: this.cfg.numItems };
  }

  /** [B, D]: the last position's state of every row. */
  private encode(inp: SeqInputs): Tensor {
    const w = inp.window;
    const p = packWindows(w.items, w.lengths, w.W);
    const items = tensor(p.items, { dtype: "int32" });
    const pos = tensor(p.positions, { dtype: "int32" });
    const intervals = tensor(p.intervals, { dtype: "int32", shape: [5, p.L] });
    let x = this.drop.call(add(mul(this.itemEmb.call(items), Math.sqrt(this.D)), embedding(pos, this.posEmb)));
    for (const b of this.blocks) x = b.call(x, intervals, p.L);
    return indexSelect(this.lnOut.call(x), 0, tensor(p.last, { dtype: "int32" }));
  }

  scores(inp: SeqInputs): Tensor {
    return linear(this.encode(inp), this.itemEmb.weight, this.outBias);
  }

  loss(inp: SeqInputs): Tensor {
    return crossEntropy(this.scores(inp), tensor(inp.window.targetItems, { dtype: "int32" }));
  }
}
