import "./methods.js";
export * from "./elementwise_more.js";
export * from "./shape.js";
export { sum, mean, max, min, amax, amin, argmax, argmin, type ValuesIndices } from "./reduce.js";
export { logsumexp, variance } from "./composite.js";
export { matmul, linear } from "./matmul.js";
export { softmax, logSoftmax, layerNorm, rmsNorm } from "./nn.js";
export { embedding, indexSelect, gather, scatterAdd } from "./indexing.js";
export { bceWithLogits, crossEntropy, mse, type Reduction } from "./loss.js";
export { topk, sort } from "./sort.js";
export * from "./creation.js";
export {
  balanceGradients,
  BalanceState,
  type BalanceGradientsOptions,
  type BalanceResult,
  type BalanceStateDict,
  type BalanceReference,
  type BalanceStrategy,
} from "./balance.js";
