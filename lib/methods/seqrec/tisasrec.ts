// TiSASRec (Li, Wang, McAuley 2020; pmixer/TiSASRec.pytorch) as CTA's baseline
// (shared/reference/cta.md, "Baselines"): SASRec whose attention also reads the time interval
// between every pair of actions.
//   - Times: per user, divided by the user's smallest non-zero gap between consecutive actions
//     (over ALL the user's actions, as the reference code does; 1 when every gap is 0) and
//     rounded; r_ij = min(|t_i − t_j|, 256) indexes learned key and value embeddings R^K, R^V.
//   - Absolute positions: separate learned embeddings P^K, P^V added to keys and values.
//   - Block (as the code): Q = LN(x); K, V from x; logits_ij = Q_i·(K_j + P^K_j + R^K_ij) / sqrt(d),
//     causal and padding masked, softmax, dropout; out_i = Σ_j p_ij (V_j + P^V_j + R^V_ij);
//     y = LN(Q + out); x' = y + FF(y) (ReLU, dropout); a final LayerNorm; the last real
//     position's h·Eᵀ + b. One head (the code's default).
// Training is the harness's (full-softmax CE on the next item, like SASRec here), not the code's
// one-negative BCE. The relation terms make the attention dense per row ([B, T, T, d] gathers),
// so it runs on matmul / softmax / embedding ops rather than the fused interval-attention op,
// which has no pairwise key/value terms.
import type { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { add, contiguous, crossEntropy, embedding, indexSelect, linear, matmul, mul, relu, reshape, softmax, sum, tensor, transpose, unsqueeze, zeros } from "../../ops/index.js";
import { Embedding } from "../../nn/embedding.js";
import { Linear } from "../../nn/linear.js";
import { LayerNorm } from "../../nn/norm.js";
import { Dropout } from "../../nn/dropout.js";
import { ModuleList } from "../../nn/container.js";
import { Module } from "../../nn/module.js";
import type { SeqDataset } from "./data.js";
import { SeqRecModel, type SeqInputs } from "./model.js";
import { assertWindowTimes } from "./window_times.js";

export interface TiSasRecConfig {
  numItems: number;
  hidden?: number;
  window?: number;
  blocks?: number;
  dropout?: number;
  /** Interval clip (default 256). */
  timeSpan?: number;
  dtype?: DType;
}

/** Per-user time scale: the smallest non-zero gap between consecutive actions (1 if none). */
export function userTimeScales(ds: SeqDataset): Float64Array {
  const U = ds.userNames.length, out = new Float64Array(U);
  for (let u = 0; u < U; u++) {
    let m = Infinity;
    for (let p = ds.offsets[u] + 1; p < ds.offsets[u + 1]; p++) {
      const g = ds.times[p] - ds.times[p - 1];
      if (g > 0 && g < m) m = g;
    }
    out[u] = Number.isFinite(m) ? m : 1;
  }
  return out;
}

/** [B, T, T] clipped interval ids of a right-padded window batch (0 where either side is padding). */
export function intervalMatrix(times: Float64Array, lengths: Int32Array, scales: Float64Array, T: number, span: number): Int32Array {
  const B = lengths.length, out = new Int32Array(B * T * T);
  for (let b = 0; b < B; b++) {
    const n = lengths[b], s = scales[b];
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const d = Math.abs(Math.round(times[b * T + i] / s) - Math.round(times[b * T + j] / s));
        out[(b * T + i) * T + j] = Math.min(d, span);
      }
  }
  return out;
}

class TiBlock extends Module<[Tensor, Tensor, Tensor, Tensor, Tensor, Tensor], Tensor> {
  readonly ln1: LayerNorm;
  readonly ln2: LayerNorm;
  readonly q: Linear;
  readonly k: Linear;
  readonly v: Linear;
  readonly ff1: Linear;
  readonly ff2: Linear;
  readonly drop: Dropout;
  constructor(private readonly D: number, p: number, dtype?: DType) {
    super();
    const o = { dtype };
    this.ln1 = this.module("ln1", new LayerNorm(D, o));
    this.ln2 = this.module("ln2", new LayerNorm(D, o));
    this.q = this.module("q", new Linear(D, D, o));
    this.k = this.module("k", new Linear(D, D, o));
    this.v = this.module("v", new Linear(D, D, o));
    this.ff1 = this.module("ff1", new Linear(D, D, o));
    this.ff2 = this.module("ff2", new Linear(D, D, o));
    this.drop = this.module("drop", new Dropout(p));
  }
  /** x [B, T, D]; posK/posV [B, T, D]; relK/relV [B, T, T, D]; mask [B, T, T] additive (0 / −∞). */
  forward(x: Tensor, posK: Tensor, posV: Tensor, relK: Tensor, relV: Tensor, mask: Tensor): Tensor {
    const q = this.ln1.call(x);
    const Q = this.q.call(q), K = add(this.k.call(x), posK), V = add(this.v.call(x), posV);
    const scale = 1 / Math.sqrt(this.D);
    const absLogits = matmul(Q, contiguous(transpose(K, 1, 2))); // [B, T, T]
    const relLogits = sum(mul(unsqueeze(Q, 2), relK), 3); // Q_i · R^K_ij
    const p = this.drop.call(softmax(add(mul(add(absLogits, relLogits), scale), mask), 2));
    const out = add(matmul(p, V), sum(mul(unsqueeze(p, 3), relV), 2)); // Σ_j p_ij (V_j + P^V_j + R^V_ij)
    const n2 = this.ln2.call(add(q, out)); // the code: seqs = LN(Q + mha); seqs = seqs + FF(seqs)
    return add(n2, this.drop.call(this.ff2.call(this.drop.call(relu(this.ff1.call(this.drop.call(n2)))))));
  }
}

export class TiSasRec extends SeqRecModel {
  readonly window: number;
  readonly D: number;
  readonly span: number;
  readonly itemEmb: Embedding;
  readonly posK: Embedding;
  readonly posV: Embedding;
  readonly relK: Embedding;
  readonly relV: Embedding;
  readonly blocks: ModuleList<TiBlock>;
  readonly lnOut: LayerNorm;
  readonly drop: Dropout;
  readonly outBias: Tensor;
  private readonly cfg: TiSasRecConfig;
  private scales: Float64Array | null = null;
  private scalesOf: SeqDataset | null = null;

  constructor(cfg: TiSasRecConfig) {
    super();
    this.cfg = cfg;
    this.D = cfg.hidden ?? 50;
    this.window = cfg.window ?? 30;
    this.span = cfg.timeSpan ?? 256;
    if (!Number.isInteger(this.span) || this.span < 1) throw new RangeError(`recforge: TiSASRec: timeSpan must be an integer >= 1, got ${String(this.span)}`);
    const dtype = cfg.dtype, p = cfg.dropout ?? 0.2;
    const emb = (n: number) => new Embedding(n, this.D, { std: 0.1, dtype });
    this.itemEmb = this.module("item_emb", new Embedding(cfg.numItems, this.D, { paddingIdx: 0, std: 0.1, dtype }));
    this.posK = this.module("pos_k", emb(this.window));
    this.posV = this.module("pos_v", emb(this.window));
    this.relK = this.module("rel_k", emb(this.span + 1));
    this.relV = this.module("rel_v", emb(this.span + 1));
    this.blocks = this.module("blocks", new ModuleList(Array.from({ length: cfg.blocks ?? 2 }, () => new TiBlock(this.D, p, dtype))));
    this.lnOut = this.module("ln_out", new LayerNorm(this.D, { dtype }));
    this.drop = this.module("drop", new Dropout(p));
    this.outBias = this.param("out_bias", zeros([cfg.numItems], { dtype: dtype ?? "float32" }));
  }

  config(): Record<string, unknown> {
    return { model: "tisasrec", hidden: this.D, window: this.window, blocks: this.cfg.blocks ?? 2, dropout: this.cfg.dropout ?? 0.2, time_span: this.span, numItems: this.cfg.numItems };
  }

  private encode(inp: SeqInputs): Tensor {
    assertWindowTimes(inp, "TiSASRec");
    const w = inp.window, B = w.B, T = w.W, D = this.D;
    if (this.scalesOf !== inp.ds) {
      this.scales = userTimeScales(inp.ds);
      this.scalesOf = inp.ds;
    }
    const rowScale = Float64Array.from(w.users, (u) => this.scales![u]);
    const rel = tensor(intervalMatrix(w.times, w.lengths, rowScale, T, this.span), { dtype: "int32", shape: [B, T, T] });
    // positions count back from the target (the last real action is T − 1), as SASRec's left padding
    const pos = new Int32Array(B * T), mask = new Float64Array(B * T * T);
    for (let b = 0; b < B; b++) {
      const n = w.lengths[b];
      if (n < 1) throw new RangeError(`recforge: TiSASRec: row ${b} has no action before its target`);
      for (let i = 0; i < T; i++) {
        pos[b * T + i] = i < n ? T - n + i : 0;
        // real query i sees real keys j <= i; a padded query sees only itself (its output is unused)
        for (let j = 0; j < T; j++) if (!(i < n ? j <= i : j === i)) mask[(b * T + i) * T + j] = -Infinity;
      }
    }
    const posT = tensor(pos, { dtype: "int32", shape: [B, T] });
    const dtype = this.itemEmb.weight.dtype;
    const maskT = tensor(mask, { dtype, shape: [B, T, T] });
    let x = this.drop.call(mul(this.itemEmb.call(tensor(w.items, { dtype: "int32", shape: [B, T] })), Math.sqrt(D)));
    const pk = this.drop.call(this.posK.call(posT)), pv = this.drop.call(this.posV.call(posT));
    const rk = this.drop.call(embedding(rel, this.relK.weight)), rv = this.drop.call(embedding(rel, this.relV.weight));
    for (const blk of this.blocks) x = blk.call(x, pk, pv, rk, rv, maskT);
    const last = Int32Array.from({ length: B }, (_, b) => b * T + w.lengths[b] - 1);
    return indexSelect(reshape(this.lnOut.call(x), [B * T, D]), 0, tensor(last, { dtype: "int32" }));
  }

  scores(inp: SeqInputs): Tensor {
    return linear(this.encode(inp), this.itemEmb.weight, this.outBias);
  }

  loss(inp: SeqInputs): Tensor {
    return crossEntropy(this.scores(inp), tensor(inp.window.targetItems, { dtype: "int32" }));
  }
}
