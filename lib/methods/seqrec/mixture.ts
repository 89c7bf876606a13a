// GatedLongRec's top-k category mixture (shared/reference/gatedlongrec.md, "Top-k gate"):
//   p(item) = Σ_j p(c_j) · softmax(ℓ(c_j))[item]     over the k chosen categories c_1..c_k,
// computed in the log domain, log p(item) = logsumexp_j [log p(c_j) + logSoftmax(ℓ(c_j))[item]],
// so that tiny probabilities keep their order (the harness ranks by it).
import type { Tensor } from "../../tensor/tensor.js";
import { shapeStr } from "../../tensor/shape.js";
import { add, gather, logSoftmax, logsumexp, reshape, tensor, unsqueeze } from "../../ops/index.js";

/**
 * logPc [B, k]: log p(c_j) of the chosen categories; itemLogits [B·k, N] (row b·k + j: ℓ(c_j) of
 * target b). Returns log p(item) [B, N] over all N items. Differentiable in both.
 */
export function mixtureLogProbs(logPc: Tensor, itemLogits: Tensor): Tensor {
  const [B, k] = logPc.shape;
  if (logPc.ndim !== 2 || itemLogits.ndim !== 2 || itemLogits.shape[0] !== B * k)
    throw new RangeError(`recforge: mixtureLogProbs: logPc ${shapeStr(logPc.shape)} needs itemLogits [B·k, N] = [${B * k}, N], got ${shapeStr(itemLogits.shape)}`);
  const N = itemLogits.shape[1];
  const lp = reshape(logSoftmax(itemLogits, -1), [B, k, N]);
  return logsumexp(add(lp, unsqueeze(logPc, 2)), 1);
}

/**
 * The same mixture at the targets only: log p(target_b) [B] (phase-2 training: cheaper than the
 * full [B, N] block; the gradient is the same).
 */
export function mixtureTargetLogProbs(logPc: Tensor, itemLogits: Tensor, targets: Int32Array): Tensor {
  const [B, k] = logPc.shape;
  if (logPc.ndim !== 2 || itemLogits.ndim !== 2 || itemLogits.shape[0] !== B * k || targets.length !== B)
    throw new RangeError(`recforge: mixtureTargetLogProbs: logPc ${shapeStr(logPc.shape)}, itemLogits ${shapeStr(itemLogits.shape)} and ${targets.length} targets do not fit`);
  const rowsTarget = new Int32Array(B * k);
  for (let r = 0; r < B * k; r++) rowsTarget[r] = targets[Math.floor(r / k)];
  const lp = gather(logSoftmax(itemLogits, -1), 1, tensor(rowsTarget, { dtype: "int32", shape: [B * k, 1] }));
  return logsumexp(add(reshape(lp, [B, k]), logPc), 1);
}
