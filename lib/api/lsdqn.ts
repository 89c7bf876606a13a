// trainLsdqn: the public async LS-DQN trainer (Max-Cut, Max k-Cut, TSP local search).
import { trainCopSteps, type CopTrainOptions, type CopTrainResult } from "../methods/lsdqn/train/dqn.js";
import { runAsync } from "../methods/step_loop.js";
import { progressLoop, type TrainerControl } from "./progress.js";

export interface TrainLsdqnOptions extends Omit<CopTrainOptions, "onProgress">, TrainerControl {}

/** The result of trainCop; `model` is the trained online Q-network (the caller disposes it). */
export interface TrainLsdqnResult extends CopTrainResult {
  model: CopTrainResult["net"];
}

/**
 * Trains an LS-DQN Q-network by N-step double DQN on generated instances (lsdqn.trainCop),
 * pausing after every environment step and every move of the validation episodes. Progress:
 * "valid" (greedy episodes of the untrained net), "train" per environment step (loss once
 * updates start; metrics epsilon, updates; epoch = acting round), "eval" (greedy episodes of the
 * trained net). Aborted: both networks are disposed and the promise rejects with the signal's reason.
 */
export async function trainLsdqn(opts: TrainLsdqnOptions): Promise<TrainLsdqnResult> {
  const { signal, onProgress, events, ...rest } = opts;
  const loop = progressLoop("lsdqn", { signal, onProgress, events });
  const r = await runAsync(trainCopSteps(rest), loop);
  return { ...r, model: r.net };
}
