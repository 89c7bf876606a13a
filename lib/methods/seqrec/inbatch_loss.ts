// Ranking losses with in-batch negatives (shared/reference/cta.md, "Training"; GRU4Rec's
// TOP1 and BPR as CTA's loss.py writes them). The other targets of the batch are the negatives:
// S = logits[:, y_1..y_B] (B×B), row b's positive is the diagonal r_b = S_bb.
//   TOP1: mean over ALL (b, j), diagonal included, of σ(S_bj − r_b) + σ(S_bj²)
//   BPR:  −mean over all (b, j), diagonal included, of log σ(r_b − S_bj)  (= softplus(S_bj − r_b))
//   CE:   full softmax cross-entropy over every item (a sanity check; not in-batch)
// The diagonal terms are constants plus σ(r_b²) for TOP1 and log 2 for BPR, as coded: they are
// kept so that values match the reference code. A target repeated in the batch is a negative
// for the other rows that share it (also as coded).
import type { Tensor } from "../../tensor/tensor.js";
import { abs, add, crossEntropy, exp, gather, linear, log, mean, mul, neg, relu, sigmoid, sub, tensor, embedding, indexSelect } from "../../ops/index.js";

export const SEQ_LOSSES = ["top1", "bpr", "ce"] as const;
export type SeqLossName = (typeof SEQ_LOSSES)[number];

function checkSquare(S: Tensor, op: string): number {
  if (S.ndim !== 2 || S.shape[0] !== S.shape[1]) throw new RangeError(`recforge: ${op}: in-batch scores must be square [B, B], got [${S.shape}]`);
  return S.shape[0];
}

/** The diagonal of S [B, B] as a [B, 1] column. */
function diagonal(S: Tensor, B: number): Tensor {
  return gather(S, 1, tensor(Int32Array.from({ length: B }, (_, i) => i), { dtype: "int32", shape: [B, 1] }));
}

/** TOP1 over in-batch scores S [B, B] (diagonal = positives), diagonal included. */
export function top1Loss(S: Tensor): Tensor {
  const B = checkSquare(S, "top1Loss");
  return mean(add(sigmoid(sub(S, diagonal(S, B))), sigmoid(mul(S, S))));
}

/** softplus(x) = log(1 + eˣ) = relu(x) + log(1 + e^−|x|), stable for any x. */
export function softplus(x: Tensor): Tensor {
  return add(relu(x), log(add(exp(neg(abs(x))), 1)));
}

/** BPR over in-batch scores S [B, B]: −mean log σ(r_b − S_bj), diagonal included. */
export function bprLoss(S: Tensor): Tensor {
  const B = checkSquare(S, "bprLoss");
  return mean(softplus(sub(S, diagonal(S, B))));
}

/** S [B, B] = u [B, D] · E[y]ᵀ: every row's score of every target in the batch (no [B, N] logits). */
export function inBatchScores(u: Tensor, itemEmb: Tensor, targets: Int32Array): Tensor {
  return linear(u, embedding(tensor(targets, { dtype: "int32" }), itemEmb));
}

/**
 * The loss of a batch for a model whose logits are u·Eᵀ (+ bias): "top1" and "bpr" on the
 * in-batch scores, "ce" on the full logits over all items.
 */
export function seqLoss(kind: SeqLossName, u: Tensor, itemEmb: Tensor, targets: Int32Array, bias: Tensor | null = null): Tensor {
  switch (kind) {
    case "top1":
    case "bpr": {
      let S = inBatchScores(u, itemEmb, targets);
      if (bias) S = add(S, indexSelect(bias, 0, tensor(targets, { dtype: "int32" }))); // [B] broadcast: column j gets b_{y_j}
      return kind === "top1" ? top1Loss(S) : bprLoss(S);
    }
    case "ce":
      return crossEntropy(linear(u, itemEmb, bias), tensor(targets, { dtype: "int32" }));
    default:
      throw new RangeError(`recforge: seqrec loss must be one of ${SEQ_LOSSES.join(", ")}, got ${JSON.stringify(kind)}`);
  }
}
