// `recforge bench balance-qps`: MultiBalance's training throughput against the plain summed loss
// (issue 16 item 6), with an interval. On a shared machine only side-by-side ratios mean anything,
// so a RUN is: a fresh balanced model and a fresh unbalanced one (EqualWeights), same architecture,
// init and batches; a few warm-up steps each; then P step PAIRS, the two alternating (A B, B A, …:
// who goes first alternates too). The run's QPS ratio is Σ t(unbalanced) / Σ t(balanced) over its
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
import { startProvenance, type Provenance } from "../provenance.js";
import { tQuantile975 } from "../metrics/bootstrap.js";
import { meanStd } from "../metrics/classification.js";
import { loadCensus, censusAvailable, censusDir } from "../methods/multibalance/data/census.js";
import { syntheticMultiTask, INDUSTRIAL_VOCABS } from "../methods/multibalance/data/synthetic.js";
import type { MultiTaskBatch, MultiTaskData } from "../methods/multibalance/data/multitask.js";
import type { ModelKind, MMoEOptions, SharedBottomOptions } from "../methods/multibalance/models.js";
import { makeRunner } from "./balance.js";
import type { Tensor } from "../tensor/tensor.js";
import { benchProgress, log, median } from "./timing.js";

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

/**
 * One run: fresh balanced and unbalanced models (same seed, so the same init), `warmup` steps each,
 * then `pairs` alternated step pairs on batches[warmup ..]; both take every step on the same batch.
 */
function qpsRun(data: MultiTaskData, balancer: string, cfg: ShapeConfig, seed: number, batches: MultiTaskBatch[], warmup: number, pairs: number, inspect?: (u: Tensor[], b: Tensor[]) => void): QpsRun {
  const pc = { model: cfg.model, modelOptions: cfg.modelOptions, seed, lr: cfg.lr, warmup, pairs };
  const base = makeRunner(data, "equal", pc), bal = makeRunner(data, balancer, pc);
  try {
    for (let i = 0; i < warmup; i++) {
      base.step(batches[i]);
      bal.step(batches[i]);
    }
    const t = { balanced_ms: [] as number[], unbalanced_ms: [] as number[], balanced_cpu_ms: [] as number[], unbalanced_cpu_ms: [] as number[] };
    for (let i = 0; i < pairs; i++) {
      const b = batches[warmup + i];
      let tb, tu;
      if (i % 2 === 0) {
        tu = base.step(b);
        tb = bal.step(b);
      } else {
        tb = bal.step(b);
        tu = base.step(b);
      }
      t.balanced_ms.push(tb.wall);
      t.unbalanced_ms.push(tu.wall);
      t.balanced_cpu_ms.push(tb.cpu);
      t.unbalanced_cpu_ms.push(tu.cpu);
    }
    if (base.steps !== warmup + pairs || bal.steps !== warmup + pairs) throw new Error(`recforge: balance-qps: the two models took ${base.steps} and ${bal.steps} steps, expected ${warmup + pairs}`);
    inspect?.(base.parameters(), bal.parameters());
    return { seed, pairs, ...runRatios(t), ...t };
  } finally {
    base.dispose();
    bal.dispose();
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
  if (balancer === "equal") throw new RangeError("recforge: bench balance-qps: the balancer must differ from the baseline (equal)");
  const R = opts.runs ?? (quick ? 2 : 5), P = opts.pairs ?? (quick ? 10 : 50), W = opts.warmup ?? (quick ? 2 : 3);
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
      say(`${shape} run ${r + 1}/${R}: ${balancer} ${median(run.balanced_ms).toFixed(1)} ms vs equal ${median(run.unbalanced_ms).toFixed(1)} ms (medians of ${P} pairs); QPS ratio ${run.qps_ratio.toFixed(4)} (CPU ${run.qps_ratio_cpu.toFixed(4)}, median pair ${run.median_pair_ratio.toFixed(4)})`);
      benchProgress(++finished, shapes.length * R, `${shape} run ${r + 1}`);
    }
    const wall = ratioInterval(runs.map((r) => r.qps_ratio)), cpu = ratioInterval(runs.map((r) => r.qps_ratio_cpu)), med = ratioInterval(runs.map((r) => r.median_pair_ratio));
    const fmt = (x: QpsInterval) => `${x.mean.toFixed(4)}${x.interval ? ` [${x.interval[0].toFixed(4)}, ${x.interval[1].toFixed(4)}]` : ""}`;
    say(`${shape}: QPS ratio ${balancer}/equal ${fmt(wall)} over ${R} runs × ${P} pairs; CPU ${fmt(cpu)}; median pair ${fmt(med)}`);
    const allB = runs.flatMap((r) => r.balanced_ms), allU = runs.flatMap((r) => r.unbalanced_ms);
    results.push({
      shape, balancer, describe: cfg.describe, batch_size: cfg.batchSize, runs,
      qps_ratio: wall, qps_ratio_cpu: cpu, median_pair_ratio: med,
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
      run: "fresh balanced and unbalanced models with the same seed (same init) and the same batches; warm-up steps each, then alternated step pairs (who goes first alternates); a step = host batch → tensors, forward, backward (balanced: heads, balance at z, bottom), Adam step",
      qps_ratio: "per run Σ unbalanced step time / Σ balanced step time (= examples per second balanced / unbalanced); across runs mean ± t(R−1)·sd/√R; qps_ratio_cpu the same on process CPU time; median_pair_ratio the same interval over the runs' median per-pair ratios (robust to single slow steps under load)",
      load: "wall-clock ratios are side by side, so load from other processes falls on both; provenance.load_* records it",
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
