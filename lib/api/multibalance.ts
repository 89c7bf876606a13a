// trainMultiBalance: the public async multi-task trainer (MultiBalance and the other balancers).
import { trainMultiTaskSteps, type TrainOptions, type TrainResult } from "../methods/multibalance/trainer.js";
import { runAsync } from "../methods/step_loop.js";
import { progressLoop, type TrainerControl } from "./progress.js";

export interface TrainMultiBalanceOptions extends Omit<TrainOptions, "log">, TrainerControl {}

/**
 * Trains a multi-task model (default MMoE) with a gradient balancer (default MultiBalance), as
 * trainMultiTask does, without blocking the event loop: it pauses after every optimiser step and
 * evaluation batch. The result holds the trained model, balancer and optimiser (the caller
 * disposes them); an aborted run disposes what it built and rejects with the signal's reason.
 * Progress: "train" per step (loss = sum of the task losses; metrics loss_<task>), "valid" and
 * "eval" per evaluation batch.
 */
export async function trainMultiBalance(opts: TrainMultiBalanceOptions): Promise<TrainResult> {
  const { signal, onProgress, events, ...rest } = opts;
  const loop = progressLoop("multibalance", { signal, onProgress, events });
  return runAsync(trainMultiTaskSteps(rest), loop);
}
