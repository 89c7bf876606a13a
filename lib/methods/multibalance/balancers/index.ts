// The multi-task gradient balancers (one per file beside this one; the interface and its contract
// are described in balancer.ts) and the factory that picks one by name.
import { Balancer } from "./balancer.js";
import { FixedWeights } from "./fixed.js";
import { EqualWeights } from "./equal.js";
import { UncertaintyWeighting } from "./uncertainty.js";
import { MultiBalance, type MultiBalanceOptions } from "./multibalance.js";
import { GradNorm, type GradNormOptions } from "./gradnorm.js";
import { MetaBalance, type MetaBalanceOptions } from "./metabalance.js";
import { PCGrad, type PCGradOptions } from "./pcgrad.js";

export {
  Balancer,
  type BalancerLevel,
  type NonFinitePolicy,
  type BalanceStepInput,
  type BalanceStepInfo,
  type BalancerStateDict,
  type BalancerOptions,
} from "./balancer.js";
export { FixedWeights, EqualWeights, UncertaintyWeighting, MultiBalance, GradNorm, MetaBalance, PCGrad };
export type { MultiBalanceOptions, GradNormOptions, MetaBalanceOptions, PCGradOptions };

export type BalancerKind = "equal" | "multibalance" | "metabalance" | "uncertainty" | "gradnorm" | "pcgrad";
export const BALANCER_KINDS: readonly BalancerKind[] = ["equal", "multibalance", "metabalance", "uncertainty", "gradnorm", "pcgrad"];

export function createBalancer(kind: string, numTasks: number, opts: MultiBalanceOptions & MetaBalanceOptions & GradNormOptions & PCGradOptions & { weights?: number[] } = {}): Balancer {
  switch (kind) {
    case "equal":
      return new EqualWeights(numTasks, opts);
    case "fixed":
      return new FixedWeights(numTasks, opts);
    case "multibalance":
      return new MultiBalance(numTasks, opts);
    case "metabalance":
      return new MetaBalance(numTasks, opts);
    case "uncertainty":
      return new UncertaintyWeighting(numTasks, opts);
    case "gradnorm":
      return new GradNorm(numTasks, opts);
    case "pcgrad":
      return new PCGrad(numTasks, opts);
  }
  throw new RangeError(`recforge: unknown balancer ${JSON.stringify(kind)}; expected one of ${[...BALANCER_KINDS, "fixed"].join(", ")}`);
}

