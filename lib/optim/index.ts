export {
  Optimizer,
  type Hyper,
  type ParamGroup,
  type ParamGroupSpec,
  type ParamsArg,
  type OptimizerState,
  type OptimizerStateDict,
  type SavedGroup,
} from "./optimizer.js";
export { SGD, type SGDOptions } from "./sgd.js";
export { Adam, AdamW, type AdamOptions, type AdamInit } from "./adam.js";
export { Adagrad, type AdagradOptions } from "./adagrad.js";
export { clipGradNorm, gradNorm, type ClipGradNormOptions } from "./clip.js";
export {
  warmupLr,
  cosineLr,
  linearDecayLr,
  stepDecayLr,
  LrScheduler,
  WarmupLR,
  CosineLR,
  LinearDecayLR,
  StepLR,
  type LrLambda,
  type SchedulerState,
  type WarmupOptions,
  type CosineOptions,
  type LinearDecayOptions,
  type StepDecayOptions,
} from "./schedule.js";
export { GradScaler, type GradScalerOptions, type GradScalerState } from "./grad_scaler.js";
