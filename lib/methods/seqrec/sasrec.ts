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
//
// A second training path (sequenceLoss) follows pmixer/SASRec.pytorch: one forward over a user's
// whole (truncated) sequence gives a state at every position, each scored against its next item
// and one sampled negative with binary cross-entropy (sasrec_sequences.ts drives it).
import type { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { add, bceWithLogits, contiguous, crossEntropy, embedding, indexSelect, intervalAttention, linear, mul, ones, relu, reshape, sum, tensor, transpose, zeros } from "../../ops/index.js";
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

/**
 * A batch for SasRec.sequenceLoss: B right-padded rows of W slots; row b's first lengths[b] slots
 * hold its input items (oldest first), and the same slots of `positives` / `negatives` hold, per
 * token, the item that follows it and one sampled item to score below it.
 */
export interface SequenceBatch {
  B: number;
  W: number;
  items: Int32Array;
  lengths: Int32Array;
  positives: Int32Array;
  negatives: Int32Array;
}

function checkSequenceBatch(s: SequenceBatch, W: number, numItems: number): void {
  const op = "recforge: SASRec.sequenceLoss";
  if (!Number.isInteger(s.B) || s.B < 1) throw new RangeError(`${op}: B must be an integer >= 1, got ${String(s.B)}`);
  if (s.W !== W) throw new RangeError(`${op}: rows have W = ${String(s.W)} slots, the model's window is ${W}`);
  for (const k of ["items", "lengths", "positives", "negatives"] as const)
    if (!(s[k] instanceof Int32Array)) throw new TypeError(`${op}: ${k} must be an Int32Array`);
  if (s.lengths.length !== s.B) throw new RangeError(`${op}: lengths has ${s.lengths.length} entries for B = ${s.B} rows`);
  for (const k of ["items", "positives", "negatives"] as const)
    if (s[k].length !== s.B * W) throw new RangeError(`${op}: ${k} has ${s[k].length} entries, [B, W] = [${s.B}, ${W}] needs ${s.B * W}`);
  for (let b = 0; b < s.B; b++) {
    const n = s.lengths[b];
    if (n < 1 || n > W) throw new RangeError(`${op}: row ${b} has length ${n}, expected 1..${W}`);
    for (let k = 0; k < n; k++)
      for (const key of ["items", "positives", "negatives"] as const) {
        const i = s[key][b * W + k];
        if (i < 1 || i >= numItems) throw new RangeError(`${op}: ${key}[${b}, ${k}] = ${i} is not an item id in [1, ${numItems})`);
      }
  }
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

  /**
   * [L, D]: the state of EVERY packed token (causal: token k of a row sees that row's tokens
   * 0..k only). The per-window path takes each row's last token; the all-positions training
   * (sequenceLoss) scores every token against the item that follows it.
   */
  encodePacked(p: PackedWindows): Tensor {
    const items = tensor(p.items, { dtype: "int32" });
    const pos = tensor(p.positions, { dtype: "int32" });
    const intervals = tensor(p.intervals, { dtype: "int32", shape: [5, p.L] });
    let x = this.drop.call(add(mul(this.itemEmb.call(items), Math.sqrt(this.D)), embedding(pos, this.posEmb)));
    for (const b of this.blocks) x = b.call(x, intervals, p.L);
    return this.lnOut.call(x);
  }

  /** [B, D]: the last position's state of every row. */
  private encode(inp: SeqInputs): Tensor {
    const w = inp.window;
    const p = packWindows(w.items, w.lengths, w.W);
    return indexSelect(this.encodePacked(p), 0, tensor(p.last, { dtype: "int32" }));
  }

  /**
   * The all-positions loss of pmixer/SASRec.pytorch's training (docs/cta.md, "Sanity protocol"):
   * every real token of every row predicts the item that follows it; logit s(i) = h·e_i + b_i;
   * loss = mean over tokens of softplus(−s(positive)) + mean over tokens of softplus(s(negative))
   * (binary cross-entropy of the positive vs ONE sampled negative per token; padding is not in
   * the packed layout, so nothing needs masking). Rows are right-padded [B, W] blocks with
   * W = this.window, as packWindows reads them: token k of a row of n has position W − n + k,
   * i.e. the row's last token sits at W − 1, where the per-window path puts the last action.
   */
  sequenceLoss(batch: SequenceBatch): Tensor {
    checkSequenceBatch(batch, this.window, this.cfg.numItems);
    const p = packWindows(batch.items, batch.lengths, batch.W);
    const pick = (src: Int32Array) => {
      const out = new Int32Array(p.L);
      let at = 0;
      for (let b = 0; b < batch.B; b++) for (let k = 0; k < batch.lengths[b]; k++) out[at++] = src[b * batch.W + k];
      return tensor(out, { dtype: "int32" });
    };
    const h = this.encodePacked(p);
    const logit = (ids: Tensor) => add(sum(mul(h, this.itemEmb.call(ids)), 1), indexSelect(this.outBias, 0, ids));
    const sPos = logit(pick(batch.positives)), sNeg = logit(pick(batch.negatives));
    const dt = sPos.dtype;
    return add(bceWithLogits(sPos, ones([p.L], { dtype: dt })), bceWithLogits(sNeg, zeros([p.L], { dtype: dt })));
  }

  scores(inp: SeqInputs): Tensor {
    return linear(this.encode(inp), this.itemEmb.weight, this.outBias);
  }

  loss(inp: SeqInputs): Tensor {
    return crossEntropy(this.scores(inp), tensor(inp.window.targetItems, { dtype: "int32" }));
  }
}
