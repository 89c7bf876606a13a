// ROUGE-N and ROUGE-L (Lin 2004) F1 against a single reference, as the `rouge_score`
// package computes them without stemming: ROUGE-N precision/recall from the clipped
// n-gram overlap; ROUGE-L from the longest common subsequence of the whole token
// sequences (not the summary-level "Lsum" variant). F1 = 2PR/(P+R), 0 when P+R = 0.
import { clippedOverlap, ngramCounts } from "./ngrams.js";

export interface PRF { precision: number; recall: number; f1: number }

function prf(overlap: number, hypTotal: number, refTotal: number): PRF {
  const precision = hypTotal > 0 ? overlap / hypTotal : 0;
  const recall = refTotal > 0 ? overlap / refTotal : 0;
  const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
  return { precision, recall, f1 };
}

/** ROUGE-N of a hypothesis against one reference (token lists). */
export function rougeN(reference: readonly string[], hypothesis: readonly string[], n: number): PRF {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`ROUGE-N order must be an integer >= 1, got ${n}`);
  const r = ngramCounts(reference, n), h = ngramCounts(hypothesis, n);
  return prf(clippedOverlap(h, r), Math.max(0, hypothesis.length - n + 1), Math.max(0, reference.length - n + 1));
}

/** Length of the longest common subsequence (O(|a|·|b|) time, O(|b|) memory). */
export function lcsLength(a: readonly string[], b: readonly string[]): number {
  const row = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    let diag = 0; // row[j-1] of the previous i
    for (let j = 1; j <= b.length; j++) {
      const up = row[j];
      row[j] = a[i - 1] === b[j - 1] ? diag + 1 : Math.max(up, row[j - 1]);
      diag = up;
    }
  }
  return row[b.length];
}

/** ROUGE-L of a hypothesis against one reference (token lists). */
export function rougeL(reference: readonly string[], hypothesis: readonly string[]): PRF {
  return prf(lcsLength(reference, hypothesis), hypothesis.length, reference.length);
}
