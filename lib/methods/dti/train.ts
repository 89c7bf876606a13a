// trainCtr: trains an LLM-style CTR model with sliding-window (SW) or DTI prompts and
// evaluates it with SW prompts (shared/reference/dti.md).
//
// Same target updates: both paradigms follow plan.ts — the same chunks of k training targets,
// shuffled per epoch with the same seed, grouped into the same optimiser steps; the loss of a
// step is the mean BCE over its targets. Same initialisation: the model is built from `seed`
// alone. So SW and DTI runs with equal (seed, k, epochs, targetsPerStep) differ only in the
// prompts that carry the targets.
//
// A step's prompts are packed back to back into rows of at most `rowTokens` tokens (no
// padding); each row is one forward/backward, gradients accumulate over the step's rows.
// Timing (`seconds`) covers the training loop (prompt building, forward, backward, optimiser)
// and excludes checkpoint writes and evaluation.
//
// Mixed precision (`mixedPrecision`, model on "cuda"): forward passes run inside autocast (the
// GEMMs and the attention take 16-bit inputs, accumulate in fp32); parameters, gradients and
// AdamW's moments stay float32 (master weights). With "fp16" the loss is scaled dynamically
// (GradScaler: a step with inf/NaN gradients is skipped and the scale halved).
import fs from "node:fs";
import { tidy } from "../../tensor/scope.js";
import { backward } from "../../autograd/engine.js";
// ops/index installs the Tensor methods the autograd engine relies on.
import { bceWithLogits, mul, tensor } from "../../ops/index.js";
import { AdamW } from "../../optim/adam.js";
import { GradScaler, type GradScalerOptions } from "../../optim/grad_scaler.js";
import { deviceOption } from "../device-option.js";
import { autocast, mixedPrecisionOption, type LowPrecision } from "../../amp/autocast.js";
import type { Device } from "../../tensor/dtype.js";
import { clipGradNorm } from "../../optim/clip.js";
import { cosineLr } from "../../optim/schedule.js";
import { loadCheckpoint, saveCheckpoint } from "../../io/checkpoint.js";
import type { Module } from "../../nn/module.js";
import type { Tensor } from "../../tensor/tensor.js";
import type { CtrDataset, Split } from "./data/dataset.js";
import { evaluateCtrSteps, type CtrModel, type EvaluateResult } from "./evaluate.js";
import { boundary, runAsync, runSync, type Loop } from "../step_loop.js";
import { epochSteps, stepTargets, stepUnits, trainChunks, type Chunk } from "./plan.js";
import { PromptBuilder, type PromptVocab } from "./prompts.js";
import type { ContextReach, Paradigm, PositionMode } from "./types.js";
import { defaultModelFactory, defaultVocab, type ModelShape } from "./setup.js";
import type { Tokenizer } from "../../text/hf_tokenizer.js";
import { DistributedDataParallel, isCheckpointWriter, shardOf, type ProcessGroup } from "../../distributed/index.js";

export type { ModelShape } from "./setup.js";

export interface TrainProgress {
  phase: "train" | "eval";
  paradigm: Paradigm;
  step: number;
  totalSteps: number;
  epoch: number;
  /** Mean BCE of the last step, and its exponential moving average. */
  loss: number;
  lossEma: number;
  tokens: number;
  targets: number;
  seconds: number;
}

export interface CurvePoint {
  step: number;
  targets: number;
  tokens: number;
  seconds: number;
  loss: number;
}

export interface TrainCtrOptions {
  data: CtrDataset;
  paradigm: Paradigm;
  /** Targets per DTI prompt (default 20). */
  k?: number;
  /**
   * Consecutive targets per chunk of the step plan (default k). Runs with the same chunk,
   * targetsPerStep, epochs and seed make the same target updates, whatever their paradigm and k.
   */
  chunk?: number;
  /** Context interactions per target (default 20). */
  n?: number;
  /** DTI context tokens' reach (default "window"). */
  contextReach?: ContextReach;
  /** DTI positions (default "window-relative"); "alibi" also switches the model to ALiBi. */
  positions?: PositionMode;
  /** Isolated targets (default true). */
  isolation?: boolean;
  /** Instruction prefix text (default none). */
  prefix?: string;
  /** Label words of context interactions, positive then negative (default ["liked", "disliked"]). */
  labelWords?: [string, string];
  /** Model shape (default dim 64, 2 layers, 4 heads, SwiGLU hidden 8/3·dim). */
  model?: Partial<ModelShape>;
  /** Epochs over the training targets (default 1). */
  epochs?: number;
  /** Targets per optimiser step (default 256). */
  targetsPerStep?: number;
  /** Tokens per packed row (default 8192). */
  rowTokens?: number;
  /** AdamW learning rate (peak; default 2e-3), weight decay (default 0.01), warm-up steps (default 5% of the steps), gradient clip norm (default 1). */
  lr?: number;
  weightDecay?: number;
  warmupSteps?: number;
  clipNorm?: number;
  /** Seed of the model initialisation and of the step plan (default 0). */
  seed?: number;
  /** Evaluate after training (default true) on this split (default "test"). */
  evaluate?: boolean;
  evalSplit?: Split;
  evalRowTokens?: number;
  /** Checkpoint file (safetensors): written every `checkpointEvery` steps (default 50) and at the end. */
  checkpoint?: string;
  checkpointEvery?: number;
  /** Continue from `checkpoint` when it exists (default true when checkpoint is set). */
  resume?: boolean;
  /** Stop after this global step (for interrupted runs and tests); the result then has no evaluation. */
  stopAfterStep?: number;
  onProgress?: (p: TrainProgress) => void;
  /**
   * Awaited before every optimiser step (with the step number) and once after the loop (with
   * null), outside the timed region: lets a benchmark interleave several runs (pace.ts).
   */
  pace?: (step: number | null) => Promise<void> | void;
  /**
   * Keep the evaluation's per-target predictions in the result (`predictions`): what a paired
   * bootstrap of two runs on the same test targets needs (default false).
   */
  keepPredictions?: boolean;
  /** Keep the model in the result (the caller then disposes it); default: disposed. */
  keepModel?: boolean;
  /** A tokenizer (e.g. loadTokenizer("tokenizer.json")); default: the word-level one built from the data. */
  tokenizer?: Tokenizer;
  /** Device of the model and of the computation (default "cpu"). */
  device?: Device;
  /**
   * Mixed-precision training (default false = float32): "bf16" or "fp16" runs forward and
   * backward GEMMs and the attention with 16-bit inputs and fp32 accumulation (autocast), keeping
   * float32 master weights, gradients and optimiser state. Needs device "cuda" (a TypeError on the
   * cpu). "fp16" adds dynamic loss scaling (see lossScale); "bf16" needs none.
   */
  mixedPrecision?: LowPrecision | false;
  /** Dynamic loss scaling of "fp16" (GradScaler options; default initial scale 2^16, growth every 2000 good steps). */
  lossScale?: GradScalerOptions;
  /** Inject a vocabulary / model (tests, pretrained weights); defaults in setup.ts. */
  vocab?: PromptVocab & { size: number };
  createModel?: (shape: ModelShape, vocabSize: number, positionEncoding: "rope" | "alibi", seed: number) => CtrModel & Module<any, any>;
  /**
   * Data-parallel training over this process group (recforge.distributed; `mpirun -np W`): every
   * rank builds the same plan from `seed` and packs its contiguous share of each step's chunks
   * (shard.ts); the losses are divided by the step's GLOBAL target count and the gradients summed
   * (DistributedDataParallel), so the steps equal a single process's at the same targetsPerStep.
   * Rank 0 writes the checkpoint; losses, tokens and the curve are global on every rank.
   */
  processGroup?: ProcessGroup;
  /**
   * Step boundaries of the public async trainer (trainDti, lib/api/dti.ts): reported after every
   * step, preparation and evaluation row, with a pause for the event loop and a stop on abort.
   */
  loop?: Loop;
}

export interface TrainCtrResult {
  paradigm: Paradigm;
  k: number;
  chunk: number;
  n: number;
  contextReach: ContextReach;
  positions: PositionMode;
  isolation: boolean;
  epochs: number;
  steps: number;
  /** Target updates (training targets × epochs done). */
  targets: number;
  /** Tokens processed by training forward/backward passes. */
  tokens: number;
  tokensPerTarget: number;
  /** Wall time of the training loop (see the file comment), summed over resumed runs. */
  seconds: number;
  /** Process CPU time (user + system, all threads) of the same loop: robust to other load on the machine. */
  cpuSeconds: number;
  /**
   * Wall seconds of the loop's phases, summed over this process's steps (not carried over a resume):
   * prompt building and packing, zeroGrad + forward + backward of the rows, and the optimiser
   * (gradient clipping, AdamW step). Their sum is `seconds` up to the timer calls between them (same process only).
   */
  phaseSeconds: { pack: number; forwardBackward: number; optimizer: number };
  finished: boolean;
  resumedFrom: number | null;
  /** The precision of the run ("bf16", "fp16" or false = float32). */
  mixedPrecision: LowPrecision | false;
  /** Optimiser steps skipped because of inf/NaN gradients (fp16 loss scaling; 0 otherwise). */
  skippedSteps: number;
  /** The loss scale at the end (fp16), else 1. */
  lossScale: number;
  auc: number;
  logloss: number;
  eval: Omit<EvaluateResult, "probs" | "labels" | "targetIds"> | null;
  /** With keepPredictions: each evaluated target's id, label and predicted probability (SW prompts). */
  predictions?: { targetIds: Int32Array; labels: Uint8Array; probs: Float64Array };
  curve: CurvePoint[];
  parameters: number;
  model?: CtrModel & Module<any, any>;
  /** The tokenizer used (with keepModel, when trainCtr built or was given one). */
  tokenizer?: Tokenizer;
}

interface Resolved {
  paradigm: Paradigm;
  k: number;
  chunk: number;
  n: number;
  contextReach: ContextReach;
  positions: PositionMode;
  isolation: boolean;
  prefix: string;
  shape: ModelShape;
  epochs: number;
  targetsPerStep: number;
  seed: number;
}

function resolve(o: TrainCtrOptions): Resolved {
  const int = (v: number, what: string, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new RangeError(`recforge: trainCtr: ${what} must be an integer >= ${min}, got ${v}`);
    return v;
  };
  if (o.paradigm !== "sliding-window" && o.paradigm !== "dti")
    throw new RangeError(`recforge: trainCtr: paradigm must be "sliding-window" or "dti", got ${JSON.stringify(o.paradigm)}`);
  if (!o.data || !Array.isArray(o.data.users)) throw new TypeError("recforge: trainCtr: data must be a CtrDataset (see loadMovielens, loadInteractions, syntheticCtr)");
  const shape: ModelShape = { dim: 64, layers: 2, heads: 4, ...o.model };
  return {
    paradigm: o.paradigm,
    k: int(o.k ?? 20, "k", 1),
    chunk: int(o.chunk ?? o.k ?? 20, "chunk", 1),
    n: int(o.n ?? 20, "n", 0),
    contextReach: o.contextReach ?? "window",
    positions: o.positions ?? "window-relative",
    isolation: o.isolation ?? true,
    prefix: o.prefix ?? "",
    shape,
    epochs: int(o.epochs ?? 1, "epochs", 1),
    targetsPerStep: int(o.targetsPerStep ?? 256, "targetsPerStep", 1),
    seed: int(o.seed ?? 0, "seed", 0),
  };
}

const nextTick = () => new Promise<void>((r) => setImmediate(r));

/** Trains (or resumes) an LLM-style CTR model and evaluates it with SW prompts. */
export async function trainCtr(opts: TrainCtrOptions): Promise<TrainCtrResult> {
  const cfg = resolve(opts);
  opts.loop?.signal?.throwIfAborted();
  // Options checked before anything is built (mixedPrecision first: its message is the more specific).
  const mp = mixedPrecisionOption(opts.mixedPrecision, opts.device ?? "cpu", "trainCtr");
  const device = deviceOption(opts.device, "cpu", "trainCtr");
  const data = opts.data;
  const vocab = opts.vocab ?? defaultVocab(data, cfg.prefix, opts.tokenizer, opts.labelWords);
  const prompts = new PromptBuilder(data, vocab, { n: cfg.n, contextReach: cfg.contextReach, positions: cfg.positions, isolation: cfg.isolation });
  const encoding = cfg.positions === "alibi" ? "alibi" : "rope";
  const model = (opts.createModel ?? defaultModelFactory)(cfg.shape, vocab.size, encoding, cfg.seed);
  if (device !== "cpu") (model as Module<any, any>).to(device);
  const params = model.parameters();
  const scaler = mp === "fp16" ? new GradScaler(opts.lossScale) : null;
  // Forward passes (and evaluation) under autocast when mixed precision is on.
  const cast = <T>(fn: () => T): T => (mp ? autocast(mp, fn) : fn());
  const lr = opts.lr ?? 2e-3;
  const opt = new AdamW(params, { lr, weightDecay: opts.weightDecay ?? 0.01 });
  const rowTokens = opts.rowTokens ?? 8192;
  const clip = opts.clipNorm ?? 1;
  const pg = opts.processGroup ?? null;
  if (pg && scaler) {
    opt.dispose();
    if (!opts.keepModel) (model as Module<any, any>).dispose();
    throw new TypeError("recforge: trainCtr: fp16 loss scaling is not supported with a process group (use bf16 or float32)");
  }
  // After the model is built from the seed, rank 0's values are broadcast (identical anyway: same seed).
  const ddp = pg ? new DistributedDataParallel(params, pg, { reduce: "sum" }) : null;
  let returned = false;

  try {
    // The whole plan, every epoch (cheap: chunk references only); a resumed run rebuilds it identically.
    const chunks = trainChunks(data, cfg.chunk);
    const plan: { epoch: number; chunks: Chunk[] }[] = [];
    for (let e = 0; e < cfg.epochs; e++) for (const s of epochSteps(chunks, cfg.targetsPerStep, cfg.seed, e)) plan.push({ epoch: e, chunks: s });
    const totalSteps = plan.length;
    const warmup = Math.min(totalSteps, opts.warmupSteps ?? Math.ceil(0.05 * totalSteps));
    const schedule = (step: number) => cosineLr(step, { baseLr: lr, totalSteps, warmupSteps: warmup, minLr: 0.1 * lr, startFactor: 0.1 });
    await boundary(opts.loop, { phase: "prepare", epoch: 0, step: 1, steps: 1 });

    let step = 0, tokens = 0, targets = 0, seconds = 0, cpuSeconds = 0, ema = NaN;
    const phaseSeconds = { pack: 0, forwardBackward: 0, optimizer: 0 };
    let curve: CurvePoint[] = [];
    let resumedFrom: number | null = null;
    const ckpt = opts.checkpoint;
    const identity = { paradigm: cfg.paradigm, k: cfg.k, chunk: cfg.chunk, n: cfg.n, labelWords: opts.labelWords ?? null, contextReach: cfg.contextReach, positions: cfg.positions, isolation: cfg.isolation, prefix: cfg.prefix, shape: cfg.shape, epochs: cfg.epochs, targetsPerStep: cfg.targetsPerStep, seed: cfg.seed, totalSteps };
    if (ckpt && (opts.resume ?? true) && fs.existsSync(ckpt)) {
      const { extra } = loadCheckpoint(ckpt, { model: model as Module<any, any>, optimizer: opt, generator: null });
      const x = extra as { identity: typeof identity; step: number; tokens: number; targets: number; seconds: number; cpuSeconds: number; ema: number; curve: CurvePoint[]; scaler?: ReturnType<GradScaler["stateDict"]> };
      if (JSON.stringify(x?.identity) !== JSON.stringify(identity))
        throw new Error(`recforge: trainCtr: checkpoint ${ckpt} belongs to another run (${JSON.stringify(x?.identity)}), this run is ${JSON.stringify(identity)}`);
      ({ step, tokens, targets, seconds, cpuSeconds, ema, curve } = x);
      resumedFrom = step;
      if (scaler && x.scaler) scaler.loadStateDict(x.scaler);
    }
    const save = () => {
      if (!ckpt || !isCheckpointWriter(pg)) return;
      saveCheckpoint(ckpt, { model: model as Module<any, any>, optimizer: opt, generator: null, extra: { identity, step, tokens, targets, seconds, cpuSeconds, ema, curve, ...(scaler ? { scaler: scaler.stateDict() } : {}) } });
    };
    const every = opts.checkpointEvery ?? 50;
    const stopAt = Math.min(totalSteps, opts.stopAfterStep ?? totalSteps);
    const report = (phase: "train" | "eval", loss: number) =>
      opts.onProgress?.({ phase, paradigm: cfg.paradigm, step, totalSteps, epoch: plan[Math.min(step, totalSteps - 1)]?.epoch ?? 0, loss, lossEma: ema, tokens, targets, seconds });

    model.train();
    try {
    while (step < stopAt) {
      if (opts.pace) await opts.pace(step);
      const t0 = performance.now(), c0 = process.cpuUsage();
      const { chunks: stepChunks } = plan[step];
      const nTargets = stepTargets(stepChunks);
      // This rank's share of the step (all of it without a process group).
      const myChunks = pg ? shardOf(stepChunks, pg.rank, pg.size) : stepChunks;
      const rows = prompts.pack(stepUnits(myChunks, cfg.paradigm, cfg.k), rowTokens);
      const tPacked = performance.now();
      phaseSeconds.pack += (tPacked - t0) / 1000;
      opt.paramGroups[0].lr = schedule(step);
      opt.zeroGrad();
      let lossSum = 0, stepTokens = 0;
      rows.forEach((row, r) => {
        const pass = () => tidy(() => {
          const logits = cast(() => model.call(row));
          const l = bceWithLogits(logits, tensor(row.labels, { device: logits.device }), { reduction: "sum" });
          backward(mul(l, (scaler ? scaler.scale : 1) / nTargets));
          return l.item();
        });
        // Rows before the last accumulate locally; the last one's backward all-reduces the sum.
        lossSum += ddp && r < rows.length - 1 ? ddp.noSync(pass) : pass();
        stepTokens += row.tokens.length;
      });
      if (ddp) {
        ddp.synchronize();
        [lossSum, stepTokens] = pg!.allReduceNumbers([lossSum, stepTokens]);
      }
      tokens += stepTokens;
      const tPassed = performance.now();
      phaseSeconds.forwardBackward += (tPassed - tPacked) / 1000;
      // fp16: unscale the gradients; a step with inf/NaN gradients is skipped (zeroGrad clears them).
      const finite = scaler ? scaler.unscale(params) : true;
      scaler?.update(finite);
      if (finite) {
        clipGradNorm(params, clip);
        opt.step();
      }
      targets += nTargets;
      step++;
      const tEnd = performance.now();
      phaseSeconds.optimizer += (tEnd - tPassed) / 1000;
      seconds += (tEnd - t0) / 1000;
      const c1 = process.cpuUsage(c0);
      cpuSeconds += (c1.user + c1.system) / 1e6;
      const loss = lossSum / nTargets;
      ema = Number.isNaN(ema) ? loss : 0.95 * ema + 0.05 * loss;
      curve.push({ step, targets, tokens, seconds, loss });
      report("train", loss);
      if (ckpt && step % every === 0 && step < stopAt) save();
      if (opts.loop) await boundary(opts.loop, { phase: "train", epoch: plan[step - 1].epoch + 1, step, steps: totalSteps, loss, metrics: { lossEma: ema, tokens, targets } });
      else await nextTick();
    }
    } finally {
      await opts.pace?.(null);
    }
    save();
    const finished = step >= totalSteps;
    let ev: EvaluateResult | null = null;
    if (finished && (opts.evaluate ?? true)) {
      const evalSteps = evaluateCtrSteps(model, prompts, {
        split: opts.evalSplit ?? "test",
        rowTokens: opts.evalRowTokens ?? 16384,
        epoch: cfg.epochs,
        onProgress: opts.onProgress ? (done, total) => opts.onProgress!({ phase: "eval", paradigm: cfg.paradigm, step: done, totalSteps: total, epoch: cfg.epochs, loss: NaN, lossEma: ema, tokens, targets, seconds }) : undefined,
      });
      // Under autocast the rows run in one call (the precision mode is a dynamic scope); else row by row.
      ev = mp ? cast(() => runSync(evalSteps)) : await runAsync(evalSteps, opts.loop);
    }
    const result: TrainCtrResult = {
      paradigm: cfg.paradigm,
      k: cfg.k,
      chunk: cfg.chunk,
      n: cfg.n,
      contextReach: cfg.contextReach,
      positions: cfg.positions,
      isolation: cfg.isolation,
      epochs: cfg.epochs,
      steps: step,
      targets,
      tokens,
      tokensPerTarget: targets ? tokens / targets : NaN,
      seconds,
      cpuSeconds,
      phaseSeconds,
      finished,
      resumedFrom,
      mixedPrecision: mp ?? false,
      skippedSteps: scaler?.skipped ?? 0,
      lossScale: scaler?.scale ?? 1,
      auc: ev ? ev.auc : NaN,
      logloss: ev ? ev.logloss : NaN,
      eval: ev ? (({ probs: _p, labels: _l, targetIds: _t, ...rest }) => rest)(ev) : null,
      curve,
      parameters: params.reduce((s: number, t: Tensor) => s + t.size, 0),
    };
    if (opts.keepPredictions && ev) result.predictions = { targetIds: ev.targetIds, labels: ev.labels, probs: ev.probs };
    if (opts.keepModel) {
      result.model = model;
      const tok = (vocab as { tokenizer?: Tokenizer }).tokenizer;
      if (tok) result.tokenizer = tok;
    }
    returned = true;
    return result;
  } finally {
    ddp?.dispose();
    opt.dispose();
    // Not returned (aborted, failed): the model goes too, kept or not.
    if (!opts.keepModel || !returned) (model as Module<any, any>).dispose();
  }
}
