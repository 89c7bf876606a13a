// The public async trainers: one per method, each taking an AbortSignal (`signal`) and reporting
// one progress event shape (TrainerProgress) to `onProgress` and/or an EventTarget (`events`).
// docs/api.md; examples in examples/*.ts (README.md includes them).
export { type TrainerProgress, type TrainerControl, type TrainerMethod, type Phase as TrainerPhase } from "./progress.js";
export { trainDti, type TrainDtiOptions, type TrainDtiResult } from "./dti.js";
export { trainMultiBalance, type TrainMultiBalanceOptions } from "./multibalance.js";
export { trainNextItem, type TrainNextItemOptions, type TrainNextItemResult } from "./seqrec.js";
export { trainGreener, type TrainGreenerOptions, type TrainGreenerResult } from "./greener.js";
export { trainCompExp, type TrainCompExpOptions, type TrainCompExpResult, type CompExpStageOptions } from "./compexp.js";
export { trainLsdqn, type TrainLsdqnOptions, type TrainLsdqnResult } from "./lsdqn.js";
// What the GREENer and CompExp trainers take and return.
export { prepareGreenerData, GreenerData, type GreenerPrepOptions, type PrepareResult as GreenerPrepareResult } from "../methods/greener/prepare.js";
export { GreenerModel, type GreenerModelConfig } from "../methods/greener/model.js";
export { GreenerScorer, type GreenerPair } from "../methods/greener/examples.js";
export type { GreenerTrainReport } from "../methods/greener/train.js";
export { dataRoot } from "../data/paths.js";
export { CompExpModel, type CompExpConfig } from "../methods/compexp/model.js";
export { buildCorpus, type CompExpCorpus, type CompExpStage, type CompExpTrainReport } from "../methods/compexp/train.js";
