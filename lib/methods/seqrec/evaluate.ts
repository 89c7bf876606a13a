// Full-ranking evaluation of any SeqRecModel (model.ts) on a set of target positions: the
// model's [B, numItems] scores ranked over ALL items but the padding id 0 (rankOfTargets: rank =
// 1 + items scored strictly higher), Recall@K / MRR@K / NDCG@K means (lib/metrics/ranking.ts).
// Also the spec's next-category baselines for the gate table ("Evaluation": GlobalPop_cate,
// SeqPop_cate, FOT_cate; the definitions are recforge's, see categoryBaselineRanks).
import { noGrad } from "../../autograd/engine.js";
import { tidy } from "../../tensor/scope.js";
import { rankOfTargets, RankingAccumulator, rankingMetrics, type RankingCutoffs, type RankingMetrics } from "../../metrics/ranking.js";
import type { CategoryHistory } from "./batch.js";
import type { SeqDataset } from "./data.js";
import { seqInputs, type SeqRecModel } from "./model.js";
import { runSync, type Phase, type Steps } from "../step_loop.js";

export interface EvaluateOptions {
  batchSize?: number;
  /** The phase and epoch of rankTargetSteps' ticks (default "eval", 0). */
  phase?: Phase;
  epoch?: number;
  cutoffs?: RankingCutoffs;
  onProgress?: (done: number, total: number) => void;
}

/** Ranks of the true next items of `positions` under the model (eval mode, no gradients). */
export function rankTargets(model: SeqRecModel, ds: SeqDataset, hist: CategoryHistory, positions: Int32Array, opts: EvaluateOptions = {}): Int32Array {
  return runSync(rankTargetSteps(model, ds, hist, positions, opts));
}

/** rankTargets as a trainer core (lib/methods/step_loop.ts): a boundary after each batch. */
export function* rankTargetSteps(model: SeqRecModel, ds: SeqDataset, hist: CategoryHistory, positions: Int32Array, opts: EvaluateOptions = {}): Steps<Int32Array> {
  const bs = opts.batchSize ?? 200;
  const out = new Int32Array(positions.length);
  const was = model.training;
  model.eval();
  try {
    for (let s = 0; s < positions.length; s += bs) {
      const pos = positions.subarray(s, Math.min(positions.length, s + bs));
      tidy(() => noGrad(() => {
        const inp = seqInputs(ds, hist, pos, model.window);
        const r = rankOfTargets(model.scores(inp), inp.window.targetItems, { exclude: [0] });
        // an <unk> target (CTA's vocabulary, vocab.ts) is a miss at every cutoff
        if (ds.unkItem !== undefined) inp.window.targetItems.forEach((y, i) => { if (y === ds.unkItem) r[i] = ds.numItems; });
        out.set(r, s);
      }));
      opts.onProgress?.(Math.min(positions.length, s + bs), positions.length);
      yield { phase: opts.phase ?? "eval", epoch: opts.epoch ?? 0, step: Math.min(positions.length, s + bs), steps: positions.length };
    }
  } finally {
    model.train(was);
  }
  return out;
}

/** Recall@K, MRR@K, NDCG@K of the model over `positions` (defaults: 5/20/100, 5/20/100, 10). */
export function evaluateRanking(model: SeqRecModel, ds: SeqDataset, hist: CategoryHistory, positions: Int32Array, opts: EvaluateOptions = {}): RankingMetrics {
  return new RankingAccumulator(opts.cutoffs ?? {}).add(rankTargets(model, ds, hist, positions, opts)).result();
}

/** Rank of `target` among scores[1..] (1 + categories scored strictly higher; padding 0 excluded). */
function rankIn(scores: Float64Array, target: number): number {
  let r = 1;
  const t = scores[target];
  for (let c = 1; c < scores.length; c++) if (c !== target && scores[c] > t) r++;
  return r;
}

/**
 * Next-category ranks of three baselines for target positions (ties broken toward the more
 * frequent training category, so each baseline is a total order):
 *   globalPop: categories by their count among training-period actions (time <= T_v; the
 *              training targets when the split has no time);
 *   seqPop:    by how often the user chose the category before the target (then globalPop);
 *   fot:       first-order transition: by the count of (last category → next category) among
 *              training targets (then globalPop).
 */
export function categoryBaselineRanks(ds: SeqDataset, positions: Int32Array): { globalPop: Int32Array; seqPop: Int32Array; fot: Int32Array } {
  const C = ds.numCategories;
  const glob = new Float64Array(C);
  const T = ds.split.tValid;
  if (T !== null) {
    for (let p = 0; p < ds.items.length; p++) if (ds.times[p] <= T) glob[ds.categories[p]]++;
  } else for (const p of ds.split.train) glob[ds.categories[p]]++;
  let total = 0;
  for (let c = 0; c < C; c++) total += glob[c];
  const tie = Float64Array.from(glob, (g) => g / (total + 1)); // in [0, 1): breaks ties only
  const trans = new Map<number, Float64Array>();
  for (const p of ds.split.train) {
    const prev = ds.categories[p - 1];
    let row = trans.get(prev);
    if (!row) trans.set(prev, (row = new Float64Array(C)));
    row[ds.categories[p]]++;
  }
  const n = positions.length;
  const out = { globalPop: new Int32Array(n), seqPop: new Int32Array(n), fot: new Int32Array(n) };
  const s = new Float64Array(C);
  positions.forEach((p, i) => {
    const target = ds.categories[p];
    out.globalPop[i] = rankIn(tie, target);
    s.set(tie);
    for (let q = ds.offsets[ds.userOf[p]]; q < p; q++) s[ds.categories[q]] += 1;
    out.seqPop[i] = rankIn(s, target);
    s.set(tie);
    const row = trans.get(ds.categories[p - 1]);
    if (row) for (let c = 0; c < C; c++) s[c] += row[c];
    out.fot[i] = rankIn(s, target);
  });
  return out;
}

/** Recall@5 and MRR@5 of a set of category ranks. */
export function categoryMetrics(ranks: Int32Array): { recall5: number; mrr5: number; count: number } {
  const m = rankingMetrics(ranks, { recall: [5], mrr: [5], ndcg: [] });
  return { recall5: m.recall["5"], mrr5: m.mrr["5"], count: m.count };
}
