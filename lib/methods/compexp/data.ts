// CompExp's examples (../shared/reference/compexp.md "One example", "Data"), built on GREENer's
// prepared reviews (lib/methods/greener/prepare.ts: the loader of lib/data/reviews.ts, the per-user
// time split, sentences of at least 4 word tokens, the attribute lexicon fitted on train) so
// both methods see the same split and the same sentences.
//
// For review r (user u, item i, rating y):
//  - target: r's own sentences (the ground truth);
//  - references: the sentences of u's OTHER training reviews, each tagged with
//    Δ = y − (rating of the review it came from) (the authors restrict them to one category; our
//    data has none, so all of u's training reviews count); up to 10 are sampled per use;
//  - candidates: the sentences of other users' training reviews of i; 10 sampled in training,
//    30 at test.
// Sentences are cut at 25 tokens. An example needs at least one target sentence, one reference
// and one candidate; the others are skipped and counted by reason (a review without text, a user
// whose only training review is r, an item nobody else reviewed).
import type { GreenerData } from "../greener/prepare.js";
import type { Split } from "../../data/reviews.js";
import { WordIdf } from "../../text/idf_bleu.js";
import { Vocab } from "./vocab.js";

export const MAX_SENTENCE_TOKENS = 25;

export interface CompExpExample {
  review: number;
  user: number;
  item: number;
  rating: number;
  /** sentence ids of the review itself */
  target: number[];
  /** sentence ids of the user's other training reviews, and their Δ (parallel) */
  refs: number[];
  refDelta: number[];
  /** the user's other training reviews (each counted once in the pair distribution) */
  refReviews: number[];
  /** sentence ids of other users' training reviews of the item */
  candidates: number[];
}

export interface SkipCounts {
  noText: number;
  noReferences: number;
  noCandidates: number;
}

export interface CompExpSplit {
  examples: CompExpExample[];
  skipped: SkipCounts;
}

/** The examples of one split (reviews in index order). */
export function buildExamples(data: GreenerData, split: Split): CompExpSplit {
  const byUser = new Map<number, number[]>(), byItem = new Map<number, number[]>();
  for (const r of data.reviewsOf("train")) {
    const u = data.reviewUser[r], i = data.reviewItem[r];
    (byUser.get(u) ?? byUser.set(u, []).get(u)!).push(r);
    (byItem.get(i) ?? byItem.set(i, []).get(i)!).push(r);
  }
  const skipped: SkipCounts = { noText: 0, noReferences: 0, noCandidates: 0 };
  const examples: CompExpExample[] = [];
  for (const r of data.reviewsOf(split)) {
    const user = data.reviewUser[r], item = data.reviewItem[r], rating = data.reviewRating[r];
    const target = data.sentencesOf(r);
    if (target.length === 0) { skipped.noText++; continue; }
    const refs: number[] = [], refDelta: number[] = [], refReviews: number[] = [];
    for (const ur of byUser.get(user) ?? []) {
      if (ur === r) continue;
      const ss = data.sentencesOf(ur);
      if (ss.length === 0) continue;
      refReviews.push(ur);
      for (const s of ss) { refs.push(s); refDelta.push(rating - data.reviewRating[ur]); }
    }
    if (refs.length === 0) { skipped.noReferences++; continue; }
    const candidates: number[] = [];
    for (const ir of byItem.get(item) ?? []) if (data.reviewUser[ir] !== user) candidates.push(...data.sentencesOf(ir));
    if (candidates.length === 0) { skipped.noCandidates++; continue; }
    examples.push({ review: r, user, item, rating, target, refs, refDelta, refReviews, candidates });
  }
  return { examples, skipped };
}

/** Tokens of sentence s, cut at 25. */
export function sentenceTokens(data: GreenerData, s: number): string[] {
  const t = data.tokens(s);
  return t.length > MAX_SENTENCE_TOKENS ? t.slice(0, MAX_SENTENCE_TOKENS) : t;
}

/** Every training sentence (what the vocabulary and the IDF are fitted on). */
export function trainingSentenceIds(data: GreenerData): number[] {
  const out: number[] = [];
  for (const r of data.reviewsOf("train")) out.push(...data.sentencesOf(r));
  return out;
}

/** Vocabulary (training tokens seen ≥ minCount times) and IDF (training sentences, vocabulary words). */
export function fitVocabAndIdf(data: GreenerData, minCount = 3): { vocab: Vocab; idf: WordIdf } {
  const ids = trainingSentenceIds(data);
  if (ids.length === 0) throw new RangeError(`CompExp: no training sentences (none of the ${data.reviewsOf("train").length} training reviews has a sentence of at least 4 words): the vocabulary would be empty`);
  const sents = ids.map((s) => sentenceTokens(data, s));
  const vocab = Vocab.build(sents, minCount);
  return { vocab, idf: WordIdf.fit(sents, (w) => vocab.has(w)) };
}

export interface DeltaDistribution {
  /** one row per value seen, ascending (Δ from −4 to 4 on a 1..5 scale) */
  rows: { value: number; count: number; share: number }[];
  total: number;
}

function distribution(values: Iterable<number>): DeltaDistribution {
  const m = new Map<number, number>();
  let total = 0;
  for (const v of values) { m.set(v, (m.get(v) ?? 0) + 1); total++; }
  const rows = [...m.keys()].sort((a, b) => a - b).map((value) => ({ value, count: m.get(value)!, share: m.get(value)! / total }));
  return { rows, total };
}

export interface DeltaReport {
  /** over (example, reference review) pairs */
  reviewPairs: DeltaDistribution;
  /** over reference sentences (what the extractor sees, before sampling 10) */
  referenceSentences: DeltaDistribution;
  /** star ratings of the examples' reviews */
  ratings: DeltaDistribution;
}

/** The rating-difference distribution of a list of examples. */
export function deltaDistribution(data: GreenerData, examples: readonly CompExpExample[]): DeltaReport {
  return {
    reviewPairs: distribution(examples.flatMap((e) => e.refReviews.map((ur) => e.rating - data.reviewRating[ur]))),
    referenceSentences: distribution(examples.flatMap((e) => e.refDelta)),
    ratings: distribution(examples.map((e) => e.rating)),
  };
}
