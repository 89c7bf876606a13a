// trainDti: the public async trainer of LLM-style CTR models with DTI or sliding-window prompts.
import { trainCtr, type TrainCtrOptions, type TrainCtrResult } from "../methods/dti/train.js";
import { progressLoop, type TrainerControl } from "./progress.js";
import { yieldToEventLoop } from "../methods/step_loop.js";

export interface TrainDtiOptions extends Omit<TrainCtrOptions, "onProgress" | "loop" | "keepModel" | "pace">, TrainerControl {}

/** trainCtr's result with the model always kept (the caller disposes it: result.model.dispose()). */
export interface TrainDtiResult extends TrainCtrResult {
  model: NonNullable<TrainCtrResult["model"]>;
}

/**
 * Trains (or resumes from `checkpoint`) a decoder-only CTR model as trainCtr does and evaluates it
 * with SW prompts, pausing after every optimiser step and evaluation row. Progress: "prepare" once
 * (vocabulary, prompts, step plan built), "train" per step (metrics lossEma, tokens, targets),
 * "eval" per evaluation row. An aborted run disposes the model and the optimiser state and rejects
 * with the signal's reason.
 */
export async function trainDti(opts: TrainDtiOptions): Promise<TrainDtiResult> {
  const { signal, onProgress, events, ...rest } = opts;
  const loop = progressLoop("dti", { signal, onProgress, events });
  await yieldToEventLoop(); // the vocabulary, prompts and model are built after the caller's turn
  const r = await trainCtr({ ...rest, keepModel: true, loop });
  return r as TrainDtiResult;
}
