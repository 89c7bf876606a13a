// MultiBalance (representation level): the fused balance_gradients kernel on the per-task gradients at z.
import { Tensor } from "../../../tensor/tensor.js";
import type { Device } from "../../../tensor/dtype.js";
import { BalanceState, balanceGradients, type BalanceReference, type BalanceStateDict, type BalanceStrategy } from "../../../ops/internal.js";
import { type BalancerOptions, type BalanceStepInfo, type BalancerStateDict, NonFiniteStep } from "./balancer.js";
import { RepresentationBalancer } from "./representation.js";

export interface MultiBalanceOptions extends BalancerOptions {
  /** Moving-average factor (default 0.9). */
  beta?: number;
  /** Relax factor r (default 0.7). */
  relax?: number;
  /** Reference magnitude: the target task's, or the mean / max over tasks (default "target"). */
  reference?: BalanceReference;
  /** Target task for reference "target" (default 0). */
  target?: number;
  /** "both" (default), "shrink" (w <= 1 only), "enlarge" (w >= 1 only). */
  strategy?: BalanceStrategy;
}

/**
 * MultiBalance (arXiv 2411.11871): MetaBalance's rule on the per-task gradients at the
 * shared representation, fused in one native kernel (ops/balance.ts). z's gradient is
 * Σ_t w_t g_t with w_t = r·(m_ref/m_t) + (1 - r), m_t a moving average of ||g_t||.
 */
export class MultiBalance extends RepresentationBalancer {
  readonly kind = "multibalance";
  readonly options: Required<Omit<MultiBalanceOptions, "onNonFinite" | "device">>;
  readonly state: BalanceState;
  constructor(numTasks: number, opts: MultiBalanceOptions = {}) {
    super(numTasks, opts);
    this.options = {
      beta: opts.beta ?? 0.9,
      relax: opts.relax ?? 0.7,
      reference: opts.reference ?? "target",
      target: opts.target ?? 0,
      strategy: opts.strategy ?? "both",
    };
    const o = this.options;
    if (!(o.beta >= 0 && o.beta < 1)) throw new RangeError(`recforge: MultiBalance: beta must be in [0, 1), got ${o.beta}`);
    if (!(o.relax >= 0 && o.relax <= 1)) throw new RangeError(`recforge: MultiBalance: relax must be in [0, 1], got ${o.relax}`);
    if (!["target", "mean", "max"].includes(o.reference)) throw new RangeError(`recforge: MultiBalance: reference must be "target", "mean" or "max", got ${JSON.stringify(o.reference)}`);
    if (!["both", "shrink", "enlarge"].includes(o.strategy)) throw new RangeError(`recforge: MultiBalance: strategy must be "both", "shrink" or "enlarge", got ${JSON.stringify(o.strategy)}`);
    if (!Number.isInteger(o.target) || o.target < 0 || o.target >= numTasks) throw new RangeError(`recforge: MultiBalance: target must be a task index in [0, ${numTasks}), got ${o.target}`);
    this.state = new BalanceState(numTasks);
    if (opts.device !== undefined && opts.device !== "cpu") {
      try {
        this.to(opts.device);
      } catch (e) {
        this.state.dispose();
        throw e;
      }
    }
  }
  override get device(): Device {
    return this.state.device;
  }
  protected override moveOwnTensors(device: Device): void {
    this.state._moveTo(device);
  }
  protected combine(grads: Tensor[], _losses: number[], scratch: Tensor | null): { out: Tensor; info: BalanceStepInfo } {
    let r;
    try {
      // The kernel writes Σ w_t g_t into `scratch` (one of the rows: every block is read before it is written).
      r = balanceGradients(grads, this.state, scratch ? { ...this.options, out: scratch } : this.options);
    } catch (e) {
      if (e instanceof RangeError && /NaN|Inf|overflows/.test(e.message)) throw new NonFiniteStep(`recforge: MultiBalance: ${e.message.replace(/^recforge: /, "")}`);
      throw e;
    }
    return { out: r.out, info: { weights: Array.from(r.weights), norms: Array.from(r.norms) } };
  }
  stateDict(): BalancerStateDict {
    return { kind: this.kind, numTasks: this.numTasks, options: { ...this.options }, state: this.state.stateDict() };
  }
  loadStateDict(sd: BalancerStateDict): void {
    this.checkStateHeader(sd);
    this.state.loadStateDict(sd.state as BalanceStateDict);
  }
  override dispose(): void {
    this.state.dispose();
  }
}
