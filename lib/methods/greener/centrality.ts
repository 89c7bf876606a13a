// Sentence typicality within its item: two sentence features for GREENer.
//
// The evaluation scores the selection against the held-out review by n-gram overlap, and a
// review repeats the wording that many reviews of the same item share ("the tuner holds its
// tuning", "works great for the price"). The fixed sentence vectors (encoder.ts) are per
// sentence and the graph joins sentences only through attributes, so the model cannot see
// how many of the item's sentences say nearly the same thing. We give it that as features:
//
//   C(item) = the item's training sentences that mention an attribute (the item's candidate
//             pool at test time, without the pool cap),
//   mean(s)  = mean over j ∈ C(item) \ {s} of cos(tfidf_s, tfidf_j),
//   rank(s)  = the position of mean(s) among the sentences of C(item), scaled to [0, 1]
//              (ties share their average position; 0.5 when C has one sentence).
//
// rank orders an item's sentences exactly as the "most popular" baseline (baselines.ts) orders
// the pool (Σ_j cos = (|C| − 1)·mean); the model learns from the training labels how much that
// typicality matters next to the user and the attributes. Only training sentences are used.
// With unit vectors, Σ_{j≠i} cos(i, j) = u_i·(Σ_j u_j) − u_i·u_i, so each item costs
// O(Σ nnz) rather than the O(|C|²) of a similarity matrix.
import { dot, type SparseVector } from "../../text/tfidf.js";
import { runSync, type Steps } from "../step_loop.js";
import type { GreenerData } from "./prepare.js";

/** mean[i] = mean cosine of vector i to the others (0 for a single vector), rank[i] in [0, 1]. */
export function centralityOf(vectors: readonly SparseVector[]): { mean: Float64Array; rank: Float64Array } {
  const n = vectors.length;
  const mean = new Float64Array(n), rank = new Float64Array(n);
  if (n === 0) return { mean, rank };
  const unit = vectors.map((v) => {
    const norm = Math.sqrt(dot(v, v));
    return norm === 0 ? v : { idx: v.idx, val: v.val.map((x) => x / norm) };
  });
  const sum = new Map<number, number>();
  for (const u of unit) for (let k = 0; k < u.idx.length; k++) sum.set(u.idx[k], (sum.get(u.idx[k]) ?? 0) + u.val[k]);
  for (let i = 0; i < n; i++) {
    const u = unit[i];
    let s = 0, self = 0;
    for (let k = 0; k < u.idx.length; k++) {
      s += u.val[k] * sum.get(u.idx[k])!;
      self += u.val[k] * u.val[k];
    }
    mean[i] = n > 1 ? (s - self) / (n - 1) : 0;
  }
  const order = Array.from(mean.keys()).sort((a, b) => mean[a] - mean[b]);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && mean[order[j + 1]] === mean[order[i]]) j++;
    const r = n > 1 ? (i + j) / 2 / (n - 1) : 0.5;
    for (let t = i; t <= j; t++) rank[order[t]] = r;
    i = j + 1;
  }
  return { mean, rank };
}

/**
 * Per sentence of the corpus: [mean, rank] within its item's attribute-bearing training
 * sentences, as a [numSentences, 2] row-major table. Other sentences (held-out reviews,
 * sentences without an attribute) are never candidates and get zeros.
 */
export function itemCentralityTable(data: GreenerData, vector: (s: number) => SparseVector): Float32Array {
  return runSync(itemCentralitySteps(data, vector));
}

/** itemCentralityTable as a trainer core: a "prepare" boundary (stage "centrality") after every 64 items. */
export function* itemCentralitySteps(data: GreenerData, vector: (s: number) => SparseVector): Steps<Float32Array> {
  const out = new Float32Array(data.sentences.length * 2);
  const byItem = new Map<number, number[]>();
  for (let r = 0; r < data.numReviews; r++) {
    if (data.split(r) !== "train") continue;
    const item = data.reviewItem[r];
    let list = byItem.get(item);
    if (!list) byItem.set(item, (list = []));
    for (const s of data.sentencesOf(r)) if (data.sentenceAttributes(s).length > 0) list.push(s);
  }
  let done = 0;
  for (const ids of byItem.values()) {
    const { mean, rank } = centralityOf(ids.map(vector));
    ids.forEach((s, i) => {
      out[2 * s] = mean[i];
      out[2 * s + 1] = rank[i];
    });
    if (++done % 64 === 0 || done === byItem.size) yield { phase: "prepare", stage: "centrality", epoch: 0, step: done, steps: byItem.size };
  }
  return out;
}
