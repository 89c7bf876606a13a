// GREENer training (graded BPR + attribute BCE, Adam, batches of pair graphs) and scoring.
import type { Tensor } from "../../tensor/tensor.js";
import { tidy } from "../../tensor/scope.js";
import { backward, noGrad } from "../../autograd/engine.js";
import { add, mul, toDeviceRaw } from "../../ops/internal.js";
import { Adam } from "../../optim/adam.js";
import { clipGradNorm } from "../../optim/clip.js";
import { GradScaler, type GradScalerOptions } from "../../optim/grad_scaler.js";
import { autocast, mixedPrecisionOption, type LowPrecision } from "../../amp/autocast.js";
import { buildPairGraph, makeBatch, type PairExample, type PairGraph } from "./graph.js";
import { GreenerModel } from "./model.js";
import type { Device } from "../../tensor/dtype.js";
import { deviceOption } from "../device-option.js";
import { attributeLoss, bprLoss, gradedPairs } from "./loss.js";
import { mulberry32 } from "../../prng.js";
import { runSync, type Steps } from "../step_loop.js";

export interface GreenerTrainOptions {
  /** passes over the training pairs (default 2) */
  epochs?: number;
  /** graphs per step (default 32) */
  batchSize?: number;
  /** Adam learning rate (default 1e-3; the reference uses 2e-4 with a longer schedule) */
  lr?: number;
  /** weight of the attribute loss (default 1: total = sentence + attribute) */
  attributeWeight?: number;
  /** cap on BPR pairs per (graph, level), sampled beyond it (default 4096) */
  maxPairsPerLevel?: number;
  /** gradient-norm clip (default 5; 0 disables) */
  clipNorm?: number;
  /** stop after this many steps (default: no limit) */
  maxSteps?: number;
  seed?: number;
  /** progress lines (default: none) */
  log?: (msg: string) => void;
  /**
   * Mixed precision (default false): "bf16" / "fp16" run the model's GEMMs with 16-bit inputs and
   * fp32 accumulation (autocast; the fused GAT layers stay float32), float32 master weights. Needs
   * the model on "cuda". "fp16" scales the loss dynamically (GradScaler with `lossScale`).
   */
  mixedPrecision?: LowPrecision | false;
  lossScale?: GradScalerOptions;
  /**
   * Device of the training (default: where the model is). The model is moved there with
   * Module.to (in place: it stays there after training); a sentence table elsewhere is copied
   * there for the run (the caller's table is untouched); the batch graphs follow the model.
   * A TypeError when the device is unavailable.
   */
  device?: Device;
  /** called after each epoch (1-based) with the model in eval mode, e.g. to score the validation
   *  pairs and keep the best epoch (fair.ts); training resumes in train mode afterwards */
  onEpoch?: (epoch: number) => void;
}

export interface GreenerTrainReport {
  steps: number;
  epochs: number;
  seconds: number;
  /** mean total / sentence / attribute loss per epoch */
  epochLoss: { total: number; sentence: number; attribute: number }[];
  /** Steps skipped because of inf/NaN gradients (fp16 loss scaling; else 0). */
  skippedSteps: number;
}

/** Trains `model` in place on examples with relevance levels. */
export function trainGreener(model: GreenerModel, sentenceTable: Tensor, examples: readonly PairExample[], opts: GreenerTrainOptions = {}): GreenerTrainReport {
  return runSync(trainGreenerSteps(model, sentenceTable, examples, opts));
}

/**
 * trainGreener as a trainer core (lib/methods/step_loop.ts): a boundary after every 64 pair graphs built
 * ("prepare") and after every optimiser step. Stopped early, it disposes the optimiser state and
 * its copy of the sentence table (the model is the caller's).
 */
export function* trainGreenerSteps(model: GreenerModel, sentenceTable: Tensor, examples: readonly PairExample[], opts: GreenerTrainOptions = {}): Steps<GreenerTrainReport> {
  const device = deviceOption(opts.device, model.device, "trainGreener");
  const rand = mulberry32(opts.seed ?? 0);
  const usable = examples.filter((e) => e.levels && e.candidates.length > 0);
  if (usable.length === 0) throw new RangeError("GREENer: no training pair has candidates with relevance levels");
  const mp = mixedPrecisionOption(opts.mixedPrecision, device, "trainGreener");
  const graphs: PairGraph[] = [];
  for (let i = 0; i < usable.length; i++) {
    graphs.push(buildPairGraph(usable[i]));
    if ((i + 1) % 64 === 0 || i + 1 === usable.length) yield { phase: "prepare", stage: "graphs", epoch: 0, step: i + 1, steps: usable.length };
  }
  if (model.device !== device) model.to(device);
  const params = model.parameters();
  const table = sentenceTable.device === device ? sentenceTable : toDeviceRaw(sentenceTable, device);
  try {
    return yield* trainLoop(model, table, usable, graphs, params, mp, rand, opts);
  } finally {
    if (table !== sentenceTable) table.dispose();
  }
}

function* trainLoop(
  model: GreenerModel, sentenceTable: Tensor, usable: readonly PairExample[], graphs: PairGraph[], params: Tensor[],
  mp: LowPrecision | null, rand: () => number, opts: GreenerTrainOptions,
): Steps<GreenerTrainReport> {
  const epochs = opts.epochs ?? 2, bs = opts.batchSize ?? 32, lr = opts.lr ?? 1e-3;
  const attrW = opts.attributeWeight ?? 1, clip = opts.clipNorm ?? 5;
  const log = opts.log ?? (() => {});
  const scaler = mp === "fp16" ? new GradScaler(opts.lossScale) : null;
  const opt = new Adam(params, { lr });
  try {
  model.train();
  const t0 = performance.now();
  let steps = 0;
  const epochLoss: GreenerTrainReport["epochLoss"] = [];
  const order = usable.map((_, i) => i);
  const perEpoch = Math.ceil(order.length / bs);
  const planned = Math.min(opts.maxSteps ?? Infinity, epochs * perEpoch);
  outer: for (let ep = 0; ep < epochs; ep++) {
    for (let i = order.length - 1; i > 0; i--) {
      const j = Math.floor(rand() * (i + 1));
      [order[i], order[j]] = [order[j], order[i]];
    }
    let sumT = 0, sumS = 0, sumA = 0, n = 0;
    for (let k = 0; k < order.length; k += bs) {
      const idx = order.slice(k, k + bs);
      const batch = makeBatch(idx.map((i) => usable[i]), idx.map((i) => graphs[i]));
      const pairs = gradedPairs(batch.levels!, batch.sentenceOffsets, { maxPairsPerLevel: opts.maxPairsPerLevel ?? 4096, rand });
      let lt: number, ls: number, la: number;
      try {
      [lt, ls, la] = tidy(() => {
        const out = mp ? autocast(mp, () => model.call(batch, sentenceTable)) : model.call(batch, sentenceTable);
        const ls = bprLoss(out.sentenceScores, pairs);
        const la = attributeLoss(out.attrLogits, batch.attrLabels!);
        const total = attrW === 1 ? add(ls, la) : add(ls, mul(la, attrW));
        backward(scaler ? mul(total, scaler.scale) : total);
        return [total.item(), ls.item(), la.item()];
      });
      } finally {
        batch.dispose();
      }
      const finite = scaler ? scaler.unscale(params) : true;
      scaler?.update(finite);
      if (finite) {
        if (clip > 0) clipGradNorm(params, clip);
        opt.step();
      }
      opt.zeroGrad();
      steps++;
      sumT += lt;
      sumS += ls;
      sumA += la;
      n++;
      yield { phase: "train", epoch: ep + 1, step: steps, steps: planned, loss: lt, metrics: { sentenceLoss: ls, attributeLoss: la } };
      if (steps % 50 === 0) log(`GREENer step ${steps}: loss ${(sumT / n).toFixed(4)} (sentence ${(sumS / n).toFixed(4)}, attribute ${(sumA / n).toFixed(4)}), ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      if (opts.maxSteps !== undefined && steps >= opts.maxSteps) {
        epochLoss.push({ total: sumT / n, sentence: sumS / n, attribute: sumA / n });
        if (opts.onEpoch) {
          model.eval();
          opts.onEpoch(ep + 1);
        }
        break outer;
      }
    }
    epochLoss.push({ total: sumT / n, sentence: sumS / n, attribute: sumA / n });
    log(`GREENer epoch ${ep + 1}/${epochs}: loss ${(sumT / n).toFixed(4)} (sentence ${(sumS / n).toFixed(4)}, attribute ${(sumA / n).toFixed(4)})`);
    if (opts.onEpoch) {
      model.eval();
      opts.onEpoch(ep + 1);
      model.train();
    }
  }
  model.eval();
  return { steps, epochs: epochLoss.length, seconds: (performance.now() - t0) / 1000, epochLoss, skippedSteps: scaler?.skipped ?? 0 };
  } finally {
    opt.dispose();
  }
}

export interface PairScores {
  /** one score per candidate, in the example's candidate order */
  sentence: Float32Array;
  /** attribute id → logit of the attribute head for the graph's attribute nodes */
  attributes: Map<number, number>;
}

/** Sentence and attribute scores for each example (eval mode, no gradients). */
export function scorePairs(model: GreenerModel, sentenceTable: Tensor, examples: readonly PairExample[], batchSize = 64): PairScores[] {
  const was = model.training;
  model.eval();
  const out: PairScores[] = [];
  for (let k = 0; k < examples.length; k += batchSize) {
    const chunk = examples.slice(k, k + batchSize);
    const nonEmpty = chunk.filter((e) => e.candidates.length > 0);
    let s: Float32Array = new Float32Array(0), a: Float32Array = new Float32Array(0);
    const batch = nonEmpty.length ? makeBatch(nonEmpty.map((e) => ({ ...e, levels: undefined }))) : null;
    if (batch) {
      [s, a] = noGrad(() =>
        tidy(() => {
          const o = model.call(batch, sentenceTable);
          return [o.sentenceScores.toTypedArray() as Float32Array, o.attrLogits.toTypedArray() as Float32Array] as [Float32Array, Float32Array];
        }),
      );
    }
    let b = 0;
    for (const e of chunk) {
      if (e.candidates.length === 0) {
        out.push({ sentence: new Float32Array(0), attributes: new Map() });
        continue;
      }
      const s0 = batch!.sentenceOffsets[b], s1 = batch!.sentenceOffsets[b + 1];
      const a0 = batch!.attrOffsets[b], a1 = batch!.attrOffsets[b + 1];
      const attributes = new Map<number, number>();
      for (let j = a0; j < a1; j++) attributes.set(batch!.attrIds[j], a[j]);
      out.push({ sentence: s.slice(s0, s1), attributes });
      b++;
    }
    batch?.dispose();
  }
  model.train(was);
  return out;
}
