// GREENer's soft relevance labels, fast: BLEU-2 + BLEU-3 (NLTK sentence_bleu, smoothing
// method1) of each candidate against the ground-truth review — the same number as lib/text
// bleu23() in the spec's "sentences" mode, computed with the candidates' n-gram counts cached
// across pairs (a candidate sentence recurs in every pair of its item) and each review's
// clipping counts built once. lib/text's bleu23 rebuilds every reference's n-grams for every
// candidate, which made labelling the Musical Instruments training pairs take ~2 minutes
// instead of a few seconds.
//
// Two ways to form the references (BleuReferences):
//  - "sentences" (the spec): each ground-truth sentence is one reference: an n-gram's count is
//    clipped by its largest count in any single sentence, and the brevity penalty uses the
//    sentence length closest to the candidate's (NLTK). A short candidate is compared with the
//    review's short sentences, so short, generic sentences score well.
//  - "review" (evaluation-matched): the evaluation scores the K selected sentences,
//    concatenated, against the whole review, concatenated (evaluate.ts, corpus BLEU). So: one
//    reference, the concatenated review (n-grams across sentence boundaries included, counts
//    clipped by the whole review's counts), and the brevity-penalty length |review| / K: each
//    of the K sentences must carry its share of the review's length, or the concatenation is
//    shorter than the review and the evaluation's brevity penalty applies.
import { ngramCounts } from "../../text/ngrams.js";
import { relevanceLevel } from "../../text/bleu.js";

type Counts = [Map<string, number>, Map<string, number>, Map<string, number>];

function counts3(tokens: readonly string[]): Counts {
  return [ngramCounts(tokens, 1), ngramCounts(tokens, 2), ngramCounts(tokens, 3)];
}

export type RelevanceReference = "sentences" | "review";

/** The references of one ground-truth review: per order, the max count of each n-gram over the
 *  references, and the reference lengths the brevity penalty chooses from. */
export class BleuReferences {
  readonly maxCounts: Counts;
  readonly lengths: number[];
  /**
   * `references`: the review's sentences (token lists). mode "sentences" (default, the spec):
   * each sentence is a reference; "review": one reference, the sentences concatenated, with
   * brevity-penalty length (total tokens) / k (k = sentences per explanation, default 5).
   */
  constructor(references: readonly (readonly string[])[], opts: { mode?: RelevanceReference; k?: number } = {}) {
    if (references.length === 0) throw new RangeError("BleuReferences: at least one reference is required");
    const mode = opts.mode ?? "sentences";
    if (mode === "review") {
      const k = opts.k ?? 5;
      if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`BleuReferences: k must be a positive integer, got ${k}`);
      const all = references.flat();
      this.maxCounts = counts3(all);
      this.lengths = [all.length / k];
      return;
    }
    if (mode !== "sentences") throw new RangeError(`BleuReferences: mode must be "sentences" or "review", got ${String(mode)}`);
    this.lengths = references.map((r) => r.length);
    this.maxCounts = [new Map(), new Map(), new Map()];
    for (const ref of references) {
      const c = counts3(ref);
      for (let n = 0; n < 3; n++) for (const [g, k] of c[n]) if (k > (this.maxCounts[n].get(g) ?? 0)) this.maxCounts[n].set(g, k);
    }
  }
}

export class RelevanceScorer {
  private readonly cache = new Map<number, { len: number; counts: Counts }>();

  /** BLEU-2 + BLEU-3 of candidate `tokens` (cached under `id` when given) against `refs`. */
  bleu23(refs: BleuReferences, tokens: readonly string[], id?: number): number {
    let hyp = id === undefined ? undefined : this.cache.get(id);
    if (!hyp) {
      hyp = { len: tokens.length, counts: counts3(tokens) };
      if (id !== undefined) this.cache.set(id, hyp);
    }
    const num = [0, 0, 0], den = [0, 0, 0];
    for (let n = 0; n < 3; n++) {
      let total = 0, m = 0;
      const mr = refs.maxCounts[n];
      for (const [g, c] of hyp.counts[n]) {
        total += c;
        const r = mr.get(g);
        if (r !== undefined) m += Math.min(c, r);
      }
      num[n] = m;
      den[n] = Math.max(1, total);
    }
    if (num[0] === 0) return 0;
    const c = hyp.len;
    let best = Infinity, bestDiff = Infinity;
    for (const l of refs.lengths) {
      const d = Math.abs(l - c);
      if (d < bestDiff || (d === bestDiff && l < best)) (bestDiff = d), (best = l);
    }
    const bp = c > best ? 1 : c === 0 ? 0 : Math.exp(1 - best / c);
    // accumulated exactly as lib/text's score() does, so the results are bit-identical
    const bleu = (maxN: number) => {
      let logSum = 0;
      for (let n = 0; n < maxN; n++) logSum += Math.log(num[n] > 0 ? num[n] / den[n] : 0.1 / den[n]) / maxN;
      return bp * Math.exp(logSum);
    };
    return bleu(2) + bleu(3);
  }

  level(refs: BleuReferences, tokens: readonly string[], id?: number): 0 | 1 | 2 | 3 {
    return relevanceLevel(this.bleu23(refs, tokens, id));
  }
}
