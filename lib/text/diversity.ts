// Diversity of generated explanations, as CompExp's `eval_decode.py` (eval_diversity) computes
// them, plus self-BLEU-4:
//  - mean length: mean token count over outputs;
//  - mean IDF: mean over outputs of the mean idf of its tokens (repeats counted; an empty output
//    has no tokens to average and is left out of this mean);
//  - rep/l: repeated tokens / tokens, pooled over all outputs (a token is a repeat when the same
//    output already had it earlier);
//  - seq-rep-2: mean over outputs with at least one bigram of 1 − distinct bigrams / bigrams;
//  - distinct tokens: size of the union of the outputs' token sets;
//  - self-BLEU-4 (Zhu et al. 2018, Texygen): mean over outputs of sentence BLEU-4 (uniform weights,
//    method1 smoothing) of the output against all the other outputs as references.
import { CountedReferences, sentenceBleuExcept } from "./bleu.js";
import { ngramCounts } from "./ngrams.js";
import { idfFunction, type IdfLookup } from "./idf_bleu.js";

export interface Diversity {
  meanLength: number;
  meanIdf: number;
  repPerLength: number;
  seqRep2: number;
  distinctTokens: number;
}

/** The eval_diversity numbers of a list of outputs (token lists); needs at least one output. */
export function diversity(outputs: readonly (readonly string[])[], idf: IdfLookup): Diversity {
  if (outputs.length === 0) throw new RangeError("diversity: no outputs");
  const f = idfFunction(idf);
  let lenSum = 0, idfSum = 0, idfCount = 0, rep = 0, total = 0, seqSum = 0, seqCount = 0;
  const distinct = new Set<string>();
  for (const out of outputs) {
    lenSum += out.length;
    if (out.length > 0) {
      let s = 0;
      for (const w of out) s += f(w);
      idfSum += s / out.length;
      idfCount++;
    }
    const seen = new Set<string>();
    for (const w of out) {
      if (seen.has(w)) rep++;
      seen.add(w);
      distinct.add(w);
    }
    total += out.length;
    const bigrams = out.length - 1;
    if (bigrams > 0) {
      seqSum += 1 - ngramCounts(out, 2).size / bigrams;
      seqCount++;
    }
  }
  return {
    meanLength: lenSum / outputs.length,
    meanIdf: idfCount ? idfSum / idfCount : 0,
    repPerLength: total ? rep / total : 0,
    seqRep2: seqCount ? seqSum / seqCount : 0,
    distinctTokens: distinct.size,
  };
}

/** Self-BLEU-maxN (default 4): each output scored against all the others; needs at least 2 outputs. */
export function selfBleu(outputs: readonly (readonly string[])[], maxN = 4): number {
  if (outputs.length < 2) throw new RangeError(`selfBleu: needs at least 2 outputs, got ${outputs.length}`);
  const refs = new CountedReferences(outputs);
  let s = 0;
  for (let i = 0; i < outputs.length; i++) s += sentenceBleuExcept(refs, new Set([i]), outputs[i], maxN);
  return s / outputs.length;
}
