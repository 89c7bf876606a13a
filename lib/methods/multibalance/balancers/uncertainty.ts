// Uncertainty weighting (loss level): learned log-variances weigh the task losses.
import { Tensor } from "../../../tensor/tensor.js";
import { keep } from "../../../tensor/scope.js";
import { backward as runBackward } from "../../../autograd/engine.js";
import type { Device } from "../../../tensor/dtype.js";
import { backendFor, add, cast, exp, mul, neg, sum, concat, reshape, tensor, toDeviceRaw } from "../../../ops/internal.js";
import { Balancer, type BalancerOptions, type BalanceStepInput, type BalanceStepInfo, type BalancerStateDict } from "./balancer.js";

/**
 * Uncertainty weighting (Kendall, Gal & Cipolla, CVPR 2018) in the form most libraries use
 * (LibMTL): total = Σ_i 0.5·exp(-s_i)·L_i + 0.5·s_i with learned log-variances s (init 0).
 * s is a parameter: give parameters() to the optimiser.
 */
export class UncertaintyWeighting extends Balancer {
  readonly kind = "uncertainty";
  readonly level = "loss" as const;
  readonly logVars: Tensor;
  constructor(numTasks: number, opts: BalancerOptions & { init?: number; dtype?: "float32" | "float64" } = {}) {
    super(numTasks, opts);
    const C = opts.dtype === "float64" ? Float64Array : Float32Array;
    this.logVars = keep(tensor(new C(numTasks).fill(opts.init ?? 0)).requiresGrad_());
    if (opts.device !== undefined && opts.device !== "cpu") {
      try {
        this.to(opts.device);
      } catch (e) {
        this.logVars.dispose();
        throw e;
      }
    }
  }
  override parameters(): Tensor[] {
    return [this.logVars];
  }
  override get device(): Device {
    return this.logVars.device;
  }
  protected override moveOwnTensors(device: Device): void {
    const s = this.logVars;
    if (s.device === device) return;
    s._adoptStorage(toDeviceRaw(s, device));
    if (s.grad && s.grad.device !== device) {
      const g = keep(toDeviceRaw(s.grad, device));
      s.grad.dispose();
      s.grad = g;
    }
  }
  protected run(step: BalanceStepInput): BalanceStepInfo {
    // Follow the losses: the weighted sum is computed where they are.
    this.moveOwnTensors(step.losses[0].device);
    const s = this.logVars;
    const ls = step.losses.map((l) => reshape(l, [1]));
    const L0 = concat(ls, 0);
    const L = L0.dtype === s.dtype ? L0 : cast(L0, s.dtype);
    const ns = neg(s), e = exp(ns), eL = mul(e, L), t = add(eL, s), h = mul(t, 0.5), total = sum(h);
    runBackward(total);
    const w = Array.from(e.toTypedArray(), (v) => 0.5 * v);
    for (const v of [...ls, L0, L, ns, e, eL, t, h, total]) v.dispose();
    return { weights: w };
  }
  stateDict(): BalancerStateDict {
    return { kind: this.kind, numTasks: this.numTasks, logVars: Array.from(this.logVars.toTypedArray()) };
  }
  loadStateDict(sd: BalancerStateDict): void {
    this.checkStateHeader(sd);
    const v = sd.logVars as number[];
    if (!Array.isArray(v) || v.length !== this.numTasks || v.some((x) => typeof x !== "number" || !Number.isFinite(x)))
      throw new RangeError(`recforge: UncertaintyWeighting.loadStateDict: logVars must be ${this.numTasks} finite numbers`);
    backendFor(this.logVars).write({ handle: this.logVars._h, byteOffset: 0, data: this.logVars.dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v) });
  }
  override dispose(): void {
    this.logVars.dispose();
  }
}
