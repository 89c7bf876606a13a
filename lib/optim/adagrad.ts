// Adagrad (Duchi et al. 2011), PyTorch semantics (torch.optim.Adagrad), one fused native
// kernel call per parameter tensor (native/include/recforge/adagrad_rule.h: the same
// per-element code on the CPU and on CUDA). With t the parameter's own 1-based step count:
//   g' = g + weightDecay·p                 (L2 decay folded into the gradient)
//   G  = G + g'²                           (G starts at initialAccumulatorValue)
//   p -= lr / (1 + (t − 1)·lrDecay) · g' / (sqrt(G) + eps)
// State per parameter: step (number) and sum (G, a tensor like p), saved in checkpoints.
import type { Tensor } from "../tensor/tensor.js";
import { backendFor, code } from "../ops/internal.js";
import { Optimizer, checkNonNeg, type OptimizerState, type ParamGroup, type ParamsArg, type StateSchema } from "./optimizer.js";

export type AdagradOptions = {
  lr: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
};

export class Adagrad extends Optimizer<AdagradOptions> {
  /** Defaults as PyTorch: lr 0.01, lrDecay 0, weightDecay 0, initialAccumulatorValue 0, eps 1e-10. */
  constructor(params: ParamsArg<AdagradOptions>, opts: Partial<AdagradOptions> = {}) {
    super(params, { lr: 0.01, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10, ...opts });
  }

  get kind(): string {
    return "Adagrad";
  }
  protected stateSchema(): StateSchema {
    return { step: "number", sum: "tensor" };
  }
  protected requiredState(): string[] {
    return ["step", "sum"];
  }

  protected validateGroup(g: Record<string, unknown>, where: string): void {
    for (const k of ["lr", "lrDecay", "weightDecay", "initialAccumulatorValue", "eps"]) checkNonNeg(g, k, where);
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<AdagradOptions>, st: OptimizerState): void {
    if (st.sum === undefined) {
      st.step = 0;
      st.sum = this.stateTensor(p, group.initialAccumulatorValue);
    }
    const sum = st.sum as Tensor;
    const step = (st.step as number) + 1;
    backendFor(p, g, sum).adagradStep({ dtype: code(p), n: p.size, param: p, grad: g, sum,
      lr: group.lr, lrDecay: group.lrDecay, eps: group.eps, weightDecay: group.weightDecay, step });
    st.step = step; // only after the kernel accepted the call
  }
}
