// `recforge bench balance-seeds`: MultiBalance's test NE against its baselines with its uncertainty
// (issue 17). Every balancer is trained on Census-Income (MMoE, as `bench balance`'s quality part)
// once per seed; a seed gives every balancer the same initialisation and the same shuffling, and
// every run scores the SAME test rows (asserted: identical labels, same order). For each pair
// (A, B) and task, ΔNE = NE(A) − NE(B) (negative: A better) and ΔAUC get a paired bootstrap
// interval per seed and, across seeds, an interval combining the spread over seeds with the bootstrap over rows (lib/metrics/bootstrap.ts); the verdicts
// (beats_baseline, loses_to_baseline, within_0_5pct) are read off the interval.
import fs from "node:fs";
import path from "node:path";
import { startProvenance, type Provenance } from "../provenance.js";
import { meanStd } from "../metrics/classification.js";
import { pairedBootstrap, insideMargin, betterByInterval, type PairedDiffSummary } from "../metrics/bootstrap.js";
import { loadCensus } from "../methods/multibalance/data/census.js";
import type { MultiTaskData } from "../methods/multibalance/data/multitask.js";
import type { ModelKind, MMoEOptions, SharedBottomOptions } from "../methods/multibalance/models.js";
import { trainMultiTaskSteps, type TaskMetrics } from "../methods/multibalance/trainer.js";
import { runSyncReporting } from "../methods/step_loop.js";
import { benchProgress, log, nowMs } from "./timing.js";

export const BALANCERS = ["equal", "multibalance", "metabalance", "uncertainty", "gradnorm", "pcgrad"];

export interface BalanceSeedsOptions {
  /** Training seeds (default 1..5). */
  seeds?: number[];
  /** Balancers (default all six; "equal" and "multibalance" are always needed for the comparisons). */
  balancers?: string[];
  epochs?: number;
  batchSize?: number;
  lr?: number;
  model?: ModelKind;
  modelOptions?: MMoEOptions & SharedBottomOptions;
  /** Bootstrap replicates (default 2000) and the resampling seed (default 0). */
  replicates?: number;
  bootstrapSeed?: number;
  /** A data set instead of Census (tests). */
  data?: MultiTaskData;
  quick?: boolean;
  out?: string;
  command?: string;
  say?: (m: string) => void;
}

export interface BalancerRun {
  seed: number;
  selected_epoch: number;
  seconds: number;
  tasks: { name: string; auc: number; ne: number }[];
}

export interface BalancerSummary {
  balancer: string;
  runs: BalancerRun[];
  tasks: { name: string; auc_mean: number; auc_sd: number; ne_mean: number; ne_sd: number }[];
}

/** Read off the interval of ΔNE = NE(A) − NE(B) (lower NE is better); never off the mean. */
export interface NeVerdict {
  /** The whole 95% interval of ΔNE lies below 0: A has the lower NE. */
  beats_baseline: boolean;
  /** It lies above 0: B has the lower NE. */
  loses_to_baseline: boolean;
  /** The whole interval, relative to B's NE, lies inside ±0.5% (the paper's gain is +0.74%). */
  within_0_5pct: boolean;
  verdict: string;
}

export function neVerdict(interval: readonly [number, number], baselineNe: number): NeVerdict {
  if (!(baselineNe > 0)) throw new RangeError(`recforge: neVerdict: the baseline NE must be > 0, got ${baselineNe}`);
  const better = betterByInterval(interval, "lower_is_better");
  const within = insideMargin(interval, 0.005 * baselineNe);
  const side = better === "A" ? "lower NE than the baseline" : better === "B" ? "higher NE than the baseline" : "no difference shown";
  return { beats_baseline: better === "A", loses_to_baseline: better === "B", within_0_5pct: within, verdict: `${side}; ${within ? "equal within ±0.5% NE" : "not shown equal within ±0.5% NE"}` };
}

export interface BalanceComparison extends NeVerdict {
  /** A (the balancer judged) and B (its baseline). */
  balancer: string;
  baseline: string;
  task: string;
  /** NE(A) − NE(B), negative = A better. */
  ne_delta: PairedDiffSummary;
  /** −ΔNE / NE(B) in %: positive = A better (NE(B) = B's mean over seeds); mean and the interval's ends. */
  ne_gain_pct: number;
  ne_gain_pct_interval: [number, number];
  /** AUC(A) − AUC(B), for reference (no verdict drawn from it). */
  auc_delta: PairedDiffSummary;
}

export interface BalanceSeedsResult {
  provenance: Provenance;
  protocol: Record<string, unknown>;
  seeds: number[];
  test_rows: number;
  /** Every run scored the same test rows (labels compared per task; the run throws otherwise). */
  same_test_rows: true;
  balancers: BalancerSummary[];
  /** MultiBalance against every other balancer, then every other balancer against equal weights. */
  comparisons: BalanceComparison[];
  total_seconds: number;
  results_file: string | null;
}

/** Throws unless every run's test metrics carry predictions over identical labels (same rows, same order). */
export function assertSameTestRows(runs: { label: string; test: TaskMetrics[] }[]): Float64Array[] {
  const first = runs[0];
  const ref = first.test.map((m, t) => {
    if (!m.labels || !m.predictions) throw new Error(`recforge: balance-seeds: run ${first.label} kept no predictions for task ${t}`);
    return m.labels;
  });
  for (const { label, test } of runs) {
    if (test.length !== ref.length) throw new Error(`recforge: balance-seeds: run ${label} has ${test.length} tasks, run ${first.label} ${ref.length}`);
    test.forEach((m, t) => {
      const l = m.labels;
      if (!l || !m.predictions) throw new Error(`recforge: balance-seeds: run ${label} kept no predictions for task ${t}`);
      if (l.length !== ref[t].length) throw new Error(`recforge: balance-seeds: run ${label} scored ${l.length} test rows on task ${t}, run ${first.label} ${ref[t].length}: the paired comparison needs the same rows`);
      for (let i = 0; i < l.length; i++)
        if (l[i] !== ref[t][i]) throw new Error(`recforge: balance-seeds: run ${label} differs from run ${first.label} at test row ${i} of task ${t} (label ${l[i]} vs ${ref[t][i]})`);
    });
  }
  return ref;
}

export function benchBalanceSeeds(opts: BalanceSeedsOptions = {}): BalanceSeedsResult {
  const t0 = nowMs();
  const done = startProvenance(opts.command);
  const say = opts.say ?? log;
  const quick = !!opts.quick;
  const seeds = opts.seeds ?? (quick ? [1, 2] : [1, 2, 3, 4, 5]);
  const balancers = opts.balancers ?? (quick ? ["equal", "multibalance"] : BALANCERS);
  if (!balancers.includes("equal") || !balancers.includes("multibalance")) throw new RangeError(`recforge: bench balance-seeds: the balancers must include equal and multibalance, got ${balancers.join(", ")}`);
  if (!seeds.length || seeds.some((s) => !Number.isInteger(s) || s < 0)) throw new RangeError(`recforge: bench balance-seeds: seeds must be integers >= 0, got ${JSON.stringify(seeds)}`);
  const cfg = {
    epochs: opts.epochs ?? (quick ? 1 : 3),
    batchSize: opts.batchSize ?? 1024,
    lr: opts.lr ?? 2e-3,
    model: opts.model ?? ("mmoe" as ModelKind),
    modelOptions: opts.modelOptions ?? { embeddingDim: 8, experts: 8, expertDim: 16, tower: [16] },
  };
  const data = opts.data ?? loadCensus();
  const tests = new Map<string, TaskMetrics[][]>(balancers.map((b) => [b, []]));
  const runs = new Map<string, BalancerRun[]>(balancers.map((b) => [b, []]));
  seeds.forEach((seed, si) => {
    // The order of the balancers rotates with the seed, so none always runs first.
    const order = balancers.map((_, i) => balancers[(i + si) % balancers.length]);
    for (const b of order) {
      const s0 = nowMs();
      // Progress in runs (seeds × balancers), each moving with its training steps.
      const done = [...runs.values()].reduce((a, x) => a + x.length, 0), total = seeds.length * balancers.length;
      if (done === 0) benchProgress(0, total, `${b} seed ${seed}`);
      const r = runSyncReporting(
        trainMultiTaskSteps({ data, model: cfg.model, modelOptions: cfg.modelOptions, balancer: b, epochs: cfg.epochs, batchSize: cfg.batchSize, lr: cfg.lr, seed, keepTestPredictions: true }),
        (t) => t.phase === "train" && benchProgress(Math.round((done + Math.min(0.95, t.step / t.steps)) * 100) / 100, total, `${b} seed ${seed}`),
      );
      const seconds = (nowMs() - s0) / 1000;
      r.model.dispose();
      r.balancer.dispose();
      r.optimizer.dispose();
      if (r.test.some((m) => m.type !== "binary")) throw new RangeError("recforge: bench balance-seeds: every task must be binary (NE)");
      tests.get(b)!.push(r.test);
      runs.get(b)!.push({ seed, selected_epoch: r.selectedEpoch, seconds, tasks: r.test.map((m) => ({ name: m.name, auc: m.auc!, ne: m.ne! })) });
      benchProgress(done + 1, total, `${b} seed ${seed}`);
      say(`${b} seed ${seed}: ${seconds.toFixed(1)} s, ` + r.test.map((m) => `${m.name} auc ${m.auc!.toFixed(4)} ne ${m.ne!.toFixed(4)}`).join(", ") + ` (epoch ${r.selectedEpoch})`);
    }
  });
  const labels = assertSameTestRows(balancers.flatMap((b) => tests.get(b)!.map((test, i) => ({ label: `${b} seed ${seeds[i]}`, test }))));
  const summaries: BalancerSummary[] = balancers.map((b) => {
    const rs = runs.get(b)!;
    return {
      balancer: b, runs: rs,
      tasks: rs[0].tasks.map((t, k) => {
        const a = meanStd(rs.map((r) => r.tasks[k].auc)), n = meanStd(rs.map((r) => r.tasks[k].ne));
        return { name: t.name, auc_mean: a.mean, auc_sd: a.std, ne_mean: n.mean, ne_sd: n.std };
      }),
    };
  });
  const pairs: [string, string][] = [
    ...balancers.filter((b) => b !== "multibalance").map((b): [string, string] => ["multibalance", b]),
    ...balancers.filter((b) => b !== "multibalance" && b !== "equal").map((b): [string, string] => [b, "equal"]),
  ];
  const boot = { replicates: opts.replicates ?? 2000, seed: opts.bootstrapSeed ?? 0 };
  const comparisons: BalanceComparison[] = [];
  // The paired bootstraps (seconds each at 2000 replicates): a bar over the (pair, task) comparisons.
  const nComparisons = pairs.length * labels.length;
  benchProgress(0, nComparisons, "paired bootstrap");
  for (const [a, b] of pairs) {
    const ta = tests.get(a)!, tb = tests.get(b)!;
    labels.forEach((y, k) => {
      benchProgress(comparisons.length, nComparisons, `paired bootstrap: ${a} − ${b}, ${ta[0][k].name}`);
      const pa = ta.map((test) => test[k].predictions!), pb = tb.map((test) => test[k].predictions!);
      const ne = pairedBootstrap("ne", pa, pb, y, boot);
      const au = pairedBootstrap("auc", pa, pb, y, boot);
      const baseNe = summaries.find((s) => s.balancer === b)!.tasks[k].ne_mean;
      const pct = (x: number) => (-x / baseNe) * 100;
      const c: BalanceComparison = {
        balancer: a, baseline: b, task: ta[0][k].name,
        ne_delta: ne, ne_gain_pct: pct(ne.mean), ne_gain_pct_interval: [pct(ne.interval[1]), pct(ne.interval[0])],
        auc_delta: au,
        ...neVerdict(ne.interval, baseNe),
      };
      comparisons.push(c);
      benchProgress(comparisons.length, nComparisons, `paired bootstrap: ${a} − ${b}, ${c.task}`);
      say(`${a} − ${b}, ${c.task}: ΔNE ${ne.mean.toFixed(5)} ± ${ne.sd.toFixed(5)} (sd over ${seeds.length} seeds), 95% interval [${ne.interval[0].toFixed(5)}, ${ne.interval[1].toFixed(5)}] = gain ${c.ne_gain_pct.toFixed(2)}% [${c.ne_gain_pct_interval[0].toFixed(2)}, ${c.ne_gain_pct_interval[1].toFixed(2)}]: ${c.verdict}`);
    });
  }
  const provenance = done();
  const result: BalanceSeedsResult = {
    provenance,
    protocol: {
      data: opts.data ? "given data set" : "Census-Income (KDD), 99,762-row file, 80/10/10 split (seed 20240), MMoE tasks income and marital",
      ...cfg,
      quick,
      selection: "test metrics of the epoch with the best mean validation NE (trainMultiTask's selectByValid)",
      pairing: "a seed gives every balancer the same initialisation and shuffling; every run scores the same test rows",
      uncertainty: "ΔNE = NE(A) − NE(B) on the same test rows; per seed a paired bootstrap over the rows; across seeds mean ± t(S−1)·√(sd²/S + v_rows): sd = spread of the per-seed differences (training randomness; the test rows are the same for every seed), v_rows = bootstrap variance over test rows of the seed-mean difference (test-sample noise) — verdicts are read off that interval; the t-interval over seeds alone, the rows bootstrap alone and a two-level (rows × seeds) percentile bootstrap are reported beside it",
      verdicts: "beats_baseline iff the whole 95% interval of ΔNE lies below 0, loses_to_baseline iff above 0; within_0_5pct iff it lies inside ±0.5% of the baseline's mean NE",
    },
    seeds,
    test_rows: labels[0]?.length ?? 0,
    same_test_rows: true,
    balancers: summaries,
    comparisons,
    total_seconds: (nowMs() - t0) / 1000,
    results_file: null,
  };
  if (opts.out !== undefined) {
    fs.mkdirSync(opts.out, { recursive: true });
    const file = path.join(opts.out, `multibalance-seeds-${provenance.date_end.slice(0, 10)}${quick ? "-quick" : ""}.json`);
    result.results_file = file;
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  }
  return result;
}
