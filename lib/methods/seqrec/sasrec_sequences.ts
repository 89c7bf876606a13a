// SASRec trained the way pmixer/SASRec.pytorch trains it (the sanity protocol's "sequences" mode,
// docs/cta.md): per user the TRAINING PREFIX (every action before the leave-one-out validation
// item; all actions of a user with < 3), truncated to its last W + 1 actions: the first W are the
// inputs and each predicts the action after it, so one forward per user sequence trains every
// position (SasRec.sequenceLoss). Per token ONE negative, drawn uniformly from the items outside
// the user's training prefix (the public sampler's set). An epoch is every user with >= 2
// training actions once, in batches of 128 users from a fresh shuffle (the public sampler draws
// 128 users with replacement, floor(U / 128) batches: about the same count). Adam lr 1e-3,
// betas (0.9, 0.98), no gradient clipping (as the public code).
// Every `evalEvery` epochs the model is scored on the leave-one-out VALIDATION items against 100
// unrated items (sampled_eval.ts, HR@10 / NDCG@10); the epoch is chosen by validation NDCG@10,
// training stops after `patience` evaluations without a better one, and the best parameters
// are restored. Test items are never read here.
import { tidy } from "../../tensor/scope.js";
import type { Tensor } from "../../tensor/tensor.js";
import { backward } from "../../autograd/engine.js";
import { Adam } from "../../optim/adam.js";
import { mulberry32 } from "../../prng.js";
import { batchesOf, CategoryHistory } from "./batch.js";
import type { SeqDataset } from "./data.js";
import { hitRateNdcg, leaveOneOutTargets, sampledRanks, type LeaveOneOut } from "./sampled_eval.js";
import type { SasRec, SequenceBatch } from "./sasrec.js";
import { cloneState } from "./train.js";

/** Per user, the [start, end) flat positions of its training prefix (leave-one-out). */
export function userTrainingRanges(ds: SeqDataset): { start: Int32Array; end: Int32Array } {
  const U = ds.userNames.length;
  const start = new Int32Array(U), end = new Int32Array(U);
  for (let u = 0; u < U; u++) {
    const a = ds.offsets[u], e = ds.offsets[u + 1];
    start[u] = a;
    end[u] = e - a < 3 ? e : e - 2; // as leaveOneOutTargets: the last two are validation and test
  }
  return { start, end };
}

/**
 * The batch of `users` (indices) for SasRec.sequenceLoss: each user's training prefix cut to its
 * last W + 1 actions, inputs = all but the last, positives = all but the first, one negative per
 * token from `rand` (items outside the prefix; never padding or `<unk>`).
 */
export function sampleSequenceBatch(ds: SeqDataset, ranges: { start: Int32Array; end: Int32Array }, users: ArrayLike<number>, W: number, rand: () => number): SequenceBatch {
  const op = "recforge: sampleSequenceBatch";
  if (!Number.isInteger(W) || W < 1) throw new RangeError(`${op}: W must be an integer >= 1, got ${String(W)}`);
  const B = users.length;
  if (B < 1) throw new RangeError(`${op}: no users`);
  const out: SequenceBatch = { B, W, items: new Int32Array(B * W), lengths: new Int32Array(B), positives: new Int32Array(B * W), negatives: new Int32Array(B * W) };
  const inPrefix = new Uint8Array(ds.numItems);
  for (let b = 0; b < B; b++) {
    const u = users[b];
    if (!Number.isInteger(u) || u < 0 || u >= ranges.start.length) throw new RangeError(`${op}: user ${String(u)} (row ${b}) is out of range [0, ${ranges.start.length})`);
    const s = ranges.start[u], e = ranges.end[u];
    if (e - s < 2) throw new RangeError(`${op}: user ${ds.userNames[u]} (row ${b}) has ${e - s} training actions; a training sequence needs >= 2`);
    const from = Math.max(s, e - 1 - W), n = e - 1 - from;
    for (let q = s; q < e; q++) inPrefix[ds.items[q]] = 1;
    let free = ds.numItems - 1;
    for (let i = 1; i < ds.numItems; i++) free -= inPrefix[i];
    if (ds.unkItem !== undefined && !inPrefix[ds.unkItem]) free--;
    if (free < 1) throw new RangeError(`${op}: user ${ds.userNames[u]} (row ${b}) has acted on every item: no negative to draw`);
    for (let k = 0; k < n; k++) {
      out.items[b * W + k] = ds.items[from + k];
      out.positives[b * W + k] = ds.items[from + k + 1];
      let i: number;
      do i = 1 + Math.floor(rand() * (ds.numItems - 1));
      while (inPrefix[i] || i === ds.unkItem);
      out.negatives[b * W + k] = i;
    }
    out.lengths[b] = n;
    for (let q = s; q < e; q++) inPrefix[ds.items[q]] = 0;
  }
  return out;
}

export interface SasRecSequenceOptions {
  model: SasRec;
  ds: SeqDataset;
  hist?: CategoryHistory;
  /** Leave-one-out targets (default leaveOneOutTargets(ds)); only `valid` is read. */
  loo?: LeaveOneOut;
  /** Maximum epochs. */
  epochs: number;
  /** Users per batch (default 128, the public code's). */
  batchSize?: number;
  lr?: number;
  betas?: [number, number];
  /** Validate every this many epochs (default 1); the last epoch is always validated. */
  evalEvery?: number;
  /** Stop after this many validations without a better NDCG@10 (default 3). */
  patience?: number;
  seed?: number;
  /** Sampled negatives per validation item (default 100). */
  negatives?: number;
  /** Called after every validation (progress lines); returning "stop" ends training there (a time budget). */
  onEval?: (e: SequenceEvalLog & { secondsPerEpoch: number }) => "stop" | void;
}

export interface SequenceEvalLog {
  epoch: number;
  hr10: number;
  ndcg10: number;
  /** Mean training loss of the epochs since the previous validation. */
  loss: number;
}

export interface SasRecSequenceResult {
  /** Per epoch: mean batch loss and training seconds (no validation). */
  epochs: { epoch: number; loss: number; seconds: number }[];
  evals: SequenceEvalLog[];
  bestEpoch: number;
  bestValid: { hr10: number; ndcg10: number } | null;
  secondsPerEpoch: number;
  stoppedEarly: boolean;
  steps: number;
  /** Users whose sequences train (>= 2 training actions) and batches per epoch. */
  sequences: number;
  batchesPerEpoch: number;
}

/** Trains `model` on whole user sequences with validation-chosen epochs (see the file header). */
export async function trainSasRecSequences(o: SasRecSequenceOptions): Promise<SasRecSequenceResult> {
  const op = "recforge: trainSasRecSequences";
  const { model, ds } = o;
  const bs = o.batchSize ?? 128, evalEvery = o.evalEvery ?? 1, patience = o.patience ?? 3, seed = o.seed ?? 0;
  for (const [v, what, min] of [[o.epochs, "epochs", 1], [bs, "batchSize", 1], [evalEvery, "evalEvery", 1], [patience, "patience", 1], [seed, "seed", 0]] as const)
    if (!Number.isInteger(v) || v < min) throw new RangeError(`${op}: ${what} must be an integer >= ${min}, got ${String(v)}`);
  const lr = o.lr ?? 1e-3;
  if (!(lr > 0)) throw new RangeError(`${op}: lr must be > 0, got ${String(lr)}`);
  const hist = o.hist ?? new CategoryHistory(ds);
  const valid = (o.loo ?? leaveOneOutTargets(ds)).valid;
  if (!valid.length) throw new RangeError(`${op}: no validation items (every user has < 3 actions): the epochs cannot be chosen`);
  const ranges = userTrainingRanges(ds);
  const users = Int32Array.from({ length: ds.userNames.length }, (_, u) => u).filter((u) => ranges.end[u] - ranges.start[u] >= 2);
  if (!users.length) throw new RangeError(`${op}: no user has >= 2 training actions`);
  const rand = mulberry32((seed * 1000003 + 17) >>> 0);
  const params = model.parameters();
  const opt = new Adam(params, { lr, betas: o.betas ?? [0.9, 0.98] });
  const epochs: SasRecSequenceResult["epochs"] = [];
  const evals: SequenceEvalLog[] = [];
  let best: Record<string, Tensor> | null = null, bestEpoch = 0, bestScore = -Infinity, bad = 0, steps = 0, stopped = false;
  const batchesPerEpoch = Math.ceil(users.length / bs);
  model.train();
  try {
    for (let e = 1; e <= o.epochs && !stopped; e++) {
      let lossSum = 0, seconds = 0;
      for (const batch of batchesOf(users, bs, seed * 100003 + e)) {
        const t0 = performance.now();
        opt.zeroGrad();
        lossSum += tidy(() => {
          const l = model.sequenceLoss(sampleSequenceBatch(ds, ranges, batch, model.window, rand));
          backward(l);
          return l.item();
        });
        opt.step();
        seconds += (performance.now() - t0) / 1000;
        steps++;
        if (steps % 4 === 0) await new Promise((r) => setImmediate(r));
      }
      epochs.push({ epoch: e, loss: lossSum / batchesPerEpoch, seconds });
      if (e % evalEvery !== 0 && e !== o.epochs) continue;
      const s = hitRateNdcg(sampledRanks(model, ds, hist, valid, { negatives: o.negatives ?? 100, seed: seed + 7919 }));
      const since = epochs.filter((x) => x.epoch > (evals.length ? evals[evals.length - 1].epoch : 0));
      const log = { epoch: e, hr10: s.hr, ndcg10: s.ndcg, loss: since.reduce((a, x) => a + x.loss, 0) / since.length };
      evals.push(log);
      if (s.ndcg > bestScore) {
        bestScore = s.ndcg;
        bestEpoch = e;
        bad = 0;
        if (best) for (const t of Object.values(best)) t.dispose();
        best = cloneState(model);
      } else if (++bad >= patience) stopped = true;
      if (o.onEval?.({ ...log, secondsPerEpoch: epochs.reduce((a, x) => a + x.seconds, 0) / epochs.length }) === "stop") break;
    }
    if (best) model.loadStateDict(best);
  } finally {
    opt.dispose();
    if (best) for (const t of Object.values(best)) t.dispose();
  }
  const b = evals.find((x) => x.epoch === bestEpoch);
  return {
    epochs, evals, bestEpoch, bestValid: b ? { hr10: b.hr10, ndcg10: b.ndcg10 } : null,
    secondsPerEpoch: epochs.reduce((a, x) => a + x.seconds, 0) / epochs.length,
    stoppedEarly: stopped, steps, sequences: users.length, batchesPerEpoch,
  };
}
