// Stochastic gradient descent with momentum, dampening, Nesterov and (L2) weight decay,
// PyTorch semantics, as one fused native kernel call per parameter tensor:
//   g' = g + weightDecay·p
//   buf = g' on the first step, else momentum·buf + (1 − dampening)·g'
//   d = nesterov ? g' + momentum·buf : buf        (d = g' when momentum = 0)
//   p -= lr·d
import type { Tensor } from "../tensor/tensor.js";
import { backendFor, code } from "../ops/internal.js";
import { Optimizer, checkBool, checkNonNeg, type OptimizerState, type ParamGroup, type ParamsArg, type StateSchema } from "./optimizer.js";

export type SGDOptions = {
  lr: number;
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
};

export class SGD extends Optimizer<SGDOptions> {
  constructor(params: ParamsArg<SGDOptions>, opts: Partial<SGDOptions> = {}) {
    super(params, { lr: 1e-3, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, ...opts });
  }

  get kind(): string {
    return "SGD";
  }
  protected stateSchema(): StateSchema {
    return { momentumBuffer: "tensor" };
  }
  protected requiredState(): string[] {
    return [];
  }

  protected validateGroup(g: Record<string, unknown>, where: string): void {
    checkNonNeg(g, "lr", where);
    const m = checkNonNeg(g, "momentum", where);
    const d = g.dampening;
    if (typeof d !== "number" || !Number.isFinite(d)) throw new RangeError(`recforge: ${where}: dampening must be a finite number, got ${String(d)}`);
    checkNonNeg(g, "weightDecay", where);
    if (checkBool(g, "nesterov", where) && (m <= 0 || d !== 0))
      throw new RangeError(`recforge: ${where}: nesterov needs momentum > 0 and dampening = 0 (got momentum ${m}, dampening ${d})`);
  }

  protected update(p: Tensor, g: Tensor, group: ParamGroup<SGDOptions>, st: OptimizerState): void {
    let buf: Tensor | null = null;
    let first = false;
    if (group.momentum !== 0) {
      buf = (st.momentumBuffer as Tensor | undefined) ?? null;
      if (!buf) {
        // The kernel writes buf = g' on the first step without reading it: no fill needed.
        buf = st.momentumBuffer = this.stateTensor(p, null);
        first = true;
      }
    }
    backendFor(p, g, buf).sgdStep({ dtype: code(p), n: p.size, param: p, grad: g, momentumBuf: buf ?? null, lr: group.lr, momentum: group.momentum, dampening: group.dampening, weightDecay: group.weightDecay, nesterov: group.nesterov, first });
  }
}
