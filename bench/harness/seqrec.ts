// `recforge bench seqrec`: the GatedLongRec spec's "Done" tables (shared/reference/gatedlongrec.md)
// on MovieLens-1M test targets: Pop, GRU4Rec, GRU4Rec+cat, SASRec (W = 30, 200), GatedLongRec
// (k = 5) and its ablations (k ∈ {1, 3, 10} and the oracle gate at evaluation; short-term only,
// no phase 2, category = first genre as trainings), per seed; the category table (the gate's
// next-category Recall@5 / MRR@5 against GlobalPop_cate, SeqPop_cate, FOT_cate); split sizes;
// training seconds per epoch. Every model goes through the same harness (lib/methods/seqrec:
// data, split, batches, trainer, full-ranking evaluation over all items).
//
// Protocol (both modes; the numbers are in the JSON's "protocol"): each epoch trains on a fresh
// random `trainFraction` of the training targets; at most `epochs` epochs; early stopping on
// Recall@20 of a fixed random subset of `validTargets` validation targets (patience 2); the
// best epoch's parameters are evaluated on the test targets (all of them, or the first
// `testTargets` of a fixed shuffle in --quick). Runs go seed by seed; the result file is
// rewritten after every run ("complete": false until the last), so an interrupted run leaves
// what finished.
import fs from "node:fs";
import path from "node:path";
import { startProvenance } from "../provenance.js";
import { mulberry32 } from "../prng.js";
import { CategoryHistory } from "../methods/seqrec/batch.js";
import { loadMovielensSeq, movielensSeqDir, seqStats, type SeqDataset, type SeqStats } from "../methods/seqrec/data.js";
import { categoryBaselineRanks, categoryMetrics, evaluateRanking } from "../methods/seqrec/evaluate.js";
import { createSeqModel, defaultOptimizer, type SeqModelName, type SeqModelOptions } from "../methods/seqrec/models.js";
import { trainSeqRec, type SeqProgress } from "../methods/seqrec/train.js";
import type { GatedLongRec } from "../methods/seqrec/gatedlongrec.js";
import type { RankingMetrics } from "../metrics/ranking.js";
import { benchProgress } from "./timing.js";

export interface SeqBenchRow {
  model: string;
  seed: number;
  recall: Record<string, number>;
  mrr: Record<string, number>;
  ndcg10: number;
  test_targets: number;
  epochs_trained: number;
  best_epoch: number;
  valid_recall20: number | null;
  lr: number;
  seconds_per_epoch: number;
  train_seconds: number;
  phase_switch_after_epoch?: number | null;
  same_as?: string;
}

export interface SeqBenchCategoryRow {
  category: "genres" | "first-genre";
  method: string;
  seed: number | null;
  recall5: number;
  mrr5: number;
  targets: number;
}

export interface SeqBenchOptions {
  quick?: boolean;
  seeds?: number;
  /** Run only these result names (e.g. ["gru4rec", "gatedlongrec"]); default all. */
  only?: string[];
  out?: string | null;
  command?: string;
  dataDir?: string;
  epochs?: number;
  trainFraction?: number;
  log?: (s: string) => void;
}

export const SEQ_BENCH_MODES = {
  quick: { seeds: 1, epochs: 2, trainFraction: 0.004, validTargets: 500, testTargets: 1000, patience: 2, selectEpochs: 1 },
  default: { seeds: 3, epochs: 4, trainFraction: 0.1, validTargets: 5000, testTargets: null as number | null, patience: 2, selectEpochs: 2 },
};

/** Learning rates tried per optimiser (seed 0, `selectEpochs` epochs, validation Recall@20). */
export const SEQ_LR_GRID = { adagrad: [0.05, 0.1], adam: [0.001, 0.005] };

interface RunSpec {
  name: string;
  /** Use the learning rate selected for this run (ablations and SASRec-200 reuse their base's). */
  lrFrom?: string;
  model: SeqModelName;
  category: "genres" | "first-genre";
  opts: SeqModelOptions;
  /** GatedLongRec evaluation variants of the same trained model. */
  evalVariants?: { name: string; k?: number; oracle?: boolean }[];
}

const RUNS: RunSpec[] = [
  { name: "pop", model: "pop", category: "genres", opts: {} },
  { name: "gru4rec", model: "gru4rec", category: "genres", opts: {} },
  { name: "gru4rec-cat", model: "gru4rec-cat", category: "genres", opts: {} },
  {
    name: "gatedlongrec", model: "gatedlongrec", category: "genres", opts: {},
    evalVariants: [{ name: "gatedlongrec k=1", k: 1 }, { name: "gatedlongrec k=3", k: 3 }, { name: "gatedlongrec k=10", k: 10 }, { name: "gatedlongrec oracle-gate", oracle: true }],
  },
  { name: "sasrec-30", model: "sasrec", category: "genres", opts: { window: 30 } },
  { name: "gatedlongrec short-term-only", model: "gatedlongrec", category: "genres", opts: { longTerm: false }, lrFrom: "gatedlongrec" },
  { name: "gatedlongrec no-phase-2", model: "gatedlongrec", category: "genres", opts: { phase2: false }, lrFrom: "gatedlongrec" },
  { name: "gatedlongrec first-genre", model: "gatedlongrec", category: "first-genre", opts: {}, lrFrom: "gatedlongrec" },
  { name: "sasrec-200", model: "sasrec", category: "genres", opts: { window: 200 }, lrFrom: "sasrec-30" },
];

/** The first n of a seeded shuffle of a, sorted (a fresh sample of training targets per seed); all of a when n is null. */
export function shuffledPrefix(a: Int32Array, n: number | null, seed: number): Int32Array {
  if (n === null || n >= a.length) return a;
  const r = mulberry32(seed), c = Int32Array.from(a);
  for (let i = c.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [c[i], c[j]] = [c[j], c[i]];
  }
  return c.subarray(0, n).sort();
}

export function meanSd(xs: number[]): { mean: number; sd: number } {
  const m = xs.reduce((a, b) => a + b, 0) / xs.length;
  const sd = xs.length > 1 ? Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1)) : 0;
  return { mean: m, sd };
}

/** Mean ± sd per model name over seeds, of every metric in the rows. */
export function summarizeSeqRows(rows: SeqBenchRow[]): Record<string, unknown>[] {
  const names = [...new Set(rows.map((r) => r.model))];
  return names.map((model) => {
    const rs = rows.filter((r) => r.model === model);
    const f = (g: (r: SeqBenchRow) => number) => meanSd(rs.map(g));
    return {
      model, seeds: rs.map((r) => r.seed),
      recall: Object.fromEntries(Object.keys(rs[0].recall).map((k) => [k, f((r) => r.recall[k])])),
      mrr: Object.fromEntries(Object.keys(rs[0].mrr).map((k) => [k, f((r) => r.mrr[k])])),
      ndcg10: f((r) => r.ndcg10),
      seconds_per_epoch: f((r) => r.seconds_per_epoch),
    };
  });
}

export async function benchSeqRec(opts: SeqBenchOptions = {}): Promise<Record<string, unknown>> {
  const log = opts.log ?? ((s: string) => process.stderr.write(s + "\n"));
  const t0 = performance.now();
  const modeName = opts.quick ? "quick" : "default";
  const mode = { ...SEQ_BENCH_MODES[modeName] };
  if (opts.epochs !== undefined) mode.epochs = opts.epochs;
  if (opts.trainFraction !== undefined) mode.trainFraction = opts.trainFraction;
  const seeds = opts.seeds ?? mode.seeds;
  const done = startProvenance(opts.command);
  const dir = opts.dataDir ?? movielensSeqDir();
  const datasets = new Map<string, { ds: SeqDataset; hist: CategoryHistory; valid: Int32Array; test: Int32Array; stats: SeqStats }>();
  const data = (category: "genres" | "first-genre") => {
    let d = datasets.get(category);
    if (!d) {
      const ds = loadMovielensSeq({ dir, category });
      d = { ds, hist: new CategoryHistory(ds), valid: shuffledPrefix(ds.split.valid, mode.validTargets, 1), test: shuffledPrefix(ds.split.test, mode.testTargets, 2), stats: seqStats(ds) };
      datasets.set(category, d);
      log(`data: ${ds.name}: ${d.stats.items} items, ${d.stats.categories} categories; targets train ${ds.split.train.length}, valid ${ds.split.valid.length} (early stopping on ${d.valid.length}), test ${ds.split.test.length} (evaluated: ${d.test.length})`);
    }
    return d;
  };
  const rows: SeqBenchRow[] = [];
  const lrSelection: { run: string; optimizer: string; lr: number; epochs: number; valid_recall20: number }[] = [];
  const chosenLr = new Map<string, number>();
  const category: SeqBenchCategoryRow[] = [];
  const date = new Date().toISOString();
  const file = opts.out ? path.join(opts.out, `seqrec-${date.slice(0, 10)}${opts.quick ? "-quick" : ""}.json`) : null;
  const result = (complete: boolean): Record<string, unknown> => ({
    results: rows,
    summary: summarizeSeqRows(rows),
    category,
    lr_selection: lrSelection,
    // Commit, command line, machine (CPU model, ISA, BLAS core, threads), load at the start and at this
    // write (the file is rewritten after every run; `complete` says whether this is the last write).
    provenance: done(),
    mode: modeName,
    complete,
    protocol: {
      ...mode, seeds,
      selection: `learning rate per base model from ${JSON.stringify(SEQ_LR_GRID)} by validation Recall@20 after ${mode.selectEpochs} epochs (seed 0; ablations take GatedLongRec's, SASRec-200 takes SASRec-30's); epochs by early stopping on validation Recall@20 (patience ${mode.patience}); the best epoch's parameters evaluated on test. Other hyper-parameters: the spec's code defaults (H = 50, category 64, batch 100, Adagrad, clip 5, M = 5, W = 30, k = 10 in phase 2 and 5 at evaluation) for the GRU models, SASRec's paper's (Adam, dropout 0.2, 2 blocks, 1 head), not tuned`,
      epoch: `a fresh random ${mode.trainFraction} of the training targets per epoch`,
    },
    data: Object.fromEntries([...datasets].map(([k, d]) => [k, { ...d.stats, valid_evaluated: d.valid.length, test_evaluated: d.test.length }])),
    total_seconds: +((performance.now() - t0) / 1000).toFixed(1),
    results_file: file,
  });
  const write = (complete: boolean) => {
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(result(complete), null, 2) + "\n");
  };
  const want = (name: string) => !opts.only || opts.only.includes(name);

  // The data of each category (loading takes seconds) and its category baselines: a bar of their own.
  const cats = (["genres", "first-genre"] as const).filter((cat) => cat === "genres" || RUNS.some((r) => r.category === cat && want(r.name)));
  benchProgress(0, cats.length, `data: ${cats[0]}`);
  for (const cat of cats) {
    const d = data(cat);
    const b = categoryBaselineRanks(d.ds, d.test);
    for (const [method, ranks] of [["GlobalPop_cate", b.globalPop], ["SeqPop_cate", b.seqPop], ["FOT_cate", b.fot]] as const)
      category.push({ category: cat, method, seed: null, ...metricsRow(categoryMetrics(ranks)) });
    benchProgress(cats.indexOf(cat) + 1, cats.length, `data: ${cat}, category baselines`);
  }

  // Progress in training runs: the learning-rate selection's, then seeds × models.
  const selecting = RUNS.filter((run) => !(run.model === "pop" || run.lrFrom || !want(run.name)));
  const totalRuns = selecting.reduce((a, run) => a + SEQ_LR_GRID[defaultOptimizer(run.model).optimizer].length, 0) + seeds * RUNS.filter((run) => want(run.name)).length;
  let runsDone = 0;
  // Within a run: the share of its planned epochs done (it may stop early; the next run picks up from there).
  const within = (epochs: number, what: string) => (e: SeqProgress) => {
    if (e.phase !== "train") return;
    const f = Math.min(0.95, (e.epoch - 1 + e.step / e.steps) / epochs);
    benchProgress(Math.round((runsDone + f) * 100) / 100, totalRuns, what);
  };
  benchProgress(0, totalRuns, "training runs");
  // Learning-rate selection on validation only (seed 0, a short budget): the base runs try their
  // optimiser's grid; ablations and SASRec-200 take their base run's choice.
  for (const run of RUNS) {
    if (run.model === "pop" || run.lrFrom || !want(run.name)) continue;
    const d = data(run.category);
    const def = defaultOptimizer(run.model);
    let bestLr = def.lr, bestScore = -1;
    for (const lr of SEQ_LR_GRID[def.optimizer]) {
      const model = createSeqModel(run.model, d.ds, { ...run.opts, seed: 0 });
      const tr = await trainSeqRec({ model, ds: d.ds, hist: d.hist, valid: d.valid, epochs: mode.selectEpochs, trainFraction: mode.trainFraction, patience: mode.patience, seed: 0, optimizer: def.optimizer, lr, onProgress: within(mode.selectEpochs, `lr selection ${run.name} lr ${lr}`) });
      const score = tr.bestValid ? tr.bestValid.recall["20"] : -1;
      lrSelection.push({ run: run.name, optimizer: def.optimizer, lr, epochs: mode.selectEpochs, valid_recall20: score });
      log(`lr selection: ${run.name} ${def.optimizer} lr ${lr}: valid Recall@20 ${score.toFixed(4)}`);
      benchProgress(++runsDone, totalRuns, `lr selection ${run.name} lr ${lr}`);
      if (score > bestScore) [bestScore, bestLr] = [score, lr];
      model.dispose();
    }
    chosenLr.set(run.name, bestLr);
  }
  const lrOf = (run: RunSpec) => chosenLr.get(run.lrFrom ?? run.name) ?? defaultOptimizer(run.model).lr;

  for (let seed = 0; seed < seeds; seed++)
    for (const run of RUNS) {
      if (!want(run.name)) continue;
      // No phase 2 is the same computation as the main run when that run never left phase 1 (same
      // seed, data and path; the runs are deterministic): reuse its rows instead of training twice.
      const main = rows.find((r) => r.model === "gatedlongrec" && r.seed === seed);
      if (run.opts.phase2 === false && main && main.phase_switch_after_epoch === null) {
        rows.push({ ...main, model: run.name, same_as: "gatedlongrec (it never switched to phase 2)" });
        log(`[seed ${seed}] ${run.name}: the main run never switched to phase 2, so this run is the same computation: rows copied`);
        write(false);
        benchProgress(++runsDone, totalRuns, `seed ${seed} ${run.name}`);
        continue;
      }
      const d = data(run.category);
      const model = createSeqModel(run.model, d.ds, { ...run.opts, seed });
      const def = defaultOptimizer(run.model);
      log(`[seed ${seed}] ${run.name}: training (${model.numParameters()} parameters, ${def.optimizer} lr ${lrOf(run)})`);
      let lastLog = 0;
      const tr = await trainSeqRec({
        model, ds: d.ds, hist: d.hist, valid: d.valid, epochs: mode.epochs, trainFraction: mode.trainFraction, patience: mode.patience, seed, optimizer: def.optimizer, lr: lrOf(run),
        onProgress: (e: SeqProgress) => {
          within(mode.epochs, `seed ${seed} ${run.name}`)(e);
          if (e.phase === "train" && (e.step === e.steps || performance.now() - lastLog > 30000)) {
            lastLog = performance.now();
            log(`  epoch ${e.epoch} step ${e.step}/${e.steps} loss ${e.lossEma.toFixed(4)}`);
          }
        },
      });
      for (const ep of tr.epochs)
        log(`  epoch ${ep.epoch}: loss ${ep.loss.toFixed(4)}, ${ep.seconds.toFixed(1)} s, valid Recall@20 ${ep.valid.recall["20"].toFixed(4)}${ep.report ? ` ${JSON.stringify(ep.report)}` : ""}`);
      const row = (name: string, m: RankingMetrics): SeqBenchRow => ({
        model: name, seed, recall: m.recall, mrr: m.mrr, ndcg10: m.ndcg["10"], test_targets: m.count,
        epochs_trained: tr.epochs.length, best_epoch: tr.bestEpoch, valid_recall20: tr.bestValid ? tr.bestValid.recall["20"] : null,
        lr: lrOf(run), seconds_per_epoch: +tr.secondsPerEpoch.toFixed(2), train_seconds: +tr.epochs.reduce((a, e) => a + e.seconds, 0).toFixed(2),
        ...(run.model === "gatedlongrec" ? { phase_switch_after_epoch: (model as GatedLongRec).state.switchedAfterEpoch } : {}),
      });
      const test = evaluateRanking(model, d.ds, d.hist, d.test);
      rows.push(row(run.name, test));
      log(`  test: Recall@5/20/100 ${["5", "20", "100"].map((k) => test.recall[k].toFixed(4)).join(" / ")}, MRR@20 ${test.mrr["20"].toFixed(4)}, NDCG@10 ${test.ndcg["10"].toFixed(4)}`);
      if (run.model === "gatedlongrec") {
        const g = model as GatedLongRec;
        const gate = categoryMetrics(g.gateRanks(d.ds, d.hist, d.test));
        category.push({ category: run.category, method: `gate (${run.name})`, seed, ...metricsRow(gate) });
        for (const v of run.evalVariants ?? []) {
          const k0 = g.evalK;
          g.evalK = v.k ?? k0;
          g.oracle = !!v.oracle;
          const m = evaluateRanking(g, d.ds, d.hist, d.test);
          g.evalK = k0;
          g.oracle = false;
          rows.push(row(v.name, m));
          log(`  ${v.name}: Recall@20 ${m.recall["20"].toFixed(4)}, MRR@20 ${m.mrr["20"].toFixed(4)}`);
        }
      }
      model.dispose();
      write(false);
      benchProgress(++runsDone, totalRuns, `seed ${seed} ${run.name}`);
    }
  write(true);
  return result(true);
}

function metricsRow(m: { recall5: number; mrr5: number; count: number }): { recall5: number; mrr5: number; targets: number } {
  return { recall5: m.recall5, mrr5: m.mrr5, targets: m.count };
}
