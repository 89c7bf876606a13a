// Fixed loss weights (loss level): one backward of Σ_i w_i L_i.
import { backward as runBackward } from "../../../autograd/engine.js";
import { Balancer, type BalancerOptions, type BalanceStepInput, type BalanceStepInfo, type BalancerStateDict, weightedSum } from "./balancer.js";

/** Σ_i w_i L_i with fixed weights (all 1: the plain summed loss). */
export class FixedWeights extends Balancer {
  readonly level = "loss" as const;
  readonly weights: readonly number[];
  constructor(numTasks: number, opts: BalancerOptions & { weights?: number[] } = {}) {
    super(numTasks, opts);
    const w = opts.weights ?? new Array(numTasks).fill(1);
    if (w.length !== numTasks || w.some((v) => typeof v !== "number" || !Number.isFinite(v) || v < 0))
      throw new RangeError(`recforge: FixedWeights: weights must be ${numTasks} finite numbers >= 0, got ${JSON.stringify(w)}`);
    this.weights = Object.freeze(w.slice());
  }
  get kind(): string {
    return this.weights.every((v) => v === 1) ? "equal" : "fixed";
  }
  protected run(step: BalanceStepInput): BalanceStepInfo {
    const total = weightedSum(step.losses, this.weights.every((v) => v === 1) ? null : this.weights);
    runBackward(total);
    return { weights: this.weights.slice() };
  }
  stateDict(): BalancerStateDict {
    return { kind: this.kind, numTasks: this.numTasks, weights: this.weights.slice() };
  }
  loadStateDict(sd: BalancerStateDict): void {
    this.checkStateHeader(sd);
    const w = sd.weights as number[];
    if (!Array.isArray(w) || w.length !== this.numTasks || w.some((v, i) => v !== this.weights[i]))
      throw new RangeError(`recforge: FixedWeights.loadStateDict: the state's weights ${JSON.stringify(w)} differ from this balancer's ${JSON.stringify(this.weights)}`);
  }
}
