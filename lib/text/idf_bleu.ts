// IDF-BLEU and ExtRecall: CompExp's reward and metric (Yang et al., WWW 2022, arXiv 2111.00670),
// computed as the authors' `src/utils/bleu.py` does (see ../shared/reference/compexp.md):
//
//  idf(w) = log10(N / df(w)) + 1 with df counted over training sentences (a word once per sentence);
//  a word without an entry weighs 1. ω(g) = the largest idf of the n-gram's tokens.
//
//  IDF-BLEU of hypothesis h against references R (the sentences of the true review):
//   p_n = Σ_g min(c_h(g), max_r c_r(g))·ω(g) / max(1, Σ_g c_h(g)·ω(g))   (g over h's n-grams)
//   a zero numerator becomes ε = 0.1 (so p_n = 0.1 / denominator), except that a zero unigram
//   numerator makes the whole score 0;
//   BP(ref, hyp) = 1 if hyp > ref, 0 if hyp = 0, else exp(1 − ref/hyp), used twice:
//     length BP: ref = mean |r| over R, hyp = |h|;
//     IDF BP:    ref = mean over R of Σ_{t ∈ set(r)} idf(t) / |r|, hyp = Σ_{t ∈ set(h)} idf(t) / |h|;
//   score = IDF_BP^β1 · BP^β2 · exp(Σ_n w_n log p_n).
//  Unlike NLTK BLEU, the length BP uses the MEAN reference length, not the closest one.
//
//  ExtRecall of an output h given the extracted sentence e: the IDF-weighted share of e's
//  reference-matching n-grams that h keeps:
//   k(g) = min(c_e(g), max_r c_r(g)) (e's n-grams clipped by the references),
//   p_n = Σ_g min(c_h(g), k(g))·ω(g) / max(1, Σ_g k(g)·ω(g)),
//   same ε and unigram rule, no brevity penalty; score = exp(Σ_n w_n log p_n).
import { ngramCounts } from "./ngrams.js";

/** A word's IDF weight: a fitted table (WordIdf), a map, or a function. Missing words weigh 1. */
export type IdfLookup = WordIdf | ReadonlyMap<string, number> | ((word: string) => number);

/** Word IDF fitted on sentences: idf(w) = log10(N / df(w)) + 1, words not seen weigh 1. */
export class WordIdf {
  private constructor(readonly weights: ReadonlyMap<string, number>, readonly sentenceCount: number) {}

  /**
   * Counts each word once per sentence over `sentences` (token lists; CompExp: the training
   * sentences). `keep` limits the table to vocabulary words (the authors keep only words of their
   * vocabulary; the rest weigh 1 like unseen words).
   */
  static fit(sentences: Iterable<readonly string[]>, keep?: (word: string) => boolean): WordIdf {
    const df = new Map<string, number>();
    let n = 0;
    for (const s of sentences) {
      n++;
      for (const w of new Set(s)) if (!keep || keep(w)) df.set(w, (df.get(w) ?? 0) + 1);
    }
    const weights = new Map<string, number>();
    for (const [w, d] of df) weights.set(w, Math.log10(n / d) + 1);
    return new WordIdf(weights, n);
  }

  /** From saved weights (a checkpoint, a JSON file). */
  static fromEntries(entries: Iterable<[string, number]>, sentenceCount = 0): WordIdf {
    const weights = new Map<string, number>();
    for (const [w, v] of entries) {
      if (!Number.isFinite(v)) throw new RangeError(`WordIdf: weight of ${JSON.stringify(w)} is ${v}`);
      weights.set(w, v);
    }
    return new WordIdf(weights, sentenceCount);
  }

  get(word: string): number {
    return this.weights.get(word) ?? 1;
  }
}

/** The lookup as a function (missing words → 1). */
export function idfFunction(idf: IdfLookup): (w: string) => number {
  if (idf instanceof WordIdf) return (w) => idf.get(w);
  if (typeof idf === "function") return idf;
  return (w) => idf.get(w) ?? 1;
}

/** BP(ref, hyp): 1 when hyp > ref, 0 when hyp = 0, else exp(1 − ref/hyp). */
export function brevityPenalty(ref: number, hyp: number): number {
  if (hyp > ref) return 1;
  if (hyp === 0) return 0;
  return Math.exp(1 - ref / hyp);
}

/** Σ_{t ∈ set(tokens)} idf(t) / |tokens|: the IDF "length" the IDF brevity penalty compares (0 for none). */
export function idfDensity(tokens: readonly string[], idf: IdfLookup): number {
  if (tokens.length === 0) return 0;
  const f = idfFunction(idf);
  let s = 0;
  for (const t of new Set(tokens)) s += f(t);
  return s / tokens.length;
}

export interface IdfBleuOptions {
  /** n-gram weights w_1..w_N (their count is the largest order); default [0.25, 0.25, 0.25, 0.25] */
  weights?: readonly number[];
  /** [β1, β2]: exponents of the IDF and the length brevity penalties; default [1, 1] */
  bpExponents?: readonly [number, number];
  /** the value a zero numerator takes; default 0.1 */
  epsilon?: number;
}

/** The largest IDF of an n-gram's tokens (n-grams are keyed by tokens joined with " "). */
function gramWeight(g: string, n: number, f: (w: string) => number): number {
  if (n === 1) return f(g);
  let m = -Infinity;
  for (const t of g.split(" ")) m = Math.max(m, f(t));
  return m;
}

function checkWeights(weights: readonly number[], who: string): void {
  if (weights.length === 0) throw new RangeError(`${who}: at least one n-gram weight is required`);
  for (const w of weights) if (!Number.isFinite(w)) throw new RangeError(`${who}: n-gram weights must be finite, got [${weights.join(", ")}]`);
}

function checkReferences(references: readonly (readonly string[])[], who: string): void {
  if (references.length === 0) throw new RangeError(`${who}: at least one reference is required`);
  references.forEach((r, i) => {
    if (r.length === 0) throw new RangeError(`${who}: reference ${i} is empty (its mean IDF is undefined)`);
  });
}

/** max over references of each n-gram's count, for the n-grams of `of`. */
function maxRefCounts(references: readonly (readonly string[])[], of: Map<string, number>, n: number): Map<string, number> {
  const m = new Map<string, number>();
  for (const ref of references) {
    for (const [g, c] of ngramCounts(ref, n)) if (of.has(g) && c > (m.get(g) ?? 0)) m.set(g, c);
  }
  return m;
}

/** Σ_n w_n log p_n with the authors' ε rule; null when the unigram numerator is 0. */
function logPrecisions(nums: number[], dens: number[], weights: readonly number[], eps: number): number | null {
  if (nums[0] === 0) return null;
  let s = 0;
  for (let n = 0; n < weights.length; n++) s += weights[n] * Math.log((nums[n] === 0 ? eps : nums[n]) / dens[n]);
  return s;
}

/** IDF-BLEU of one hypothesis against the true review's sentences (token lists). */
export function idfBleu(references: readonly (readonly string[])[], hypothesis: readonly string[], idf: IdfLookup, opts: IdfBleuOptions = {}): number {
  const weights = opts.weights ?? [0.25, 0.25, 0.25, 0.25];
  const [b1, b2] = opts.bpExponents ?? [1, 1];
  const eps = opts.epsilon ?? 0.1;
  checkWeights(weights, "idfBleu");
  checkReferences(references, "idfBleu");
  const f = idfFunction(idf);
  const nums: number[] = [], dens: number[] = [];
  for (let n = 1; n <= weights.length; n++) {
    const hyp = ngramCounts(hypothesis, n);
    const maxRef = maxRefCounts(references, hyp, n);
    let num = 0, den = 0;
    for (const [g, c] of hyp) {
      const w = gramWeight(g, n, f);
      num += Math.min(c, maxRef.get(g) ?? 0) * w;
      den += c * w;
    }
    nums.push(num);
    dens.push(Math.max(1, den));
  }
  const logP = logPrecisions(nums, dens, weights, eps);
  if (logP === null) return 0;
  let refLen = 0, refIdf = 0;
  for (const r of references) { refLen += r.length; refIdf += idfDensity(r, f); }
  refLen /= references.length;
  refIdf /= references.length;
  const bp = brevityPenalty(refLen, hypothesis.length);
  const idfBp = brevityPenalty(refIdf, idfDensity(hypothesis, f));
  return idfBp ** b1 * bp ** b2 * Math.exp(logP);
}

/** ExtRecall: how much of the extracted sentence's reference-matching content the output keeps. */
export function extRecall(
  references: readonly (readonly string[])[],
  hypothesis: readonly string[],
  extraction: readonly string[],
  idf: IdfLookup,
  opts: { weights?: readonly number[]; epsilon?: number } = {},
): number {
  const weights = opts.weights ?? [0.25, 0.25, 0.25, 0.25];
  const eps = opts.epsilon ?? 0.1;
  checkWeights(weights, "extRecall");
  if (references.length === 0) throw new RangeError("extRecall: at least one reference is required");
  const f = idfFunction(idf);
  const nums: number[] = [], dens: number[] = [];
  for (let n = 1; n <= weights.length; n++) {
    const ext = ngramCounts(extraction, n);
    const maxRef = maxRefCounts(references, ext, n);
    const hyp = ngramCounts(hypothesis, n);
    let num = 0, den = 0;
    for (const [g, c] of ext) {
      const kept = Math.min(c, maxRef.get(g) ?? 0);
      if (kept === 0) continue;
      const w = gramWeight(g, n, f);
      den += kept * w;
      num += Math.min(hyp.get(g) ?? 0, kept) * w;
    }
    nums.push(num);
    dens.push(Math.max(1, den));
  }
  const logP = logPrecisions(nums, dens, weights, eps);
  return logP === null ? 0 : Math.exp(logP);
}
