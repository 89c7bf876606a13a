// `recforge bench seqrec --suite cta`: the CTA spec's "Done" table (shared/reference/cta.md) on
// MovieLens-1M test users: Pop, GRU4Rec, SASRec, TiSASRec, CTA (log), CTA (lin-5) and the CTA
// ablations α only (const kernel) and lin-5 without context, at windows W = 4, 8, 50, per seed;
// the learned kernel parameters (a_k, b_k) and the mean context weights over the test positions;
// training seconds per epoch. Every model runs through the seqrec harness (lib/methods/seqrec):
// the authors' data protocol (users split 80/10/10 with seed 0, the training users' vocabulary,
// others <unk> = a miss), targets t >= 5, full ranking over all items.
//
// Window: W as the spec defines it (a target sees its W − 1 preceding actions) for EVERY model:
// the baselines read W − 1 actions too (their `window` option counts actions read).
//
// Protocol (numbers in the JSON's "protocol"): each epoch trains on a fresh random `trainFraction`
// of the training targets; at most `epochs` epochs; early stopping on validation Recall@5 (the
// spec's selection) over a fixed random `validTargets` validation targets (patience 2); the best
// epoch's parameters are evaluated once on the test targets. Learning rate: each base model (not
// the ablations, which take their base's) tries the same grid of two values on validation only
// (seed 0, W = `selectWindow`, `selectEpochs` epochs): every model gets the same tuning budget.
// The result file is rewritten after every run ("complete": false until the last).
import fs from "node:fs";
import path from "node:path";
import { startProvenance } from "../provenance.js";
import { meanSd, shuffledPrefix } from "./seqrec.js";
import { CategoryHistory } from "../methods/seqrec/batch.js";
import { loadMovielensSeq, movielensSeqDir, seqStats, type SeqDataset } from "../methods/seqrec/data.js";
import { restrictToTrainingVocabulary } from "../methods/seqrec/vocab.js";
import { evaluateRanking } from "../methods/seqrec/evaluate.js";
import { createSeqModel, defaultOptimizer, type SeqModelName, type SeqModelOptions } from "../methods/seqrec/models.js";
import { trainSeqRec, type SeqProgress } from "../methods/seqrec/train.js";
import type { Cta } from "../methods/seqrec/cta.js";
import { benchProgress } from "./timing.js";

export interface CtaBenchRow {
  /** cta | tisasrec | sasrec | gru4rec | pop (the issue's JSON contract). */
  model: string;
  /** The row's name in the tables: the model, or the CTA variant ("cta-lin-5", "cta α only", ...). */
  variant: string;
  /** The spec's W: the target sees W − 1 earlier actions. */
  window: number;
  seed: number;
  recall: Record<string, number>;
  mrr: Record<string, number>;
  ndcg10: number;
  test_targets: number;
  epochs_trained: number;
  best_epoch: number;
  valid_recall5: number | null;
  lr: number;
  optimizer: string;
  seconds_per_epoch: number;
  train_seconds: number;
  parameters: number;
  /** CTA: kernel string, context on/off, learned a_k / b_k, mean context weight per kernel over the test positions. */
  kernels?: string;
  context?: boolean;
  time_unit?: string;
  kernel_a?: number[];
  kernel_b?: number[];
  mean_context?: number[] | null;
}

interface CtaRunSpec {
  variant: string;
  model: SeqModelName;
  opts: SeqModelOptions;
  /** The learning rate comes from this variant's selection (ablations). */
  lrFrom?: string;
  /** Run only when --only names it (the spec's further ablations; not in the default table). */
  extra?: boolean;
  /** Not run at windows above this (TiSASRec's [B, T, T, d] relation gathers: see `skipped` in the JSON). */
  maxWindow?: number;
}

/** Model widths for every trained model: hidden 50 (SASRec's paper; the harness's default), CTA's FF 200. */
export const CTA_BENCH_SIZES = { hidden: 50, ctaFfDim: 200, ctaLayers: 2, ctaHeads: 2 };

export const CTA_RUNS: CtaRunSpec[] = [
  { variant: "pop", model: "pop", opts: {} },
  { variant: "gru4rec", model: "gru4rec", opts: {} },
  { variant: "sasrec", model: "sasrec", opts: {} },
  { variant: "tisasrec", model: "tisasrec", opts: {}, maxWindow: 8 },
  { variant: "cta-log", model: "cta", opts: { kernels: "log" } },
  { variant: "cta-lin-5", model: "cta", opts: { kernels: "lin-5" } },
  { variant: "cta-const", model: "cta", opts: { kernels: "const" }, lrFrom: "cta-log" },
  { variant: "cta-lin-5-no-context", model: "cta", opts: { kernels: "lin-5", context: false }, lrFrom: "cta-lin-5" },
  // the spec's further ablations (kernels exp, log-2-lin-2; Δt in hours): on request only
  { variant: "cta-log-hours", model: "cta", opts: { kernels: "log", timeUnit: "hours" }, lrFrom: "cta-log", extra: true },
  { variant: "cta-lin-5-hours", model: "cta", opts: { kernels: "lin-5", timeUnit: "hours" }, lrFrom: "cta-lin-5", extra: true },
  { variant: "cta-exp", model: "cta", opts: { kernels: "exp" }, lrFrom: "cta-log", extra: true },
  { variant: "cta-log-2-lin-2", model: "cta", opts: { kernels: "log-2-lin-2" }, lrFrom: "cta-lin-5", extra: true },
];

export const CTA_BENCH_MODES = {
  quick: { seeds: 1, windows: [4, 8], epochs: 1, trainFraction: 0.003, validTargets: 300, testTargets: 500 as number | null, patience: 2, selectEpochs: 1, selectWindow: 4 },
  default: { seeds: 3, windows: [4, 8, 50], epochs: 3, trainFraction: 0.02, validTargets: 2000, testTargets: 10000 as number | null, patience: 2, selectEpochs: 1, selectWindow: 8 },
};

/** Learning rates tried per optimiser (validation Recall@5, seed 0). */
export const CTA_LR_GRID = { adagrad: [0.05, 0.1], adam: [0.001, 0.005] };

export interface CtaBenchOptions {
  quick?: boolean;
  seeds?: number;
  /** Ignore the per-model window caps (TiSASRec at W > 8). */
  noWindowCap?: boolean;
  /** First seed to run (default 0): seeds seedFrom .. seeds − 1, so one table can be split over processes. */
  seedFrom?: number;
  windows?: number[];
  epochs?: number;
  trainFraction?: number;
  /** Only these variants (e.g. ["sasrec", "cta-log"]). */
  only?: string[];
  /** Learning rates fixed by hand instead of selected: variant → lr (skips the selection for those). */
  lr?: Record<string, number>;
  out?: string | null;
  /** File name stem (default cta); the file is `<stem>-<date>.json`. */
  name?: string;
  argv?: string[];
  dataDir?: string;
  log?: (s: string) => void;
}

/** Mean ± sd over seeds per (variant, window). */
export function summarizeCtaRows(rows: CtaBenchRow[]): Record<string, unknown>[] {
  const keys = [...new Set(rows.map((r) => `${r.window}\u0000${r.variant}`))];
  return keys.map((key) => {
    const rs = rows.filter((r) => `${r.window}\u0000${r.variant}` === key);
    const f = (g: (r: CtaBenchRow) => number) => meanSd(rs.map(g));
    return {
      model: rs[0].model, variant: rs[0].variant, window: rs[0].window, seeds: rs.map((r) => r.seed),
      recall: Object.fromEntries(Object.keys(rs[0].recall).map((k) => [k, f((r) => r.recall[k])])),
      mrr: Object.fromEntries(Object.keys(rs[0].mrr).map((k) => [k, f((r) => r.mrr[k])])),
      ndcg10: f((r) => r.ndcg10),
      seconds_per_epoch: f((r) => r.seconds_per_epoch),
      ...(rs[0].kernel_a ? {
        kernel_a: rs[0].kernel_a.map((_, k) => f((r) => r.kernel_a![k])),
        kernel_b: rs[0].kernel_b!.map((_, k) => f((r) => r.kernel_b![k])),
        mean_context: rs[0].mean_context ? rs[0].mean_context.map((_, k) => f((r) => r.mean_context![k])) : null,
      } : {}),
    };
  });
}

/** The model options of a run at window W (baselines read W − 1 actions; CTA takes W itself). */
function runOptions(run: CtaRunSpec, W: number, seed: number): SeqModelOptions {
  const s = CTA_BENCH_SIZES;
  const base: SeqModelOptions = { ...run.opts, seed, hidden: s.hidden };
  return run.model === "cta" ? { ...base, window: W, ffDim: s.ctaFfDim, layers: s.ctaLayers, heads: s.ctaHeads } : { ...base, window: W - 1 };
}

export function loadCtaData(dir?: string): SeqDataset {
  return restrictToTrainingVocabulary(loadMovielensSeq({ dir: dir ?? movielensSeqDir(), split: { kind: "user", seed: 0 } }));
}

export async function benchCta(opts: CtaBenchOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
  const done = startProvenance(["recforge", ...(opts.argv ?? ["bench", "seqrec", "--suite", "cta"])]);
  const t0 = performance.now();
  const modeName = opts.quick ? "quick" : "default";
  const mode = { ...CTA_BENCH_MODES[modeName] };
  if (opts.epochs !== undefined) mode.epochs = opts.epochs;
  if (opts.trainFraction !== undefined) mode.trainFraction = opts.trainFraction;
  if (opts.windows) mode.windows = opts.windows;
  for (const W of mode.windows) if (!Number.isInteger(W) || W < 2) throw new RangeError(`recforge: bench seqrec --suite cta: window W must be an integer >= 2, got ${String(W)}`);
  if (opts.only) for (const v of opts.only) if (!CTA_RUNS.some((r) => r.variant === v))
    throw new RangeError(`recforge: bench seqrec --suite cta: unknown variant ${JSON.stringify(v)} (${CTA_RUNS.map((r) => r.variant).join(", ")})`);
  if (opts.name !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(opts.name))
    throw new RangeError(`recforge: bench seqrec --suite cta: --name must be a file-name stem of a-z, 0-9 and -, got ${JSON.stringify(opts.name)}`);
  const seeds = opts.seeds ?? mode.seeds;
  const seedFrom = opts.seedFrom ?? 0;
  if (!Number.isInteger(seedFrom) || seedFrom < 0 || seedFrom >= seeds) throw new RangeError(`recforge: bench seqrec --suite cta: --seed-from must be an integer in [0, seeds = ${seeds}), got ${String(seedFrom)}`);
  const ds = loadCtaData(opts.dataDir);
  const stats = seqStats(ds);
  const hist = new CategoryHistory(ds);
  const valid = shuffledPrefix(ds.split.valid, mode.validTargets, 1), test = shuffledPrefix(ds.split.test, mode.testTargets, 2);
  log(`data: ${ds.name}: targets train ${ds.split.train.length}, valid ${ds.split.valid.length} (early stopping on ${valid.length}), test ${ds.split.test.length} (evaluated: ${test.length})`);
  const want = (v: string) => (opts.only ? opts.only.includes(v) : !CTA_RUNS.find((r) => r.variant === v)?.extra);
  const rows: CtaBenchRow[] = [];
  const lrSelection: { variant: string; window: number; optimizer: string; lr: number; epochs: number; valid_recall5: number }[] = [];
  const chosenLr = new Map<string, number>(Object.entries(opts.lr ?? {}));
  const date = new Date().toISOString().slice(0, 10);
  const file = opts.out ? path.join(opts.out, `${opts.name ?? "cta"}-${date}${opts.quick ? "-quick" : ""}.json`) : null;
  const result = (complete: boolean): Record<string, unknown> => ({
    results: rows,
    summary: summarizeCtaRows(rows),
    lr_selection: lrSelection,
    lr_chosen: Object.fromEntries(chosenLr),
    lr_fixed_by_flag: opts.lr ?? null,
    skipped: CTA_RUNS.filter((r) => !opts.noWindowCap && r.maxWindow !== undefined && want(r.variant) && mode.windows.some((W) => W > r.maxWindow!)).map((r) => ({
      variant: r.variant, windows: mode.windows.filter((W) => W > r.maxWindow!),
      why: "too slow for this session's budget on the shared 2-core machine (TiSASRec at W = 50: about 260 s per 2-3% epoch under load 15, 5x CTA)",
    })),
    mode: modeName,
    complete,
    protocol: {
      ...mode, seeds, seed_from: seedFrom,
      split: `users 80/10/10 (seed 0), the training users' vocabulary (other items <unk>, a miss as a target); targets t >= 5 of the test users (${mode.testTargets === null ? "all of them" : `a fixed random ${mode.testTargets} of them`}), full ranking over all items`,
      window: "W as in the spec: a target sees its W − 1 preceding actions; the baselines read the same W − 1 actions",
      epoch: `a fresh random ${mode.trainFraction} of the training targets per epoch, at most ${mode.epochs} epochs`,
      selection: `epochs by early stopping on validation Recall@5 over ${valid.length} fixed random validation targets (patience ${mode.patience}); the best epoch evaluated once on test. Learning rate per base model from ${JSON.stringify(CTA_LR_GRID)} by validation Recall@5 after ${mode.selectEpochs} epoch(s) at W = ${mode.selectWindow}, seed 0 (ablations take their base's)`,
      time_unit: "seconds unless the variant says hours",
      sizes: `hidden ${CTA_BENCH_SIZES.hidden} for every model (not the scripts' 500: the budget); CTA ${CTA_BENCH_SIZES.ctaLayers} encoder layers, ${CTA_BENCH_SIZES.ctaHeads} heads, FF ${CTA_BENCH_SIZES.ctaFfDim}, context GRU 10 per direction, dropout 0.2, TOP1 loss with in-batch negatives, Δt in seconds; SASRec 2 blocks 1 head, TiSASRec 2 blocks 1 head span 256 (both full-softmax CE); GRU4Rec H = 50 Adagrad; batch 100, clip 5`,
    },
    data: { ...stats, valid_evaluated: valid.length, test_evaluated: test.length },
    total_seconds: +((performance.now() - t0) / 1000).toFixed(1),
    results_file: file,
    provenance: done(),
  });
  const write = (complete: boolean) => {
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result(complete), null, 2) + "\n");
  };
  const train = async (run: CtaRunSpec, W: number, seed: number, epochs: number, lr: number) => {
    const model = createSeqModel(run.model, ds, runOptions(run, W, seed));
    const def = defaultOptimizer(run.model);
    let lastLog = 0;
    const tr = await trainSeqRec({
      model, ds, hist, valid, epochs, trainFraction: mode.trainFraction, patience: mode.patience, seed, optimizer: def.optimizer, lr, selectK: 5,
      onProgress: (e: SeqProgress) => {
        if (e.phase === "train" && (e.step === e.steps || performance.now() - lastLog > 60000)) {
          lastLog = performance.now();
          log(`  [W ${W} seed ${seed}] ${run.variant} epoch ${e.epoch} step ${e.step}/${e.steps} loss ${e.lossEma.toFixed(4)}`);
        }
      },
    });
    return { model, tr, optimizer: def.optimizer };
  };

  // Progress in training runs: the learning-rate selection's, then seeds × windows × variants.
  const totalRuns =
    CTA_RUNS.filter((run) => !(run.model === "pop" || run.lrFrom || !want(run.variant) || chosenLr.has(run.variant))).reduce((a, run) => a + CTA_LR_GRID[defaultOptimizer(run.model).optimizer].length, 0) +
    (seeds - seedFrom) * mode.windows.reduce((a, W) => a + CTA_RUNS.filter((run) => want(run.variant) && !(!opts.noWindowCap && run.maxWindow !== undefined && W > run.maxWindow)).length, 0);
  let runsDone = 0;
  benchProgress(0, totalRuns, "training runs");
  // Learning-rate selection on validation only: the same grid and budget for every base model.
  for (const run of CTA_RUNS) {
    if (run.model === "pop" || run.lrFrom || !want(run.variant) || chosenLr.has(run.variant)) continue;
    const opt = defaultOptimizer(run.model).optimizer;
    let bestLr = NaN, bestScore = -1;
    for (const lr of CTA_LR_GRID[opt]) {
      const { model, tr } = await train(run, mode.selectWindow, 0, mode.selectEpochs, lr);
      const score = tr.bestValid ? tr.bestValid.recall["5"] : -1;
      lrSelection.push({ variant: run.variant, window: mode.selectWindow, optimizer: opt, lr, epochs: mode.selectEpochs, valid_recall5: score });
      log(`lr selection: ${run.variant} (W ${mode.selectWindow}) ${opt} lr ${lr}: valid Recall@5 ${score.toFixed(4)}`);
      benchProgress(++runsDone, totalRuns, `lr selection ${run.variant} lr ${lr}`);
      if (score > bestScore) [bestScore, bestLr] = [score, lr];
      model.dispose();
    }
    chosenLr.set(run.variant, bestLr);
    write(false);
  }
  const lrOf = (run: CtaRunSpec) => chosenLr.get(run.lrFrom ?? run.variant) ?? defaultOptimizer(run.model).lr;

  for (let seed = seedFrom; seed < seeds; seed++)
    for (const W of mode.windows)
      for (const run of CTA_RUNS) {
        if (!want(run.variant) || (!opts.noWindowCap && run.maxWindow !== undefined && W > run.maxWindow)) continue;
        const lr = lrOf(run);
        const { model, tr, optimizer } = await train(run, W, seed, mode.epochs, lr);
        let temporal: ReturnType<Cta["kernelReport"]> | null = null;
        if (run.model === "cta") (model as Cta).kernelReport(); // drop the validation's context sums
        const m = evaluateRanking(model, ds, hist, test);
        if (run.model === "cta") temporal = (model as Cta).kernelReport(); // context means over the test positions
        rows.push({
          model: run.model, variant: run.variant, window: W, seed, recall: m.recall, mrr: m.mrr, ndcg10: m.ndcg["10"], test_targets: m.count,
          epochs_trained: tr.epochs.length, best_epoch: tr.bestEpoch, valid_recall5: tr.bestValid ? tr.bestValid.recall["5"] : null,
          lr, optimizer, seconds_per_epoch: +tr.secondsPerEpoch.toFixed(2), train_seconds: +tr.epochs.reduce((a, e) => a + e.seconds, 0).toFixed(2),
          parameters: tr.parameters,
          ...(temporal ? { kernels: temporal.kernels, context: run.opts.context ?? true, time_unit: run.opts.timeUnit ?? "seconds", kernel_a: temporal.a, kernel_b: temporal.b, mean_context: temporal.meanContext } : {}),
        });
        log(`[W ${W} seed ${seed}] ${run.variant}: ${tr.epochs.length} epochs (best ${tr.bestEpoch}), ${tr.secondsPerEpoch.toFixed(1)} s/epoch; test Recall@5/20 ${m.recall["5"].toFixed(4)} / ${m.recall["20"].toFixed(4)}, MRR@20 ${m.mrr["20"].toFixed(4)}, NDCG@10 ${m.ndcg["10"].toFixed(4)}${temporal ? `; a ${JSON.stringify(temporal.a.map((v) => +v.toPrecision(3)))} b ${JSON.stringify(temporal.b.map((v) => +v.toPrecision(3)))}` : ""}`);
        model.dispose();
        write(false);
        benchProgress(++runsDone, totalRuns, `W ${W} seed ${seed} ${run.variant}`);
      }
  write(true);
  return result(true);
}
