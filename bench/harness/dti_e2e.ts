// `recforge bench dti-e2e`: SW vs DTI end to end at several context lengths n (default 20 and 40)
// and targets per prompt k (default 20, 40, 80) — issue 16 item 5. Per seed, every run (SW at each
// n, DTI at each (n, k)) starts from the same initialisation, makes the same target updates (one
// step plan of chunks of max(k) targets) and is interleaved with all the others in turns of
// PACE_BLOCK optimiser steps in one process (pace.ts), so the machine's load falls on all alike:
// on a shared machine only such side-by-side ratios mean anything.
//
// Reported per (n, k), against SW at the same n:
//   token_ratio        DTI training tokens / SW training tokens (the cost model's prediction)
//   time_ratio         DTI wall seconds / SW wall seconds of the training loops (mean over seeds)
//   cpu_time_ratio     the same on process CPU time
//   per_token_premium  time_ratio / token_ratio: what a DTI token costs in SW tokens (1 = the
//                      cost model holds); _cpu likewise, and per loop phase (packing, forward +
//                      backward, optimiser) to show where the premium sits
//   auc_delta          AUC(DTI) − AUC(SW) on the same test targets (SW prompts), paired bootstrap
//                      (lib/metrics/bootstrap.ts), verdict bands read off its interval
import fs from "node:fs";
import path from "node:path";
import { startProvenance, type Provenance } from "../provenance.js";
import { meanStd } from "../metrics/classification.js";
import { pairedBootstrap, type PairedDiffSummary } from "../metrics/bootstrap.js";
import { loadMovielens, movielensDir, isMovielensDir } from "../methods/dti/data/movielens.js";
import { datasetStats, type CtrDataset } from "../methods/dti/data/dataset.js";
import { trainCtr, type TrainCtrOptions, type TrainCtrResult } from "../methods/dti/train.js";
import type { ModelShape } from "../methods/dti/setup.js";
import { PACE_BLOCK } from "./dti.js";
import { assertSameTestTargets, dtiVerdict, type DtiVerdict } from "./dti_seeds.js";
import { benchProgress, log } from "./timing.js";
import { roundRobin } from "./pace.js";
import { OpProfiler, decomposePremium, type PremiumDecomposition, type RunProfile } from "./op_profile.js";

/**
 * Default protocol: the issue's `train ctr` setting (MovieLens-1M, 300 users × last 300, dim 64)
 * at n = 20 and 40, k = 20, 40, 80; quick: a smoke run of a few minutes.
 */
export const DTI_E2E_MODES = {
  default: { ns: [20, 40], ks: [20, 40, 80], seeds: 2, users: 300, maxPerUser: 300, model: { dim: 64, layers: 2, heads: 4 }, targetsPerStep: 256 },
  quick: { ns: [20, 40], ks: [20, 40], seeds: 1, users: 60, maxPerUser: 120, model: { dim: 64, layers: 2, heads: 4 }, targetsPerStep: 128 },
};

export interface DtiE2eOptions {
  ns?: number[];
  ks?: number[];
  seeds?: number;
  users?: number;
  maxPerUser?: number;
  model?: Partial<ModelShape>;
  targetsPerStep?: number;
  replicates?: number;
  quick?: boolean;
  /** Appended to the result file's name (dti-e2e-<date>[-quick][-tag].json). */
  tag?: string;
  out?: string;
  command?: string;
  /**
   * Time every native op of the training steps (op_profile.ts) and add each row's per-op
   * decomposition of the premium. The wrapper slows every run a little: take ratios of record
   * from a run without it.
   */
  opProfile?: boolean;
  /** A data set instead of the MovieLens subset (tests). */
  data?: CtrDataset;
  say?: (m: string) => void;
}

/** One training run, as the comparison needs it. */
export interface E2eRun {
  seed: number;
  seconds: number;
  cpu_seconds: number;
  tokens: number;
  targets: number;
  steps: number;
  auc: number;
  phase_seconds: { pack: number; forwardBackward: number; optimizer: number };
}

export interface E2eRatios {
  token_ratio: number;
  time_ratio: number;
  time_ratio_per_seed: number[];
  cpu_time_ratio: number;
  cpu_time_ratio_per_seed: number[];
  per_token_premium: number;
  per_token_premium_cpu: number;
  /** Per loop phase: (DTI phase seconds per token) / (SW phase seconds per token), summed over seeds. */
  phase_premium: { pack: number; forwardBackward: number; optimizer: number };
  /** Share of each phase in DTI's and SW's loop time (summed over seeds). */
  phase_share: { dti: { pack: number; forwardBackward: number; optimizer: number }; sw: { pack: number; forwardBackward: number; optimizer: number } };
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const PHASES = ["pack", "forwardBackward", "optimizer"] as const;

/**
 * The ratios of DTI runs to SW runs of the same seeds (index s of each array is seed s). Throws
 * unless both sides ran the same seeds and made the same target updates (targets, steps): the
 * comparison is only meaningful on the same inputs.
 */
export function compareRuns(sw: readonly E2eRun[], dti: readonly E2eRun[]): E2eRatios {
  if (sw.length === 0 || sw.length !== dti.length) throw new RangeError(`recforge: dti-e2e: need one SW and one DTI run per seed, got ${sw.length} and ${dti.length}`);
  sw.forEach((s, i) => {
    const d = dti[i];
    if (s.seed !== d.seed) throw new RangeError(`recforge: dti-e2e: run ${i} pairs SW seed ${s.seed} with DTI seed ${d.seed}`);
    if (s.targets !== d.targets || s.steps !== d.steps) throw new RangeError(`recforge: dti-e2e: seed ${s.seed}: SW made ${s.targets} target updates in ${s.steps} steps, DTI ${d.targets} in ${d.steps}: not the same inputs`);
  });
  const sum = (rs: readonly E2eRun[], f: (r: E2eRun) => number) => rs.reduce((a, r) => a + f(r), 0);
  const tokenRatio = sum(dti, (r) => r.tokens) / sum(sw, (r) => r.tokens);
  const timePer = dti.map((d, i) => d.seconds / sw[i].seconds);
  const cpuPer = dti.map((d, i) => d.cpu_seconds / sw[i].cpu_seconds);
  const time = mean(timePer), cpu = mean(cpuPer);
  const phase = (rs: readonly E2eRun[], p: (typeof PHASES)[number]) => sum(rs, (r) => r.phase_seconds[p]);
  const share = (rs: readonly E2eRun[]) => {
    const tot = PHASES.reduce((a, p) => a + phase(rs, p), 0);
    return { pack: phase(rs, "pack") / tot, forwardBackward: phase(rs, "forwardBackward") / tot, optimizer: phase(rs, "optimizer") / tot };
  };
  const premium = (p: (typeof PHASES)[number]) => phase(dti, p) / sum(dti, (r) => r.tokens) / (phase(sw, p) / sum(sw, (r) => r.tokens));
  return {
    token_ratio: tokenRatio,
    time_ratio: time,
    time_ratio_per_seed: timePer,
    cpu_time_ratio: cpu,
    cpu_time_ratio_per_seed: cpuPer,
    per_token_premium: time / tokenRatio,
    per_token_premium_cpu: cpu / tokenRatio,
    phase_premium: { pack: premium("pack"), forwardBackward: premium("forwardBackward"), optimizer: premium("optimizer") },
    phase_share: { dti: share(dti), sw: share(sw) },
  };
}

export interface DtiE2eRow extends E2eRatios, DtiVerdict {
  n: number;
  k: number;
  /** With --op-profile: the premium op by op (all seeds' steps together). */
  op_profile?: PremiumDecomposition;
  runs: E2eRun[];
  auc_mean: number;
  auc_delta: PairedDiffSummary;
}

export interface DtiE2eResult {
  provenance: Provenance;
  mode: "default" | "quick";
  protocol: Record<string, unknown>;
  seeds: number[];
  test_targets: number;
  same_test_targets: true;
  sw_by_n: { n: number; runs: E2eRun[]; auc_mean: number; auc_sd: number; tokens_per_target: number }[];
  rows: DtiE2eRow[];
  total_seconds: number;
  results_file: string | null;
}

const asRun = (seed: number, r: TrainCtrResult): E2eRun => ({
  seed, seconds: r.seconds, cpu_seconds: r.cpuSeconds, tokens: r.tokens, targets: r.targets, steps: r.steps, auc: r.auc, phase_seconds: { ...r.phaseSeconds },
});

const positiveInts = (xs: number[], what: string, min: number) => {
  if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < min)) throw new RangeError(`recforge: bench dti-e2e: ${what} must be integers >= ${min}, got ${JSON.stringify(xs)}`);
  return xs;
};

export async function benchDtiE2e(opts: DtiE2eOptions = {}): Promise<DtiE2eResult> {
  const t0 = performance.now();
  const say = opts.say ?? log;
  const modeName = opts.quick ? "quick" : "default";
  const mode = DTI_E2E_MODES[modeName];
  const ns = positiveInts(opts.ns ?? mode.ns, "ns", 1), ks = positiveInts(opts.ks ?? mode.ks, "ks", 1);
  const [S] = positiveInts([opts.seeds ?? mode.seeds], "seeds", 1);
  const users = opts.users ?? mode.users, maxPerUser = opts.maxPerUser ?? mode.maxPerUser;
  if (opts.tag !== undefined && !/^[A-Za-z0-9._-]+$/.test(opts.tag)) throw new RangeError(`recforge: bench dti-e2e: tag must be letters, digits, '.', '_' or '-', got ${JSON.stringify(opts.tag)}`);
  let data = opts.data ?? null;
  if (!data) {
    if (!isMovielensDir(movielensDir())) throw new Error(`recforge: bench dti-e2e: MovieLens-1M not found at ${movielensDir()} (set RECFORGE_DATA)`);
    benchProgress(0, S, "loading MovieLens-1M");
    data = loadMovielens({ maxUsers: users, maxPerUser });
  }
  const done = startProvenance(opts.command);
  const st = datasetStats(data);
  const model = { ...mode.model, ...(opts.model ?? {}) };
  const targetsPerStep = opts.targetsPerStep ?? mode.targetsPerStep;
  const chunk = Math.max(...ks);
  const boot = { replicates: opts.replicates ?? 2000, seed: 0 };
  say(`dti-e2e: ${data.name}: ${st.interactions} interactions, train ${st.train}, test ${st.test}; n = ${ns.join(", ")}, k = ${ks.join(", ")}, ${S} seed(s), model ${JSON.stringify(model)}`);

  const base: Omit<TrainCtrOptions, "paradigm" | "n"> = { data, chunk, epochs: 1, targetsPerStep, model, keepPredictions: true };
  // results[ni][0] = SW runs at ns[ni], results[ni][1 + ki] = DTI runs at (ns[ni], ks[ki]); one per seed.
  const results: TrainCtrResult[][][] = ns.map(() => [[], ...ks.map(() => [])]);
  const profiler = opts.opProfile ? new OpProfiler() : null;
  const perSeed = ns.length * (1 + ks.length);
  profiler?.install();
  try {
    for (let seed = 0; seed < S; seed++) {
      const s0 = performance.now();
      const pace = roundRobin(perSeed, PACE_BLOCK);
      // The bar moves with every training step of the seed's runs (the runs take turns, so the mean of their
      // step fractions is the seed's progress), not only when a seed ends.
      const fractions = new Array<number>(perSeed).fill(0);
      const progress = (label: string, job: number) => (e: { phase: string; step: number; totalSteps: number; lossEma: number }) => {
        if (e.phase !== "train") return;
        profiler?.end();
        fractions[job] = e.totalSteps > 0 ? e.step / e.totalSteps : 0;
        benchProgress(Math.min(seed + fractions.reduce((a, f) => a + f, 0) / perSeed, seed + 0.99), S, `seed ${seed}: ${label}`);
        if (e.step % 50 === 0 || e.step === e.totalSteps) say(`  ${label} seed ${seed}: step ${e.step}/${e.totalSteps} loss ${e.lossEma.toFixed(4)}`);
      };
      const jobs: Promise<TrainCtrResult>[] = [];
      // With a profiler, a run's step starts when its turn comes (pace) and ends at its progress event.
      const paced = (j: number, label: string) => (profiler ? async (s: number | null) => { await pace[j](s); if (s !== null) profiler.begin(label); } : pace[j]);
      ns.forEach((n, ni) => {
        const j0 = ni * (1 + ks.length);
        jobs.push(trainCtr({ ...base, n, paradigm: "sliding-window", k: chunk, seed, pace: paced(j0, `sw ${n}`), onProgress: progress(`SW n=${n}`, j0) }));
        ks.forEach((k, ki) => jobs.push(trainCtr({ ...base, n, paradigm: "dti", k, seed, contextReach: "window", positions: "window-relative", pace: paced(j0 + 1 + ki, `dti ${n} ${k}`), onProgress: progress(`DTI n=${n} k=${k}`, j0 + 1 + ki) })));
      });
      const got = await Promise.all(jobs);
      got.forEach((r, j) => results[Math.floor(j / (1 + ks.length))][j % (1 + ks.length)].push(r));
      say(`seed ${seed} (${((performance.now() - s0) / 1000).toFixed(0)} s): ` + ns.map((n, ni) => {
        const sw = results[ni][0][seed];
        return `n=${n}: SW ${sw.seconds.toFixed(1)} s AUC ${sw.auc.toFixed(4)}; ` + ks.map((k, ki) => {
          const d = results[ni][1 + ki][seed];
          return `k=${k} ${d.seconds.toFixed(1)} s (${(d.seconds / sw.seconds).toFixed(3)}x time, ${(d.tokens / sw.tokens).toFixed(3)}x tokens) AUC ${d.auc.toFixed(4)}`;
        }).join(", ");
      }).join(" | "));
      benchProgress(seed + 1, S, `seed ${seed}`);
    }
  } finally {
    profiler?.uninstall();
  }
  const profileOf = (label: string, rs: readonly TrainCtrResult[]): { profile: RunProfile; seconds: number; tokens: number } => ({
    profile: profiler!.get(label)!,
    seconds: rs.reduce((a, r) => a + r.seconds, 0),
    tokens: rs.reduce((a, r) => a + r.tokens, 0),
  });

  // Every run, every n and k, scored the same test targets with SW prompts? (Only then is the bootstrap paired.)
  // Test prompts at another n are other prompts, but the targets are the same; the pairing is within an n.
  let testTargets = 0;
  const swByN: DtiE2eResult["sw_by_n"] = [];
  const rows: DtiE2eRow[] = [];
  ns.forEach((n, ni) => {
    const all = results[ni].flatMap((rs, j) => rs.map((r, s) => ({ label: `${j === 0 ? "SW" : `DTI k=${ks[j - 1]}`} n=${n} seed ${s}`, r })));
    const { labels } = assertSameTestTargets(all);
    testTargets = labels.length;
    const swRuns = results[ni][0].map((r, s) => asRun(s, r));
    const a = meanStd(swRuns.map((r) => r.auc));
    swByN.push({ n, runs: swRuns, auc_mean: a.mean, auc_sd: a.std, tokens_per_target: swRuns[0].tokens / swRuns[0].targets });
    ks.forEach((k, ki) => {
      const rs = results[ni][1 + ki];
      const runs = rs.map((r, s) => asRun(s, r));
      const delta = pairedBootstrap("auc", rs.map((r) => r.predictions!.probs), results[ni][0].map((r) => r.predictions!.probs), labels, boot);
      const ratios = compareRuns(swRuns, runs);
      say(`n=${n} k=${k}: ${ratios.time_ratio.toFixed(3)}x time (CPU ${ratios.cpu_time_ratio.toFixed(3)}x) for ${ratios.token_ratio.toFixed(3)}x tokens: a DTI token costs ${ratios.per_token_premium.toFixed(3)}x an SW token (CPU ${ratios.per_token_premium_cpu.toFixed(3)}x; forward+backward ${ratios.phase_premium.forwardBackward.toFixed(3)}x, packing ${ratios.phase_premium.pack.toFixed(3)}x, optimiser ${ratios.phase_premium.optimizer.toFixed(3)}x); ΔAUC ${delta.mean.toFixed(4)} [${delta.interval[0].toFixed(4)}, ${delta.interval[1].toFixed(4)}]`);
      const op_profile = profiler ? decomposePremium(profileOf(`sw ${n}`, results[ni][0]), profileOf(`dti ${n} ${k}`, rs)) : undefined;
      if (op_profile)
        say(`  op profile n=${n} k=${k}: premium ${op_profile.premium.toFixed(3)}; visible pairs per token ${op_profile.visible_pairs_per_token.ratio.toFixed(3)}x SW's, attention per pair ${op_profile.attention_cost_per_pair_ratio.toFixed(3)}x; if only attention differed: ${op_profile.premium_if_only_attention_differed.toFixed(3)}`);
      rows.push({ n, k, ...(op_profile ? { op_profile } : {}), runs, auc_mean: meanStd(runs.map((r) => r.auc)).mean, ...ratios, auc_delta: delta, ...dtiVerdict(delta.interval) });
    });
  });

  const provenance = done();
  const result: DtiE2eResult = {
    provenance,
    mode: modeName,
    protocol: {
      data: data.name,
      subset: opts.data ? "given data set" : `MovieLens-1M (shared partial ratings file, users 1-2999): first ${users} users, each user's last ${maxPerUser} interactions`,
      interactions: st.interactions, train_targets: st.train, test_targets: st.test,
      model, ns, ks, plan_chunk: chunk,
      // The CPU caching allocator's reuse of larger size classes (native/napi/bind_storage.cc; A/B runs set 0).
      allocator_reuse_classes: process.env.RECFORGE_CPU_CACHE_REUSE ?? "3 (default)", epochs: 1, targets_per_step: targetsPerStep, seeds: S, bootstrap_replicates: boot.replicates,
      op_profile: opts.opProfile ? "on: every native op of the training steps timed (op_profile.ts); its wrapper makes each run a little slower than without" : "off",
      timing: `per seed all ${perSeed} runs (SW at each n, DTI at each (n, k)) interleaved in turns of ${PACE_BLOCK} optimiser steps in one process; each run's seconds are the sum of its own steps (training loop: prompt packing, forward, backward, optimiser; no evaluation). Ratios are per seed, then averaged.`,
      premium: "per_token_premium = time_ratio / token_ratio (1: a DTI token costs what an SW token costs); phase_premium compares seconds per token phase by phase",
      auc: "test AUC with SW prompts at the run's n; ΔAUC = AUC(DTI) − AUC(SW) at the same n on the same test targets, paired bootstrap over test targets (one seed: the rows interval; several: mean ± t(S−1)·√(sd²/S + v_rows))",
    },
    seeds: Array.from({ length: S }, (_, s) => s),
    test_targets: testTargets,
    same_test_targets: true,
    sw_by_n: swByN,
    rows,
    total_seconds: (performance.now() - t0) / 1000,
    results_file: null,
  };
  if (opts.out !== undefined) {
    fs.mkdirSync(opts.out, { recursive: true });
    const file = path.join(opts.out, `dti-e2e-${provenance.date_end.slice(0, 10)}${opts.quick ? "-quick" : ""}${opts.tag ? `-${opts.tag}` : ""}.json`);
    result.results_file = file;
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  }
  return result;
}
