// The representation level (MultiBalance, GradNorm): per-task gradients at the shared
// representation z from one backward through the heads, combined, then one backward through the bottom.
import { Tensor } from "../../../tensor/tensor.js";
import { backward as runBackward } from "../../../autograd/engine.js";
import { Balancer, type BalanceStepInput, type BalanceStepInfo, weightedSum } from "./balancer.js";
import { allGatherRows, type GatheredRows } from "../../../distributed/index.js";

export abstract class RepresentationBalancer extends Balancer {
  readonly level = "representation" as const;
  /** Per-task loss weights applied in the head pass (GradNorm's learned weights; default none). */
  protected lossWeights(): ArrayLike<number> | null {
    return null;
  }
  /**
   * Combines the per-task gradients at z into z's gradient (may throw NonFiniteStep). `scratch`,
   * when not null, is one of `grads` that the combination may be written into (and then returned
   * as `out`): the step owns it and nothing reads it afterwards.
   */
  protected abstract combine(grads: Tensor[], losses: number[], scratch: Tensor | null): { out: Tensor; info: BalanceStepInfo; commit?: () => void };

  protected run(step: BalanceStepInput, stepLossValues: readonly number[]): BalanceStepInfo {
    const { losses, rep, taskInputs, sharedParams } = step;
    const total = weightedSum(losses, this.lossWeights());
    if (!total.requiresGrad) throw new TypeError(`recforge: ${this.constructor.name}: no loss depends on a trainable tensor`);
    // 1. one backward through the heads: each g_t lands on its own leaf
    runBackward(total);
    const leaked = sharedParams.findIndex((p) => p.grad);
    if (leaked >= 0)
      throw new TypeError(`recforge: ${this.constructor.name}: a loss reaches shared parameter ${leaked} [${sharedParams[leaked].shape.join(", ")}] without passing through the representation; heads must read the tensors returned by branch(rep), not rep`);
    const grads = taskInputs.map((l, t) => {
      if (!l.grad) throw new TypeError(`recforge: ${this.constructor.name}: the loss of task ${t} does not depend on the representation (its head ignores z), so there is nothing to balance`);
      return l.grad;
    });
    // 2. balance at z: over the global batch when data-parallel (every rank computes the same
    // global balance from the gathered per-task gradients and keeps its own rows of the result).
    const pg = step.processGroup && step.processGroup.size > 1 ? step.processGroup : null;
    let lossValues = stepLossValues.slice();
    let gathered: GatheredRows | null = null;
    if (pg) {
      gathered = allGatherRows(pg, grads);
      lossValues = Array.from(pg.allReduceNumbers(lossValues));
    }
    let out: Tensor, info: BalanceStepInfo, commit: (() => void) | undefined;
    try {
      ({ out, info, commit } = this.combine(gathered ? gathered.global : grads, lossValues, gathered ? null : scratchGradient(grads, step.taskParams, step.sharedParams)));
    } finally {
      gathered?.global.forEach((g) => g.dispose());
    }
    if (gathered) {
      const all = out;
      out = all.slice(0, gathered.offset, gathered.offset + gathered.rows).contiguous();
      all.dispose();
    }
    try {
      // 3. one backward through the shared bottom
      runBackward(rep, out);
    } finally {
      out.dispose();
    }
    commit?.();
    return info;
  }
}

// The per-task gradient at z that the combined gradient may overwrite (exported for its test): task 0's, unless it is not
// contiguous or the same tensor is also another task's gradient or a parameter's .grad (the engine
// hands one gradient tensor to every input of an add). Why: writing the combination into a
// gradient that was just read saves allocating and first-touching a fresh output of z's size —
// ~0.07–0.09 ms of Census MMoE's ~9 ms step, about a third of MultiBalance's cost over the plain
// summed loss there (bench/results/balance-qps.md, session 9).
export function scratchGradient(grads: readonly Tensor[], taskParams?: readonly Tensor[], sharedParams?: readonly Tensor[]): Tensor | null {
  const g = grads[0];
  if (!g || !g.isContiguous) return null;
  for (let t = 1; t < grads.length; t++) if (grads[t] === g) return null;
  for (const p of taskParams ?? []) if (p.grad === g) return null;
  for (const p of sharedParams ?? []) if (p.grad === g) return null;
  return g;
}
