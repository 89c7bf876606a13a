// CTA ("Déjà vu", contextualized temporal attention; shared/reference/cta.md "Model") as a
// SeqRecModel of the seqrec harness:
//   1. e_i = E[x_i] (+ sinusoidal position in the window); E (padding row 0) is also the output
//   2. L post-norm Transformer encoder layers (lib/nn/transformer.ts), a final LayerNorm → h_i
//   3. α: one multi-head attention, query = e_last (the LAST REAL item of the row), keys h_i,
//      softmax over positions (padding −∞), attention dropout in training, mean over heads
//   4. φ_k(Δt_i), Δt_i = t_target − t_i in the chosen time unit (cta_kernels.ts)
//   5. c_{i,k}: bidirectional GRU (10 per direction, the fused `gru` op) over e_i → Linear(20 → K)
//      → softmax over kernels; one kernel → all ones; `context: false` → uniform 1/K
//   6. w_i = Σ_k softmax_i(α_i φ_k c_k) (temporalWeights)
//   7. u = Σ_i w_i e_i (raw embeddings); logits = u·Eᵀ (no bias)
// Window W (the spec's): a target sees its W − 1 preceding actions (model.window = W − 1).
// Loss: TOP1 with in-batch negatives (default), BPR or full CE (inbatch_loss.ts).
import { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { add, full, indexSelect, linear, mean, mul, reshape, softmax, tensor, transpose, unsqueeze, matmul, contiguous } from "../../ops/index.js";
import { Embedding } from "../../nn/embedding.js";
import { Linear } from "../../nn/linear.js";
import { LayerNorm } from "../../nn/norm.js";
import { Dropout } from "../../nn/dropout.js";
import { GRU } from "../../nn/gru.js";
import { ModuleList } from "../../nn/container.js";
import { TransformerEncoderLayer, sinusoidalPositionalEncoding } from "../../nn/transformer.js";
import { SeqRecModel, type EpochReport, type SeqInputs } from "./model.js";
import { TemporalKernels, kernelSpecString, temporalWeights } from "./cta_kernels.js";
import { seqLoss, SEQ_LOSSES, type SeqLossName } from "./inbatch_loss.js";
import { assertWindowTimes } from "./window_times.js";

export const TIME_UNITS = { seconds: 1, hours: 3600, days: 86400 } as const;
export type TimeUnit = keyof typeof TIME_UNITS;

export interface CtaConfig {
  numItems: number;
  /** Embedding = model width (the scripts' 500). */
  hidden?: number;
  /** The spec's window W >= 2: a target sees W − 1 earlier actions (default 8). */
  window?: number;
  /** Kernel string (default "log"). */
  kernels?: string;
  /** Context weights from the biGRU (default true); false = uniform 1/K. */
  context?: boolean;
  /** Δt unit (default seconds, as coded). */
  timeUnit?: TimeUnit;
  layers?: number;
  heads?: number;
  ffDim?: number;
  dropout?: number;
  /** Context GRU width per direction (default 10). */
  contextHidden?: number;
  loss?: SeqLossName;
  dtype?: DType;
}

export class Cta extends SeqRecModel {
  readonly window: number;
  readonly W: number;
  readonly D: number;
  readonly heads: number;
  readonly itemEmb: Embedding;
  readonly encoder: ModuleList<TransformerEncoderLayer>;
  readonly encNorm: LayerNorm;
  readonly attQ: Linear;
  readonly attK: Linear;
  readonly attDrop: Dropout;
  readonly temporal: TemporalKernels;
  readonly ctxGru: GRU | null;
  readonly ctxOut: Linear | null;
  readonly loss_: SeqLossName;
  readonly unit: TimeUnit;
  private readonly pe: Tensor;
  private readonly cfg: CtaConfig;
  /** Σ over evaluated real positions of c_{i,k}, and their count (mean context weights). */
  private ctxSum: Float64Array;
  private ctxCount = 0;

  constructor(cfg: CtaConfig) {
    super();
    this.cfg = cfg;
    const W = cfg.window ?? 8;
    if (!Number.isInteger(W) || W < 2) throw new RangeError(`recforge: CTA: window W must be an integer >= 2 (a target sees W − 1 earlier actions), got ${String(W)}`);
    this.W = W;
    this.window = W - 1;
    this.D = cfg.hidden ?? 500;
    this.heads = cfg.heads ?? 2;
    if (!Number.isInteger(this.D) || this.D < 1 || !Number.isInteger(this.heads) || this.heads < 1 || this.D % this.heads)
      throw new RangeError(`recforge: CTA: hidden ${String(this.D)} must be a positive multiple of heads ${String(this.heads)}`);
    this.unit = cfg.timeUnit ?? "seconds";
    if (!(this.unit in TIME_UNITS)) throw new RangeError(`recforge: CTA: timeUnit must be ${Object.keys(TIME_UNITS).join(", ")}, got ${JSON.stringify(this.unit)}`);
    this.loss_ = cfg.loss ?? "top1";
    if (!(SEQ_LOSSES as readonly string[]).includes(this.loss_)) throw new RangeError(`recforge: CTA: loss must be one of ${SEQ_LOSSES.join(", ")}, got ${JSON.stringify(this.loss_)}`);
    const dtype = cfg.dtype, p = cfg.dropout ?? 0.2;
    this.itemEmb = this.module("item_emb", new Embedding(cfg.numItems, this.D, { paddingIdx: 0, std: 0.1, dtype }));
    this.encoder = this.module("encoder", new ModuleList(Array.from({ length: cfg.layers ?? 2 }, () =>
      new TransformerEncoderLayer(this.D, { heads: this.heads, ffDim: cfg.ffDim ?? 2048, dropout: p, dtype }))));
    this.encNorm = this.module("enc_norm", new LayerNorm(this.D, { dtype }));
    this.attQ = this.module("att_q", new Linear(this.D, this.D, { dtype }));
    this.attK = this.module("att_k", new Linear(this.D, this.D, { dtype }));
    this.attDrop = this.module("att_drop", new Dropout(p));
    this.temporal = this.module("temporal", new TemporalKernels(cfg.kernels ?? "log", { dtype }));
    const K = this.temporal.K, useCtx = (cfg.context ?? true) && K > 1;
    const ch = cfg.contextHidden ?? 10;
    this.ctxGru = useCtx ? this.module("ctx_gru", new GRU(this.D, ch, { bidirectional: true, dtype })) : null;
    this.ctxOut = useCtx ? this.module("ctx_out", new Linear(2 * ch, K, { dtype })) : null;
    this.pe = this.buffer("pos_enc", sinusoidalPositionalEncoding(this.window, this.D, { dtype })); // fixed, not trained
    this.ctxSum = new Float64Array(K);
  }

  config(): Record<string, unknown> {
    const c = this.cfg;
    return {
      model: "cta", hidden: this.D, window: this.W, kernels: kernelSpecString(this.temporal.kernels), context: c.context ?? true,
      time_unit: this.unit, layers: c.layers ?? 2, heads: this.heads, ff_dim: c.ffDim ?? 2048, dropout: c.dropout ?? 0.2,
      context_hidden: c.contextHidden ?? 10, loss: this.loss_, numItems: c.numItems,
    };
  }

  /** Δt_i = t_target − t_i in the time unit, [B, T] (0 at padding); decreasing or missing times are errors. */
  private deltas(inp: SeqInputs): Float64Array {
    assertWindowTimes(inp, "CTA");
    const w = inp.window, T = w.W, scale = TIME_UNITS[this.unit];
    const dt = new Float64Array(w.B * T);
    for (let b = 0; b < w.B; b++)
      for (let i = 0; i < w.lengths[b]; i++) dt[b * T + i] = (w.targetTimes[b] - w.times[b * T + i]) / scale;
    return dt;
  }

  /** u [B, D] and the context weights (null when not computed). */
  private represent(inp: SeqInputs): { u: Tensor; ctx: Tensor | null } {
    const w = inp.window, B = w.B, T = w.W, D = this.D, H = this.heads, dh = D / H;
    if (T !== this.window) throw new RangeError(`recforge: CTA: window batch has width ${T}, the model reads ${this.window} (W − 1)`);
    const lengths = w.lengths;
    for (let b = 0; b < B; b++) if (lengths[b] < 1) throw new RangeError(`recforge: CTA: row ${b} has no action before its target`);
    const dtype = this.itemEmb.weight.dtype;
    const e = this.itemEmb.call(tensor(w.items, { dtype: "int32", shape: [B, T] })); // [B, T, D]
    let h = add(e, this.pe);
    for (const layer of this.encoder) h = layer.call(h, lengths);
    h = this.encNorm.call(h);
    // α: query from e_last (the last real item), keys from h, per-head scaled dot products
    const lastIdx = Int32Array.from({ length: B }, (_, b) => b * T + lengths[b] - 1);
    const eLast = indexSelect(reshape(e, [B * T, D]), 0, tensor(lastIdx, { dtype: "int32" })); // [B, D]
    const q = reshape(this.attQ.call(eLast), [B, H, dh, 1]);
    const k = contiguous(transpose(reshape(this.attK.call(h), [B, T, H, dh]), 1, 2)); // [B, H, T, dh]
    const mask = new Float64Array(B * T);
    for (let b = 0; b < B; b++) for (let t = lengths[b]; t < T; t++) mask[b * T + t] = -Infinity;
    const logits = add(mul(reshape(matmul(k, q), [B, H, T]), 1 / Math.sqrt(dh)), tensor(mask, { dtype, shape: [B, 1, T] }));
    const alpha = mean(this.attDrop.call(softmax(logits, 2)), 1); // [B, T]
    // φ, context, w
    const phi = this.temporal.call(tensor(this.deltas(inp), { dtype, shape: [B, T] }));
    const K = this.temporal.K;
    let ctx: Tensor | null = null;
    if (this.ctxGru && this.ctxOut) {
      const { output, hN } = this.ctxGru.call(e, null, { lengths });
      hN.dispose();
      ctx = softmax(this.ctxOut.call(output), 2); // [B, T, K]
    } else if (K > 1) ctx = full([B, T, K], 1 / K, { dtype }); // no context: uniform
    const wts = temporalWeights(alpha, phi, ctx, lengths); // [B, T]
    const u = reshape(matmul(unsqueeze(wts, 1), e), [B, D]);
    return { u, ctx };
  }

  scores(inp: SeqInputs): Tensor {
    const { u, ctx } = this.represent(inp);
    if (!this.training && ctx && this.ctxGru) this.accumulateContext(ctx, inp.window.lengths);
    return linear(u, this.itemEmb.weight);
  }

  loss(inp: SeqInputs): Tensor {
    return seqLoss(this.loss_, this.represent(inp).u, this.itemEmb.weight, inp.window.targetItems);
  }

  private accumulateContext(ctx: Tensor, lengths: Int32Array): void {
    const c = ctx.toTypedArray(), [B, T, K] = ctx.shape;
    for (let b = 0; b < B; b++)
      for (let t = 0; t < lengths[b]; t++) {
        for (let k = 0; k < K; k++) this.ctxSum[k] += c[(b * T + t) * K + k];
        this.ctxCount++;
      }
  }

  /** Learned (a_k, b_k) and the mean context weight per kernel over the positions scored since the last call. */
  kernelReport(): { kernels: string; a: number[]; b: number[]; meanContext: number[] | null } {
    const a = Array.from(this.temporal.a.toTypedArray() as ArrayLike<number>), b = Array.from(this.temporal.b.toTypedArray() as ArrayLike<number>);
    const meanContext = this.ctxCount ? Array.from(this.ctxSum, (s) => s / this.ctxCount) : null;
    this.ctxSum = new Float64Array(this.temporal.K);
    this.ctxCount = 0;
    return { kernels: kernelSpecString(this.temporal.kernels), a, b, meanContext };
  }

  override afterEpoch(): EpochReport | null {
    const r = this.kernelReport(); // the context means here cover the previous epoch's validation
    return { a: r.a.map((v) => +v.toPrecision(4)), b: r.b.map((v) => +v.toPrecision(4)), ...(r.meanContext ? { mean_context: r.meanContext.map((v) => +v.toFixed(4)) } : {}) };
  }

}
