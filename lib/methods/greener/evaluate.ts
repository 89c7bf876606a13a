// Evaluation of extractive explanations against the held-out review (spec "Evaluation").
//
// For each held-out (user, item) pair with at least one ground-truth sentence and at least
// one candidate, a selector picks K sentences (all of them when the pool has ≤ K). Then:
//  - hypothesis = the selected sentences' tokens concatenated (in the selector's order);
//    reference  = the held-out review's sentences' tokens concatenated;
//  - BLEU-1/2/4: corpus level over all pairs, no smoothing (corpus counts are never zero
//    in practice; lib/text/bleu.ts follows NLTK's corpus_bleu);
//  - ROUGE-1/2/L F1: per pair, averaged over pairs;
//  - attribute precision/recall/F1: the set of attributes in the selected sentences against
//    the set in the ground-truth review, per pair, averaged over the pairs whose ground truth
//    has at least one attribute (attr_pairs); precision is 0 when the selection has none.
// All values are fractions in [0, 1] (the papers print ×100).
import { corpusBleu, bleu23 } from "../../text/bleu.js";
import { rougeL, rougeN } from "../../text/rouge.js";
import type { Split } from "../../data/reviews.js";
import type { GreenerData } from "./prepare.js";
import type { PairContext, Selector } from "./baselines.js";
import { runSync, type Phase, type Steps } from "../step_loop.js";

export interface EvalOptions {
  /** sentences per explanation (default 5) */
  k?: number;
  /** held-out split (default "test") */
  split?: Extract<Split, "test" | "validation">;
  /** evaluate only the first `limit` eligible pairs (in review order) */
  limit?: number;
}

export interface QualityRow {
  method: string;
  pairs: number;
  bleu1: number;
  bleu2: number;
  bleu4: number;
  rouge1: number;
  rouge2: number;
  rougeL: number;
  attr_precision: number;
  attr_recall: number;
  attr_f1: number;
  /** pairs counted in the attribute metrics (ground truth mentions an attribute) */
  attr_pairs: number;
  /** wall time of selection + scoring for all pairs */
  ms: number;
}

/** Held-out pairs that can be evaluated: ≥ 1 ground-truth sentence and ≥ 1 candidate. */
export function eligiblePairs(data: GreenerData, split: "test" | "validation" = "test"): number[] {
  return data.reviewsOf(split).filter((r) => data.sentencesOf(r).length > 0 && data.pool(r).length > 0);
}

export function pairContext(data: GreenerData, review: number): PairContext {
  return { data, review, user: data.reviewUser[review], item: data.reviewItem[review], candidates: data.pool(review) };
}

/** Upper-bound reference that READS THE GROUND TRUTH: top-K candidates by BLEU-2 + BLEU-3
 *  against the held-out review's sentences (GREENer's training signal). Not a method. */
export function oracleSelector(): Selector {
  return (ctx, k) => {
    const refs = ctx.data.sentencesOf(ctx.review).map((s) => ctx.data.tokens(s));
    const rel = Array.from(ctx.candidates, (s) => bleu23(refs, ctx.data.tokens(s)));
    return Array.from(rel.keys()).sort((a, b) => rel[b] - rel[a] || a - b).slice(0, k);
  };
}

/** Runs one selector over the held-out pairs and computes the metrics. */
export function evaluateSelector(data: GreenerData, method: string, selector: Selector, opts: EvalOptions = {}): QualityRow {
  return runSync(evaluateSelectorSteps(data, method, selector, opts));
}

/** Pairs selected and scored between two boundaries of evaluateSelectorSteps. */
export const EVAL_CHUNK = 64;

/**
 * evaluateSelector as a trainer core (lib/methods/step_loop.ts): an "eval" boundary (stage
 * "selection", or `phase` / `stage`) after every EVAL_CHUNK pairs; the corpus BLEU at the end.
 */
export function* evaluateSelectorSteps(data: GreenerData, method: string, selector: Selector, opts: EvalOptions & { phase?: Phase; stage?: string; epoch?: number } = {}): Steps<QualityRow> {
  const k = opts.k ?? 5;
  let pairs = eligiblePairs(data, opts.split ?? "test");
  if (opts.limit !== undefined) pairs = pairs.slice(0, opts.limit);
  const refs: string[][][] = [], hyps: string[][] = [];
  let r1 = 0, r2 = 0, rl = 0, ap = 0, ar = 0, af = 0, attrPairs = 0, ms = 0;
  for (const r of pairs) {
    const ctx = pairContext(data, r);
    const t0 = performance.now();
    const picked = selector(ctx, Math.min(k, ctx.candidates.length));
    ms += performance.now() - t0;
    if (picked.length === 0 || picked.some((p) => !(p >= 0 && p < ctx.candidates.length))) {
      throw new Error(`${method}: selector returned invalid positions ${JSON.stringify(picked)} for a pool of ${ctx.candidates.length}`);
    }
    const selected = picked.map((p) => ctx.candidates[p]);
    const gt = data.sentencesOf(r);
    const hyp = selected.flatMap((s) => data.tokens(s));
    const ref = gt.flatMap((s) => data.tokens(s));
    hyps.push(hyp);
    refs.push([ref]);
    r1 += rougeN(ref, hyp, 1).f1;
    r2 += rougeN(ref, hyp, 2).f1;
    rl += rougeL(ref, hyp).f1;
    const gtAttrs = new Set<number>();
    for (const s of gt) for (const a of data.sentenceAttributes(s)) gtAttrs.add(a);
    if (gtAttrs.size > 0) {
      const selAttrs = new Set<number>();
      for (const s of selected) for (const a of data.sentenceAttributes(s)) selAttrs.add(a);
      let hit = 0;
      for (const a of selAttrs) if (gtAttrs.has(a)) hit++;
      const p = selAttrs.size ? hit / selAttrs.size : 0, rc = hit / gtAttrs.size;
      ap += p;
      ar += rc;
      af += p + rc > 0 ? (2 * p * rc) / (p + rc) : 0;
      attrPairs++;
    }
    const done = hyps.length;
    if (done % EVAL_CHUNK === 0 || done === pairs.length) yield { phase: opts.phase ?? "eval", stage: opts.stage ?? "selection", epoch: opts.epoch ?? 0, step: done, steps: pairs.length };
  }
  const n = pairs.length;
  const avg = (x: number, d: number) => (d > 0 ? x / d : 0);
  return {
    method,
    pairs: n,
    bleu1: n ? corpusBleu(refs, hyps, 1, { smoothing: "none" }) : 0,
    bleu2: n ? corpusBleu(refs, hyps, 2, { smoothing: "none" }) : 0,
    bleu4: n ? corpusBleu(refs, hyps, 4, { smoothing: "none" }) : 0,
    rouge1: avg(r1, n),
    rouge2: avg(r2, n),
    rougeL: avg(rl, n),
    attr_precision: avg(ap, attrPairs),
    attr_recall: avg(ar, attrPairs),
    attr_f1: avg(af, attrPairs),
    attr_pairs: attrPairs,
    ms,
  };
}
