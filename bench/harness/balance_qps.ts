// `recforge bench balance-qps`: MultiBalance's training throughput against the plain summed loss
// (issue 16 item 6), with an interval. On a shared machine only side-by-side ratios mean anything,
// so a RUN is: two fresh model instances (same architecture, init and batches), the balanced and
// the unbalanced side (EqualWeights) taking turns on them (qpsRun: why); a few warm-up steps each;
// then P step PAIRS, the two sides alternating (A B, B A, …: who goes first alternates too). The run's QPS ratio is Σ t(unbalanced) / Σ t(balanced) over its
// pairs: examples per second balanced / unbalanced, since both train on the same batches. R runs
// (seeds 1..R, each with its own batches) give R ratios; the interval is mean ± t(R−1)·sd/√R over
// runs (what varies between runs — init, batches, the machine's load — is in it). The same on
// process CPU time (the thread pool blocks, it does not spin: CPU time counts the work done).
//
// Shapes:
//   synthetic  the synthetic industrial shape of `bench balance`: 26 sparse fields (tables of up to
//              10^6 rows, 64 M embedding parameters), 13 dense, 4 tasks, shared bottom
//              429→256→128, towers 64, batch 2048. recforge's embedding gradients are dense, so
//              every step zero-fills, scatters and Adam-updates all 64 M rows: that dominates the
//              step and hides the balancer's cost.
//   sparse     the same fields, tasks, model and batch with every table capped at 2048 rows: the
//              embedding update then touches ~one table's worth of rows per field per step, what a
//              trainer with row-sparse embedding gradients pays (B × fields rows). recforge has no
//              row-sparse gradients: this is a proxy for the cost profile, not sparse gradients.
//   census     Census-Income MMoE of `bench balance` (8 experts of 16, 8-d embeddings, towers 16,
//              batch 1024): a small model where the balancer's fixed cost is largest.
import fs from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import { startProvenance, type Provenance } from "../provenance.js";
import { tQuantile975 } from "../metrics/bootstrap.js";
import { meanStd } from "../metrics/classification.js";
import { loadCensus, censusAvailable, censusDir } from "../methods/multibalance/data/census.js";
import { syntheticMultiTask, INDUSTRIAL_VOCABS } from "../methods/multibalance/data/synthetic.js";
import type { MultiTaskBatch, MultiTaskData } from "../methods/multibalance/data/multitask.js";
import type { ModelKind, MMoEOptions, SharedBottomOptions } from "../methods/multibalance/models.js";
import { Adam } from "../optim/adam.js";
import { createModel, type MultiTaskModel } from "../methods/multibalance/models.js";
import { createBalancer } from "../methods/multibalance/balancers/index.js";
import type { Balancer } from "../methods/multibalance/balancers/balancer.js";
import { computeGradients } from "../methods/multibalance/trainer.js";
import type { Tensor } from "../tensor/tensor.js";
import { benchProgress, log, median, nowMs } from "./timing.js";

export const QPS_SHAPES = ["synthetic", "sparse", "census"] as const;
export type QpsShape = (typeof QPS_SHAPES)[number];

/** Rows per table of the "sparse" shape (see the file comment). */
export const SPARSE_PROXY_ROWS = 2048;

interface ShapeConfig {
  model: ModelKind;
  modelOptions: MMoEOptions & SharedBottomOptions;
  batchSize: number;
  lr: number;
  describe: string;
}

const SHAPES: Record<QpsShape, ShapeConfig> = {
  synthetic: { model: "shared-bottom", modelOptions: { embeddingDim: 16, bottom: [256, 128], tower: [64] }, batchSize: 2048, lr: 1e-3, describe: "synthetic industrial shape: 26 sparse fields (INDUSTRIAL_VOCABS, 64 M embedding parameters, dense gradients), 13 dense, 4 tasks (correlation 0.5, 1 in conflict); shared bottom 429→256→128, towers 64; batch 2048" },
  sparse: { model: "shared-bottom", modelOptions: { embeddingDim: 16, bottom: [256, 128], tower: [64] }, batchSize: 2048, lr: 1e-3, describe: `the synthetic industrial shape with every table capped at ${SPARSE_PROXY_ROWS} rows: embedding updates of the size a row-sparse trainer makes (batch × fields rows); a proxy, recforge has no row-sparse gradients` },
  census: { model: "mmoe", modelOptions: { embeddingDim: 8, experts: 8, expertDim: 16, tower: [16] }, batchSize: 1024, lr: 2e-3, describe: "Census-Income (KDD) MMoE: 8 experts of 16, 8-d embeddings, towers 16, 2 tasks; batch 1024, train split rows in a seeded order" },
};

export interface QpsRun {
  seed: number;
  pairs: number;
  /** Σ unbalanced step seconds / Σ balanced step seconds over the run's pairs (= QPS balanced / unbalanced). */
  qps_ratio: number;
  qps_ratio_cpu: number;
  /** Median over the run's pairs of the per-pair ratio (robust to one slow step). */
  median_pair_ratio: number;
  /**
   * Σ step time of model instance 0 / Σ of instance 1 over the run's pairs, both sides together: how
   * much the two instances' speed differs (memory placement; 1 when it does not). With the
   * turns (qpsRun) it does not enter qps_ratio; it is reported to show its size.
   */
  instance_ratio: number;
  instance_ratio_cpu: number;
  /**
   * Slow steps per side: steps longer than 1.5 × the run's median step (both sides pooled). They
   * stay in qps_ratio (nothing is trimmed); counted to show how much of a run's spread they make.
   */
  balanced_outliers: number;
  unbalanced_outliers: number;
  /** V8 garbage collections that ran inside the side's timed steps (v8.GCProfiler): count and summed pause, ms. */
  balanced_gc: { count: number; ms: number };
  unbalanced_gc: { count: number; ms: number };
  balanced_ms: number[];
  unbalanced_ms: number[];
  balanced_cpu_ms: number[];
  unbalanced_cpu_ms: number[];
}

export interface QpsInterval {
  mean: number;
  sd: number;
  /** mean ± t(R−1)·sd/√R over runs (95%); null for one run. */
  interval: [number, number] | null;
}

export interface QpsShapeResult {
  shape: QpsShape;
  balancer: string;
  describe: string;
  batch_size: number;
  runs: QpsRun[];
  qps_ratio: QpsInterval;
  qps_ratio_cpu: QpsInterval;
  /** The runs' median per-pair ratios, mean ± t interval: less sensitive to a step that lost its core to another process. */
  median_pair_ratio: QpsInterval;
  /** Over all runs, per side: slow steps (QpsRun.balanced_outliers) and GC inside the timed steps. */
  outliers: { balanced: number; unbalanced: number; steps_per_side: number };
  gc: { balanced: { count: number; ms: number }; unbalanced: { count: number; ms: number } };
  /** The target of issue 16 item 6, read off the interval: its lower end >= 0.97. */
  lower_at_least_0_97: boolean | null;
  balanced_qps: number;
  unbalanced_qps: number;
}

export interface BalanceQpsResult {
  provenance: Provenance;
  protocol: Record<string, unknown>;
  shapes: QpsShapeResult[];
  skipped: string[];
  total_seconds: number;
  results_file: string | null;
}

export interface BalanceQpsOptions {
  shapes?: QpsShape[];
  balancer?: string;
  runs?: number;
  pairs?: number;
  warmup?: number;
  quick?: boolean;
  tag?: string;
  out?: string;
  command?: string;
  /** Overrides (tests): data and shape configuration per shape. */
  data?: Partial<Record<QpsShape, MultiTaskData>>;
  shapeConfig?: Partial<Record<QpsShape, Partial<ShapeConfig>>>;
  /** Called at the end of every run with both models' parameters, before they are disposed (tests). */
  inspect?: (shape: QpsShape, run: number, unbalanced: Tensor[], balanced: Tensor[]) => void;
  say?: (m: string) => void;
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

// Default runs × pairs, chosen from the measured noise (bench/results/balance-qps.md, session 6), the
// same for every shape. With 5 × 50 (sessions 4–5) the quiet Census interval was ±0.08: ~5% of its
// ~8 ms steps take 1.5–4× longer (a GC pause, the scheduler), and with 50 pairs a run's sum holds a
// handful of them, landing in one side or the other by chance (per-run sd 0.064; resampling a run's
// pairs gives 0.044). That spread shrinks like 1/√(pairs), and the interval's t factor and the
// between-run part (init, batches) with more runs: 10 × 200 predicts ±0.016–0.023 on Census (from the
// quiet session-5 steps) and narrows synthetic and sparse too, for ~9 minutes on a quiet
// machine (all shapes). Chosen on the spread alone, not on which ratio it gives.
export const QPS_DEFAULT_RUNS = 10;
export const QPS_DEFAULT_PAIRS = 200;

/** The QPS ratio of one run from its step times (ms): Σ unbalanced / Σ balanced, wall and CPU. */
export function runRatios(t: { balanced_ms: number[]; unbalanced_ms: number[]; balanced_cpu_ms: number[]; unbalanced_cpu_ms: number[] }): { qps_ratio: number; qps_ratio_cpu: number; median_pair_ratio: number } {
  const P = t.balanced_ms.length;
  if (P === 0 || t.unbalanced_ms.length !== P || t.balanced_cpu_ms.length !== P || t.unbalanced_cpu_ms.length !== P)
    throw new RangeError(`recforge: balance-qps: a run needs the same number (>= 1) of balanced and unbalanced steps, got ${t.balanced_ms.length} and ${t.unbalanced_ms.length}`);
  return {
    qps_ratio: sum(t.unbalanced_ms) / sum(t.balanced_ms),
    qps_ratio_cpu: sum(t.unbalanced_cpu_ms) / sum(t.balanced_cpu_ms),
    median_pair_ratio: median(t.unbalanced_ms.map((u, i) => u / t.balanced_ms[i])),
  };
}

/** mean ± t(R−1)·sd/√R of R per-run ratios. */
export function ratioInterval(xs: number[]): QpsInterval {
  const { mean, std } = meanStd(xs);
  const R = xs.length;
  if (R < 2) return { mean, sd: NaN, interval: null };
  const h = (tQuantile975(R - 1) * std) / Math.sqrt(R);
  return { mean, sd: std, interval: [mean - h, mean + h] };
}

// Two model instances per run, and the two balancers take turns on them (a crossover): in pair i
// the balanced side trains instance i mod 2 and the unbalanced side the other one. Why: two
// instances of one model, same init, same steps, differ in speed by up to ~25% for a whole run on
// the synthetic shape (an A/A run — the plain summed loss on both — gave per-run CPU-time ratios
// 0.79, 0.82, 1.00, 1.01; bench/results/balance-qps.md, session 5): where each instance's ~1 GB of
// parameters and Adam state lands in memory is fixed at its first steps and differs between the
// two. With each side on one instance for the whole run, that placement went into the run's ratio
// (synthetic per-run ratios 0.79–1.18); with the turns it falls on both sides equally, and
// `instance_ratio` reports its size. Every step is still a whole training step of that model
// (host batch → tensors, forward, backward with that balancer, Adam step) on the pair's batch.
interface Instance {
  model: MultiTaskModel;
  opt: Adam;
  shared: Tensor[];
  task: Tensor[];
  steps: number;
}
interface Arm {
  balancer: Balancer;
  /** The balancer's own parameters' optimiser (uncertainty weighting), shared by both instances; null when it has none. */
  opt: Adam | null;
}

function makeInstance(data: MultiTaskData, cfg: ShapeConfig, seed: number): Instance {
  const model = createModel(cfg.model, data.schema, { ...cfg.modelOptions, seed });
  return { model, opt: new Adam(model.parameters(), { lr: cfg.lr }), shared: model.sharedParameters(), task: model.tasks.flatMap((_, k) => model.taskParameters(k)), steps: 0 };
}

function makeArm(name: string, T: number, cfg: ShapeConfig, seed: number): Arm {
  const balancer = createBalancer(name, T, { seed });
  const ps = balancer.parameters();
  return { balancer, opt: ps.length ? new Adam(ps, { lr: cfg.lr }) : null };
}

// Collections inside a timed step are recorded (count, pause) so that a run can say how much of
// each side's time was garbage collection; the profiler is started before the clock and read after.
const gcProfiler = new v8.GCProfiler();

/** One training step of `inst` with `arm`'s balancer: wall and process CPU milliseconds, and the GCs inside it. */
function trainStep(inst: Instance, arm: Arm, b: MultiTaskBatch): { wall: number; cpu: number; gcCount: number; gcMs: number } {
  gcProfiler.start();
  let cu: NodeJS.CpuUsage, wall: number;
  try {
    const s = nowMs(), c = process.cpuUsage();
    const { info } = computeGradients(inst.model, arm.balancer, b, { sharedParams: inst.shared, taskParams: inst.task });
    if (!info.skipped) {
      inst.opt.step();
      arm.opt?.step();
    }
    inst.opt.zeroGrad();
    arm.opt?.zeroGrad();
    cu = process.cpuUsage(c);
    wall = nowMs() - s;
  } catch (e) {
    gcProfiler.stop(); // a failed step leaves no profiler running
    throw e;
  }
  const gcs = gcProfiler.stop()!.statistics;
  inst.steps++;
  return { wall, cpu: (cu.user + cu.system) / 1000, gcCount: gcs.length, gcMs: gcs.reduce((a, g) => a + g.cost, 0) / 1000 };
}

/** Steps of each side longer than 1.5 × the median of all the run's steps (both sides). */
export function outlierCounts(balanced: number[], unbalanced: number[]): { balanced: number; unbalanced: number } {
  const cut = 1.5 * median([...balanced, ...unbalanced]);
  return { balanced: balanced.filter((x) => x > cut).length, unbalanced: unbalanced.filter((x) => x > cut).length };
}

/**
 * One run: two fresh model instances with the same seed (so the same init), the balanced and
 * the unbalanced side taking turns on them (see above); `warmup` steps of each instance, then
 * `pairs` alternated step pairs on batches[warmup ..]: both sides take every step on the same batch,
 * and who goes first alternates every other pair.
 */
function qpsRun(data: MultiTaskData, balancer: string, cfg: ShapeConfig, seed: number, batches: MultiTaskBatch[], warmup: number, pairs: number, inspect?: (u: Tensor[], b: Tensor[]) => void): QpsRun {
  const T = data.schema.tasks.length;
  const owned: { dispose(): void }[] = [];
  const instance = (): Instance => {
    const x = makeInstance(data, cfg, seed);
    owned.push(x.model, x.opt);
    return x;
  };
  try {
    const inst = [instance(), instance()];
    const base = makeArm("equal", T, cfg, seed), bal = makeArm(balancer, T, cfg, seed);
    owned.push(base.balancer, bal.balancer);
    if (base.opt) owned.push(base.opt);
    if (bal.opt) owned.push(bal.opt);
    for (let i = 0; i < warmup; i++) {
      trainStep(inst[0], i % 2 === 0 ? base : bal, batches[i]);
      trainStep(inst[1], i % 2 === 0 ? bal : base, batches[i]);
    }
    const t = { balanced_ms: [] as number[], unbalanced_ms: [] as number[], balanced_cpu_ms: [] as number[], unbalanced_cpu_ms: [] as number[] };
    const byInstance = [0, 0], byInstanceCpu = [0, 0];
    const gcB = { count: 0, ms: 0 }, gcU = { count: 0, ms: 0 };
    for (let i = 0; i < pairs; i++) {
      const b = batches[warmup + i];
      const ib = i % 2, iu = 1 - ib; // the balanced side's instance this pair
      let tb, tu;
      if ((i >> 1) % 2 === 0) {
        tu = trainStep(inst[iu], base, b);
        tb = trainStep(inst[ib], bal, b);
      } else {
        tb = trainStep(inst[ib], bal, b);
        tu = trainStep(inst[iu], base, b);
      }
      t.balanced_ms.push(tb.wall);
      t.unbalanced_ms.push(tu.wall);
      t.balanced_cpu_ms.push(tb.cpu);
      t.unbalanced_cpu_ms.push(tu.cpu);
      byInstance[ib] += tb.wall;
      byInstance[iu] += tu.wall;
      byInstanceCpu[ib] += tb.cpu;
      byInstanceCpu[iu] += tu.cpu;
      gcB.count += tb.gcCount;
      gcB.ms += tb.gcMs;
      gcU.count += tu.gcCount;
      gcU.ms += tu.gcMs;
    }
    if (inst[0].steps !== warmup + pairs || inst[1].steps !== warmup + pairs) throw new Error(`recforge: balance-qps: the two instances took ${inst[0].steps} and ${inst[1].steps} steps, expected ${warmup + pairs}`);
    inspect?.(inst[0].model.parameters(), inst[1].model.parameters());
    const slow = outlierCounts(t.balanced_ms, t.unbalanced_ms);
    return { seed, pairs, ...runRatios(t), instance_ratio: byInstance[0] / byInstance[1], instance_ratio_cpu: byInstanceCpu[0] / byInstanceCpu[1], balanced_outliers: slow.balanced, unbalanced_outliers: slow.unbalanced, balanced_gc: gcB, unbalanced_gc: gcU, ...t };
  } finally {
    for (const x of owned.reverse()) x.dispose();
  }
}

/** Run r's batches: rows in a scrambled order, a different stretch of it for every run. */
export function runBatches(data: MultiTaskData, run: number, n: number, B: number): MultiTaskBatch[] {
  const size = data.train.size;
  const out: MultiTaskBatch[] = [];
  for (let i = 0; i < n; i++) {
    const pos = new Int32Array(B);
    for (let j = 0; j < B; j++) pos[j] = Number((BigInt((run * n + i) * B + j) * 2654435761n) % BigInt(size));
    out.push(data.train.gather(pos));
  }
  return out;
}

function shapeData(shape: QpsShape, evalRows: number): MultiTaskData {
  if (shape === "census") return loadCensus();
  const vocabs = shape === "sparse" ? INDUSTRIAL_VOCABS.map((v) => Math.min(v, SPARSE_PROXY_ROWS)) : INDUSTRIAL_VOCABS;
  return syntheticMultiTask({ vocabs, numTasks: 4, correlation: 0.5, conflict: 1, seed: 1, trainRows: 10_000_000, validRows: evalRows, testRows: evalRows });
}

export function benchBalanceQps(opts: BalanceQpsOptions = {}): BalanceQpsResult {
  const t0 = performance.now();
  const say = opts.say ?? log;
  const quick = !!opts.quick;
  const shapes = opts.shapes ?? [...QPS_SHAPES];
  for (const s of shapes) if (!QPS_SHAPES.includes(s)) throw new RangeError(`recforge: bench balance-qps: unknown shape ${JSON.stringify(s)}; expected one of ${QPS_SHAPES.join(", ")}`);
  const balancer = opts.balancer ?? "multibalance";
  const R = opts.runs ?? (quick ? 2 : QPS_DEFAULT_RUNS), P = opts.pairs ?? (quick ? 10 : QPS_DEFAULT_PAIRS), W = opts.warmup ?? (quick ? 2 : 3);
  for (const [v, what, min] of [[R, "runs", 1], [P, "pairs", 1], [W, "warmup", 0]] as const)
    if (!Number.isInteger(v) || v < min) throw new RangeError(`recforge: bench balance-qps: ${what} must be an integer >= ${min}, got ${v}`);
  if (opts.tag !== undefined && !/^[A-Za-z0-9._-]+$/.test(opts.tag)) throw new RangeError(`recforge: bench balance-qps: tag must be letters, digits, '.', '_' or '-', got ${JSON.stringify(opts.tag)}`);
  const done = startProvenance(opts.command);
  const results: QpsShapeResult[] = [];
  const skipped: string[] = [];
  let finished = 0;
  for (const shape of shapes) {
    if (shape === "census" && !opts.data?.census && !censusAvailable()) {
      skipped.push(`census: no data at ${censusDir()} (set RECFORGE_DATA)`);
      continue;
    }
    const cfg: ShapeConfig = { ...SHAPES[shape], ...(opts.shapeConfig?.[shape] ?? {}) };
    const data = opts.data?.[shape] ?? shapeData(shape, 1024);
    // Every run its own batches (run r: rows from seed r), the same for both models of the run.
    const runs: QpsRun[] = [];
    for (let r = 0; r < R; r++) {
      const batches = runBatches(data, r, W + P, cfg.batchSize);
      const run = qpsRun(data, balancer, cfg, r + 1, batches, W, P, opts.inspect && ((u, b) => opts.inspect!(shape, r, u, b)));
      runs.push(run);
      say(`${shape} run ${r + 1}/${R}: ${balancer} ${median(run.balanced_ms).toFixed(1)} ms vs equal ${median(run.unbalanced_ms).toFixed(1)} ms (medians of ${P} pairs); QPS ratio ${run.qps_ratio.toFixed(4)} (CPU ${run.qps_ratio_cpu.toFixed(4)}, median pair ${run.median_pair_ratio.toFixed(4)}); instance 0 / 1 time ${run.instance_ratio.toFixed(3)} (CPU ${run.instance_ratio_cpu.toFixed(3)}); slow steps ${run.balanced_outliers} / ${run.unbalanced_outliers}, GC ${run.balanced_gc.ms.toFixed(1)} / ${run.unbalanced_gc.ms.toFixed(1)} ms (${balancer} / equal)`);
      benchProgress(++finished, shapes.length * R, `${shape} run ${r + 1}`);
    }
    const wall = ratioInterval(runs.map((r) => r.qps_ratio)), cpu = ratioInterval(runs.map((r) => r.qps_ratio_cpu)), med = ratioInterval(runs.map((r) => r.median_pair_ratio));
    const fmt = (x: QpsInterval) => `${x.mean.toFixed(4)}${x.interval ? ` [${x.interval[0].toFixed(4)}, ${x.interval[1].toFixed(4)}]` : ""}`;
    say(`${shape}: QPS ratio ${balancer}/equal ${fmt(wall)} over ${R} runs × ${P} pairs; CPU ${fmt(cpu)}; median pair ${fmt(med)}`);
    const allB = runs.flatMap((r) => r.balanced_ms), allU = runs.flatMap((r) => r.unbalanced_ms);
    results.push({
      shape, balancer, describe: cfg.describe, batch_size: cfg.batchSize, runs,
      qps_ratio: wall, qps_ratio_cpu: cpu, median_pair_ratio: med,
      outliers: { balanced: sum(runs.map((r) => r.balanced_outliers)), unbalanced: sum(runs.map((r) => r.unbalanced_outliers)), steps_per_side: allB.length },
      gc: {
        balanced: { count: sum(runs.map((r) => r.balanced_gc.count)), ms: sum(runs.map((r) => r.balanced_gc.ms)) },
        unbalanced: { count: sum(runs.map((r) => r.unbalanced_gc.count)), ms: sum(runs.map((r) => r.unbalanced_gc.ms)) },
      },
      lower_at_least_0_97: wall.interval ? wall.interval[0] >= 0.97 : null,
      balanced_qps: (cfg.batchSize * allB.length) / (sum(allB) / 1000),
      unbalanced_qps: (cfg.batchSize * allU.length) / (sum(allU) / 1000),
    });
  }
  const provenance = done();
  const result: BalanceQpsResult = {
    provenance,
    protocol: {
      runs: R, pairs: P, warmup: W, balancer, baseline: "equal (plain summed loss)",
      ...(balancer === "equal" ? { control: "A/A: both sides are the plain summed loss (balancer equal): the ratio measures the protocol's own bias and noise, instance_ratio the two instances' speed difference" } : {}),
      run: "two fresh model instances with the same seed (same init), each with its own Adam; warm-up steps each, then alternated step pairs on the same batches (who goes first alternates every other pair); a step = host batch → tensors, forward, backward (balanced: heads, balance at z, bottom), Adam step",
      turns: "the balanced and the unbalanced side take turns on the two instances: in pair i the balanced side trains instance i mod 2, the plain summed loss the other (since session 5). Two instances of one model differ in speed by up to ~25% for a whole run on the synthetic shape (memory placement; an A/A run of the plain summed loss on both gave per-run CPU-time ratios 0.79-1.01); with one side fixed on each instance that difference went into the run's ratio. Each run reports instance_ratio (Σ time of instance 0 / instance 1, both sides together) to show its size",
      qps_ratio: "per run Σ unbalanced step time / Σ balanced step time (= examples per second balanced / unbalanced); across runs mean ± t(R−1)·sd/√R; qps_ratio_cpu the same on process CPU time; median_pair_ratio the same interval over the runs' median per-pair ratios (robust to single slow steps under load)",
      load: "wall-clock ratios are side by side, so load from other processes falls on both; provenance.load_* records it",
      defaults: `${QPS_DEFAULT_RUNS} runs × ${QPS_DEFAULT_PAIRS} pairs since session 6 (5 × 50 before): at 5 × 50 single slow steps (GC, scheduler) made the quiet Census interval ±0.08; chosen from the measured spread (bench/results/balance-qps.md), the same for every shape`,
      outliers: "per side, steps longer than 1.5 × the run's median step (both sides pooled); reported, never removed: every step counts in qps_ratio",
      gc: "V8 collections (count, summed pause in ms) that ran inside each side's timed steps (v8.GCProfiler, started before the clock, read after)",
    },
    shapes: results,
    skipped,
    total_seconds: (performance.now() - t0) / 1000,
    results_file: null,
  };
  if (opts.out !== undefined) {
    fs.mkdirSync(opts.out, { recursive: true });
    const file = path.join(opts.out, `balance-qps-${provenance.date_end.slice(0, 10)}${quick ? "-quick" : ""}${opts.tag ? `-${opts.tag}` : ""}.json`);
    result.results_file = file;
    fs.writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  }
  return result;
}
