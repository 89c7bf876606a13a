// `recforge bench balance`: quality (per-task AUC / NE over seeds) and training
// throughput of the multi-task balancers, on Census-Income (MMoE) and on the synthetic
// industrial shape.
//
// Throughput is measured SIDE BY SIDE, step by step: each balancer is paired with a fresh
// plain-summed-losses model (EqualWeights, the baseline) of the same architecture and seed;
// after a warm-up the two take alternate steps on the same batches (A B A B ..., who goes
// first alternating), and qps_ratio is the median over step pairs of
// (baseline step time / balancer step time). On a shared 2-core machine the load changes
// by 2-3x within minutes; adjacent steps see the same load, separate runs do not. The same
// ratio on process CPU time (qps_ratio_cpu; the thread pool blocks, it does not spin) is
// reported beside it: it counts the work done and hardly moves with other processes' load.
// qps = batch size / median step time of that balancer in its pair.
//
// Quality: Census runs `epochs` full epochs per (balancer, seed), test metrics at the
// epoch with the best mean validation NE; the synthetic models are only trained for the
// throughput steps (train_examples says how many), so their AUC / NE are early-training
// numbers, not converged ones.
import { startProvenance, type Provenance } from "../provenance.js";
import { Adam } from "../optim/adam.js";
import type { Tensor } from "../tensor/tensor.js";
import { randn, BalanceState, balanceGradients } from "../ops/index.js";
import { loadCensus, censusAvailable, censusDir } from "../methods/multibalance/data/census.js";
import { syntheticMultiTask, INDUSTRIAL_VOCABS } from "../methods/multibalance/data/synthetic.js";
import type { MultiTaskBatch, MultiTaskData } from "../methods/multibalance/data/multitask.js";
import { meanStd } from "../metrics/classification.js";
import { pairedBootstrap, betterByInterval } from "../metrics/bootstrap.js";
import { createModel, type ModelKind, type MMoEOptions, type SharedBottomOptions } from "../methods/multibalance/models.js";
import { createBalancer } from "../methods/multibalance/balancers/index.js";
import { computeGradients, evaluate, trainMultiTaskSteps, type TaskMetrics } from "../methods/multibalance/trainer.js";
import { runSyncReporting } from "../methods/step_loop.js";
import { benchProgress, log, median, nowMs } from "./timing.js";

export interface BalanceBenchTask {
  name: string;
  auc: number | null;
  auc_std: number | null;
  ne: number | null;
  ne_std: number | null;
}

export interface BalanceBenchResult {
  dataset: "census" | "synthetic";
  model: ModelKind;
  balancer: string;
  seeds: number[];
  /** Training examples per second: batch size / median step time, measured in its pair. */
  qps: number;
  /** Median over step pairs of baseline step time / balancer step time (1 for the baseline). */
  qps_ratio: number;
  /** Interquartile range of the per-pair ratios. */
  qps_ratio_iqr: [number, number];
  /** Step pairs measured. */
  qps_pairs: number;
  /** QPS of the baseline measured in the same pair (its own entry pools every pair). */
  baseline_qps: number;
  /** The same ratio on process CPU time (user + system, all threads): insensitive to other processes' load. */
  qps_ratio_cpu: number;
  qps_ratio_cpu_iqr: [number, number];
  step_ms: number;
  /** MultiBalance only: ms per step of the balancing itself (stacking + fused kernel on T [B, d] gradients), timed alone. */
  balance_ms?: number;
  /** Mean task weights the balancer applied (diagnostics). */
  mean_weights: number[];
  /** Training examples seen (per seed) before the metrics below were taken. */
  train_examples: number;
  tasks: BalanceBenchTask[];
}

export interface NeComparison {
  balancer: string;
  task: string;
  /** Mean over seeds of NE(balancer) − NE(equal), paired by seed (negative = balancer better). */
  ne_delta: number;
  ne_delta_std: number;
  /** Relative NE gain over equal weights in % (positive = better). */
  ne_gain_pct: number;
  /**
   * 95% interval of the NE delta across seeds: a paired bootstrap over the same test rows combined
   * with the spread over seeds (lib/metrics/bootstrap.ts: mean ± t(S−1)·√(sd²/S + v_rows)).
   */
  ne_delta_ci95: [number, number];
  /** True only when that whole interval lies below zero (issue 17: decided by the interval, not the mean). */
  wins: boolean;
}

export interface BalanceBench {
  /** Commit, command line, machine (CPU model, ISA, BLAS core, threads) and load at start and end. */
  provenance: Provenance;
  config: Record<string, unknown>;
  results: BalanceBenchResult[];
  /** Every balancer against equal weights on Census, per task, paired by seed. */
  census_ne_vs_equal: NeComparison[];
  skipped: string[];
  seconds: number;
}

export interface CensusConfig {
  balancers: string[];
  seeds: number[];
  epochs: number;
  batchSize: number;
  lr: number;
  model: ModelKind;
  modelOptions: MMoEOptions & SharedBottomOptions;
  /** Paired-throughput steps: warm-up, then measured pairs. */
  qpsWarmup: number;
  qpsPairs: number;
}

export interface SyntheticConfig {
  balancers: string[];
  /** Vocabulary sizes of the sparse fields (default INDUSTRIAL_VOCABS). */
  vocabs: number[];
  seed: number;
  numTasks: number;
  batchSize: number;
  lr: number;
  model: ModelKind;
  modelOptions: MMoEOptions & SharedBottomOptions;
  qpsWarmup: number;
  qpsPairs: number;
  evalRows: number;
}

export interface BalanceBenchOptions {
  quick?: boolean;
  /** Run only these datasets (default both). */
  datasets?: ("census" | "synthetic")[];
  /** Overrides of the run configurations (tests use tiny ones). */
  census?: Partial<CensusConfig>;
  synthetic?: Partial<SyntheticConfig>;
  log?: (m: string) => void;
}

const r4 = (x: number | null) => (x === null || !Number.isFinite(x) ? x : Math.round(x * 1e4) / 1e4);
const r1 = (x: number) => Math.round(x * 10) / 10;

function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const pos = (s.length - 1) * q, lo = Math.floor(pos), hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

function aggregateTasks(runs: TaskMetrics[][]): BalanceBenchTask[] {
  return runs[0].map((t0, k) => {
    const auc = runs.map((r) => r[k].auc).filter((v): v is number => v !== null);
    const ne = runs.map((r) => r[k].ne).filter((v): v is number => v !== null);
    const a = auc.length ? meanStd(auc) : null, n = ne.length ? meanStd(ne) : null;
    return { name: t0.name, auc: r4(a?.mean ?? null), auc_std: r4(a?.std ?? null), ne: r4(n?.mean ?? null), ne_std: r4(n?.std ?? null) };
  });
}

// ---- paired throughput ---------------------------------------------------------------------

export interface PairConfig {
  model: ModelKind;
  modelOptions: MMoEOptions & SharedBottomOptions;
  seed: number;
  lr: number;
  warmup: number;
  pairs: number;
}

export interface Runner {
  name: string;
  steps: number;
  weights: Float64Array;
  /** Wall and process CPU milliseconds of one training step. */
  step(b: MultiTaskBatch): { wall: number; cpu: number };
  eval(rows: number): TaskMetrics[];
  /** The model's parameters (tests compare two runners' after the same batches). */
  parameters(): Tensor[];
  dispose(): void;
}

export function makeRunner(data: MultiTaskData, name: string, cfg: PairConfig): Runner {
  const T = data.schema.tasks.length;
  const model = createModel(cfg.model, data.schema, { ...cfg.modelOptions, seed: cfg.seed });
  const balancer = createBalancer(name, T, { seed: cfg.seed });
  const opt = new Adam([...model.parameters(), ...balancer.parameters()], { lr: cfg.lr });
  const shared = model.sharedParameters(), task = model.tasks.flatMap((_, k) => model.taskParameters(k));
  const r: Runner = {
    name, steps: 0, weights: new Float64Array(T),
    step(b) {
      const s = nowMs(), c = process.cpuUsage();
      const { info } = computeGradients(model, balancer, b, { sharedParams: shared, taskParams: task });
      if (!info.skipped) opt.step();
      opt.zeroGrad();
      const cu = process.cpuUsage(c);
      info.weights.forEach((w, k) => (r.weights[k] += w));
      r.steps++;
      return { wall: nowMs() - s, cpu: (cu.user + cu.system) / 1000 };
    },
    eval: (rows) => evaluate(model, data.test, { maxRows: rows }),
    parameters: () => model.parameters(),
    dispose() {
      model.dispose();
      balancer.dispose();
      opt.dispose();
    },
  };
  return r;
}

interface PairResult {
  name: string;
  ratios: number[];
  cpuRatios: number[];
  baseTimes: number[];
  times: number[];
  weights: number[];
  steps: number;
  metrics: TaskMetrics[] | null;
  baseMetrics: TaskMetrics[] | null;
  baseWeights: number[];
}

/** Baseline + balancer, fresh models with the same init, alternating steps on the same batches. */
function pairedRun(data: MultiTaskData, name: string, batches: MultiTaskBatch[], cfg: PairConfig, evalRows: number): PairResult {
  const base = makeRunner(data, "equal", cfg), other = makeRunner(data, name, cfg);
  try {
    let cursor = 0;
    for (let i = 0; i < cfg.warmup; i++, cursor++) {
      base.step(batches[cursor]);
      other.step(batches[cursor]);
    }
    const ratios: number[] = [], cpuRatios: number[] = [], baseTimes: number[] = [], times: number[] = [];
    for (let i = 0; i < cfg.pairs; i++, cursor++) {
      const b = batches[cursor];
      let tb, to;
      if (i % 2 === 0) {
        tb = base.step(b);
        to = other.step(b);
      } else {
        to = other.step(b);
        tb = base.step(b);
      }
      ratios.push(tb.wall / to.wall);
      cpuRatios.push(tb.cpu / to.cpu);
      baseTimes.push(tb.wall);
      times.push(to.wall);
    }
    return {
      name, ratios, cpuRatios, baseTimes, times, steps: other.steps,
      weights: Array.from(other.weights, (w) => w / other.steps),
      baseWeights: Array.from(base.weights, (w) => w / base.steps),
      metrics: evalRows > 0 ? other.eval(evalRows) : null,
      baseMetrics: evalRows > 0 ? base.eval(evalRows) : null,
    };
  } finally {
    base.dispose();
    other.dispose();
  }
}

/** Runs every non-baseline balancer in a pair; returns the pairs and the pooled baseline. */
function pairedThroughput(data: MultiTaskData, balancers: string[], batches: MultiTaskBatch[], cfg: PairConfig, evalRows: number, say: (m: string) => void, tag: string): PairResult[] {
  const out: PairResult[] = [];
  const todo = balancers.filter((name) => name !== "equal").length;
  benchProgress(0, todo, `${tag}: paired steps`);
  for (const name of balancers) {
    if (name === "equal") continue;
    const p = pairedRun(data, name, batches, cfg, evalRows);
    benchProgress(out.length + 1, todo, `${tag}: ${name} vs equal`);
    say(`${tag} ${name}: step ${median(p.times).toFixed(1)} ms vs equal ${median(p.baseTimes).toFixed(1)} ms (medians of ${p.ratios.length} alternating steps), qps_ratio ${median(p.ratios).toFixed(3)} [IQR ${quantile(p.ratios, 0.25).toFixed(3)}, ${quantile(p.ratios, 0.75).toFixed(3)}], CPU-time ratio ${median(p.cpuRatios).toFixed(3)} [IQR ${quantile(p.cpuRatios, 0.25).toFixed(3)}, ${quantile(p.cpuRatios, 0.75).toFixed(3)}]`);
    out.push(p);
  }
  return out;
}

function hostBatches(data: MultiTaskData, n: number, B: number, shuffleSeed: number | null): MultiTaskBatch[] {
  const size = data.train.size;
  const out: MultiTaskBatch[] = [];
  for (let i = 0; i < n; i++) {
    const pos = new Int32Array(B);
    for (let j = 0; j < B; j++) pos[j] = shuffleSeed === null ? (i * B + j) % size : (((i * B + j) * 2654435761) >>> 0) % size;
    out.push(data.train.gather(pos));
  }
  return out;
}

// ---- Census: quality over seeds + paired throughput -----------------------------------------

function benchCensus(cfg: CensusConfig, say: (m: string) => void): { results: BalanceBenchResult[]; comparisons: NeComparison[] } {
  const data = loadCensus();
  const runs = new Map<string, { test: TaskMetrics[]; w: number[]; examples: number }[]>();
  // The order of the balancers rotates with the seed, so none always runs first.
  cfg.seeds.forEach((seed, si) => {
    const order = cfg.balancers.map((_, i) => cfg.balancers[(i + si) % cfg.balancers.length]);
    for (const b of order) {
      const t0 = nowMs();
      const done = [...runs.values()].reduce((a, x) => a + x.length, 0), total = cfg.seeds.length * cfg.balancers.length;
      if (done === 0) benchProgress(0, total, `census ${b} seed ${seed}`);
      const r = runSyncReporting(
        trainMultiTaskSteps({ data, model: cfg.model, modelOptions: cfg.modelOptions, balancer: b, epochs: cfg.epochs, batchSize: cfg.batchSize, lr: cfg.lr, seed, keepTestPredictions: true }),
        (t) => t.phase === "train" && benchProgress(Math.round((done + Math.min(0.95, t.step / t.steps)) * 100) / 100, total, `census ${b} seed ${seed}`),
      );
      say(`census ${cfg.model} ${b} seed ${seed}: ${((nowMs() - t0) / 1000).toFixed(1)} s, ` + r.test.map((m) => `${m.name} auc ${m.auc!.toFixed(4)} ne ${m.ne!.toFixed(4)}`).join(", ") + ` (epoch ${r.selectedEpoch})`);
      (runs.get(b) ?? runs.set(b, []).get(b)!).push({ test: r.test, w: r.meanWeights, examples: r.steps * cfg.batchSize });
      benchProgress([...runs.values()].reduce((a, x) => a + x.length, 0), cfg.seeds.length * cfg.balancers.length, `census ${b} seed ${seed}`);
      r.model.dispose();
      r.balancer.dispose();
      r.optimizer.dispose();
    }
  });
  const batches = hostBatches(data, cfg.qpsWarmup + cfg.qpsPairs, cfg.batchSize, 1);
  const pairs = pairedThroughput(data, cfg.balancers, batches, { model: cfg.model, modelOptions: cfg.modelOptions, seed: cfg.seeds[0], lr: cfg.lr, warmup: cfg.qpsWarmup, pairs: cfg.qpsPairs }, 0, say, `census ${cfg.model} throughput`);
  const baseTimes = pairs.flatMap((p) => p.baseTimes);
  const results: BalanceBenchResult[] = [];
  for (const b of cfg.balancers) {
    const rs = runs.get(b)!;
    const p = pairs.find((x) => x.name === b);
    const times = p ? p.times : baseTimes;
    results.push({
      dataset: "census", model: cfg.model, balancer: b, seeds: cfg.seeds,
      qps: times.length ? Math.round((cfg.batchSize / median(times)) * 1000) : NaN,
      qps_ratio: p ? r4(median(p.ratios))! : 1,
      qps_ratio_iqr: p ? [r4(quantile(p.ratios, 0.25))!, r4(quantile(p.ratios, 0.75))!] : [1, 1],
      qps_pairs: p ? p.ratios.length : baseTimes.length,
      baseline_qps: Math.round((cfg.batchSize / median(p ? p.baseTimes : baseTimes)) * 1000),
      qps_ratio_cpu: p ? r4(median(p.cpuRatios))! : 1,
      qps_ratio_cpu_iqr: p ? [r4(quantile(p.cpuRatios, 0.25))!, r4(quantile(p.cpuRatios, 0.75))!] : [1, 1],
      step_ms: times.length ? r1(median(times)) : NaN,
      mean_weights: rs[0].w.map((_, k) => r4(rs.reduce((s, r) => s + r.w[k], 0) / rs.length)!),
      train_examples: rs[0].examples,
      tasks: aggregateTasks(rs.map((r) => r.test)),
    });
  }
  const base = runs.get("equal");
  const comparisons: NeComparison[] = [];
  if (base)
    for (const b of cfg.balancers) {
      if (b === "equal") continue;
      const rs = runs.get(b)!;
      rs[0].test.forEach((t, k) => {
        const d = rs.map((r, i) => r.test[k].ne! - base[i].test[k].ne!);
        const { mean, std } = meanStd(d);
        const baseNe = meanStd(base.map((r) => r.test[k].ne!)).mean;
        // Every run scores the same test rows (the split is fixed); the bootstrap checks the lengths.
        const boot = pairedBootstrap("ne", rs.map((r) => r.test[k].predictions!), base.map((r) => r.test[k].predictions!), base[0].test[k].labels!, { replicates: 2000 });
        comparisons.push({
          balancer: b, task: t.name, ne_delta: r4(mean)!, ne_delta_std: r4(std)!,
          ne_gain_pct: Math.round((-mean / baseNe) * 1e4) / 100,
          ne_delta_ci95: [boot.interval[0], boot.interval[1]],
          wins: betterByInterval(boot.interval, "lower_is_better") === "A",
        });
      });
    }
  return { results, comparisons };
}

// ---- synthetic industrial shape: paired throughput, early-training metrics -------------------

function benchSynthetic(cfg: SyntheticConfig, say: (m: string) => void): BalanceBenchResult[] {
  benchProgress(0, cfg.balancers.filter((name) => name !== "equal").length, `synthetic ${cfg.model}: generating data`);
  const data = syntheticMultiTask({ vocabs: cfg.vocabs, numTasks: cfg.numTasks, correlation: 0.5, conflict: 1, seed: cfg.seed, trainRows: 10_000_000, validRows: cfg.evalRows, testRows: cfg.evalRows });
  const B = cfg.batchSize;
  const n = cfg.qpsWarmup + cfg.qpsPairs;
  const t0 = nowMs();
  const batches = hostBatches(data, n, B, null);
  say(`synthetic: ${data.schema.fields.length} sparse fields (largest table ${Math.max(...data.schema.fields.map((f) => f.vocabSize))} rows), ${data.schema.denseDim} dense, ${cfg.numTasks} tasks; ${n} batches of ${B} generated in ${((nowMs() - t0) / 1000).toFixed(1)} s`);
  const pcfg: PairConfig = { model: cfg.model, modelOptions: cfg.modelOptions, seed: cfg.seed, lr: cfg.lr, warmup: cfg.qpsWarmup, pairs: cfg.qpsPairs };
  const pairs = pairedThroughput(data, cfg.balancers, batches, pcfg, cfg.evalRows, say, `synthetic ${cfg.model}`);
  const repDim = repWidth(cfg, data);
  const baseTimes = pairs.flatMap((p) => p.baseTimes);
  const results: BalanceBenchResult[] = [];
  for (const b of cfg.balancers) {
    const p = pairs.find((x) => x.name === b);
    if (!p && b !== "equal") continue;
    const times = p ? p.times : baseTimes;
    const metrics = p ? p.metrics! : pairs[0]?.baseMetrics;
    if (!metrics) continue;
    results.push({
      dataset: "synthetic", model: cfg.model, balancer: b, seeds: [cfg.seed],
      qps: Math.round((B / median(times)) * 1000),
      qps_ratio: p ? r4(median(p.ratios))! : 1,
      qps_ratio_iqr: p ? [r4(quantile(p.ratios, 0.25))!, r4(quantile(p.ratios, 0.75))!] : [1, 1],
      qps_pairs: p ? p.ratios.length : baseTimes.length,
      baseline_qps: Math.round((B / median(p ? p.baseTimes : baseTimes)) * 1000),
      qps_ratio_cpu: p ? r4(median(p.cpuRatios))! : 1,
      qps_ratio_cpu_iqr: p ? [r4(quantile(p.cpuRatios, 0.25))!, r4(quantile(p.cpuRatios, 0.75))!] : [1, 1],
      step_ms: r1(median(times)),
      ...(b === "multibalance" ? { balance_ms: Math.round(kernelMs(cfg.numTasks, B, repDim) * 1000) / 1000 } : {}),
      mean_weights: (p ? p.weights : pairs[0].baseWeights).map((w) => r4(w)!),
      train_examples: n * B,
      tasks: aggregateTasks([metrics]),
    });
  }
  return results;
}

// Width of z for this configuration, from a model with one-row tables (same widths, without
// allocating 10^6-row tables).
function repWidth(cfg: SyntheticConfig, data: MultiTaskData): number {
  const m = createModel(cfg.model, { ...data.schema, fields: data.schema.fields.map((f) => ({ ...f, vocabSize: 1 })) }, { ...cfg.modelOptions, seed: cfg.seed });
  const d = m.repDim;
  m.dispose();
  return d;
}

/** Median ms of balanceGradients on T random [B, d] float32 gradients given as T tensors (what MultiBalance does per step). */
function kernelMs(T: number, B: number, d: number): number {
  const gs = Array.from({ length: T }, () => randn([B, d]));
  const st = new BalanceState(T);
  const times: number[] = [];
  for (let i = 0; i < 23; i++) {
    const t0 = nowMs();
    balanceGradients(gs, st).out.dispose();
    if (i >= 3) times.push(nowMs() - t0);
  }
  gs.forEach((g) => g.dispose());
  st.dispose();
  return median(times);
}

// ---- entry point ----------------------------------------------------------------------

const ALL = ["equal", "multibalance", "metabalance", "uncertainty", "gradnorm", "pcgrad"];

export function benchBalance(opts: BalanceBenchOptions = {}): BalanceBench {
  const quick = !!opts.quick;
  const say = opts.log ?? log;
  const datasets = opts.datasets ?? ["census", "synthetic"];
  const start = nowMs();
  const done = startProvenance();
  const census: CensusConfig = {
    balancers: quick ? ["equal", "multibalance"] : ALL,
    seeds: [1, 2, 3],
    epochs: quick ? 1 : 3,
    batchSize: 1024,
    lr: 2e-3,
    model: "mmoe",
    modelOptions: { embeddingDim: 8, experts: 8, expertDim: 16, tower: [16] },
    qpsWarmup: 5,
    qpsPairs: quick ? 20 : 30,
    ...(opts.census ?? {}),
  };
  const synthetic: SyntheticConfig = {
    balancers: quick ? ["equal", "multibalance", "metabalance"] : ALL,
    vocabs: INDUSTRIAL_VOCABS,
    seed: 1,
    numTasks: 4,
    batchSize: 2048,
    lr: 1e-3,
    model: "shared-bottom",
    modelOptions: { embeddingDim: 16, bottom: [256, 128], tower: [64] },
    qpsWarmup: quick ? 2 : 3,
    qpsPairs: quick ? 6 : 20,
    evalRows: quick ? 8192 : 20_000,
    ...(opts.synthetic ?? {}),
  };
  const results: BalanceBenchResult[] = [];
  const skipped: string[] = [];
  let comparisons: NeComparison[] = [];
  if (datasets.includes("census")) {
    if (censusAvailable()) {
      const c = benchCensus(census, say);
      results.push(...c.results);
      comparisons = c.comparisons;
    } else skipped.push(`census: no data at ${censusDir()} (set RECFORGE_DATA)`);
  }
  if (datasets.includes("synthetic")) results.push(...benchSynthetic(synthetic, say));
  return {
    provenance: done(),
    config: { quick, census: { ...census, data: "census-income-kdd test split, 80/10/10 seed 20240" }, synthetic: { ...synthetic, correlation: 0.5, conflict: 1 } },
    results,
    census_ne_vs_equal: comparisons,
    skipped,
    seconds: Math.round((nowMs() - start) / 1000),
  };
}
