// `recforge bench seqrec --suite sanity`: the SASRec sanity protocol (shared/reference/cta.md,
// "Evaluation"; lib/methods/seqrec/sampled_eval.ts): leave-one-out on the ml-1m partial ratings
// (per user: last action = test, second last = validation, every earlier position trains), the
// true item ranked against 100 items the user never rated, HR@10 / NDCG@10 — written beside the
// public numbers the spec quotes (pmixer/SASRec.pytorch README, full ML-1M, 1,000 epochs), so the
// harness's SASRec can be checked against a known implementation. SASRec, and TiSASRec / CTA on
// the same protocol when asked (--only). Budget: each epoch is a fresh random `trainFraction` of
// the training targets, at most `epochs` epochs, early stopping on full-ranking validation
// Recall@20 (patience 2); Adam at a fixed learning rate (the public run's 1e-3), no tuning.
// `train: "sequences"` (SASRec only) trains instead as the public code does
// (lib/methods/seqrec/sasrec_sequences.ts): whole user sequences truncated to the last 200
// actions, every position against its next item and one sampled negative (BCE), batches of 128
// users, Adam (0.9, 0.98); the epoch is chosen by the leave-one-out VALIDATION NDCG@10 against
// 100 sampled items (every `evalEvery` epochs, patience in validations), optionally capped by a
// wall-time budget per seed (`maxMinutes`: a loaded shared machine; the JSON says which rule
// stopped each run).
import fs from "node:fs";
import path from "node:path";
import { startProvenance } from "../provenance.js";
import { CategoryHistory } from "../methods/seqrec/batch.js";
import { loadMovielensSeq, movielensSeqDir } from "../methods/seqrec/data.js";
import { hitRateNdcg, leaveOneOutTargets, sampledRanks } from "../methods/seqrec/sampled_eval.js";
import { createSeqModel, type SeqModelName, type SeqModelOptions } from "../methods/seqrec/models.js";
import { trainSeqRec } from "../methods/seqrec/train.js";
import { trainSasRecSequences } from "../methods/seqrec/sasrec_sequences.js";
import type { SasRec } from "../methods/seqrec/sasrec.js";
import { benchProgress } from "./timing.js";

/** The numbers the spec quotes (two runs of pmixer/SASRec.pytorch on the FULL ML-1M). */
export const SASREC_PUBLIC = {
  source: "pmixer/SASRec.pytorch README (quoted in shared/reference/cta.md): full ML-1M (6,040 users), 2 blocks, 1 head, hidden 50, max length 200, dropout 0.2, 1,000 epochs",
  runs: [{ hr10: 0.819, ndcg10: 0.5897 }, { hr10: 0.8225, ndcg10: 0.5918 }],
};

export const SANITY_MODELS: { name: string; model: SeqModelName; opts: SeqModelOptions }[] = [
  { name: "sasrec", model: "sasrec", opts: { hidden: 50 } },
  { name: "tisasrec", model: "tisasrec", opts: { hidden: 50 } },
  { name: "cta", model: "cta", opts: { hidden: 50, kernels: "log", ffDim: 200 } },
];

export const SANITY_MODES = {
  quick: { seeds: 1, window: 10, epochs: 1, trainFraction: 0.005, lr: 1e-3, patience: 2 },
  default: { seeds: 3, window: 50, epochs: 4, trainFraction: 0.1, lr: 1e-3, patience: 2 },
};

/** The public code's training (train: "sequences"): window = maxlen, batch in users, validation cadence. */
export const SANITY_SEQUENCE_MODES = {
  quick: { seeds: 1, window: 10, epochs: 2, batchSize: 128, lr: 1e-3, betas: [0.9, 0.98] as [number, number], evalEvery: 1, patience: 2 },
  default: { seeds: 3, window: 200, epochs: 1000, batchSize: 128, lr: 1e-3, betas: [0.9, 0.98] as [number, number], evalEvery: 5, patience: 8 },
};

export const SANITY_TRAIN = ["windows", "sequences"] as const;
export type SanityTrain = (typeof SANITY_TRAIN)[number];

export interface SanityRow {
  model: string;
  seed: number;
  /** Actions read before the target (SASRec's max length; CTA: W − 1). */
  window: number;
  hr10: number;
  ndcg10: number;
  users: number;
  valid_recall20: number | null;
  epochs_trained: number;
  best_epoch: number;
  seconds_per_epoch: number;
  /** train: "sequences" only: validation HR@10 / NDCG@10 of the chosen epoch, what stopped the run, the validation curve. */
  valid_hr10?: number | null;
  valid_ndcg10?: number | null;
  stopped_by?: "patience" | "max-epochs" | "time";
  curve?: { epoch: number; loss: number; valid_hr10: number; valid_ndcg10: number }[];
}

export interface SanityOptions {
  quick?: boolean;
  seeds?: number;
  epochs?: number;
  trainFraction?: number;
  window?: number;
  only?: string[];
  /** "windows" (the harness's per-window training, default) or "sequences" (the public code's; SASRec only). */
  train?: SanityTrain;
  /** sequences: validate every this many epochs; stop after `patience` validations without a better NDCG@10. */
  evalEvery?: number;
  patience?: number;
  /** sequences: stop a seed's training after the first validation past this many minutes of wall time. */
  maxMinutes?: number;
  /** First seed (seeds seedFrom .. seeds − 1). */
  seedFrom?: number;
  /** Suffix of the result file name: seqrec-sanity-<date>[-quick][-<tag>].json. */
  tag?: string;
  out?: string | null;
  argv?: string[];
  dataDir?: string;
  log?: (s: string) => void;
}

export async function benchSeqRecSanity(opts: SanityOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
  const done = startProvenance(["recforge", ...(opts.argv ?? ["bench", "seqrec", "--suite", "sanity"])]);
  const modeName = opts.quick ? "quick" : "default";
  const train = opts.train ?? "windows";
  if (!(SANITY_TRAIN as readonly string[]).includes(train))
    throw new RangeError(`recforge: bench seqrec --suite sanity: --train must be one of ${SANITY_TRAIN.join(", ")}, got ${JSON.stringify(train)}`);
  const seqMode = train === "sequences";
  const mode = { ...SANITY_MODES[modeName] };
  const smode = { ...SANITY_SEQUENCE_MODES[modeName] };
  if (opts.epochs !== undefined) mode.epochs = smode.epochs = opts.epochs;
  if (opts.trainFraction !== undefined) {
    if (seqMode) throw new RangeError("recforge: bench seqrec --suite sanity: --train-fraction is for --train windows (a sequences epoch is every user once)");
    mode.trainFraction = opts.trainFraction;
  }
  if (opts.window !== undefined) mode.window = smode.window = opts.window;
  for (const [k, v] of [["--eval-every", opts.evalEvery], ["--patience", opts.patience], ["--max-minutes", opts.maxMinutes]] as const)
    if (v !== undefined && !seqMode) throw new RangeError(`recforge: bench seqrec --suite sanity: ${k} is for --train sequences`);
  if (opts.evalEvery !== undefined) smode.evalEvery = opts.evalEvery;
  if (opts.patience !== undefined) smode.patience = opts.patience;
  if (opts.maxMinutes !== undefined && !(opts.maxMinutes > 0)) throw new RangeError(`recforge: bench seqrec --suite sanity: --max-minutes must be > 0, got ${String(opts.maxMinutes)}`);
  if (opts.tag !== undefined && !/^[a-z0-9-]+$/.test(opts.tag)) throw new RangeError(`recforge: bench seqrec --suite sanity: --tag takes lower-case letters, digits and '-', got ${JSON.stringify(opts.tag)}`);
  const seeds = opts.seeds ?? (seqMode ? smode.seeds : mode.seeds);
  const seedFrom = opts.seedFrom ?? 0;
  if (!Number.isInteger(seedFrom) || seedFrom < 0 || seedFrom >= seeds) throw new RangeError(`recforge: bench seqrec --suite sanity: --seed-from must be an integer in [0, seeds = ${seeds}), got ${String(seedFrom)}`);
  if (opts.only) for (const n of opts.only) if (!SANITY_MODELS.some((m) => m.name === n))
    throw new RangeError(`recforge: bench seqrec --suite sanity: unknown model ${JSON.stringify(n)} (${SANITY_MODELS.map((m) => m.name).join(", ")})`);
  if (seqMode && opts.only?.some((n) => n !== "sasrec"))
    throw new RangeError(`recforge: bench seqrec --suite sanity: --train sequences trains SASRec only (TiSASRec and CTA have no all-positions path), got --only ${opts.only.join(",")}`);
  const models = SANITY_MODELS.filter((m) => (opts.only ? opts.only.includes(m.name) : m.name === "sasrec"));
  const ds = loadMovielensSeq({ dir: opts.dataDir ?? movielensSeqDir() });
  const loo = leaveOneOutTargets(ds);
  const hist = new CategoryHistory(ds);
  log(`data: ${ds.name}: leave-one-out targets train ${loo.train.length}, valid ${loo.valid.length}, test ${loo.test.length}`);
  const rows: SanityRow[] = [];
  const date = new Date().toISOString().slice(0, 10);
  const file = opts.out ? path.join(opts.out, `seqrec-sanity-${date}${opts.quick ? "-quick" : ""}${opts.tag ? `-${opts.tag}` : ""}.json`) : null;
  const summary = () => [...new Set(rows.map((r) => r.model))].map((model) => {
    const rs = rows.filter((r) => r.model === model);
    const ms = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { mean: m, sd: xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0 };
    };
    return {
      model, seeds: rs.map((r) => r.seed), hr10: ms(rs.map((r) => r.hr10)), ndcg10: ms(rs.map((r) => r.ndcg10)), seconds_per_epoch: ms(rs.map((r) => r.seconds_per_epoch)),
      best_epoch: rs.map((r) => r.best_epoch), epochs_trained: rs.map((r) => r.epochs_trained),
    };
  });
  const protocol = seqMode
    ? {
      train: "sequences", ...smode, seeds, seed_from: seedFrom, max_minutes: opts.maxMinutes ?? null,
      targets: "leave-one-out: per user the last action is the test target, the second last validates; the training prefix is every action before the validation item (users with < 3 actions: all, no validation / test)",
      training: `pmixer/SASRec.pytorch's: per user the training prefix cut to its last ${smode.window} + 1 actions, every position predicts the next action; BCE of the positive vs ONE negative per position (uniform over the items outside the user's training prefix); an epoch = every user with >= 2 training actions once, batches of ${smode.batchSize} users in a fresh shuffle; Adam lr ${smode.lr}, betas (${smode.betas.join(", ")}), no clipping`,
      negatives: "evaluation: 100 items the user never rated, uniform without repeats (test: seed = the run's seed; validation: seed + 7919); rank = 1 + negatives scored strictly higher",
      selection: `validation NDCG@10 (leave-one-out validation item vs 100 sampled items) every ${smode.evalEvery} epochs; stop after ${smode.patience} validations without a better one, at ${smode.epochs} epochs${opts.maxMinutes ? `, or at the first validation after ${opts.maxMinutes} minutes of a seed's wall time` : ""}; the best validated epoch's parameters are tested once`,
      sizes: `SASRec hidden 50, 2 blocks, 1 head, dropout 0.2, learned positions, window (max length) ${smode.window}, causal attention on the fused intervalAttention op (as the public run's sizes)`,
      differences: "data: the partial ratings (2,999 of 6,040 users); epochs chosen by validation (public: 1,000 fixed); recforge's SASRec block (pre-norm with Q, K, V from the normed input, D×D feed-forward, output bias, no attention-probability dropout; public: keys / values from the un-normed input, conv1d FF with dropout, no bias, xavier init); an epoch visits every user once (public: 128 users drawn with replacement per batch)",
    }
    : {
      train: "windows", ...mode, seeds, seed_from: seedFrom,
      targets: "leave-one-out: per user the last action is the test target, the second last validates, every earlier position t >= 1 trains (users with < 3 actions only train)",
      negatives: "100 items the user never rated, uniform without repeats (seed = the run's seed); rank = 1 + negatives scored strictly higher",
      epoch: `a fresh random ${mode.trainFraction} of the training targets per epoch, at most ${mode.epochs} epochs (the public numbers: 1,000 full epochs)`,
      selection: `early stopping on full-ranking validation Recall@20 (patience ${mode.patience}); Adam lr ${mode.lr} fixed (the public run's), no tuning`,
      sizes: "hidden 50 for every model; SASRec 2 blocks 1 head dropout 0.2 (as the public run) with learned positions; TiSASRec 2 blocks 1 head span 256; CTA kernel log, 2 layers 2 heads FF 200, TOP1",
      differences: `data: the partial ratings (2,999 of 6,040 users) here; window ${mode.window} actions (public: 200); the harness's full-softmax CE for SASRec (public: one sampled negative with BCE)`,
    };
  const result = (complete: boolean): Record<string, unknown> => ({
    results: rows,
    summary: summary(),
    public: SASREC_PUBLIC,
    mode: modeName,
    train,
    complete,
    protocol,
    data: { name: ds.name, users: ds.userNames.length, items: ds.numItems - 1, train: loo.train.length, valid: loo.valid.length, test: loo.test.length },
    results_file: file,
    provenance: done(),
  });
  const write = (complete: boolean) => {
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result(complete), null, 2) + "\n");
  };
  const window = seqMode ? smode.window : mode.window;
  for (let seed = seedFrom; seed < seeds; seed++)
    for (const m of models) {
      // CTA's window option is W (it reads W − 1 actions); the others' counts the actions read
      const model = createSeqModel(m.model, ds, { ...m.opts, seed, window: m.model === "cta" ? window + 1 : window });
      let row: SanityRow;
      if (seqMode) {
        const t0 = performance.now();
        let timeUp = false;
        const tr = await trainSasRecSequences({
          model: model as SasRec, ds, hist, loo, epochs: smode.epochs, batchSize: smode.batchSize, lr: smode.lr, betas: smode.betas,
          evalEvery: smode.evalEvery, patience: smode.patience, seed,
          onEval: (e) => {
            log(`[seed ${seed}] epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, valid HR@10 ${e.hr10.toFixed(4)} NDCG@10 ${e.ndcg10.toFixed(4)}, ${e.secondsPerEpoch.toFixed(1)} s/epoch`);
            if (opts.maxMinutes !== undefined && (performance.now() - t0) / 60000 > opts.maxMinutes) return (timeUp = true), "stop";
            return undefined;
          },
        });
        const s = hitRateNdcg(sampledRanks(model, ds, hist, loo.test, { negatives: 100, seed }));
        row = {
          model: m.name, seed, window, hr10: s.hr, ndcg10: s.ndcg, users: s.count, valid_recall20: null,
          epochs_trained: tr.epochs.length, best_epoch: tr.bestEpoch, seconds_per_epoch: +tr.secondsPerEpoch.toFixed(2),
          valid_hr10: tr.bestValid?.hr10 ?? null, valid_ndcg10: tr.bestValid?.ndcg10 ?? null,
          stopped_by: timeUp ? "time" : tr.stoppedEarly ? "patience" : "max-epochs",
          curve: tr.evals.map((e) => ({ epoch: e.epoch, loss: +e.loss.toFixed(5), valid_hr10: e.hr10, valid_ndcg10: e.ndcg10 })),
        };
      } else {
        const tr = await trainSeqRec({
          model, ds, hist, train: loo.train, valid: loo.valid, epochs: mode.epochs, trainFraction: mode.trainFraction, patience: mode.patience,
          seed, optimizer: "adam", lr: mode.lr, selectK: 20,
        });
        const s = hitRateNdcg(sampledRanks(model, ds, hist, loo.test, { negatives: 100, seed }));
        row = {
          model: m.name, seed, window, hr10: s.hr, ndcg10: s.ndcg, users: s.count, valid_recall20: tr.bestValid ? tr.bestValid.recall["20"] : null,
          epochs_trained: tr.epochs.length, best_epoch: tr.bestEpoch, seconds_per_epoch: +tr.secondsPerEpoch.toFixed(2),
        };
      }
      rows.push(row);
      benchProgress(rows.length, (seeds - seedFrom) * models.length, `seed ${seed} ${m.name}`);
      log(`[seed ${seed}] ${m.name}: ${row.epochs_trained} epochs (best ${row.best_epoch}), ${row.seconds_per_epoch} s/epoch; leave-one-out HR@10 ${row.hr10.toFixed(4)}, NDCG@10 ${row.ndcg10.toFixed(4)} (${row.users} users)`);
      model.dispose();
      write(false);
    }
  write(true);
  return result(true);
}
