// GREENer's training losses.
//  Sentence loss, graded pairwise (BPR): within each graph, for each relevance level l = 1..3,
//    the mean of −log σ(s⁺ − s⁻) over the pairs where s⁺ has level l and s⁻ a lower level;
//    averaged over the levels that have pairs, then over the graphs that have any.
//  Attribute loss: binary cross-entropy of the attribute head, positive when the attribute
//    appears in a level-3 candidate; mean over the batch's attribute nodes.
import type { Tensor } from "../../tensor/tensor.js";
import { bceWithLogits, mul, sub, sum, full, tensor, indexSelect } from "../../ops/index.js";

export interface BprPairs {
  pos: Int32Array;
  neg: Int32Array;
  /** weight of each pair so that Σ weight · loss is the graded mean described above */
  weight: Float32Array;
  /** graphs that contributed pairs */
  graphs: number;
}

/**
 * The pairs of the graded BPR loss. levels [ΣC] (0..3), offsets [B + 1] delimit each graph's
 * candidates. maxPairsPerLevel caps the pairs of one (graph, level) (sampled with `rand`,
 * weights keep the mean unbiased); default: no cap.
 */
export function gradedPairs(levels: Uint8Array, offsets: Int32Array, opts: { maxPairsPerLevel?: number; rand?: () => number } = {}): BprPairs {
  const pos: number[] = [], neg: number[] = [], weight: number[] = [];
  const cap = opts.maxPairsPerLevel ?? Infinity;
  const rand = opts.rand ?? Math.random;
  let graphs = 0;
  const B = offsets.length - 1;
  const graphPairs: { pos: number[]; neg: number[]; w: number[] }[] = [];
  for (let b = 0; b < B; b++) {
    const byLevel: number[][] = [[], [], [], []];
    for (let i = offsets[b]; i < offsets[b + 1]; i++) {
      const l = levels[i];
      if (l > 3) throw new RangeError(`GREENer: relevance level ${l} at candidate ${i} is outside 0..3`);
      byLevel[l].push(i);
    }
    const gp = { pos: [] as number[], neg: [] as number[], w: [] as number[] };
    let nLevels = 0;
    const levelPairs: [number[], number[]][] = [];
    for (let l = 1; l <= 3; l++) {
      const P = byLevel[l];
      const Q = byLevel.slice(0, l).flat();
      if (!P.length || !Q.length) continue;
      nLevels++;
      levelPairs.push([P, Q]);
    }
    for (const [P, Q] of levelPairs) {
      const total = P.length * Q.length;
      if (total <= cap) {
        for (const p of P) for (const q of Q) (gp.pos.push(p), gp.neg.push(q), gp.w.push(1 / (total * nLevels)));
      } else {
        for (let k = 0; k < cap; k++) {
          gp.pos.push(P[Math.floor(rand() * P.length)]);
          gp.neg.push(Q[Math.floor(rand() * Q.length)]);
          gp.w.push(1 / (cap * nLevels));
        }
      }
    }
    if (nLevels) {
      graphs++;
      graphPairs.push(gp);
    }
  }
  for (const gp of graphPairs) {
    for (let i = 0; i < gp.pos.length; i++) {
      pos.push(gp.pos[i]);
      neg.push(gp.neg[i]);
      weight.push(gp.w[i] / graphs);
    }
  }
  return { pos: Int32Array.from(pos), neg: Int32Array.from(neg), weight: Float32Array.from(weight), graphs };
}

/** Σ w · (−log σ(s[pos] − s[neg])); a zero (still in the graph) when there are no pairs. */
export function bprLoss(scores: Tensor, pairs: BprPairs): Tensor {
  if (pairs.pos.length === 0) return mul(sum(scores), 0);
  const device = scores.device;
  const pi = tensor(pairs.pos, { device }), ni = tensor(pairs.neg, { device });
  const sp = indexSelect(scores, 0, pi), sn = indexSelect(scores, 0, ni);
  const diff = sub(sp, sn);
  const ones = full([pairs.pos.length], 1, { dtype: scores.dtype, device });
  const l = bceWithLogits(diff, ones, { reduction: "none" }); // = −log σ(diff)
  const w = tensor(pairs.weight, { dtype: scores.dtype, device });
  const out = sum(mul(l, w));
  return out;
}

/** Mean BCE of the attribute logits; a zero when the batch has no attribute nodes. */
export function attributeLoss(logits: Tensor, labels: Float32Array): Tensor {
  if (labels.length === 0) return mul(sum(logits), 0);
  const y = tensor(labels, { dtype: logits.dtype, device: logits.device });
  return bceWithLogits(logits, y);
}
