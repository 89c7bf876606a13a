// recforge: tensors, autograd, kernels and trainers for recommender models.
export { Tensor, type GradHook } from "./tensor/tensor.js";
export type { DType, Device } from "./tensor/dtype.js";
export { tidy, keep, memory, resetPeakMemory, emptyCache, type MemoryInfo } from "./tensor/scope.js";
export { Generator, manualSeed, defaultGenerator } from "./tensor/random.js";
export { noGrad, enableGrad, isGradEnabled, backward } from "./autograd/engine.js";
export { autocast, autocastPrecision, type LowPrecision } from "./amp/autocast.js";
export { roundBf16, roundFp16, roundTo } from "./amp/round.js";
export * from "./ops/index.js";
export { backends, setNumThreads, getNumThreads, synchronize, type Backends, type CudaBackendInfo } from "./runtime.js";
export * from "./graph/index.js";
export * from "./nn/index.js";
export * from "./optim/index.js";
export * from "./io/safetensors.js";
export * from "./io/checkpoint.js";
export * from "./metrics/index.js";
export * from "./methods/multibalance/index.js";
export * from "./methods/dti/index.js";
export * from "./methods/seqrec/index.js";
