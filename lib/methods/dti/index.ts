// DTI (Dynamic Target Isolation) for LLM-style CTR models: data, prompts, model, training, evaluation.
export * from "./types.js";
export * from "./model.js";
export * from "./llama.js";
export * from "../../text/hf_tokenizer.js"; // the tokenizers live in lib/text; re-exported here as before
export * from "../../text/word_tokenizer.js";
export * from "./data/index.js";
export { syntheticCtr, syntheticCtrWithTruth, mulberry32, type SyntheticOptions as SyntheticCtrOptions } from "./synthetic.js";
export { PromptBuilder, PackBuilder, contextReachStart, swUnits, costModel, type PromptVocab, type PromptOptions, type PromptUnit } from "./prompts.js";
export { trainChunks, epochSteps, stepUnits, stepTargets, type Chunk } from "./plan.js";
export { evaluateCtr, type CtrModel, type EvaluateOptions, type EvaluateResult } from "./evaluate.js";
export { trainCtr, type TrainCtrOptions, type TrainCtrResult, type TrainProgress, type CurvePoint, type ModelShape } from "./train.js";
export { defaultVocab, defaultModelFactory } from "./setup.js";
