// `recforge bench seqrec --suite sanity`: the SASRec sanity protocol (shared/reference/cta.md,
// "Evaluation"; lib/methods/seqrec/sampled_eval.ts): leave-one-out on the ml-1m partial ratings
// (per user: last action = test, second last = validation, every earlier position trains), the
// true item ranked against 100 items the user never rated, HR@10 / NDCG@10 — written beside the
// public numbers the spec quotes (pmixer/SASRec.pytorch README, full ML-1M, 1,000 epochs), so the
// harness's SASRec can be checked against a known implementation. SASRec, and TiSASRec / CTA on
// the same protocol when asked (--only). Budget: each epoch is a fresh random `trainFraction` of
// the training targets, at most `epochs` epochs, early stopping on full-ranking validation
// Recall@20 (patience 2); Adam at a fixed learning rate (the public run's 1e-3), no tuning.
import fs from "node:fs";
import path from "node:path";
import { startProvenance } from "../provenance.js";
import { CategoryHistory } from "../methods/seqrec/batch.js";
import { loadMovielensSeq, movielensSeqDir } from "../methods/seqrec/data.js";
import { hitRateNdcg, leaveOneOutTargets, sampledRanks } from "../methods/seqrec/sampled_eval.js";
import { createSeqModel, type SeqModelName, type SeqModelOptions } from "../methods/seqrec/models.js";
import { trainSeqRec } from "../methods/seqrec/train.js";
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
}

export interface SanityOptions {
  quick?: boolean;
  seeds?: number;
  epochs?: number;
  trainFraction?: number;
  window?: number;
  only?: string[];
  out?: string | null;
  argv?: string[];
  dataDir?: string;
  log?: (s: string) => void;
}

export async function benchSeqRecSanity(opts: SanityOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
  const done = startProvenance(["recforge", ...(opts.argv ?? ["bench", "seqrec", "--suite", "sanity"])]);
  const modeName = opts.quick ? "quick" : "default";
  const mode = { ...SANITY_MODES[modeName] };
  if (opts.epochs !== undefined) mode.epochs = opts.epochs;
  if (opts.trainFraction !== undefined) mode.trainFraction = opts.trainFraction;
  if (opts.window !== undefined) mode.window = opts.window;
  const seeds = opts.seeds ?? mode.seeds;
  const models = SANITY_MODELS.filter((m) => (opts.only ? opts.only.includes(m.name) : m.name === "sasrec"));
  if (opts.only) for (const n of opts.only) if (!SANITY_MODELS.some((m) => m.name === n))
    throw new RangeError(`recforge: bench seqrec --suite sanity: unknown model ${JSON.stringify(n)} (${SANITY_MODELS.map((m) => m.name).join(", ")})`);
  const ds = loadMovielensSeq({ dir: opts.dataDir ?? movielensSeqDir() });
  const loo = leaveOneOutTargets(ds);
  const hist = new CategoryHistory(ds);
  log(`data: ${ds.name}: leave-one-out targets train ${loo.train.length}, valid ${loo.valid.length}, test ${loo.test.length}`);
  const rows: SanityRow[] = [];
  const date = new Date().toISOString().slice(0, 10);
  const file = opts.out ? path.join(opts.out, `seqrec-sanity-${date}${opts.quick ? "-quick" : ""}.json`) : null;
  const summary = () => [...new Set(rows.map((r) => r.model))].map((model) => {
    const rs = rows.filter((r) => r.model === model);
    const ms = (xs: number[]) => {
      const m = xs.reduce((a, b) => a + b, 0) / xs.length;
      return { mean: m, sd: xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0 };
    };
    return { model, seeds: rs.map((r) => r.seed), hr10: ms(rs.map((r) => r.hr10)), ndcg10: ms(rs.map((r) => r.ndcg10)), seconds_per_epoch: ms(rs.map((r) => r.seconds_per_epoch)) };
  });
  const result = (complete: boolean): Record<string, unknown> => ({
    results: rows,
    summary: summary(),
    public: SASREC_PUBLIC,
    mode: modeName,
    complete,
    protocol: {
      ...mode, seeds,
      targets: "leave-one-out: per user the last action is the test target, the second last validates, every earlier position t >= 1 trains (users with < 3 actions only train)",
      negatives: "100 items the user never rated, uniform without repeats (seed = the run's seed); rank = 1 + negatives scored strictly higher",
      epoch: `a fresh random ${mode.trainFraction} of the training targets per epoch, at most ${mode.epochs} epochs (the public numbers: 1,000 full epochs)`,
      selection: `early stopping on full-ranking validation Recall@20 (patience ${mode.patience}); Adam lr ${mode.lr} fixed (the public run's), no tuning`,
      sizes: "hidden 50 for every model; SASRec 2 blocks 1 head dropout 0.2 (as the public run) with learned positions; TiSASRec 2 blocks 1 head span 256; CTA kernel log, 2 layers 2 heads FF 200, TOP1",
      differences: `data: the partial ratings (2,999 of 6,040 users) here; window ${mode.window} actions (public: 200); the harness's full-softmax CE for SASRec (public: one sampled negative with BCE)`,
    },
    data: { name: ds.name, users: ds.userNames.length, items: ds.numItems - 1, train: loo.train.length, valid: loo.valid.length, test: loo.test.length },
    results_file: file,
    provenance: done(),
  });
  const write = (complete: boolean) => {
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result(complete), null, 2) + "\n");
  };
  for (let seed = 0; seed < seeds; seed++)
    for (const m of models) {
      // CTA's window option is W (it reads W − 1 actions); the others' counts the actions read
      const model = createSeqModel(m.model, ds, { ...m.opts, seed, window: m.model === "cta" ? mode.window + 1 : mode.window });
      const tr = await trainSeqRec({
        model, ds, hist, train: loo.train, valid: loo.valid, epochs: mode.epochs, trainFraction: mode.trainFraction, patience: mode.patience,
        seed, optimizer: "adam", lr: mode.lr, selectK: 20,
      });
      const s = hitRateNdcg(sampledRanks(model, ds, hist, loo.test, { negatives: 100, seed }));
      rows.push({
        model: m.name, seed, window: mode.window, hr10: s.hr, ndcg10: s.ndcg, users: s.count, valid_recall20: tr.bestValid ? tr.bestValid.recall["20"] : null,
        epochs_trained: tr.epochs.length, best_epoch: tr.bestEpoch, seconds_per_epoch: +tr.secondsPerEpoch.toFixed(2),
      });
      benchProgress(rows.length, seeds * models.length, `seed ${seed} ${m.name}`);
      log(`[seed ${seed}] ${m.name}: ${tr.epochs.length} epochs (best ${tr.bestEpoch}), ${tr.secondsPerEpoch.toFixed(1)} s/epoch; leave-one-out HR@10 ${s.hr.toFixed(4)}, NDCG@10 ${s.ndcg.toFixed(4)} (${s.count} users)`);
      model.dispose();
      write(false);
    }
  write(true);
  return result(true);
}
