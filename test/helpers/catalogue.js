// The public op catalogue shared by the bad-input tests (errors.test.js, fuzz-args.test.js):
// [name, call, makeArgs, tensorArgPositions, optionalPositions (null allowed)];
// call receives the args spread, makeArgs builds a fresh valid argument list.
import * as rf from "../../dist/index.js";

export const f64 = (shape) => rf.randn(shape, { dtype: "float64", generator: new rf.Generator(1) });
export const f32 = (shape) => rf.randn(shape, { generator: new rf.Generator(2) });
export const i32 = (data, shape) => rf.tensor(data, { dtype: "int32", shape });

export const catalogue = [
  ...["neg", "exp", "log", "sqrt", "rsqrt", "abs", "relu", "gelu", "silu", "sigmoid", "tanh", "square", "reciprocal", "sign", "isfinite"].map((n) => [
    n, rf[n], () => [f64([2, 3])], [0],
  ]),
  ["leakyRelu", rf.leakyRelu, () => [f64([2]), 0.1], [0]],
  ["elu", rf.elu, () => [f64([2]), 1], [0]],
  ["clamp", rf.clamp, () => [f64([2]), -1, 1], [0]],
  ["isnan", rf.isnan, () => [f64([2])], [0]],
  ...["add", "sub", "mul", "div", "pow", "maximum", "minimum", "eq", "ne", "lt", "le", "gt", "ge"].map((n) => [n, rf[n], () => [f64([2, 3]), f64([3])], [0, 1]]),
  ["where", rf.where, () => [i32([1, 0, 1]), f64([3]), f64([3])], [0, 1, 2]],
  ["cast", rf.cast, () => [f64([2]), "float32"], [0]],
  ["clone", rf.clone, () => [f64([2])], [0]],
  ...["sum", "mean", "amax", "amin", "logsumexp", "variance"].map((n) => [n, rf[n], () => [f64([2, 3]), 1], [0]]),
  ...["max", "min", "argmax", "argmin"].map((n) => [n, rf[n], () => [f64([2, 3]), 1], [0]]),
  ["matmul", rf.matmul, () => [f64([2, 3]), f64([3, 4])], [0, 1]],
  ["linear", rf.linear, () => [f64([2, 3]), f64([4, 3]), f64([4])], [0, 1, 2], [2]],
  ["softmax", rf.softmax, () => [f64([2, 3]), 0], [0]],
  ["logSoftmax", rf.logSoftmax, () => [f64([2, 3])], [0]],
  ["layerNorm", rf.layerNorm, () => [f64([2, 3]), f64([3]), f64([3])], [0, 1, 2], [1, 2]],
  ["rmsNorm", rf.rmsNorm, () => [f64([2, 3]), f64([3])], [0, 1], [1]],
  ["embedding", rf.embedding, () => [i32([0, 2]), f64([3, 2])], [0, 1]],
  ["gather", rf.gather, () => [f64([2, 3]), 1, i32([0, 2], [2, 1])], [0, 2]],
  ["scatterAdd", rf.scatterAdd, () => [f64([2, 3]), 1, i32([0, 2], [2, 1]), f64([2, 1])], [0, 2, 3]],
  ["indexSelect", rf.indexSelect, () => [f64([2, 3]), 1, i32([0, 2])], [0, 2]],
  ["concat", (a, b) => rf.concat([a, b], 0), () => [f64([2, 3]), f64([1, 3])], [0, 1]],
  ["stack", (a, b) => rf.stack([a, b], 1), () => [f64([2, 3]), f64([2, 3])], [0, 1]],
  ["split", rf.split, () => [f64([4, 3]), 2, 0], [0]],
  ["slice", rf.slice, () => [f64([4, 3]), 0, 1, 3], [0]],
  ["reshape", rf.reshape, () => [f64([4, 3]), [3, 4]], [0]],
  ["flatten", rf.flatten, () => [f64([4, 3])], [0]],
  ["permute", rf.permute, () => [f64([4, 3]), [1, 0]], [0]],
  ["transpose", rf.transpose, () => [f64([4, 3])], [0]],
  ["expand", rf.expand, () => [f64([1, 3]), [2, 3]], [0]],
  ["squeeze", rf.squeeze, () => [f64([1, 3])], [0]],
  ["unsqueeze", rf.unsqueeze, () => [f64([3]), 0], [0]],
  ["contiguous", rf.contiguous, () => [f64([3])], [0]],
  ["bceWithLogits", rf.bceWithLogits, () => [f64([3]), rf.full([3], 0.5, { dtype: "float64" })], [0, 1]],
  ["crossEntropy", rf.crossEntropy, () => [f64([2, 3]), i32([0, 2])], [0, 1]],
  ["mse", rf.mse, () => [f64([3]), f64([3])], [0, 1]],
  ["dropout", rf.dropout, () => [f64([3]), 0.5], [0]],
  ["topk", rf.topk, () => [f64([2, 3]), 2], [0]],
  ["sort", rf.sort, () => [f64([2, 3])], [0]],
  ["zerosLike", rf.zerosLike, () => [f64([2])], [0]],
  ["onesLike", rf.onesLike, () => [f64([2])], [0]],
  ["gru", rf.gru, () => [f64([2, 3, 4]), { wIh: [f64([6, 4])], wHh: [f64([6, 2])], bIh: [f64([6])], bHh: [f64([6])] }, { lengths: [3, 1] }], [0]],
];

