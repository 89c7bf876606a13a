// The model interface of the next-item harness (train.ts, evaluate.ts): every sequential
// recommender (Pop, GRU4Rec, GRU4Rec+cat, SASRec, GatedLongRec; CTA next) is a Module that turns
// a batch of target positions into (a) a training loss and (b) a [B, numItems] score block that
// evaluate.ts ranks over ALL items. The harness owns the data, the split, the batches, the
// optimiser, early stopping and checkpoints; a model owns only its inputs (built from the
// SeqInputs below) and its math.
import type { Tensor } from "../../tensor/tensor.js";
import { Module } from "../../nn/module.js";
import { shortWindows, type CategoryHistory, type ShortWindowBatch } from "./batch.js";
import type { SeqDataset } from "./data.js";

/** One batch of targets as the harness hands it to a model. */
export interface SeqInputs {
  ds: SeqDataset;
  /** Per-user category index (for long-term per-category inputs). */
  hist: CategoryHistory;
  /** [B] target positions (flat indices into ds). */
  positions: Int32Array;
  /** The model.window actions before each target, right-padded, with per-row lengths. */
  window: ShortWindowBatch;
}

/** Builds a model's inputs for target positions (the short window at the model's width). */
export function seqInputs(ds: SeqDataset, hist: CategoryHistory, positions: Int32Array, window: number): SeqInputs {
  return { ds, hist, positions, window: shortWindows(ds, positions, window, "right") };
}

/** What a model reports after an epoch (GatedLongRec's phase switch; others return null). */
export interface EpochReport {
  [key: string]: unknown;
}

/** Context an epoch hook gets: the training data and the harness's seed. */
export interface EpochContext {
  ds: SeqDataset;
  hist: CategoryHistory;
  train: Int32Array;
  epoch: number;
  seed: number;
  batchSize: number;
}

/**
 * A next-item recommender. `scores` must be a monotone transform of the model's p(item) (logits,
 * log-probabilities): the harness ranks by it. Padding item 0 is excluded from the ranking by the
 * harness, whatever its score.
 */
export abstract class SeqRecModel extends Module<[SeqInputs], Tensor> {
  /** Short-window width the model reads (the harness builds windows of this width). */
  abstract readonly window: number;
  /** False for models with nothing to train (Pop). */
  readonly trainable: boolean = true;
  /** Mean training loss of the batch (a scalar tensor with a graph). */
  abstract loss(inp: SeqInputs): Tensor;
  /** [B, numItems] ranking scores (called under noGrad in eval mode). */
  abstract scores(inp: SeqInputs): Tensor;
  forward(inp: SeqInputs): Tensor {
    return this.scores(inp);
  }
  /** Called by the trainer after every epoch (before validation); may change training state. */
  afterEpoch(_ctx: EpochContext): EpochReport | null {
    return null;
  }
  /** JSON state outside the parameters (e.g. the training phase), stored in checkpoints. */
  trainingState(): Record<string, unknown> {
    return {};
  }
  loadTrainingState(_s: Record<string, unknown>): void {}
  /** Identity of the configuration (stored in checkpoints; a resume must match it). */
  abstract config(): Record<string, unknown>;
}
