// Full-ranking metrics for next-item recommendation (shared/reference/gatedlongrec.md,
// "Evaluation"; cta.md uses the same). Every item is a candidate; per target:
//   rank     = 1 + #{ items scored STRICTLY higher than the target }
//   Recall@K = 1 if rank <= K           MRR@K  = 1/rank if rank <= K, else 0
//   NDCG@K   = 1/log2(1 + rank) if rank <= K, else 0
// Ties are resolved in the target's favour (items scored equal to it do not count: the
// optimistic rank; a model that scores everything equal gets rank 1 — score models, not
// constants). NaN: a NaN score of another item never counts as higher; a NaN TARGET score
// gets the worst rank (the number of candidate items), i.e. a miss at every smaller K.
// Excluded items (e.g. the padding id 0) are not candidates: never counted, never a target.
//
// The ranks are computed natively (native/include/recforge/ranking.h: one pass per row
// counting strictly greater scores, no sort; CPU and CUDA), the metrics from the ranks here.
import { Tensor } from "../tensor/tensor.js";
import { shapeStr } from "../tensor/shape.js";
import { backendFor, code, contiguousRaw, options, tensor } from "../ops/internal.js";

export interface RankOptions {
  /** Distinct item ids that are not candidates (never counted; none may be a target), e.g. [0] for padding. */
  exclude?: ArrayLike<number>;
}

function intList(v: ArrayLike<number>, what: string, limit: number): Int32Array {
  const out = new Int32Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i];
    if (!Number.isInteger(x)) throw new TypeError(`recforge: rankOfTargets: ${what}[${i}] must be an integer item id, got ${String(x)}`);
    if (x < 0 || x >= limit) throw new RangeError(`recforge: rankOfTargets: ${what}[${i}] = ${x} is out of range [0, ${limit})`);
    out[i] = x;
  }
  return out;
}

/**
 * Ranks of the B targets in a [B, items] score block (float32/float64, cpu or cuda): rank[b] =
 * 1 + number of candidate items scored strictly higher than item targets[b] in row b.
 * `targets`: an int32 tensor [B] on the scores' device, or a plain array / typed array.
 */
export function rankOfTargets(scores: Tensor, targets: Tensor | ArrayLike<number>, opts: RankOptions = {}): Int32Array {
  opts = options(opts, "rankOfTargets");
  if (!(scores instanceof Tensor)) throw new TypeError("recforge: rankOfTargets: scores must be a Tensor [B, items]");
  scores._check("rankOfTargets scores");
  if (scores.ndim !== 2) throw new RangeError(`recforge: rankOfTargets: scores must be 2-D [B, items], got ${shapeStr(scores.shape)}`);
  if (scores.dtype !== "float32" && scores.dtype !== "float64")
    throw new TypeError(`recforge: rankOfTargets: scores must be float32 or float64, got ${scores.dtype}`);
  const [B, n] = scores.shape;
  if (B > 0 && n === 0) throw new RangeError(`recforge: rankOfTargets: scores ${shapeStr(scores.shape)} have no items`);
  if (opts.exclude !== undefined && (opts.exclude === null || typeof opts.exclude !== "object" || typeof opts.exclude.length !== "number"))
    throw new TypeError("recforge: rankOfTargets: exclude must be an array of item ids");
  const excl = opts.exclude === undefined ? new Int32Array(0) : intList(opts.exclude, "exclude", n);
  if (excl.length && excl.length >= n) throw new RangeError(`recforge: rankOfTargets: excluding ${excl.length} of ${n} items leaves no candidate`);
  const owned: Tensor[] = [];
  try {
    let tg: Tensor;
    if (targets instanceof Tensor) {
      targets._check("rankOfTargets targets");
      if (targets.dtype !== "int32" || targets.ndim !== 1 || targets.shape[0] !== B)
        throw new RangeError(`recforge: rankOfTargets: targets must be an int32 tensor [${B}] (one per score row), got ${shapeStr(targets.shape)} ${targets.dtype}`);
      tg = contiguousRaw(targets);
      if (tg !== targets) owned.push(tg);
    } else {
      if (targets === null || typeof targets !== "object" || typeof (targets as ArrayLike<number>).length !== "number")
        throw new TypeError("recforge: rankOfTargets: targets must be an int32 Tensor or an array of item ids");
      if (targets.length !== B) throw new RangeError(`recforge: rankOfTargets: ${targets.length} targets for ${B} score rows`);
      tg = tensor(intList(targets, "targets", n), { dtype: "int32", shape: [B], device: scores.device });
      owned.push(tg);
    }
    const s = contiguousRaw(scores);
    if (s !== scores) owned.push(s);
    const ex = excl.length ? tensor(excl, { dtype: "int32", shape: [excl.length], device: scores.device }) : null;
    if (ex) owned.push(ex);
    const ranks = Tensor.empty([B], "int32", scores.device);
    owned.push(ranks);
    backendFor(s, tg, ranks).targetRanks({ dtype: code(s), rows: B, n, scores: s, targets: tg, exclude: ex, nExclude: excl.length, ranks });
    return ranks.toTypedArray() as Int32Array;
  } finally {
    for (const t of owned) t.dispose();
  }
}

/** Cut-offs per metric; defaults are the spec's: Recall and MRR at 5, 20, 100; NDCG at 10. */
export interface RankingCutoffs {
  recall?: number[];
  mrr?: number[];
  ndcg?: number[];
}

/** Means over the targets (keys are the cut-offs as strings, e.g. recall["20"]). */
export interface RankingMetrics {
  count: number;
  recall: Record<string, number>;
  mrr: Record<string, number>;
  ndcg: Record<string, number>;
}

const DEFAULT_CUTOFFS = { recall: [5, 20, 100], mrr: [5, 20, 100], ndcg: [10] };

function checkCutoffs(c: RankingCutoffs): Required<RankingCutoffs> {
  if (c === null || typeof c !== "object") throw new TypeError("recforge: ranking metrics: cut-offs must be an object like { recall: [5, 20], mrr: [5], ndcg: [10] }");
  const out = { ...DEFAULT_CUTOFFS, ...c };
  for (const k of Object.keys(c)) if (!(k in DEFAULT_CUTOFFS)) throw new TypeError(`recforge: ranking metrics: unknown metric ${JSON.stringify(k)} (recall, mrr, ndcg)`);
  for (const [k, list] of Object.entries(out)) {
    if (!Array.isArray(list)) throw new TypeError(`recforge: ranking metrics: ${k} cut-offs must be an array of integers >= 1`);
    for (const K of list)
      if (!Number.isInteger(K) || K < 1) throw new RangeError(`recforge: ranking metrics: ${k} cut-off must be an integer >= 1, got ${String(K)}`);
  }
  return out;
}

/**
 * Sums Recall@K, MRR@K and NDCG@K over batches of ranks (from rankOfTargets); result() gives
 * the means. Ranks must be integers >= 1.
 */
export class RankingAccumulator {
  readonly cutoffs: Required<RankingCutoffs>;
  private n = 0;
  private sums: { recall: number[]; mrr: number[]; ndcg: number[] };

  constructor(cutoffs: RankingCutoffs = {}) {
    this.cutoffs = checkCutoffs(cutoffs);
    this.sums = { recall: this.cutoffs.recall.map(() => 0), mrr: this.cutoffs.mrr.map(() => 0), ndcg: this.cutoffs.ndcg.map(() => 0) };
  }

  add(ranks: ArrayLike<number>): this {
    if (ranks === null || typeof ranks !== "object" || typeof ranks.length !== "number")
      throw new TypeError("recforge: RankingAccumulator: ranks must be an array of integer ranks");
    const c = this.cutoffs;
    for (let i = 0; i < ranks.length; i++) {
      const r = ranks[i];
      if (!Number.isInteger(r) || r < 1) throw new RangeError(`recforge: RankingAccumulator: rank[${i}] must be an integer >= 1, got ${String(r)}`);
      c.recall.forEach((K, j) => (this.sums.recall[j] += r <= K ? 1 : 0));
      c.mrr.forEach((K, j) => (this.sums.mrr[j] += r <= K ? 1 / r : 0));
      c.ndcg.forEach((K, j) => (this.sums.ndcg[j] += r <= K ? 1 / Math.log2(1 + r) : 0));
    }
    this.n += ranks.length;
    return this;
  }

  /** Means over every rank added (NaN when none was). */
  result(): RankingMetrics {
    const mean = (keys: number[], sums: number[]) => Object.fromEntries(keys.map((K, j) => [String(K), this.n ? sums[j] / this.n : NaN]));
    return {
      count: this.n,
      recall: mean(this.cutoffs.recall, this.sums.recall),
      mrr: mean(this.cutoffs.mrr, this.sums.mrr),
      ndcg: mean(this.cutoffs.ndcg, this.sums.ndcg),
    };
  }
}

/** Recall@K, MRR@K, NDCG@K means of one set of ranks. */
export function rankingMetrics(ranks: ArrayLike<number>, cutoffs: RankingCutoffs = {}): RankingMetrics {
  return new RankingAccumulator(cutoffs).add(ranks).result();
}
