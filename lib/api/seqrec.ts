// trainNextItem: the public async trainer of next-item models (GatedLongRec, CTA, TiSASRec,
// SASRec, GRU4Rec, Pop) on the seqrec harness: model by name, early stopping on validation,
// then one evaluation on the test targets.
import { RankingAccumulator, type RankingMetrics } from "../metrics/ranking.js";
import { CategoryHistory } from "../methods/seqrec/batch.js";
import type { SeqDataset } from "../methods/seqrec/data.js";
import { rankTargetSteps } from "../methods/seqrec/evaluate.js";
import type { SeqRecModel } from "../methods/seqrec/model.js";
import { createSeqModel, defaultOptimizer, type SeqModelName, type SeqModelOptions } from "../methods/seqrec/models.js";
import { trainSeqRec, type TrainSeqRecOptions, type TrainSeqRecResult } from "../methods/seqrec/train.js";
import { runAsync, yieldToEventLoop } from "../methods/step_loop.js";
import { progressLoop, type TrainerControl } from "./progress.js";

export interface TrainNextItemOptions extends Omit<TrainSeqRecOptions, "model" | "ds" | "hist" | "onProgress" | "loop">, TrainerControl {
  /** The data (buildSeqDataset, loadSeqCsv, loadMovielensSeq). */
  data: SeqDataset;
  /** The model by name (SEQ_MODELS); optimiser and learning rate default to the model's (defaultOptimizer). */
  model: SeqModelName;
  /** Model options (hidden size, window, CTA kernels, ...; `seed` defaults to the trainer's seed). */
  modelOptions?: SeqModelOptions;
  /** Evaluate the selected epoch on the test targets (default true). */
  evaluate?: boolean;
}

export interface TrainNextItemResult extends TrainSeqRecResult {
  /** The trained model with the best validation epoch's parameters (the caller disposes it). */
  model: SeqRecModel;
  /** Full-ranking metrics on ds.split.test (null with evaluate: false). */
  test: RankingMetrics | null;
}

/**
 * Builds the named model and trains it with trainSeqRec (early stopping on validation Recall@20),
 * pausing after every optimiser step and evaluation batch, then ranks the test targets. Progress:
 * "train" per step (metrics lossEma), "valid" per validation batch after each epoch, "eval" per
 * test batch. An aborted run disposes the model and rejects with the signal's reason.
 */
export async function trainNextItem(opts: TrainNextItemOptions): Promise<TrainNextItemResult> {
  const { signal, onProgress, events, data, model: name, modelOptions, evaluate = true, ...rest } = opts;
  const loop = progressLoop("seqrec", { signal, onProgress, events });
  await yieldToEventLoop(); // the model is built after the caller's turn
  signal?.throwIfAborted();
  const model = createSeqModel(name, data, { seed: rest.seed ?? 0, ...(modelOptions ?? {}) });
  let ok = false;
  try {
    const hist = new CategoryHistory(data);
    const r = await trainSeqRec({ ...defaultOptimizer(name), ...rest, model, ds: data, hist, loop });
    let test: RankingMetrics | null = null;
    if (evaluate && data.split.test.length) {
      const ranks = await runAsync(rankTargetSteps(model, data, hist, data.split.test, { batchSize: rest.evalBatchSize, phase: "eval", epoch: r.bestEpoch }), loop);
      test = new RankingAccumulator({}).add(ranks).result();
    }
    ok = true;
    return { ...r, model, test };
  } finally {
    if (!ok) model.dispose();
  }
}
