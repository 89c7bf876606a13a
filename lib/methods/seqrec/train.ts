// The next-item trainer shared by every SeqRecModel (model.ts): shuffled batches of training
// targets (batchesOf, reshuffled per epoch from the seed), the mean loss the model returns,
// gradient-norm clipping, Adagrad (the GatedLongRec code's optimiser) or Adam; after each
// epoch the model's epoch hook (GatedLongRec's phase switch) and a full-ranking evaluation on the
// validation targets; early stopping on validation Recall@K (default 20) with `patience`
// epochs; the best epoch's parameters are restored at the end. Test targets are never touched
// here (the caller evaluates them once, after training).
// Checkpoints (lib/io/checkpoint.ts) every `checkpointEvery` steps and at each epoch's end hold
// the model, the optimiser, the random generator (dropout) and the loop state; an existing file
// is resumed (same identity required) and gives the same result as an uninterrupted run. The
// best parameters so far go to `<checkpoint>.best`.
import fs from "node:fs";
import type { Tensor } from "../../tensor/tensor.js";
import { tidy } from "../../tensor/scope.js";
import { backward } from "../../autograd/engine.js";
import { Adagrad } from "../../optim/adagrad.js";
import { Adam } from "../../optim/adam.js";
import { clipGradNorm } from "../../optim/clip.js";
import type { Optimizer } from "../../optim/optimizer.js";
import type { Module } from "../../nn/module.js";
import { loadCheckpoint, saveCheckpoint } from "../../io/checkpoint.js";
import { RankingAccumulator, type RankingMetrics } from "../../metrics/ranking.js";
import { batchesOf, CategoryHistory } from "./batch.js";
import type { SeqDataset } from "./data.js";
import { rankTargetSteps } from "./evaluate.js";
import { boundary, runAsync, type Loop } from "../step_loop.js";
import { seqInputs, type EpochReport, type SeqRecModel } from "./model.js";
import { mul } from "../../ops/index.js";
import { DistributedDataParallel, isCheckpointWriter, shardOf, type ProcessGroup } from "../../distributed/index.js";

export type SeqOptimizerName = "adagrad" | "adam";

export interface TrainSeqRecOptions {
  model: SeqRecModel;
  ds: SeqDataset;
  hist?: CategoryHistory;
  /** Training targets (default ds.split.train). */
  train?: Int32Array;
  /** Early-stopping targets (default ds.split.valid). */
  valid?: Int32Array;
  /**
   * Fraction of the training targets one epoch visits (default 1): each epoch trains on the first
   * ceil(fraction·n / batchSize) batches of that epoch's shuffle, a fresh random subset each epoch.
   */
  trainFraction?: number;
  /** Maximum epochs (default 20, the code's). */
  epochs?: number;
  batchSize?: number;
  optimizer?: SeqOptimizerName;
  /** Learning rate (default 0.05 for Adagrad, 1e-3 for Adam). */
  lr?: number;
  /** Gradient-norm clip (default 5). */
  clip?: number;
  /** Stop after this many epochs without a better validation metric (default 2). */
  patience?: number;
  /** Validation Recall@K that selects the epoch (default 20). */
  selectK?: number;
  seed?: number;
  checkpoint?: string;
  checkpointEvery?: number;
  resume?: boolean;
  evalBatchSize?: number;
  onProgress?: (e: SeqProgress) => void;
  /**
   * Data-parallel training (recforge.distributed; \`mpirun -np W\`): every rank shuffles with the
   * same seed and trains on its contiguous block of each batch of \`batchSize\` targets; its mean
   * loss is weighted by its share of the batch and the gradients are summed, so a model whose loss
   * is a mean of per-target terms (full softmax, own sampled negatives) without dropout takes the
   * steps of one process; in-batch negatives and dropout masks depend on the rank's block. Rank 0
   * writes the checkpoints; every rank validates (the replicas are identical).
   */
  processGroup?: ProcessGroup;
  /**
   * Step boundaries of the public async trainer (trainNextItem, lib/api/seqrec.ts): reported after
   * every step and validation batch, with a pause for the event loop and a stop on abort.
   */
  loop?: Loop;
}

export type SeqProgress =
  | { phase: "train"; epoch: number; step: number; steps: number; loss: number; lossEma: number }
  | { phase: "valid"; epoch: number; done: number; total: number };

export interface SeqEpochLog {
  epoch: number;
  loss: number;
  seconds: number;
  valid: RankingMetrics;
  report: EpochReport | null;
}

export interface TrainSeqRecResult {
  epochs: SeqEpochLog[];
  bestEpoch: number;
  bestValid: RankingMetrics | null;
  /** Mean training seconds per epoch (loop only: no evaluation, no checkpoint writes). */
  secondsPerEpoch: number;
  steps: number;
  stoppedEarly: boolean;
  resumedFrom: { epoch: number; step: number } | null;
  parameters: number;
}

interface LoopState {
  identity: Record<string, unknown>;
  epoch: number; // completed epochs
  stepInEpoch: number;
  step: number;
  epochLoss: number;
  epochSeconds: number;
  ema: number;
  history: SeqEpochLog[];
  bestEpoch: number;
  bestScore: number;
  badEpochs: number;
  stopped: boolean;
  modelState: Record<string, unknown>;
}

export function cloneState(model: Module<any, any>): Record<string, Tensor> {
  // (the detached view is freed at once: it used to stay live until garbage collection)
  return Object.fromEntries(Object.entries(model.stateDict()).map(([k, t]) => {
    const view = t.detach();
    const copy = view.clone();
    view.dispose();
    return [k, copy];
  }));
}

/** Trains `model` with early stopping on validation (see the file header). */
export async function trainSeqRec(opts: TrainSeqRecOptions): Promise<TrainSeqRecResult> {
  const { model, ds } = opts;
  opts.loop?.signal?.throwIfAborted();
  const hist = opts.hist ?? new CategoryHistory(ds);
  const train = opts.train ?? ds.split.train;
  const valid = opts.valid ?? ds.split.valid;
  const maxEpochs = opts.epochs ?? 20;
  const bs = opts.batchSize ?? 100;
  const seed = opts.seed ?? 0;
  const selectK = String(opts.selectK ?? 20);
  const patience = opts.patience ?? 2;
  for (const [v, what, min] of [[maxEpochs, "epochs", 0], [bs, "batchSize", 1], [patience, "patience", 1]] as const)
    if (!Number.isInteger(v) || v < min) throw new RangeError(`recforge: trainSeqRec: ${what} must be an integer >= ${min}, got ${String(v)}`);
  if (!valid.length) throw new RangeError("recforge: trainSeqRec: no validation targets (early stopping needs some)");
  const optName = opts.optimizer ?? "adagrad";
  if (optName !== "adagrad" && optName !== "adam") throw new TypeError(`recforge: trainSeqRec: optimizer must be "adagrad" or "adam", got ${JSON.stringify(optName)}`);
  const params = model.parameters();
  const lr = opts.lr ?? (optName === "adagrad" ? 0.05 : 1e-3);
  const opt: Optimizer<any> | null = model.trainable ? (optName === "adagrad" ? new Adagrad(params, { lr }) : new Adam(params, { lr })) : null;
  const clip = opts.clip ?? 5;
  const frac = opts.trainFraction ?? 1;
  if (!(frac > 0 && frac <= 1)) throw new RangeError(`recforge: trainSeqRec: trainFraction must be in (0, 1], got ${String(frac)}`);
  const identity = { ...model.config(), data: ds.name, train: train.length, valid: valid.length, batchSize: bs, trainFraction: frac, optimizer: optName, lr, clip, seed, selectK, patience };
  const epochBatches = (e: number) => {
    const all = batchesOf(train, bs, seed * 100003 + e);
    return frac === 1 ? all : all.slice(0, Math.max(1, Math.ceil((frac * train.length) / bs)));
  };

  let st: LoopState = {
    identity, epoch: 0, stepInEpoch: 0, step: 0, epochLoss: 0, epochSeconds: 0, ema: NaN, history: [], bestEpoch: 0,
    bestScore: -Infinity, badEpochs: 0, stopped: false, modelState: model.trainingState(),
  };
  let best: Record<string, Tensor> | null = null;
  let resumedFrom: TrainSeqRecResult["resumedFrom"] = null;
  const ckpt = opts.checkpoint;
  const bestFile = ckpt ? `${ckpt}.best` : null;
  if (ckpt && (opts.resume ?? true) && fs.existsSync(ckpt)) {
    const { extra } = loadCheckpoint(ckpt, { model, optimizer: opt ?? undefined });
    const x = extra as LoopState;
    if (JSON.stringify(x?.identity) !== JSON.stringify(identity))
      throw new Error(`recforge: trainSeqRec: checkpoint ${ckpt} belongs to another run (${JSON.stringify(x?.identity)}), this run is ${JSON.stringify(identity)}`);
    st = x;
    model.loadTrainingState(st.modelState);
    resumedFrom = { epoch: st.epoch, step: st.step };
    if (bestFile && st.bestEpoch > 0 && fs.existsSync(bestFile)) {
      const cur = cloneState(model);
      loadCheckpoint(bestFile, { model, generator: null });
      best = cloneState(model);
      model.loadStateDict(cur);
      for (const t of Object.values(cur)) t.dispose();
    }
  }
  const pg = opts.processGroup && opts.processGroup.size > 1 ? opts.processGroup : null;
  const ddp = pg && opt ? new DistributedDataParallel(params, pg, { reduce: "sum" }) : null;
  const save = () => {
    if (!ckpt || !isCheckpointWriter(pg)) return;
    st.modelState = model.trainingState();
    saveCheckpoint(ckpt, { model, optimizer: opt ?? undefined, extra: st });
  };
  const every = opts.checkpointEvery ?? 500;

  model.train();
  const validate = async (epoch: number) =>
    new RankingAccumulator({}).add(await runAsync(rankTargetSteps(model, ds, hist, valid, { batchSize: opts.evalBatchSize, phase: "valid", epoch, onProgress: (done, total) => opts.onProgress?.({ phase: "valid", epoch, done, total }) }), opts.loop)).result();
  const plannedSteps = maxEpochs * epochBatches(1).length;

  try {
  if (!opt) {
    // nothing to train: one "epoch" is the validation run
    if (st.history.length === 0) {
      const v = await validate(1);
      st.history.push({ epoch: 1, loss: NaN, seconds: 0, valid: v, report: null });
      st.bestEpoch = 1;
    }
  }
  while (opt && !st.stopped && st.epoch < maxEpochs) {
    const e = st.epoch + 1;
    const batches = epochBatches(e);
    while (st.stepInEpoch < batches.length) {
      const t0 = performance.now();
      opt.zeroGrad();
      const batch = batches[st.stepInEpoch];
      const mine = pg ? shardOf(batch, pg.rank, pg.size) : batch;
      let loss = tidy(() => {
        if (!mine.length) return 0; // a rank without targets this step still synchronises
        const l = model.loss(seqInputs(ds, hist, mine, model.window));
        // Data-parallel: the rank's share of the batch's mean loss (summed over the ranks by DDP).
        backward(pg ? mul(l, mine.length / batch.length) : l);
        return (l.item() * mine.length) / batch.length;
      });
      if (ddp) {
        ddp.synchronize();
        loss = pg!.allReduceNumbers([loss])[0];
      }
      if (clip > 0) clipGradNorm(params, clip);
      opt.step();
      st.epochSeconds += (performance.now() - t0) / 1000;
      st.epochLoss += loss;
      st.ema = Number.isNaN(st.ema) ? loss : 0.98 * st.ema + 0.02 * loss;
      st.stepInEpoch++;
      st.step++;
      opts.onProgress?.({ phase: "train", epoch: e, step: st.stepInEpoch, steps: batches.length, loss, lossEma: st.ema });
      if (st.step % every === 0 && st.stepInEpoch < batches.length) save();
      if (opts.loop) await boundary(opts.loop, { phase: "train", epoch: e, step: st.step, steps: plannedSteps, loss, metrics: { lossEma: st.ema } });
      else if (st.step % 20 === 0) await new Promise((r) => setImmediate(r));
    }
    const report = model.afterEpoch({ ds, hist, train, epoch: e, seed, batchSize: bs });
    const v = await validate(e);
    st.history.push({ epoch: e, loss: st.epochLoss / batches.length, seconds: st.epochSeconds, valid: v, report });
    const score = v.recall[selectK];
    if (score === undefined) throw new RangeError(`recforge: trainSeqRec: selectK ${selectK} is not a recall cut-off`);
    if (score > st.bestScore) {
      st.bestScore = score;
      st.bestEpoch = e;
      st.badEpochs = 0;
      if (best) for (const t of Object.values(best)) t.dispose();
      best = cloneState(model);
      if (bestFile && isCheckpointWriter(pg)) saveCheckpoint(bestFile, { model, generator: null });
    } else if (++st.badEpochs >= patience) st.stopped = true;
    st.epoch = e;
    st.stepInEpoch = 0;
    st.epochLoss = 0;
    st.epochSeconds = 0;
    save();
  }
  if (best) model.loadStateDict(best);
  } finally {
    ddp?.dispose();
    opt?.dispose(); // its state (Adagrad sums, Adam moments) was never freed before
    if (best) for (const t of Object.values(best)) t.dispose();
  }
  const trained = st.history.filter((h) => h.seconds > 0);
  return {
    epochs: st.history,
    bestEpoch: st.bestEpoch,
    bestValid: st.history.find((h) => h.epoch === st.bestEpoch)?.valid ?? null,
    secondsPerEpoch: trained.length ? trained.reduce((a, h) => a + h.seconds, 0) / trained.length : 0,
    steps: st.step,
    stoppedEarly: st.stopped,
    resumedFrom,
    parameters: params.reduce((a, p) => a + p.size, 0),
  };
}
