// Equal weights (loss level): the plain sum of the task losses, FixedWeights with every weight 1.
import { type BalancerOptions } from "./balancer.js";
import { FixedWeights } from "./fixed.js";

/** Equal weights: the plain sum of the task losses. */
export class EqualWeights extends FixedWeights {
  constructor(numTasks: number, opts: BalancerOptions = {}) {
    super(numTasks, { ...opts, weights: new Array(numTasks).fill(1) });
  }
}
