// CompExp's rewrite pairs (../shared/reference/compexp.md "Training" step 2): for each training
// sentence s of item i, its 3 nearest sentences s' of the same item (L2 on encoder vectors; we
// leave out s's own review, whose sentences are not rewrites of s), kept when
//   (word overlap ≥ 6 or both word-overlap ratios ≥ 0.25)
//   and both contain attributes
//   and (attribute overlap ≥ 3 or both attribute-overlap ratios ≥ 0.5).
// Overlaps count distinct words / attributes; a ratio divides the overlap by one side's count.
// The generator then learns s from s', refined with the references of s's user.
import { runSync, type Steps } from "../step_loop.js";

/** Overlap of two sets and its share of each. */
function overlap<T>(a: ReadonlySet<T>, b: ReadonlySet<T>): { n: number; ra: number; rb: number } {
  let n = 0;
  for (const x of a) if (b.has(x)) n++;
  return { n, ra: a.size ? n / a.size : 0, rb: b.size ? n / b.size : 0 };
}

/** The spec's filter on one candidate pair (tokens and attribute ids of each side). */
export function keepRewritePair(tokensA: readonly string[], tokensB: readonly string[], attrsA: ArrayLike<number>, attrsB: ArrayLike<number>): boolean {
  const w = overlap(new Set(tokensA), new Set(tokensB));
  if (!(w.n >= 6 || (w.ra >= 0.25 && w.rb >= 0.25))) return false;
  if (attrsA.length === 0 || attrsB.length === 0) return false;
  const a = overlap(new Set(Array.from(attrsA)), new Set(Array.from(attrsB)));
  return a.n >= 3 || (a.ra >= 0.5 && a.rb >= 0.5);
}

export interface RewritePair {
  /** the input sentence s' */
  source: number;
  /** the sentence to produce, s */
  target: number;
}

export interface RewriteSource {
  /** training sentence ids grouped by item */
  itemSentences: readonly (readonly number[])[];
  /** review of each sentence id */
  reviewOf: (s: number) => number;
  tokens: (s: number) => readonly string[];
  attributes: (s: number) => ArrayLike<number>;
  /** the sentence's encoder vector */
  vector: (s: number) => ArrayLike<number>;
}

/** The kept (s', s) pairs, in item order then sentence order, nearest first. */
export function rewritePairs(src: RewriteSource, k = 3): RewritePair[] {
  return runSync(rewritePairsSteps(src, k));
}

/**
 * rewritePairs as a trainer core (lib/methods/step_loop.ts): a "prepare" boundary (stage
 * "rewrite pairs", counted in sentences) after each item once 512 sentences were compared.
 */
export function* rewritePairsSteps(src: RewriteSource, k = 3): Steps<RewritePair[]> {
  const out: RewritePair[] = [];
  let total = 0;
  for (const sents of src.itemSentences) total += sents.length;
  let done = 0, reported = 0;
  for (const sents of src.itemSentences) {
    const vecs = sents.map((s) => src.vector(s));
    sents.forEach((s, i) => {
      const d: [number, number][] = [];
      sents.forEach((s2, j) => {
        if (j === i || src.reviewOf(s2) === src.reviewOf(s)) return;
        let dist = 0;
        const a = vecs[i], b = vecs[j];
        for (let h = 0; h < a.length; h++) dist += (a[h] - b[h]) ** 2;
        d.push([dist, j]);
      });
      d.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
      for (const [, j] of d.slice(0, k)) {
        const s2 = sents[j];
        if (keepRewritePair(src.tokens(s), src.tokens(s2), src.attributes(s), src.attributes(s2))) out.push({ source: s2, target: s });
      }
    });
    done += sents.length;
    if (done - reported >= 512 || done === total) {
      reported = done;
      yield { phase: "prepare", stage: "rewrite pairs", epoch: 0, step: done, steps: total };
    }
  }
  return out;
}
