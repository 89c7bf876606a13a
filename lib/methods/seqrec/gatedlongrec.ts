// GatedLongRec (shared/reference/gatedlongrec.md, read from the first author's code):
//   intent encoder (gate): category embedding (64) → GRU (64) over the short window's categories
//     → h_cat; category logits = h_cat·E_catᵀ + b (tied); p(c) = softmax (padding category 0
//     masked out);
//   long-term encoder: item embedding E (H) → GRU (H) over the last M = 5 items of category c
//     (any distance) → h_long(c) (zero when the user has none);
//   short-term encoder: the same E → a second GRU (H) over the W = 30 window → h_short;
//   fusion o(c) = W_f [h_long(c); h_short] + b_f; item logits ℓ(c) = o(c)·Eᵀ + b_out (tied);
//   top-k gate p(item) = Σ_j p(c_j) softmax(ℓ(c_j))[item] (mixture.ts), k = 5 at evaluation.
// Training (two phases, the code's rule; phaseAfterEpoch below): phase 1 feeds the TRUE next
// category (loss = item NLL under ℓ(c_true) + category CE); after each epoch the gate's
// category Recall@5 on a 1% sample of training targets is measured, and the first time it does
// not improve training switches for good to phase 2: log p(item) = logsumexp_j [log p(c_j) +
// log p(item | c_j)] over the top k = 10 categories (the choice of c_j not differentiated,
// log p(c_j) is); loss = item NLL + category CE.
// Ablations (options): longTerm false (short-term only: h_long ≡ 0, so ℓ does not depend on c
// and the mixture is one softmax), phase2 false (never switch), evalK (1, 3, 5, 10) and
// oracle (the true next category with weight 1 at evaluation: an upper bound).
// Item NLL: full softmax (≈3.6k items); sampledSoftmax > 0 uses the log-uniform sampled softmax
// (lib/ops/sampled_softmax.ts) for phase 1's item NLL.
import type { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { add, concat, crossEntropy, indexSelect, linear, logSoftmax, gather, mean, neg, reshape, sampledSoftmaxLoss, tensor, topk, zeros, LogUniformSampler } from "../../ops/index.js";
import { noGrad } from "../../autograd/engine.js";
import { tidy } from "../../tensor/scope.js";
import { Embedding } from "../../nn/embedding.js";
import { GRU } from "../../nn/gru.js";
import { Linear } from "../../nn/linear.js";
import { rankOfTargets, rankingMetrics } from "../../metrics/ranking.js";
import { mulberry32 } from "../../prng.js";
import { categorySubsequences, type CategoryHistory } from "./batch.js";
import type { SeqDataset } from "./data.js";
import { idTensor } from "./gru4rec.js";
import { trainItemCounts } from "./pop.js";
import { mixtureLogProbs, mixtureTargetLogProbs } from "./mixture.js";
import { SeqRecModel, seqInputs, type EpochContext, type EpochReport, type SeqInputs } from "./model.js";

export interface GatedLongRecConfig {
  numItems: number;
  numCategories: number;
  /** Item embedding = item GRU hidden size (tied output). Default 50. */
  hidden?: number;
  /** Category embedding = gate GRU hidden size. Default 64. */
  categoryHidden?: number;
  window?: number;
  /** Items per long-term category subsequence (default 5). */
  M?: number;
  /** Categories mixed in phase-2 training (default 10). */
  trainK?: number;
  /** Categories mixed at evaluation (default 5). */
  evalK?: number;
  /** Use the long-term encoder (default true; false: the short-term-only ablation). */
  longTerm?: boolean;
  /** Allow the switch to phase 2 (default true; false: the no-phase-2 ablation). */
  phase2?: boolean;
  /**
   * Switch to phase 2 after this epoch at the latest, whatever the gate does (default none: the
   * code's rule alone). Not in the spec: a diagnostic for budgets too short for the rule to fire.
   */
  phase2After?: number;
  /** Sampled-softmax negatives for phase 1's item NLL (default 0: full softmax). */
  sampledSoftmax?: number;
  dtype?: DType;
}

/** Training phase state (saved in checkpoints). */
export interface PhaseState {
  phase: 1 | 2;
  /** Best gate Recall@5 seen after an epoch in phase 1 (null before the first epoch). */
  bestGateRecall: number | null;
  /** The epoch (1-based) after which phase 2 began, or null. */
  switchedAfterEpoch: number | null;
}

/**
 * The code's phase rule: in phase 1, after epoch `epoch` with gate Recall@5 `recall`, switch to
 * phase 2 the first time recall does not improve on the best so far (never when phase 2 is off).
 */
export function phaseAfterEpoch(s: PhaseState, recall: number, epoch: number, allowPhase2 = true): PhaseState {
  if (s.phase === 2) return s;
  if (s.bestGateRecall !== null && !(recall > s.bestGateRecall) && allowPhase2) return { phase: 2, bestGateRecall: s.bestGateRecall, switchedAfterEpoch: epoch };
  return { phase: 1, bestGateRecall: s.bestGateRecall === null ? recall : Math.max(s.bestGateRecall, recall), switchedAfterEpoch: null };
}

export class GatedLongRec extends SeqRecModel {
  readonly window: number;
  readonly H: number;
  readonly HC: number;
  readonly M: number;
  readonly trainK: number;
  evalK: number;
  /** Evaluate with the true next category (the oracle-gate ablation). */
  oracle = false;
  readonly longTerm: boolean;
  readonly allowPhase2: boolean;
  state: PhaseState = { phase: 1, bestGateRecall: null, switchedAfterEpoch: null };
  readonly catEmb: Embedding;
  readonly catGru: GRU;
  readonly catBias: Tensor;
  readonly itemEmb: Embedding;
  readonly longGru: GRU | null;
  readonly shortGru: GRU;
  readonly fusion: Linear;
  readonly outBias: Tensor;
  private readonly cfg: GatedLongRecConfig;
  private sampler: LogUniformSampler | null = null;

  constructor(cfg: GatedLongRecConfig) {
    super();
    this.cfg = cfg;
    this.H = cfg.hidden ?? 50;
    this.HC = cfg.categoryHidden ?? 64;
    this.window = cfg.window ?? 30;
    this.M = cfg.M ?? 5;
    const realCats = cfg.numCategories - 1;
    this.trainK = Math.min(cfg.trainK ?? 10, realCats);
    this.evalK = Math.min(cfg.evalK ?? 5, realCats);
    this.longTerm = cfg.longTerm ?? true;
    this.allowPhase2 = cfg.phase2 ?? true;
    if (cfg.phase2After !== undefined && !(Number.isInteger(cfg.phase2After) && cfg.phase2After >= 1))
      throw new RangeError(`recforge: GatedLongRec: phase2After must be an integer >= 1, got ${String(cfg.phase2After)}`);
    const o = { dtype: cfg.dtype };
    this.catEmb = this.module("cat_emb", new Embedding(cfg.numCategories, this.HC, { paddingIdx: 0, std: 0.1, ...o }));
    this.catGru = this.module("cat_gru", new GRU(this.HC, this.HC, o));
    this.catBias = this.param("cat_bias", zeros([cfg.numCategories], { dtype: cfg.dtype ?? "float32" }));
    this.itemEmb = this.module("item_emb", new Embedding(cfg.numItems, this.H, { paddingIdx: 0, std: 0.1, ...o }));
    this.longGru = this.longTerm ? this.module("long_gru", new GRU(this.H, this.H, o)) : null;
    this.shortGru = this.module("short_gru", new GRU(this.H, this.H, o));
    this.fusion = this.module("fusion", new Linear(2 * this.H, this.H, o));
    this.outBias = this.param("out_bias", zeros([cfg.numItems], { dtype: cfg.dtype ?? "float32" }));
  }

  config(): Record<string, unknown> {
    return {
      model: "gatedlongrec", hidden: this.H, categoryHidden: this.HC, window: this.window, M: this.M, trainK: this.trainK,
      longTerm: this.longTerm, phase2: this.allowPhase2, ...(this.cfg.phase2After !== undefined ? { phase2After: this.cfg.phase2After } : {}), sampledSoftmax: this.cfg.sampledSoftmax ?? 0, numItems: this.cfg.numItems, numCategories: this.cfg.numCategories,
    };
  }

  override trainingState(): Record<string, unknown> {
    return { ...this.state };
  }
  override loadTrainingState(s: Record<string, unknown>): void {
    if (s.phase !== 1 && s.phase !== 2) throw new TypeError(`recforge: GatedLongRec: bad training state ${JSON.stringify(s)}`);
    this.state = { phase: s.phase, bestGateRecall: (s.bestGateRecall as number | null) ?? null, switchedAfterEpoch: (s.switchedAfterEpoch as number | null) ?? null };
  }

  /** Masked category logits [B, C] (category 0, the padding, at −1e9). */
  categoryLogits(inp: SeqInputs): Tensor {
    const w = inp.window;
    const { hN } = this.catGru.call(this.catEmb.call(idTensor(w.categories, w.B, w.W)), null, { lengths: w.lengths });
    const logits = linear(reshape(hN, [w.B, this.HC]), this.catEmb.weight, this.catBias);
    const mask = new Float64Array(this.cfg.numCategories);
    mask[0] = -1e9;
    return add(logits, tensor(mask, { dtype: logits.dtype }));
  }

  private shortState(inp: SeqInputs): Tensor {
    const w = inp.window;
    const { hN } = this.shortGru.call(this.itemEmb.call(idTensor(w.items, w.B, w.W)), null, { lengths: w.lengths });
    return reshape(hN, [w.B, this.H]);
  }

  /**
   * Item logits ℓ(c) [B·k, N] for k categories per target (cats [B·k], row b·k + j), with
   * h_short [B, H] shared by a target's k rows.
   */
  itemLogits(inp: SeqInputs, hShort: Tensor, cats: Int32Array, k: number): Tensor {
    return linear(this.fused(inp, hShort, cats, k), this.itemEmb.weight, this.outBias);
  }

  /** o(c) [B·k, H]. */
  fused(inp: SeqInputs, hShort: Tensor, cats: Int32Array, k: number): Tensor {
    const B = inp.positions.length;
    const rep = new Int32Array(B * k);
    for (let r = 0; r < B * k; r++) rep[r] = Math.floor(r / k);
    const hS = k === 1 ? hShort : indexSelect(hShort, 0, tensor(rep, { dtype: "int32" }));
    let hL: Tensor;
    if (this.longGru) {
      const sub = categorySubsequences(inp.hist, inp.positions, cats, k, this.M);
      const { hN } = this.longGru.call(this.itemEmb.call(idTensor(sub.items, sub.rows, this.M)), null, { lengths: sub.lengths });
      hL = reshape(hN, [B * k, this.H]);
    } else hL = zeros([B * k, this.H], { dtype: hShort.dtype });
    return this.fusion.call(concat([hL, hS], 1));
  }

  /** The k most probable categories of each row ([B·k], row-major) from masked logits. */
  private topCategories(catLogits: Tensor, k: number): { ids: Int32Array; idx: Tensor } {
    const { values, indices } = noGrad(() => topk(catLogits.detach(), k, { axis: 1 }));
    values.dispose();
    return { ids: indices.toTypedArray() as Int32Array, idx: indices };
  }

  loss(inp: SeqInputs): Tensor {
    const w = inp.window;
    const catLogits = this.categoryLogits(inp);
    const catLoss = crossEntropy(catLogits, tensor(w.targetCategories, { dtype: "int32" }));
    const hShort = this.shortState(inp);
    let itemLoss: Tensor;
    if (this.state.phase === 1) {
      const S = this.cfg.sampledSoftmax ?? 0;
      if (S > 0) {
        this.sampler ??= new LogUniformSampler(frequencyOrder(inp.ds), { seed: 0 });
        const o = this.fused(inp, hShort, w.targetCategories, 1);
        itemLoss = sampledSoftmaxLoss(o, this.itemEmb.weight, this.outBias, w.targetItems, this.sampler.sample(S, w.targetItems));
      } else itemLoss = crossEntropy(this.itemLogits(inp, hShort, w.targetCategories, 1), tensor(w.targetItems, { dtype: "int32" }));
    } else {
      const k = this.trainK;
      const top = this.topCategories(catLogits, k);
      const logPc = gather(logSoftmax(catLogits, 1), 1, top.idx);
      itemLoss = neg(mean(mixtureTargetLogProbs(logPc, this.itemLogits(inp, hShort, top.ids, k), w.targetItems)));
    }
    return add(itemLoss, catLoss);
  }

  scores(inp: SeqInputs): Tensor {
    const hShort = this.shortState(inp);
    if (this.oracle) return logSoftmax(this.itemLogits(inp, hShort, inp.window.targetCategories, 1), 1);
    const catLogits = this.categoryLogits(inp);
    const k = this.evalK;
    const top = this.topCategories(catLogits, k);
    const logPc = gather(logSoftmax(catLogits, 1), 1, top.idx);
    return mixtureLogProbs(logPc, this.itemLogits(inp, hShort, top.ids, k));
  }

  /** Ranks of the true next category under the gate (padding excluded), for positions. */
  gateRanks(ds: SeqDataset, hist: CategoryHistory, positions: Int32Array, batchSize = 500): Int32Array {
    const out = new Int32Array(positions.length);
    const was = this.training;
    this.eval();
    try {
      for (let s = 0; s < positions.length; s += batchSize) {
        const pos = positions.subarray(s, Math.min(positions.length, s + batchSize));
        tidy(() => noGrad(() => {
          const inp = seqInputs(ds, hist, pos, this.window);
          out.set(rankOfTargets(this.categoryLogits(inp), inp.window.targetCategories, { exclude: [0] }), s);
        }));
      }
    } finally {
      this.train(was);
    }
    return out;
  }

  /** The phase rule after each epoch: gate Recall@5 on a fixed 1% sample of training targets. */
  override afterEpoch(ctx: EpochContext): EpochReport {
    const sample = onePercent(ctx.train, ctx.seed);
    const recall = rankingMetrics(this.gateRanks(ctx.ds, ctx.hist, sample), { recall: [5], mrr: [5], ndcg: [] }).recall["5"];
    const before = this.state.phase;
    this.state = phaseAfterEpoch(this.state, recall, ctx.epoch, this.allowPhase2);
    const forced = this.cfg.phase2After;
    if (this.state.phase === 1 && this.allowPhase2 && forced !== undefined && ctx.epoch >= forced)
      this.state = { phase: 2, bestGateRecall: this.state.bestGateRecall, switchedAfterEpoch: ctx.epoch };
    return { phase: this.state.phase, gate_recall5_train_sample: recall, switched: before !== this.state.phase };
  }
}

/** A fixed 1% (at least 1) sample of training targets (seeded). */
export function onePercent(train: Int32Array, seed: number): Int32Array {
  const r = mulberry32(seed * 7919 + 17);
  const n = Math.max(1, Math.round(train.length / 100));
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = train[Math.floor(r() * train.length)];
  return out;
}

/** Item ids by descending training-period frequency (the log-uniform sampler's order). */
export function frequencyOrder(ds: SeqDataset): Int32Array {
  const count = trainItemCounts(ds);
  const ids = Array.from({ length: ds.numItems - 1 }, (_, i) => i + 1);
  ids.sort((a, b) => count[b] - count[a] || a - b);
  return Int32Array.from(ids);
}
