// The SASRec sanity protocol (shared/reference/cta.md, "Evaluation": recforge's, to compare with
// pmixer/SASRec.pytorch's published numbers): leave-one-out — per user the LAST action is the test
// target, the second last validates, every earlier position t >= 1 trains — and each target is
// ranked against 100 items the user never rated (drawn uniformly, seeded, without repeats):
// rank = 1 + negatives scored strictly higher; HR@10 = [rank <= 10], NDCG@10 = 1/log2(1 + rank).
import { noGrad } from "../../autograd/engine.js";
import { tidy } from "../../tensor/scope.js";
import { mulberry32 } from "../../prng.js";
import type { CategoryHistory } from "./batch.js";
import type { SeqDataset } from "./data.js";
import { seqInputs, type SeqRecModel } from "./model.js";

export interface LeaveOneOut {
  train: Int32Array;
  valid: Int32Array;
  test: Int32Array;
}

/** Leave-one-out targets; users with fewer than 3 actions only train. */
export function leaveOneOutTargets(ds: SeqDataset): LeaveOneOut {
  const train: number[] = [], valid: number[] = [], test: number[] = [];
  for (let u = 0; u < ds.userNames.length; u++) {
    const a = ds.offsets[u], e = ds.offsets[u + 1];
    if (e - a < 3) {
      for (let p = a + 1; p < e; p++) train.push(p);
      continue;
    }
    for (let p = a + 1; p < e - 2; p++) train.push(p);
    valid.push(e - 2);
    test.push(e - 1);
  }
  return { train: Int32Array.from(train), valid: Int32Array.from(valid), test: Int32Array.from(test) };
}

/** Per target, `n` distinct item ids (1..numItems−1) the target's user never acted on. */
export function sampleUnratedNegatives(ds: SeqDataset, positions: Int32Array, n = 100, seed = 0): Int32Array {
  const rand = mulberry32(seed);
  const out = new Int32Array(positions.length * n);
  const rated = new Uint8Array(ds.numItems);
  positions.forEach((p, b) => {
    const u = ds.userOf[p];
    rated.fill(0);
    rated[0] = 1;
    if (ds.unkItem !== undefined) rated[ds.unkItem] = 1;
    for (let q = ds.offsets[u]; q < ds.offsets[u + 1]; q++) rated[ds.items[q]] = 1;
    let free = 0;
    for (let i = 0; i < ds.numItems; i++) free += rated[i] ? 0 : 1;
    if (free < n) throw new RangeError(`recforge: sampled evaluation: user ${ds.userNames[u]} has only ${free} unrated items, ${n} negatives needed`);
    const picked = new Set<number>();
    for (let k = 0; k < n; ) {
      const i = 1 + Math.floor(rand() * (ds.numItems - 1));
      if (rated[i] || picked.has(i)) continue;
      picked.add(i);
      out[b * n + k++] = i;
    }
  });
  return out;
}

/** Ranks (1 = best) of the true items among themselves and their sampled negatives. */
export function sampledRanks(model: SeqRecModel, ds: SeqDataset, hist: CategoryHistory, positions: Int32Array,
  opts: { negatives?: number; seed?: number; batchSize?: number } = {}): Int32Array {
  const n = opts.negatives ?? 100, bs = opts.batchSize ?? 200;
  const neg = sampleUnratedNegatives(ds, positions, n, opts.seed ?? 0);
  const ranks = new Int32Array(positions.length);
  const was = model.training;
  model.eval();
  try {
    for (let s = 0; s < positions.length; s += bs) {
      const pos = positions.subarray(s, Math.min(positions.length, s + bs));
      tidy(() => noGrad(() => {
        const inp = seqInputs(ds, hist, pos, model.window);
        const sc = model.scores(inp).toTypedArray(), N = ds.numItems;
        for (let b = 0; b < pos.length; b++) {
          const t = sc[b * N + inp.window.targetItems[b]];
          let r = 1;
          for (let k = 0; k < n; k++) if (sc[b * N + neg[(s + b) * n + k]] > t) r++;
          ranks[s + b] = r;
        }
      }));
    }
  } finally {
    model.train(was);
  }
  return ranks;
}

/** HR@K and NDCG@K of sampled ranks (K = 10 by default). */
export function hitRateNdcg(ranks: Int32Array, K = 10): { hr: number; ndcg: number; count: number } {
  let hr = 0, ndcg = 0;
  for (const r of ranks)
    if (r <= K) {
      hr++;
      ndcg += 1 / Math.log2(1 + r);
    }
  const c = ranks.length;
  return { hr: c ? hr / c : NaN, ndcg: c ? ndcg / c : NaN, count: c };
}
