// Candidate scorers and selection baselines for extractive explanations.
//
// A scorer gives one score per candidate of a pair (GREENer's GAT + DCN will be one); a
// selector turns scores into K sentences. Baselines (spec: "random candidates, most popular
// sentences of the item, relevance-only top-K, top-K with trigram blocking"):
//  - random: K candidates drawn uniformly (seeded per pair, reproducible);
//  - popular: the item's most "central" sentences — popularity of candidate i is
//    Σ_{j≠i} cos(tfidf_i, tfidf_j) over the pool (the item's training sentences), i.e. a soft
//    count of how many other sentences of the item say nearly the same thing; top-K by it;
//  - popularAttributes: the authors' "majority vote popularity" (their eval.py): an attribute's
//    popularity is how many pool sentences mention it; a candidate's score is the mean
//    popularity of the attributes it mentions (each mention counted once: our sentences carry
//    attribute sets, the authors' carried term frequencies); top-K by it. A second reading
//    of "most popular", reported beside the centrality one, which stays the compared baseline;
//  - topK: the K best scores;
//  - trigramBlocking: walk down the scores, skip a candidate sharing any word trigram with
//    one already taken (Paulus et al. 2018), until K are taken (then fill from the skipped);
//  - ilp: GREENer's ILP on the scores (ilp.ts), optionally with a length term.
// `tfidfProfileScorer` is a STAND-IN for GREENer's learned scores, for exercising the harness
// until the model exists: score_i = ½·cos(c_i, user profile) + ½·cos(c_i, item profile), where a
// profile is the L2-normalised sum of the TF-IDF vectors of the user's / item's training
// sentences (so held-out reviews never leak in).
import { Tfidf, cosine, cosineMatrix, sumNormalized, type SparseVector } from "../../text/tfidf.js";
import { ngramSet } from "../../text/ngrams.js";
import { topKIndices, IlpSelector, type IlpOptions, type IlpResult } from "./ilp.js";
import type { GreenerData } from "./prepare.js";
import { mulberry32 } from "../../prng.js";
export { mulberry32 };

/** One (user, item) pair and its candidates. */
export interface PairContext {
  data: GreenerData;
  /** the review index that defines the pair */
  review: number;
  user: number;
  item: number;
  /** candidate sentence ids */
  candidates: Int32Array;
}

/** One score per candidate (higher = more relevant). */
export type Scorer = (ctx: PairContext) => Float64Array;

/** Picks up to k candidates; returns positions into ctx.candidates, in presentation order. */
export type Selector = (ctx: PairContext, k: number) => number[];

/** TF-IDF vectors of all sentences, fitted on the training sentences. Shared by the scorer,
 *  the popularity baseline and the ILP's similarity matrix. */
export class SentenceVectors {
  readonly tfidf: Tfidf;
  private readonly vecs: (SparseVector | undefined)[];
  private readonly userProfiles = new Map<number, SparseVector>();
  private readonly itemProfiles = new Map<number, SparseVector>();

  constructor(readonly data: GreenerData) {
    const train: string[][] = [];
    for (let r = 0; r < data.numReviews; r++) if (data.reviewSplit[r] === 0) for (const s of data.sentencesOf(r)) train.push(data.tokens(s));
    this.tfidf = Tfidf.fit(train);
    this.vecs = new Array(data.sentences.length);
  }

  vector(s: number): SparseVector {
    return (this.vecs[s] ??= this.tfidf.transform(this.data.tokens(s)));
  }

  /** Profile of a user or an item: normalised sum of its training sentences' vectors. */
  profile(of: "user" | "item", id: number): SparseVector {
    const cache = of === "user" ? this.userProfiles : this.itemProfiles;
    let v = cache.get(id);
    if (!v) {
      v = sumNormalized(this.data.trainingSentences(of, id).map((s) => this.vector(s)));
      cache.set(id, v);
    }
    return v;
  }

  /** n×n cosine matrix of the given sentences. */
  simMatrix(ids: ArrayLike<number>): Float64Array {
    return cosineMatrix(Array.from(ids, (s) => this.vector(s)));
  }
}

/** STAND-IN relevance (not GREENer): ½ cos(candidate, user profile) + ½ cos(candidate, item profile). */
export function tfidfProfileScorer(vectors: SentenceVectors): Scorer {
  return (ctx) => {
    const u = vectors.profile("user", ctx.user), it = vectors.profile("item", ctx.item);
    return Float64Array.from(ctx.candidates, (s) => 0.5 * cosine(vectors.vector(s), u) + 0.5 * cosine(vectors.vector(s), it));
  };
}

/** Positions of candidates sorted by score, best first (ties → earlier position). */
function ranking(scores: Float64Array): number[] {
  return Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a] || a - b);
}

/** Uniformly random K candidates; the stream depends only on (seed, review). */
export function randomSelector(seed = 1): Selector {
  return (ctx, k) => {
    const rnd = mulberry32((seed * 0x9e3779b1) ^ (ctx.review + 1));
    const pos = Array.from(ctx.candidates.keys());
    // partial Fisher–Yates
    const m = Math.min(k, pos.length);
    for (let i = 0; i < m; i++) {
      const j = i + Math.floor(rnd() * (pos.length - i));
      [pos[i], pos[j]] = [pos[j], pos[i]];
    }
    return pos.slice(0, m);
  };
}

/** The item's most popular (central) sentences: top-K by Σ_j cos(i, j) over the pool. */
export function popularSelector(vectors: SentenceVectors): Selector {
  return (ctx, k) => {
    const n = ctx.candidates.length;
    const sim = vectors.simMatrix(ctx.candidates);
    const pop = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) if (j !== i) s += sim[i * n + j];
      pop[i] = s;
    }
    return ranking(pop).slice(0, k);
  };
}

/**
 * The authors' attribute-popularity baseline: score(i) = mean over the attributes a of
 * candidate i of count(a), count(a) = number of pool candidates mentioning a; top-K by it
 * (ties → earlier position; a candidate without attributes scores 0).
 */
export function attributePopularityScores(candidateAttrs: readonly ArrayLike<number>[]): Float64Array {
  const count = new Map<number, number>();
  for (const attrs of candidateAttrs) for (let j = 0; j < attrs.length; j++) count.set(attrs[j], (count.get(attrs[j]) ?? 0) + 1);
  return Float64Array.from(candidateAttrs, (attrs) => {
    let s = 0;
    for (let j = 0; j < attrs.length; j++) s += count.get(attrs[j])!;
    return attrs.length ? s / attrs.length : 0;
  });
}

export function popularAttributesSelector(): Selector {
  return (ctx, k) => ranking(attributePopularityScores(Array.from(ctx.candidates, (s) => ctx.data.sentenceAttributes(s)))).slice(0, k);
}

/** Relevance-only: the K best scores. */
export function topKSelector(scorer: Scorer): Selector {
  return (ctx, k) => ranking(scorer(ctx)).slice(0, k);
}

/** Top-K with trigram blocking; if fewer than K survive the blocking, fill with the best skipped. */
export function trigramBlockingSelector(scorer: Scorer): Selector {
  return (ctx, k) => {
    const order = ranking(scorer(ctx));
    const taken: number[] = [], skipped: number[] = [];
    const seen = new Set<string>();
    for (const p of order) {
      if (taken.length === k) break;
      const tri = ngramSet(ctx.data.tokens(ctx.candidates[p]), 3);
      let clash = false;
      for (const g of tri) if (seen.has(g)) { clash = true; break; }
      if (clash) { skipped.push(p); continue; }
      taken.push(p);
      for (const g of tri) seen.add(g);
    }
    for (const p of skipped) if (taken.length < k) taken.push(p);
    return taken;
  };
}

/**
 * Length reward of the ILP's optional length term: λ·ln(#tokens) per sentence (0 for an empty
 * one). Linear in x, so the ILP maximises Σ_i (s_i + λ·ln|i|)·x_i − α·Σ_{i<j} sim_ij·y_ij.
 */
export function lengthReward(numTokens: number, lambda: number): number {
  return lambda !== 0 && numTokens > 0 ? lambda * Math.log(numTokens) : 0;
}

/** GREENer's ILP over the scores (sim = TF-IDF cosine). `onResult` sees each solver result
 *  (status, time) so callers can report fallbacks. Returns the selection ordered by score.
 *  `lengthWeight` λ (default 0: the spec's objective) adds the documented length term
 *  λ·Σ_i ln(#tokens_i)·x_i (lengthReward): the spec's relevance labels favour short sentences,
 *  while the evaluation's brevity penalty punishes a selection shorter than the review. */
export function ilpSelector(scorer: Scorer, vectors: SentenceVectors, solver: IlpSelector, opts: IlpOptions & { alpha?: number; lengthWeight?: number } = {}, onResult?: (r: IlpResult) => void): Selector {
  const lambda = opts.lengthWeight ?? 0;
  if (!(Number.isFinite(lambda) && lambda >= 0)) throw new RangeError(`ilpSelector: lengthWeight must be finite and >= 0, got ${lambda}`);
  return (ctx, k) => {
    const raw = scorer(ctx);
    const scores = lambda === 0 ? raw : Float64Array.from(raw, (x, p) => x + lengthReward(ctx.data.tokens(ctx.candidates[p]).length, lambda));
    const n = scores.length;
    if (n <= k) return ranking(scores);
    // Top-P first (cheaper sim matrix); select() would do the same cut.
    const P = opts.topP ?? 100;
    const keep = n > P ? topKIndices(scores, P) : Array.from(scores.keys());
    const sub = Float64Array.from(keep, (p) => scores[p]);
    const sim = vectors.simMatrix(keep.map((p) => ctx.candidates[p]));
    const res = solver.select({ scores: sub, sim, k, alpha: opts.alpha ?? 1 }, opts);
    onResult?.(res);
    const chosen = res.selected.map((i) => keep[i]);
    return chosen.sort((a, b) => scores[b] - scores[a] || a - b);
  };
}
