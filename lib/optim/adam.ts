// Adam (L2 weight decay folded into the gradient) and AdamW (decoupled weight decay),
// PyTorch semantics, one fused native kernel call per parameter tensor. With t the
// parameter's own 1-based step count:
//   Adam : g' = g + weightDecay·p            AdamW: p ← p·(1 − lr·weightDecay), g' = g
//   m = β1·m + (1 − β1)·g'     v = β2·v + (1 − β2)·g'²
//   p -= lr / (1 − β1^t) · m / (sqrt(v) / sqrt(1 − β2^t) + eps)
// AMSGrad is not implemented.
import type { Tensor } from "../tensor/tensor.js";
import { backendFor, code } from "../ops/internal.js";
import { Optimizer, checkNonNeg, type OptimizerState, type ParamGroup, type ParamsArg, type StateSchema } from "./optimizer.js";

export type AdamOptions = {
  lr: number;
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
};

/** Constructor options: beta1/beta2, or PyTorch-style betas: [β1, β2]. */
export type AdamInit = Partial<AdamOptions> & { betas?: [number, number] };

function withBetas(opts: AdamInit, weightDecay: number): AdamOptions {
  const { betas, ...rest } = opts;
  const out: AdamOptions = { lr: 1e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay, ...rest };
  if (betas !== undefined) {
    if (!Array.isArray(betas) || betas.length !== 2) throw new TypeError(`recforge: Adam: betas must be [beta1, beta2], got ${JSON.stringify(betas)}`);
    [out.beta1, out.beta2] = betas;
  }
  return out;
}

export class Adam extends Optimizer<AdamOptions> {
  constructor(params: ParamsArg<AdamOptions>, opts: AdamInit = {}) {
    super(params, withBetas(opts, 0));
  }

  /** AdamW overrides this: weight decay applied to the parameter, not the gradient. */
  protected get decoupled(): boolean {
    return false;
  }
  get kind(): string {
    return "Adam";
  }
  protected stateSchema(): StateSchema {
    return { step: "number", expAvg: "tensor", expAvgSq: "tensor" };
  }
  protected requiredState(): string[] {
    return ["step", "expAvg", "expAvgSq"];
  }

  protected validateGroup(g: Record<string, unknown>, where: string): void {
    checkNonNeg(g, "lr", where);
    for (const b of ["beta1", "beta2"]) {
      const v = g[b];
      if (typeof v !== "number" || !(v >= 0 && v < 1)) throw new RangeError(`recforge: ${where}: ${b} must be in [0, 1), got ${String(v)}`);
    }
    checkNonNeg(g, "eps", where);
    checkNonNeg(g, "weightDecay", where);
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<AdamOptions>, st: OptimizerState): void {
    if (st.expAvg === undefined) {
      st.step = 0;
      st.expAvg = this.stateTensor(p, 0);
      st.expAvgSq = this.stateTensor(p, 0);
    }
    const m = st.expAvg as Tensor, v = st.expAvgSq as Tensor;
    const step = (st.step as number) + 1;
    backendFor(p, g, m, v).adamStep({ dtype: code(p), n: p.size, param: p, grad: g, m, v, lr: group.lr, beta1: group.beta1, beta2: group.beta2, eps: group.eps, weightDecay: group.weightDecay, decoupled: this.decoupled, step });
    st.step = step; // only after the kernel accepted the call
  }
}

/** Adam with decoupled weight decay (Loshchilov & Hutter); default weightDecay 0.01 as PyTorch. */
export class AdamW extends Adam {
  constructor(params: ParamsArg<AdamOptions>, opts: AdamInit = {}) {
    super(params, { weightDecay: 0.01, ...opts });
  }
  protected override get decoupled(): boolean {
    return true;
  }
  override get kind(): string {
    return "AdamW";
  }
}
