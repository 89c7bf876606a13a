// From prepared GREENer data (prepare.ts: sentences, attributes, profiles, candidate pools) to
// the model's pair examples, and GREENer's learned scorer for the evaluation harness.
//
//  - candidates: the pair's pool (data.pool(r)); sentence-table rows are global sentence ids;
//  - user profile: the user's training attributes; for a TRAINING pair the pair's own review
//    is left out (counts minus its own sentences' mentions), so the profile does not carry the
//    answer during training when it cannot at test time;
//  - item profile: the item's training attributes;
//  - relevance (training): BLEU-2 + BLEU-3 of each candidate against the review's sentences,
//    bucketed into levels 0..3 (relevance.ts; identical to lib/text bleu23 + relevanceLevel);
//    or, with reference "review", against the concatenated review (relevance.ts).
import type { Tensor } from "../../tensor/tensor.js";
import type { GreenerData } from "./prepare.js";
import type { PairContext, Scorer } from "./baselines.js";
import type { PairExample } from "./graph.js";
import { BleuReferences, RelevanceScorer, type RelevanceReference } from "./relevance.js";
import { scorePairs, type PairScores } from "./train.js";
import type { GreenerModel } from "./model.js";

/** Per-candidate pair features of review r's pair, row-major [candidates × width] (profile_features.ts). */
export type PairFeatureFn = (r: number, candidates: Int32Array) => Float32Array;

export interface GreenerPair extends PairExample {
  /** the review that defines the pair */
  review: number;
}

/** Training pairs: reviews of the training split with sentences and a non-empty pool. */
export function trainingReviews(data: GreenerData): number[] {
  return data.reviewsOf("train").filter((r) => data.sentencesOf(r).length > 0 && data.pool(r).length > 0);
}

/**
 * One pair's example. With `labels`, each candidate gets its relevance level against the pair's
 * review: `reference` "sentences" (the spec) or "review" (evaluation-matched, relevance.ts),
 * `k` the explanation size the "review" labels share the review's length over (default 5).
 */
export function pairExample(data: GreenerData, r: number, opts: { labels?: boolean; relevance?: RelevanceScorer; reference?: RelevanceReference; k?: number; pairFeatures?: PairFeatureFn } = {}): GreenerPair {
  const user = data.reviewUser[r], item = data.reviewItem[r];
  const candidates = Int32Array.from(data.pool(r));
  const own = new Map<number, number>();
  const isTrain = data.split(r) === "train";
  if (isTrain) for (const s of data.sentencesOf(r)) for (const a of data.sentenceAttributes(s)) own.set(a, (own.get(a) ?? 0) + 1);
  const up = data.userProfile(user), ip = data.itemProfile(item);
  const userAttrs = new Set<number>();
  for (let k = 0; k < up.ids.length; k++) if (up.counts[k] - (own.get(up.ids[k]) ?? 0) > 0) userAttrs.add(up.ids[k]);
  const ex: GreenerPair = {
    review: r, user, item, candidates,
    candidateAttrs: Array.from(candidates, (s) => Array.from(data.sentenceAttributes(s))),
    userAttrs, itemAttrs: new Set(ip.ids),
  };
  if (opts.pairFeatures) ex.pairFeatures = opts.pairFeatures(r, candidates);
  if (opts.labels) {
    const gt = data.sentencesOf(r).map((s) => data.tokens(s));
    if (gt.length === 0) ex.levels = new Uint8Array(candidates.length);
    else {
      const refs = new BleuReferences(gt, { mode: opts.reference, k: opts.k }), rel = opts.relevance ?? new RelevanceScorer();
      ex.levels = Uint8Array.from(candidates, (s) => rel.level(refs, data.tokens(s), s));
    }
  }
  return ex;
}

/**
 * GREENer's learned scores as a harness Scorer (baselines.ts): the pair's candidates scored by
 * the model. Scores are computed in batches on first request and cached per review, so the
 * top-K, trigram-blocking and ILP selectors share one forward pass per pair.
 */
export class GreenerScorer {
  private readonly cache = new Map<number, PairScores>();
  constructor(
    private readonly model: GreenerModel,
    private readonly data: GreenerData,
    private readonly sentenceTable: Tensor,
    private readonly pairFeatures?: PairFeatureFn,
  ) {}

  /** Scores the given reviews' pairs in batches (call once with all pairs to evaluate). */
  precompute(reviews: readonly number[], batchSize = 64): void {
    const todo = reviews.filter((r) => !this.cache.has(r));
    const scores = scorePairs(this.model, this.sentenceTable, todo.map((r) => pairExample(this.data, r, { pairFeatures: this.pairFeatures })), batchSize);
    todo.forEach((r, i) => this.cache.set(r, scores[i]));
  }

  scores(review: number): PairScores {
    if (!this.cache.has(review)) this.precompute([review]);
    return this.cache.get(review)!;
  }

  /** The harness view: one score per candidate of ctx. */
  get scorer(): Scorer {
    return (ctx: PairContext) => Float64Array.from(this.scores(ctx.review).sentence);
  }
}
