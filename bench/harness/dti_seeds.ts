// `recforge bench dti-seeds`: DTI's test AUC against sliding-window (SW) training with its
// uncertainty (issue 17). The training comparison of `bench dti` (same subset, model, step plan,
// interleaved runs), repeated over S seeds; every run scores the SAME test targets with SW prompts
// (asserted: identical target ids and labels), and ΔAUC = AUC(DTI) − AUC(SW) gets a paired
// bootstrap interval per seed and, across seeds, one that adds the spread over seeds (lib/metrics/bootstrap.ts). The
// verdicts (within_0_005, within_0_01, dti_better, sw_better) are read off that interval.
import fs from "node:fs";
import path from "node:path";
import { startProvenance, type Provenance } from "../provenance.js";
import { meanStd } from "../metrics/classification.js";
import { pairedBootstrap, insideMargin, betterByInterval, type PairedDiffSummary } from "../metrics/bootstrap.js";
import { loadMovielens, movielensDir, isMovielensDir } from "../methods/dti/data/movielens.js";
import { datasetStats, type CtrDataset } from "../methods/dti/data/dataset.js";
import { trainCtr, type TrainCtrOptions, type TrainCtrResult } from "../methods/dti/train.js";
import type { ModelShape } from "../methods/dti/setup.js";
import { DTI_BENCH_MODES, PACE_BLOCK } from "./dti.js";
import { benchProgress, log } from "./timing.js";
import { roundRobin } from "./pace.js";

export interface DtiSeedsOptions {
  /** Seeds 0..seeds−1 (default 5). */
  seeds?: number;
  /** DTI targets per prompt to compare with SW (default: the mode's, 20, 40, 80). */
  ks?: number[];
  quick?: boolean;
  /** Bootstrap replicates (default 2000) and the resampling seed (default 0). */
  replicates?: number;
  bootstrapSeed?: number;
  /** Data and model overrides (tests: synthetic data, a tiny model). */
  data?: CtrDataset;
  model?: Partial<ModelShape>;
  targetsPerStep?: number;
  out?: string;
  command?: string;
  say?: (m: string) => void;
}

export interface RunRow {
  seed: number;
  auc: number;
  logloss: number;
  seconds: number;
  cpu_seconds: number;
  tokens: number;
}

/** Read off the interval of ΔAUC = AUC(DTI) − AUC(SW); never off the mean. */
export interface DtiVerdict {
  /** The whole 95% interval inside ±0.005 (the spec's "equal" band). */
  within_0_005: boolean;
  /** The whole 95% interval inside ±0.01 (the earlier acceptance's band). */
  within_0_01: boolean;
  /** The interval lies above 0 / below 0. */
  dti_better: boolean;
  sw_better: boolean;
  verdict: string;
}

export function dtiVerdict(interval: readonly [number, number]): DtiVerdict {
  const better = betterByInterval(interval, "higher_is_better");
  const w5 = insideMargin(interval, 0.005), w10 = insideMargin(interval, 0.01);
  const side = better === "A" ? "DTI better" : better === "B" ? "SW better" : "no difference shown";
  const band = w5 ? "equal within ±0.005" : w10 ? "equal within ±0.01, not shown within ±0.005" : "not shown equal within ±0.01";
  return { within_0_005: w5, within_0_01: w10, dti_better: better === "A", sw_better: better === "B", verdict: `${side}; ${band}` };
}

export interface DtiSeedsByK extends DtiVerdict {
  k: number;
  runs: RunRow[];
  auc_mean: number;
  auc_sd: number;
  token_ratio: number;
  /** Mean over seeds of DTI seconds / SW seconds (interleaved runs; wall time under whatever load there was). */
  time_ratio: number;
  time_ratio_per_seed: number[];
  auc_delta: PairedDiffSummary;
}

export interface DtiSeedsResult {
  provenance: Provenance & { partial_after_seeds?: number };
  mode: "default" | "quick";
  /** false in the -partial.json file written after each seed but the last. */
  complete: boolean;
  protocol: Record<string, unknown>;
  seeds: number[];
  test_targets: number;
  test_positives: number;
  /** Every run scored the same test targets (ids and labels compared; the run throws otherwise). */
  same_test_targets: true;
  sw: { runs: RunRow[]; auc_mean: number; auc_sd: number };
  dti_by_k: DtiSeedsByK[];
  total_seconds: number;
  results_file: string | null;
}

/** Throws unless every run has predictions for the same target ids with the same labels, in the same order. */
export function assertSameTestTargets(runs: { label: string; r: TrainCtrResult }[]): { targetIds: Int32Array; labels: Uint8Array } {
  const first = runs[0]?.r.predictions;
  if (!first) throw new Error(`recforge: dti-seeds: run ${runs[0]?.label ?? "?"} kept no predictions`);
  for (const { label, r } of runs) {
    const p = r.predictions;
    if (!p) throw new Error(`recforge: dti-seeds: run ${label} kept no predictions`);
    if (p.targetIds.length !== first.targetIds.length) throw new Error(`recforge: dti-seeds: run ${label} scored ${p.targetIds.length} test targets, run ${runs[0].label} ${first.targetIds.length}: the paired comparison needs the same targets`);
    for (let i = 0; i < p.targetIds.length; i++)
      if (p.targetIds[i] !== first.targetIds[i] || p.labels[i] !== first.labels[i])
        throw new Error(`recforge: dti-seeds: run ${label} differs from run ${runs[0].label} at test position ${i} (target ${p.targetIds[i]} label ${p.labels[i]} vs target ${first.targetIds[i]} label ${first.labels[i]})`);
  }
  return { targetIds: first.targetIds, labels: first.labels };
}

const row = (seed: number, r: TrainCtrResult): RunRow => ({ seed, auc: r.auc, logloss: r.logloss, seconds: r.seconds, cpu_seconds: r.cpuSeconds, tokens: r.tokens });

export async function benchDtiSeeds(opts: DtiSeedsOptions = {}): Promise<DtiSeedsResult> {
  const t0 = performance.now();
  const done = startProvenance(opts.command);
  const say = opts.say ?? log;
  const modeName = opts.quick ? "quick" : "default";
  const mode = DTI_BENCH_MODES[modeName];
  const S = opts.seeds ?? 5;
  if (!Number.isInteger(S) || S < 1) throw new RangeError(`recforge: bench dti-seeds: seeds must be an integer >= 1, got ${S}`);
  const ks = opts.ks ?? mode.ks;
  if (!ks.length || ks.some((k) => !Number.isInteger(k) || k < 1)) throw new RangeError(`recforge: bench dti-seeds: ks must be integers >= 1, got ${JSON.stringify(ks)}`);
  const chunk = Math.max(...ks);
  let data = opts.data ?? null;
  if (!data) {
    if (!isMovielensDir(movielensDir())) throw new Error(`recforge: bench dti-seeds: MovieLens-1M not found at ${movielensDir()} (set RECFORGE_DATA)`);
    data = loadMovielens({ maxUsers: mode.maxUsers, maxPerUser: mode.maxPerUser });
  }
  const st = datasetStats(data);
  const model = { ...mode.trainModel, ...(opts.model ?? {}) };
  const targetsPerStep = opts.targetsPerStep ?? mode.targetsPerStep;
  say(`dti-seeds: ${data.name}: ${st.interactions} interactions, train ${st.train}, test ${st.test}; ${S} seeds, SW vs DTI k = ${ks.join(", ")}`);
  const base: Omit<TrainCtrOptions, "paradigm"> = { data, n: mode.n, chunk, epochs: mode.epochs, targetsPerStep, model, keepPredictions: true };
  const sw: TrainCtrResult[] = [];
  const dt: TrainCtrResult[][] = ks.map(() => []);
  const boot = { replicates: opts.replicates ?? 2000, seed: opts.bootstrapSeed ?? 0 };
  const fileFor = (date: string, partial: boolean) => path.join(opts.out!, `dti-seeds-${date.slice(0, 10)}${opts.quick ? "-quick" : ""}${partial ? "-partial" : ""}.json`);

  // The result over the seeds done so far (all of them at the end). With --out, a partial file is
  // written after every seed but the last (so a run cut short still leaves its completed seeds,
  // marked complete: false) and removed when the full file is written.
  const build = (final: boolean): DtiSeedsResult => {
    const done_ = sw.length;
    // The pairing: every run (both paradigms, every seed) scored the identical test targets.
    const { labels } = assertSameTestTargets([...sw.map((r, s) => ({ label: `SW seed ${s}`, r })), ...dt.flatMap((rs, i) => rs.map((r, s) => ({ label: `DTI k=${ks[i]} seed ${s}`, r })))]);
    let positives = 0;
    for (let i = 0; i < labels.length; i++) positives += labels[i];
    const swRows = sw.map((r, s) => row(s, r));
    const swAuc = meanStd(swRows.map((r) => r.auc));
    const byK: DtiSeedsByK[] = ks.map((k, i) => {
      const runs = dt[i].map((r, s) => row(s, r));
      const a = meanStd(runs.map((r) => r.auc));
      const delta = pairedBootstrap("auc", dt[i].map((r) => r.predictions!.probs), sw.map((r) => r.predictions!.probs), labels, boot);
      const ratios = runs.map((r, s) => r.seconds / swRows[s].seconds);
      say(`DTI k=${k} − SW over ${done_} seed(s): ΔAUC ${delta.mean.toFixed(4)} ± ${delta.sd.toFixed(4)}, 95% interval [${delta.interval[0].toFixed(4)}, ${delta.interval[1].toFixed(4)}] (t over seeds ${delta.t_interval ? `[${delta.t_interval[0].toFixed(4)}, ${delta.t_interval[1].toFixed(4)}]` : "n/a"})`);
      return {
        k, runs, auc_mean: a.mean, auc_sd: a.std,
        token_ratio: runs[0].tokens / swRows[0].tokens,
        time_ratio: ratios.reduce((x, y) => x + y, 0) / done_,
        time_ratio_per_seed: ratios,
        auc_delta: delta,
        ...dtiVerdict(delta.interval),
      };
    });
    const provenance = final ? done() : { ...done(), partial_after_seeds: done_ };
    return {
      provenance,
      mode: modeName,
      complete: final,
      protocol: {
        data: data!.name,
        subset: opts.data ? "given data set" : `MovieLens-1M (shared partial ratings file, users 1-2999): first ${mode.maxUsers} users, each user's last ${mode.maxPerUser} interactions`,
        interactions: st.interactions, train_targets: st.train, test_targets: st.test,
        model, n: mode.n, ks, plan_chunk: chunk, epochs: mode.epochs, targets_per_step: targetsPerStep, seeds_planned: S,
        training: `bench dti's training comparison: per seed, SW and DTI at every k start from the same initialisation and make the same target updates (step plan of chunks of ${chunk} targets), interleaved in turns of ${PACE_BLOCK} optimiser steps; test AUC with SW prompts`,
        uncertainty: "ΔAUC = AUC(DTI) − AUC(SW) on the same test targets; per seed a paired bootstrap over the test targets; across seeds mean ± t(S−1)·√(sd²/S + v_rows): sd = spread of the per-seed differences (training randomness; the test targets are the same for every seed), v_rows = bootstrap variance over test targets of the seed-mean difference (test-sample noise) — verdicts are read off that interval; the t-interval over seeds alone, the rows bootstrap alone and a two-level (rows × seeds) percentile bootstrap are reported beside it",
        verdicts: "within_0_005 iff the whole 95% interval lies inside ±0.005 (within_0_01 likewise); dti_better iff it lies above 0, sw_better iff below",
      },
      seeds: swRows.map((r) => r.seed),
      test_targets: labels.length,
      test_positives: positives,
      same_test_targets: true,
      sw: { runs: swRows, auc_mean: swAuc.mean, auc_sd: swAuc.std },
      dti_by_k: byK,
      total_seconds: (performance.now() - t0) / 1000,
      results_file: null,
    };
  };

  // Progress in trainings (seeds × (SW + every k)), each counted by the fraction of its steps done.
  const totalRuns = S * (1 + ks.length);
  const fractions = new Map<string, number>();
  benchProgress(0, totalRuns, "training");
  for (let seed = 0; seed < S; seed++) {
    const s0 = performance.now();
    const pace = roundRobin(1 + ks.length, PACE_BLOCK);
    const progress = (label: string) => (e: { phase: string; step: number; totalSteps: number; lossEma: number }) => {
      if (e.phase !== "train") return;
      if (e.step % 50 === 0 || e.step === e.totalSteps) say(`  ${label} seed ${seed}: step ${e.step}/${e.totalSteps} loss ${e.lossEma.toFixed(4)}`);
      fractions.set(`${label} seed ${seed}`, e.step / e.totalSteps);
      let done = 0;
      for (const f of fractions.values()) done += f;
      benchProgress(Math.round(done * 100) / 100, totalRuns, `${label} seed ${seed}`);
    };
    const [s, ...ds] = await Promise.all([
      trainCtr({ ...base, paradigm: "sliding-window", k: chunk, seed, pace: pace[0], onProgress: progress("SW") }),
      ...ks.map((k, i) => trainCtr({ ...base, paradigm: "dti", k, seed, contextReach: "window", positions: "window-relative", pace: pace[i + 1], onProgress: progress(`DTI k=${k}`) })),
    ]);
    sw.push(s);
    ds.forEach((d, i) => dt[i].push(d));
    say(`seed ${seed} (${((performance.now() - s0) / 1000).toFixed(0)} s): SW AUC ${s.auc.toFixed(4)}; ` + ds.map((d) => `DTI k=${d.k} ${d.auc.toFixed(4)} (Δ ${(d.auc - s.auc).toFixed(4)})`).join(", "));
    if (opts.out !== undefined && seed < S - 1) {
      const partial = build(false);
      fs.mkdirSync(opts.out, { recursive: true });
      const file = fileFor(partial.provenance.date_end, true);
      partial.results_file = file;
      fs.writeFileSync(file, JSON.stringify(partial, null, 2) + "\n");
    }
  }
  const result = build(true);
  if (opts.out !== undefined) {
    fs.mkdirSync(opts.out, { recursive: true });
    const file = fileFor(result.provenance.date_end, false);
    result.results_file = file;
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
    fs.rmSync(fileFor(result.provenance.date_end, true), { force: true });
  }
  return result;
}
