// The ops layer's face: modules above lib/ops import ops from here (or from ./internal.ts, which
// re-exports this file), never from the op files, so evaluating the layer always runs the two
// installs below before any op is called from above (scripts/check-layers.mjs enforces it).
import { installTensorOps } from "../tensor/tensor.js";
import { tensorOps } from "./methods.js";
import { _setSumTo } from "./shape.js";
import { sumTo } from "./elementwise.js";

installTensorOps(tensorOps); // Tensor's methods (x.add(y), x.backward(), ...)
_setSumTo(sumTo); // expand's backward sums with reduce.ts, which itself imports shape.ts

export {
  neg, exp, log, sqrt, rsqrt, abs, relu, leakyRelu, elu, gelu, silu, sigmoid, tanh, square, reciprocal, sign, clamp,
  add, sub, mul, div, pow, maximum, minimum, eq, ne, lt, le, gt, ge, where, cast, clone, isfinite, isnan,
} from "./elementwise_more.js";
export { contiguous, reshape, flatten, permute, transpose, unsqueeze, squeeze, expand, slice, split, concat, stack } from "./shape.js";
export { sum, mean, max, min, amax, amin, argmax, argmin, type ValuesIndices } from "./reduce.js";
export { logsumexp, variance } from "./composite.js";
export { matmul, linear } from "./matmul.js";
export { softmax, logSoftmax, layerNorm, rmsNorm } from "./nn.js";
export { embedding, indexSelect, gather, scatterAdd } from "./indexing.js";
export { bceWithLogits, crossEntropy, mse, type Reduction } from "./loss.js";
export {
  sampledSoftmaxLoss, LogUniformSampler, type CandidateSample, type LogUniformSamplerOptions, type SampledSoftmaxOptions,
} from "./sampled_softmax.js";
export { topk, sort } from "./sort.js";
export {
  tensor, full, zeros, ones, zerosLike, onesLike, arange, eye, rand, randn, bernoulli, randint, dropout,
  type CreateOptions, type RandomOptions,
} from "./creation.js";
export {
  balanceGradients,
  BalanceState,
  type BalanceGradientsOptions,
  type BalanceResult,
  type BalanceStateDict,
  type BalanceReference,
  type BalanceStrategy,
} from "./balance.js";
export { segmentAggregate, edgeSoftmax, gatAttention, gatAttentionWithWeights, type SegmentReduce, type SegmentAggregateOptions, type GatAttentionOptions, type CsrIndex } from "./graph.js";
export { segmentAggregateReference, edgeSoftmaxReference, gatAttentionReference } from "./graph_reference.js";
export {
  intervalAttention, denseMaskedAttention, rope, ropeTable, alibiSlopes, intervalsTensor, positionsTensor,
  type AttentionOptions, type KeyIntervalArrays, type IntervalsInput, type PositionsInput, type RopeTable, type RopeTableOptions,
  type RopeOptions, type RopeLayout,
} from "./attention.js";
export { to } from "./device.js";
export { gru, type GruWeights, type GruOptions, type GruResult } from "./gru.js";
export { gruCellOps, gruReference } from "./gru_reference.js";
