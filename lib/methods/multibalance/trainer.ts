// Multi-task training loop with a pluggable balancer, evaluation (AUC / NE per task) and
// steady-state throughput, plus checkpoints that carry the balancer state.
//
// QPS = training examples per second over the steps after `warmupSteps`, timing the whole
// step: host batch -> tensors, forward, balancer backward, optimiser step. Building the host
// batch (CSV gather / synthetic generation) is NOT timed: it is the data pipeline, identical
// for every balancer, and would only dilute the differences being measured.
import { Tensor } from "../../tensor/tensor.js";
import { tidy } from "../../tensor/scope.js";
import { noGrad } from "../../autograd/engine.js";
import { Adam } from "../../optim/adam.js";
import type { Optimizer } from "../../optim/optimizer.js";
import { loadCheckpoint, saveCheckpoint } from "../../io/checkpoint.js";
import { readSafetensorsHeader } from "../../io/safetensors.js";
import { auc, logLoss, meanSquaredError, normalizedEntropy } from "../../metrics/classification.js";
import { Rng } from "../../prng.js";
import { checkBatch, type MultiTaskBatch, type MultiTaskData, type MultiTaskSplit } from "./data/multitask.js";
import { batchToTensors, createModel, type MMoEOptions, type ModelKind, type MultiTaskModel, type SharedBottomOptions } from "./models.js";
import { createBalancer, type Balancer, type BalancerStateDict, type BalanceStepInfo } from "./balancers/index.js";
import { autocast, mixedPrecisionOption } from "../../amp/autocast.js";
import { deviceOption } from "../device-option.js";
import type { Device } from "../../tensor/dtype.js";
import { mul } from "../../ops/index.js";
import { DistributedDataParallel, shardOf, type ProcessGroup } from "../../distributed/index.js";
import { runSync, type Phase, type Steps } from "../step_loop.js";

export interface TaskMetrics {
  name: string;
  type: "binary" | "regression";
  /** Binary tasks: ROC AUC and normalized entropy (null for regression). */
  auc: number | null;
  ne: number | null;
  logLoss: number | null;
  /** Regression tasks: mean squared error (null for binary). */
  mse: number | null;
  /** With keepPredictions: the prediction and label of every evaluated row (paired bootstraps need them). */
  predictions?: Float64Array;
  labels?: Float64Array;
}

function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** One training step's gradients (no optimiser step). Returns the balancer's info and the loss values. */
export function computeGradients(model: MultiTaskModel, balancer: Balancer, batch: MultiTaskBatch, extra: { sharedParams?: Tensor[]; taskParams?: Tensor[]; processGroup?: ProcessGroup | null } = {}): { info: BalanceStepInfo; losses: number[] } {
  checkBatch(batch, model.schema);
  if (balancer.numTasks !== model.tasks.length)
    throw new RangeError(`recforge: the balancer is for ${balancer.numTasks} tasks, the model has ${model.tasks.length}`);
  const sharedParams = extra.sharedParams ?? model.sharedParameters();
  const taskParams = extra.taskParams ?? model.tasks.flatMap((_, t) => model.taskParameters(t));
  return tidy(() => {
    const bt = batchToTensors(batch, model.schema.denseDim, model.device);
    const z = model.bottom(bt);
    const zs = balancer.branch(z);
    const outs = model.heads(zs);
    let losses = model.losses(outs, bt.labels);
    const pg = extra.processGroup && extra.processGroup.size > 1 ? extra.processGroup : null;
    if (pg) {
      // Data-parallel: this rank's losses become its share of the global batch's mean losses, so
      // the gradients summed over the ranks are the global batch's (see BalanceStepInput.processGroup).
      const globalRows = pg.allReduceNumbers([batch.size])[0];
      losses = losses.map((l) => mul(l, batch.size / globalRows));
    }
    const info = balancer.backward({ losses, rep: z, taskInputs: zs, sharedParams, taskParams, processGroup: pg });
    const values = losses.map((l) => l.item());
    return { info, losses: pg ? Array.from(pg.allReduceNumbers(values)) : values };
  });
}

/** Per-task metrics of the model on (up to maxRows of) a split. */
export function evaluate(model: MultiTaskModel, split: MultiTaskSplit, opts: { batchSize?: number; maxRows?: number; keepPredictions?: boolean } = {}): TaskMetrics[] {
  return runSync(evaluateSteps(model, split, opts));
}

/** evaluate as a trainer core (lib/methods/step_loop.ts): a boundary after each batch. */
export function* evaluateSteps(model: MultiTaskModel, split: MultiTaskSplit, opts: { batchSize?: number; maxRows?: number; keepPredictions?: boolean; phase?: Phase; epoch?: number } = {}): Steps<TaskMetrics[]> {
  const B = opts.batchSize ?? 4096;
  const n = Math.min(split.size, opts.maxRows ?? Infinity);
  const T = model.tasks.length;
  const preds = Array.from({ length: T }, () => new Float64Array(n));
  const labels = Array.from({ length: T }, () => new Float64Array(n));
  const wasTraining = model.training;
  model.eval();
  try {
    for (let s = 0; s < n; s += B) {
      const e = Math.min(n, s + B);
      const pos = new Int32Array(e - s);
      for (let i = 0; i < pos.length; i++) pos[i] = s + i;
      const hb = split.gather(pos);
      noGrad(() =>
        tidy(() => {
          const bt = batchToTensors(hb, model.schema.denseDim, model.device);
          const ps = model.predict(model.forward(bt));
          ps.forEach((p, t) => {
            preds[t].set(p.toTypedArray(), s);
            labels[t].set(hb.labels[t], s);
          });
        }),
      );
      yield { phase: opts.phase ?? "eval", epoch: opts.epoch ?? 0, step: Math.min(n, s + B), steps: n };
    }
  } finally {
    model.train(wasTraining);
  }
  return model.tasks.map((task, t) => {
    const m: TaskMetrics =
      task.type === "binary"
        ? { name: task.name, type: task.type, auc: auc(preds[t], labels[t]), ne: normalizedEntropy(preds[t], labels[t]), logLoss: logLoss(preds[t], labels[t]), mse: null }
        : { name: task.name, type: task.type, auc: null, ne: null, logLoss: null, mse: meanSquaredError(preds[t], labels[t]) };
    if (opts.keepPredictions) {
      m.predictions = preds[t];
      m.labels = labels[t];
    }
    return m;
  });
}

export interface TrainOptions {
  data: MultiTaskData;
  /** A model kind or a ready model (default "mmoe"). */
  model?: ModelKind | MultiTaskModel;
  modelOptions?: MMoEOptions & SharedBottomOptions;
  /** A balancer kind or a ready balancer (default "multibalance"). */
  balancer?: string | Balancer;
  balancerOptions?: Record<string, unknown>;
  /** Passes over the train split (default 5). */
  epochs?: number;
  /** Stop after this many optimiser steps (default: no limit). */
  maxSteps?: number;
  batchSize?: number;
  /** Adam learning rate (default 1e-3). */
  lr?: number;
  /** Seed of the model init and the shuffling (default 0). */
  seed?: number;
  /** Shuffle the train split every epoch (default true). */
  shuffle?: boolean;
  /** Steps excluded from the QPS measurement (default 5). */
  warmupSteps?: number;
  /** Evaluate on the valid split after every epoch and report test metrics of the best epoch by mean valid NE (default true; else: the last epoch). */
  selectByValid?: boolean;
  /** Cap on evaluated rows per split (default all). */
  evalRows?: number;
  /** Keep the selected epoch's test predictions and labels in `test[t].predictions / labels` (default false). */
  keepTestPredictions?: boolean;
  /**
   * Mixed precision (default false): "bf16" runs the model's GEMMs with 16-bit inputs and fp32
   * accumulation (autocast), float32 master weights; needs the model on "cuda". Only bf16: fp16
   * would need loss scaling threaded through every balancer's per-task gradients (their norms are
   * what MultiBalance balances), and bf16 has float32's range, so it needs none.
   */
  mixedPrecision?: "bf16" | false;
  /**
   * Device of the model, the balancer and the computation (default: where a given model is,
   * else "cpu"). The model is moved with Module.to (in place), the balancer with
   * Balancer.to, and every batch is built on it. A TypeError when the device is unavailable.
   */
  device?: Device;
  /** Host batches to cycle through instead of reading the train split (throughput runs). */
  batches?: MultiTaskBatch[];
  log?: (msg: string) => void;
  /**
   * Data-parallel training (recforge.distributed; \`mpirun -np W\`): every rank shuffles with the
   * same seed and keeps its contiguous block of each global batch of \`batchSize\` rows (with
   * \`batches\`, each rank's batches are its shards as given); the balancer balances after the
   * gradients are gathered, as one process with the global batch would (MultiBalance, equal and
   * fixed weights; others are refused), and the parameter gradients are summed over the ranks.
   */
  processGroup?: ProcessGroup;
}

export interface TrainResult {
  model: MultiTaskModel;
  balancer: Balancer;
  optimizer: Optimizer<any>;
  steps: number;
  skippedSteps: number;
  /** Training examples per second after warm-up (see the file comment). */
  qps: number;
  /** Median milliseconds per step after warm-up. */
  stepMs: number;
  /** Test metrics of the selected epoch. */
  test: TaskMetrics[];
  valid: TaskMetrics[] | null;
  selectedEpoch: number;
  /** Mean task weights the balancer used over the run. */
  meanWeights: number[];
  lossHistory: number[][];
}

export function trainMultiTask(opts: TrainOptions): TrainResult {
  return runSync(trainMultiTaskSteps(opts));
}

/**
 * trainMultiTask as a trainer core (lib/methods/step_loop.ts): a boundary after every optimiser step and
 * evaluation batch. Stopped early (aborted), it disposes the optimiser, and the model and
 * balancer when it built them.
 */
export function* trainMultiTaskSteps(opts: TrainOptions): Steps<TrainResult> {
  const data = opts.data;
  const T = data.schema.tasks.length;
  const seed = opts.seed ?? 0;
  // Checked before anything is allocated; a model built here starts on the cpu.
  if (opts.mixedPrecision === ("fp16" as unknown))
    throw new TypeError('recforge: trainMultiTask: mixedPrecision "fp16" is not supported (no loss scaling through the balancers); use "bf16"');
  const device = deviceOption(opts.device, typeof opts.model === "object" ? opts.model.device : "cpu", "trainMultiTask");
  const mp = mixedPrecisionOption(opts.mixedPrecision, device, "trainMultiTask");
  const model = typeof opts.model === "object" ? opts.model : createModel(opts.model ?? "mmoe", data.schema, { seed, ...(opts.modelOptions ?? {}) });
  const ownModel = typeof opts.model !== "object", ownBalancer = typeof opts.balancer !== "object";
  if (model.device !== device) model.to(device);
  const balancer = typeof opts.balancer === "object" ? opts.balancer : createBalancer(opts.balancer ?? "multibalance", T, { seed, ...(opts.balancerOptions ?? {}) } as never);
  // Before the optimiser's first step, so its state is created on the device too.
  balancer.to(device);
  const optimizer = new Adam([...model.parameters(), ...balancer.parameters()], { lr: opts.lr ?? 1e-3 });
  const B = opts.batchSize ?? 1024;
  const epochs = opts.epochs ?? 5;
  const maxSteps = opts.maxSteps ?? Infinity;
  const warmup = opts.warmupSteps ?? 5;
  const selectByValid = opts.selectByValid ?? true;
  const log = opts.log ?? (() => {});
  const rng = new Rng(seed + 1);
  const sharedParams = model.sharedParameters();
  const taskParams = model.tasks.flatMap((_, t) => model.taskParameters(t));
  const pg = opts.processGroup ?? null;
  if (pg && !["multibalance", "equal", "fixed"].includes(balancer.kind))
    throw new TypeError(`recforge: trainMultiTask: balancer ${JSON.stringify(balancer.kind)} is not supported with a process group (multibalance, equal, fixed are: they balance the gathered global gradients or are linear in the losses)`);
  if (pg && mp) throw new TypeError("recforge: trainMultiTask: mixed precision is not supported with a process group");
  const ddp = pg ? new DistributedDataParallel([...model.parameters(), ...balancer.parameters()], pg, { reduce: "sum" }) : null;
  let finished = false;
  try {

  let steps = 0, skipped = 0, timedMs = 0, timedExamples = 0;
  const stepTimes: number[] = [], allTimes: number[] = [], allSizes: number[] = [];
  const wSum = new Float64Array(T);
  const lossHistory: number[][] = [];
  let best: { score: number; epoch: number; test: TaskMetrics[]; valid: TaskMetrics[] | null } | null = null;

  const oneStep = (hb: MultiTaskBatch) => {
    const t0 = nowMs();
    const grads = () => computeGradients(model, balancer, hb, { sharedParams, taskParams, processGroup: pg });
    const { info, losses } = mp ? autocast(mp, grads) : grads();
    // Every rank synchronises every step (a skipped step is skipped on all: the balance is global).
    ddp?.synchronize();
    if (info.skipped) skipped++;
    else optimizer.step();
    optimizer.zeroGrad();
    const dt = nowMs() - t0;
    allTimes.push(dt);
    allSizes.push(hb.size);
    if (steps >= warmup) {
      timedMs += dt;
      timedExamples += hb.size;
      stepTimes.push(dt);
    }
    steps++;
    info.weights.forEach((w, t) => (wSum[t] += w));
    lossHistory.push(losses);
  };

  const perEpoch = opts.batches ? opts.batches.length : Math.ceil(data.train.size / B);
  const planned = Math.min(maxSteps, epochs * perEpoch);
  const tick = (epoch: number) => ({ phase: "train" as const, epoch: epoch + 1, step: steps, steps: planned, loss: lossHistory[lossHistory.length - 1].reduce((a, b) => a + b, 0), metrics: Object.fromEntries(lossHistory[lossHistory.length - 1].map((l, t) => [`loss_${model.tasks[t].name}`, l])) });
  for (let epoch = 0; epoch < epochs && steps < maxSteps; epoch++) {
    const e0 = nowMs();
    if (opts.batches) {
      const nb = opts.batches.length;
      for (let i = 0; i < nb && steps < maxSteps; i++) {
        oneStep(opts.batches[i]);
        yield tick(epoch);
      }
    } else {
      const n = data.train.size;
      const perm = opts.shuffle === false ? Int32Array.from({ length: n }, (_, i) => i) : rng.permutation(n);
      for (let s = 0; s < n && steps < maxSteps; s += B) {
        const rows = perm.subarray(s, Math.min(n, s + B));
        oneStep(data.train.gather(pg ? shardOf(rows, pg.rank, pg.size) : rows));
        yield tick(epoch);
      }
    }
    const last = lossHistory[lossHistory.length - 1] ?? [];
    log(`epoch ${epoch + 1}: ${steps} steps, ${((nowMs() - e0) / 1000).toFixed(1)} s, last losses ${last.map((l) => l.toFixed(4)).join(" ")}`);
    const isLast = epoch === epochs - 1 || steps >= maxSteps;
    if (selectByValid || isLast) {
      const valid = selectByValid ? yield* evaluateSteps(model, data.valid, { maxRows: opts.evalRows, phase: "valid", epoch: epoch + 1 }) : null;
      const score = valid ? meanNE(valid) : 0;
      if (!best || (selectByValid && score < best.score) || !selectByValid) {
        const test = yield* evaluateSteps(model, data.test, { maxRows: opts.evalRows, keepPredictions: opts.keepTestPredictions, phase: "eval", epoch: epoch + 1 });
        best = { score, epoch: epoch + 1, test, valid };
      }
      if (valid) log(`  valid ${valid.map(fmtMetrics).join(" | ")}`);
    }
  }
  // Runs shorter than the warm-up: time every step but the first rather than report nothing.
  if (!stepTimes.length && allTimes.length > 1) {
    stepTimes.push(...allTimes.slice(1));
    timedMs = stepTimes.reduce((a, b) => a + b, 0);
    timedExamples = allSizes.slice(1).reduce((a, b) => a + b, 0);
  }
  const sorted = [...stepTimes].sort((a, b) => a - b);
  finished = true;
  return {
    model,
    balancer,
    optimizer,
    steps,
    skippedSteps: skipped,
    qps: timedMs > 0 ? (timedExamples / timedMs) * 1000 : NaN,
    stepMs: sorted.length ? sorted[sorted.length >> 1] : NaN,
    test: best?.test ?? [],
    valid: best?.valid ?? null,
    selectedEpoch: best?.epoch ?? 0,
    meanWeights: Array.from(wSum, (s) => s / Math.max(steps, 1)),
    lossHistory,
  };
  } finally {
    ddp?.dispose();
    if (!finished) {
      // Stopped before the end (aborted or failed): nothing this run built stays alive.
      optimizer.dispose();
      if (ownBalancer) {
        balancer.dispose();
        for (const p of balancer.parameters()) p.dispose();
      }
      if (ownModel) model.dispose();
    }
  }
}

function meanNE(ms: TaskMetrics[]): number {
  // binary tasks by NE, regression tasks by MSE (both lower-is-better)
  return ms.reduce((a, m) => a + (m.ne ?? m.mse ?? 0), 0) / Math.max(ms.length, 1);
}

export function fmtMetrics(m: TaskMetrics): string {
  return m.type === "binary" ? `${m.name} auc ${m.auc!.toFixed(4)} ne ${m.ne!.toFixed(4)}` : `${m.name} mse ${m.mse!.toFixed(4)}`;
}

// ---- checkpoints ----------------------------------------------------------------------

export interface TrainingCheckpoint {
  model: MultiTaskModel;
  optimizer?: Optimizer<any>;
  balancer: Balancer;
  /** Any JSON (epoch, ...), returned by loadTrainingCheckpoint. */
  extra?: unknown;
}

/** Model + optimiser + balancer state (moving averages, learned weights) in one safetensors file. */
export function saveTrainingCheckpoint(path: string, ck: TrainingCheckpoint): void {
  saveCheckpoint(path, { model: ck.model, optimizer: ck.optimizer, extra: { balancer: ck.balancer.stateDict(), user: ck.extra ?? null } });
}

/**
 * Restores a checkpoint written by saveTrainingCheckpoint. All or nothing: if the model,
 * optimiser or balancer state does not fit, it throws and nothing has changed.
 */
export function loadTrainingCheckpoint(path: string, ck: TrainingCheckpoint): unknown {
  const header = readSafetensorsHeader(path);
  let extra: { balancer?: BalancerStateDict; user?: unknown };
  try {
    extra = JSON.parse(header.metadata.extra ?? "null");
  } catch (e) {
    throw new Error(`recforge: checkpoint ${JSON.stringify(path)}: metadata "extra" is not valid JSON`);
  }
  if (!extra || typeof extra !== "object" || !extra.balancer) throw new Error(`recforge: checkpoint ${JSON.stringify(path)} holds no balancer state`);
  const before = ck.balancer.stateDict();
  ck.balancer.loadStateDict(extra.balancer); // validates first; throws without changing anything
  try {
    loadCheckpoint(path, { model: ck.model, optimizer: ck.optimizer, generator: null });
  } catch (e) {
    ck.balancer.loadStateDict(before);
    throw e;
  }
  return extra.user;
}
