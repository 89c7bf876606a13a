// TF-IDF vectors of a sentence's PHRASES (word bigrams and trigrams), fitted on the training
// sentences — the input of the "profile-phrases" variant of bench greener-fair.
//
// Why: the word-level profile cosines (profile_features.ts) tell GREENer which candidates use the
// user's and item's vocabulary; BLEU-4 rewards candidates that repeat whole PHRASES of the held-out
// review (its 2-, 3- and 4-gram precisions). Cosines of a candidate's phrase vector to the user's and
// item's phrase profiles say how much of its wording (not only its words) those reviews share.
// Same weighting as lib/text/tfidf.ts (scikit-learn defaults), terms = n-grams joined by " ".
import { Tfidf, type SparseVector } from "../../text/tfidf.js";
import { ngramCounts } from "../../text/ngrams.js";
import type { GreenerData } from "./prepare.js";

/** The word bigrams and trigrams of a token list, each occurrence once (as the terms of a document). */
export function phrasesOf(tokens: readonly string[], orders: readonly number[] = [2, 3]): string[] {
  const out: string[] = [];
  for (const n of orders) for (const [g, c] of ngramCounts(tokens, n)) for (let i = 0; i < c; i++) out.push(g);
  return out;
}

/** Phrase TF-IDF vectors of every sentence, fitted on the training reviews' sentences (memoised). */
export class PhraseVectors {
  readonly tfidf: Tfidf;
  private readonly vecs: (SparseVector | undefined)[];

  constructor(readonly data: GreenerData, readonly orders: readonly number[] = [2, 3]) {
    if (orders.length === 0 || orders.some((n) => !Number.isInteger(n) || n < 2)) throw new RangeError(`PhraseVectors: orders must be integers >= 2, got ${JSON.stringify(orders)}`);
    const train: string[][] = [];
    for (let r = 0; r < data.numReviews; r++) if (data.reviewSplit[r] === 0) for (const s of data.sentencesOf(r)) train.push(phrasesOf(data.tokens(s), orders));
    this.tfidf = Tfidf.fit(train);
    this.vecs = new Array(data.sentences.length);
  }

  vector(s: number): SparseVector {
    return (this.vecs[s] ??= this.tfidf.transform(phrasesOf(this.data.tokens(s), this.orders)));
  }
}
