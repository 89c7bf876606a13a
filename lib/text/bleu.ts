// BLEU (Papineni et al. 2002), computed exactly as NLTK's `sentence_bleu` / `corpus_bleu`
// so numbers are comparable with the Python literature:
//  - modified n-gram precision: a hypothesis n-gram's count is clipped by its maximum count
//    in any single reference; denominator max(1, number of hypothesis n-grams);
//  - corpus level sums numerators and denominators over segments before dividing;
//  - brevity penalty with the reference length closest to the hypothesis length (ties →
//    the shorter reference), summed over segments at corpus level; BP = 1 when c > r,
//    0 when c = 0, else exp(1 − r/c);
//  - uniform weights 1/N over orders 1..N (BLEU-N);
//  - if no unigram matches at all, the score is 0 (before smoothing, as in NLTK).
// Smoothing ("method1"): Chen & Cherry (2014) method 1 = NLTK SmoothingFunction().method1:
// an order with zero matches gets precision ε/denominator with ε = 0.1; other orders are
// unchanged. "none": any order with zero matches makes the score 0 (NLTK's method0 returns a
// value around 1e-77 with a warning there; we return exactly 0).
import { ngramCounts } from "./ngrams.js";

export type BleuSmoothing = "none" | "method1";

export interface BleuOptions {
  /** Default "method1" (Chen & Cherry method 1, ε = 0.1). */
  smoothing?: BleuSmoothing;
  /** ε of method1; default 0.1 as in NLTK. */
  epsilon?: number;
}

interface Stats {
  num: number[]; // clipped matches per order (index 0 = unigrams)
  den: number[]; // max(1, hypothesis n-grams) per order
  hypLen: number;
  refLen: number; // closest reference length
}

/** References with their n-gram counts computed once per order (self-BLEU scores every output
 *  against all others, so each output's counts are reused n − 1 times). */
export class CountedReferences {
  private readonly counts: Map<string, number>[][] = [];
  constructor(readonly tokens: readonly (readonly string[])[]) {}
  /** n-gram counts of each reference for order n (memoised). */
  order(n: number): Map<string, number>[] {
    return (this.counts[n] ??= this.tokens.map((r) => ngramCounts(r, n)));
  }
}

function segmentStats(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  maxN: number,
  into: Stats,
  refCounts?: (n: number) => Iterable<Map<string, number>>,
): void {
  for (let n = 1; n <= maxN; n++) {
    const hyp = ngramCounts(hypothesis, n);
    const maxRef = new Map<string, number>();
    const counted = refCounts ? refCounts(n) : references.map((r) => ngramCounts(r, n));
    for (const rc of counted) {
      for (const g of hyp.keys()) {
        const k = rc.get(g);
        if (k !== undefined && k > (maxRef.get(g) ?? 0)) maxRef.set(g, k);
      }
    }
    let num = 0, total = 0;
    for (const [g, c] of hyp) {
      total += c;
      num += Math.min(c, maxRef.get(g) ?? 0);
    }
    into.num[n - 1] += num;
    into.den[n - 1] += Math.max(1, total);
  }
  const c = hypothesis.length;
  let best = Infinity, bestDiff = Infinity;
  for (const ref of references) {
    const d = Math.abs(ref.length - c);
    if (d < bestDiff || (d === bestDiff && ref.length < best)) { bestDiff = d; best = ref.length; }
  }
  into.hypLen += c;
  into.refLen += references.length ? best : 0;
}

function score(st: Stats, maxN: number, opts: BleuOptions): number {
  if (st.num[0] === 0) return 0;
  const smoothing = opts.smoothing ?? "method1";
  const eps = opts.epsilon ?? 0.1;
  let logSum = 0;
  for (let n = 0; n < maxN; n++) {
    let p: number;
    if (st.num[n] > 0) p = st.num[n] / st.den[n];
    else if (smoothing === "method1") p = eps / st.den[n];
    else return 0;
    logSum += Math.log(p) / maxN;
  }
  const c = st.hypLen, r = st.refLen;
  const bp = c > r ? 1 : c === 0 ? 0 : Math.exp(1 - r / c);
  return bp * Math.exp(logSum);
}

function checkOrder(maxN: number): void {
  if (!Number.isInteger(maxN) || maxN < 1) throw new RangeError(`BLEU order must be an integer >= 1, got ${maxN}`);
}

/** Sentence-level BLEU-maxN of one hypothesis against one or more references (token lists). */
export function sentenceBleu(references: readonly (readonly string[])[], hypothesis: readonly string[], maxN = 4, opts: BleuOptions = {}): number {
  checkOrder(maxN);
  if (references.length === 0) throw new RangeError("sentenceBleu: at least one reference is required");
  const st: Stats = { num: new Array(maxN).fill(0), den: new Array(maxN).fill(0), hypLen: 0, refLen: 0 };
  segmentStats(references, hypothesis, maxN, st);
  return score(st, maxN, opts);
}

/** Sentence BLEU against the references of `refs` except those whose index is in `skip`
 *  (self-BLEU: an output against all the others), reusing their memoised n-gram counts. */
export function sentenceBleuExcept(refs: CountedReferences, skip: ReadonlySet<number>, hypothesis: readonly string[], maxN = 4, opts: BleuOptions = {}): number {
  checkOrder(maxN);
  const keep = refs.tokens.map((_, i) => i).filter((i) => !skip.has(i));
  if (keep.length === 0) throw new RangeError("sentenceBleuExcept: at least one reference is required");
  const st: Stats = { num: new Array(maxN).fill(0), den: new Array(maxN).fill(0), hypLen: 0, refLen: 0 };
  segmentStats(keep.map((i) => refs.tokens[i]), hypothesis, maxN, st, (n) => {
    const all = refs.order(n);
    return keep.map((i) => all[i]);
  });
  return score(st, maxN, opts);
}

/** Corpus-level BLEU-maxN: listOfReferences[i] are the references of hypotheses[i]. */
export function corpusBleu(listOfReferences: readonly (readonly (readonly string[])[])[], hypotheses: readonly (readonly string[])[], maxN = 4, opts: BleuOptions = {}): number {
  checkOrder(maxN);
  if (listOfReferences.length !== hypotheses.length) {
    throw new RangeError(`corpusBleu: ${listOfReferences.length} reference lists for ${hypotheses.length} hypotheses`);
  }
  const st: Stats = { num: new Array(maxN).fill(0), den: new Array(maxN).fill(0), hypLen: 0, refLen: 0 };
  for (let i = 0; i < hypotheses.length; i++) {
    if (listOfReferences[i].length === 0) throw new RangeError(`corpusBleu: hypothesis ${i} has no reference`);
    segmentStats(listOfReferences[i], hypotheses[i], maxN, st);
  }
  return score(st, maxN, opts);
}

/** Sufficient statistics of one segment (clipped matches and n-gram totals per order, lengths):
 *  corpus BLEU of any multiset of segments is bleuFromStats of their (weighted) sums, which is
 *  what a bootstrap over segments resamples (GREENer's paired bootstrap). */
export interface BleuStats {
  num: number[];
  den: number[];
  hypLen: number;
  refLen: number;
}

export function bleuSegmentStats(references: readonly (readonly string[])[], hypothesis: readonly string[], maxN = 4): BleuStats {
  checkOrder(maxN);
  if (references.length === 0) throw new RangeError("bleuSegmentStats: at least one reference is required");
  const st: Stats = { num: new Array(maxN).fill(0), den: new Array(maxN).fill(0), hypLen: 0, refLen: 0 };
  segmentStats(references, hypothesis, maxN, st);
  return st;
}

/** BLEU-maxN from (summed) segment statistics; the same score as corpusBleu over those segments. */
export function bleuFromStats(stats: BleuStats, maxN = 4, opts: BleuOptions = {}): number {
  checkOrder(maxN);
  if (stats.num.length < maxN || stats.den.length < maxN) throw new RangeError(`bleuFromStats: statistics for ${stats.num.length} orders, BLEU-${maxN} needs ${maxN}`);
  return score(stats, maxN, opts);
}

/** GREENer's soft relevance of a candidate: BLEU-2 + BLEU-3 (method1) against the
 *  ground-truth review's sentences as references, in [0, 2]. */
export function bleu23(references: readonly (readonly string[])[], candidate: readonly string[]): number {
  return sentenceBleu(references, candidate, 2) + sentenceBleu(references, candidate, 3);
}

/** GREENer's relevance buckets of BLEU-2 + BLEU-3: < 0.5 → 0, < 1.25 → 1, < 2 → 2, else 3. */
export function relevanceLevel(bleu2plus3: number): 0 | 1 | 2 | 3 {
  // 2 is reached only by a candidate identical to a reference sentence; allow rounding.
  return bleu2plus3 < 0.5 ? 0 : bleu2plus3 < 1.25 ? 1 : bleu2plus3 < 2 - 1e-9 ? 2 : 3;
}
