// Multi-task gradient balancers behind one interface: the Balancer base class, its types and the
// helpers the levels share. Each balancer has its own file beside this one; index.ts has the factory.
//
// A training step with any balancer:
//     const z = model.bottom(batch);                 // shared representation
//     const zs = balancer.branch(z);                 // what the heads read (one per task)
//     const losses = model.losses(model.heads(zs), labels);
//     balancer.backward({ losses, rep: z, taskInputs: zs, sharedParams, taskParams });
//     optimizer.step(); optimizer.zeroGrad();
// After backward() every parameter holds its gradient (.grad); the balancer decided how
// the tasks were combined. Levels:
//   "loss"           EqualWeights / FixedWeights, UncertaintyWeighting: one backward of a
//                    weighted loss sum (branch() hands every head z itself).
//   "representation" MultiBalance, GradNorm: branch() hands head t a detached leaf z_t, so
//                    ONE backward through the heads leaves each task's gradient g_t = ∂L_t/∂z
//                    on its own leaf (head parameters get their own, unscaled gradients);
//                    the balancer combines the g_t and runs ONE backward from z through the
//                    shared bottom. Extra cost: O(T·B·d), independent of the bottom's size.
//   "parameter"      MetaBalance, PCGrad: one backward per task through the whole model
//                    (graph retained), per-task gradients of every shared parameter.
//
// Contract and edge cases (tested in test/multibalance/balancers.test.js):
//   - Shared parameters must have no gradient when backward() starts (zero them after each
//     optimiser step); the per-task gradients are read from .grad.
//   - Losses: one scalar per task, as many as branch() outputs. Different batch sizes per
//     task cannot be combined at z: a task's gradient of another shape is a RangeError.
//   - One task: every balancer reduces to the plain gradient (MultiBalance: w = 1 exactly).
//   - Zero gradients: MultiBalance gives a zero-norm task w = 1 (the kernel's rule),
//     MetaBalance divides by m + 1e-5 (its public code), GradNorm / PCGrad skip the task's
//     division; no NaN is produced.
//   - Non-finite losses or gradients (NaN/Inf): option onNonFinite = "throw" (default:
//     RangeError naming the task) or "skip" (backward() returns { skipped: reason }). Either
//     way the balancer state is unchanged and the gradients this step produced on
//     sharedParams / taskParams are cleared, so an optimiser step after it changes nothing.
//     (Any other error thrown by backward() clears those gradients too.)
//   - Representation-level balancers check that every task's loss reaches the
//     representation (a head that ignores z_t is an error naming the task) and that no loss
//     reaches a shared parameter around z (heads must read branch()'s tensors, not z).
//   - Parameter-level balancers check that every task's loss reaches some shared parameter.
//   - Devices: a balancer follows the device of what it balances. Tensors it owns
//     (UncertaintyWeighting's log-variances, MultiBalance's moving averages) start on the cpu
//     (or on opts.device) and move, in place, to the device of the losses / gradients of the
//     first step that runs elsewhere; balancer.to(device) moves them up front (do it before
//     an optimiser holding parameters() takes its first step, as with Module.to).
//     Every other balancer's state is host numbers, and its kernels run where the gradients are.
import { Tensor } from "../../../tensor/tensor.js";
import { backward as runBackward } from "../../../autograd/engine.js";
import type { Device } from "../../../tensor/dtype.js";
import { add, mul } from "../../../ops/internal.js";
import type { ProcessGroup } from "../../../distributed/index.js";

export type BalancerLevel = "loss" | "representation" | "parameter";
export type NonFinitePolicy = "throw" | "skip";

export interface BalanceStepInput {
  /** One scalar loss per task. */
  losses: readonly Tensor[];
  /** The shared representation z (output of the shared bottom). */
  rep: Tensor;
  /** What the heads read: the array returned by branch(rep). */
  taskInputs: readonly Tensor[];
  /** Parameters of the shared bottom (embeddings, MLP / experts). */
  sharedParams: readonly Tensor[];
  /** Task-specific parameters (heads); optional, only used to clear gradients of a rejected step. */
  taskParams?: readonly Tensor[];
  /**
   * Data-parallel training (recforge.distributed): the ranks' batches together form the global
   * batch, and each rank's losses must be its share of the global mean (mean over its rows ×
   * rows / global rows; trainMultiTask does this). Representation-level balancers then balance the
   * GLOBAL per-task gradients at z (gathered from every rank), exactly as one process with the
   * global batch would, and hand each rank its rows of z's gradient; the parameters' gradients
   * must then be summed over the ranks (DistributedDataParallel with reduce "sum").
   */
  processGroup?: ProcessGroup | null;
}

export interface BalanceStepInfo {
  /** Effective weight of each task this step (MetaBalance: mean over shared tensors; PCGrad: coefficient of each task's gradient in the sum). */
  weights: number[];
  /** Gradient magnitude of each task where the method measures one. */
  norms?: number[];
  /** Set when the step was rejected with onNonFinite = "skip": why. */
  skipped?: string;
}

export interface BalancerStateDict {
  kind: string;
  numTasks: number;
  [key: string]: unknown;
}

export interface BalancerOptions {
  onNonFinite?: NonFinitePolicy;
  /** Where the balancer's own tensors start (default "cpu"; they follow the gradients anyway, see to()). */
  device?: Device;
}

/** A non-finite loss or gradient: backward() turns it into a RangeError or { skipped } (onNonFinite). */
export class NonFiniteStep extends RangeError {}

export abstract class Balancer {
  abstract readonly kind: string;
  abstract readonly level: BalancerLevel;
  readonly numTasks: number;
  readonly onNonFinite: NonFinitePolicy;
  private readonly branches = new WeakMap<Tensor, Tensor[]>();

  constructor(numTasks: number, opts: BalancerOptions = {}) {
    if (!Number.isInteger(numTasks) || numTasks < 1) throw new RangeError(`recforge: ${this.constructor.name}: numTasks must be an integer >= 1, got ${numTasks}`);
    const p = opts.onNonFinite ?? "throw";
    if (p !== "throw" && p !== "skip") throw new RangeError(`recforge: ${this.constructor.name}: onNonFinite must be "throw" or "skip", got ${JSON.stringify(p)}`);
    if (opts.device !== undefined && opts.device !== "cpu" && opts.device !== "cuda")
      throw new TypeError(`recforge: ${this.constructor.name}: unknown device ${JSON.stringify(opts.device)}; expected "cpu" or "cuda"`);
    this.numTasks = numTasks;
    this.onNonFinite = p;
  }

  /** The tensors the heads must read, one per task. */
  branch(rep: Tensor): Tensor[] {
    if (!(rep instanceof Tensor)) throw new TypeError(`recforge: ${this.constructor.name}.branch: rep must be a Tensor`);
    rep._check("representation");
    if (this.level !== "representation") return Array.from({ length: this.numTasks }, () => rep);
    if (!rep.requiresGrad)
      throw new TypeError(`recforge: ${this.constructor.name}.branch: the representation does not require grad (detached, or computed without trainable shared parameters): there is no shared bottom to balance`);
    const leaves = Array.from({ length: this.numTasks }, () => rep.detach().requiresGrad_());
    this.branches.set(rep, leaves);
    return leaves;
  }

  /** Learnable parameters of the balancer itself (UncertaintyWeighting); add them to the optimiser. */
  parameters(): Tensor[] {
    return [];
  }

  /**
   * Moves the tensors the balancer owns (parameters(), moving averages) to `device` IN PLACE:
   * parameters keep their identity, so an optimiser created before stays valid (its state
   * tensors are created on the parameter's device at its first step). Returns this.
   */
  to(device: Device): this {
    if (device !== "cpu" && device !== "cuda") throw new TypeError(`recforge: ${this.constructor.name}.to: unknown device ${JSON.stringify(device)}; expected "cpu" or "cuda"`);
    this.moveOwnTensors(device);
    return this;
  }

  /** Where the balancer's own tensors live ("cpu" for one that owns none). */
  get device(): Device {
    return "cpu";
  }

  /** Subclasses that own tensors move them here (device already validated). */
  protected moveOwnTensors(_device: Device): void {}

  /** Computes every parameter's gradient for this step (see the file comment). */
  backward(step: BalanceStepInput): BalanceStepInfo {
    this.checkStep(step);
    try {
      const lossValues = this.checkLosses(step.losses);
      return this.run(step, lossValues);
    } catch (e) {
      // Whatever went wrong, leave no half-computed gradients behind.
      clearGrads(step.sharedParams);
      if (step.taskParams) clearGrads(step.taskParams);
      for (const p of this.parameters()) p.zeroGrad();
      if (!(e instanceof NonFiniteStep)) throw e;
      if (this.onNonFinite === "throw") throw new RangeError(e.message);
      return { weights: new Array(this.numTasks).fill(0), skipped: e.message };
    } finally {
      if (this.level === "representation") for (const l of step.taskInputs) l.zeroGrad();
    }
  }

  /** One balanced step; lossValues are the losses' values (read once, by the finiteness check). */
  protected abstract run(step: BalanceStepInput, lossValues: readonly number[]): BalanceStepInfo;

  abstract stateDict(): BalancerStateDict;
  abstract loadStateDict(sd: BalancerStateDict): void;

  dispose(): void {}
  [Symbol.dispose](): void {
    this.dispose();
  }

  protected checkStateHeader(sd: BalancerStateDict): void {
    const where = `recforge: ${this.constructor.name}.loadStateDict`;
    if (sd === null || typeof sd !== "object") throw new TypeError(`${where}: expected a state object`);
    if (sd.kind !== this.kind) throw new TypeError(`${where}: the state is for ${JSON.stringify(sd.kind)}, this balancer is ${JSON.stringify(this.kind)}`);
    if (sd.numTasks !== this.numTasks) throw new RangeError(`${where}: the state is for ${sd.numTasks} tasks, this balancer has ${this.numTasks}`);
  }

  private checkStep(step: BalanceStepInput): void {
    const name = this.constructor.name;
    if (step === null || typeof step !== "object") throw new TypeError(`recforge: ${name}.backward: expected { losses, rep, taskInputs, sharedParams }`);
    const { losses, rep, taskInputs, sharedParams } = step;
    if (!Array.isArray(losses) || losses.length !== this.numTasks)
      throw new RangeError(`recforge: ${name}.backward: expected ${this.numTasks} losses (one per task), got ${Array.isArray(losses) ? losses.length : typeof losses}`);
    losses.forEach((l, i) => {
      if (!(l instanceof Tensor)) throw new TypeError(`recforge: ${name}.backward: loss of task ${i} is not a Tensor`);
      l._check(`loss of task ${i}`);
      if (l.size !== 1) throw new RangeError(`recforge: ${name}.backward: loss of task ${i} must be a scalar, got shape [${l.shape.join(", ")}]`);
    });
    if (!(rep instanceof Tensor)) throw new TypeError(`recforge: ${name}.backward: rep must be a Tensor`);
    if (!Array.isArray(taskInputs) || taskInputs.length !== this.numTasks)
      throw new RangeError(`recforge: ${name}.backward: taskInputs must be the ${this.numTasks} tensors returned by branch(rep)`);
    if (this.level === "representation") {
      const leaves = this.branches.get(rep);
      if (!leaves || leaves.some((l, i) => l !== taskInputs[i]))
        throw new TypeError(`recforge: ${name}.backward: taskInputs are not the tensors branch(rep) returned for this rep`);
    }
    if (!Array.isArray(sharedParams)) throw new TypeError(`recforge: ${name}.backward: sharedParams must be an array of tensors`);
    sharedParams.forEach((p, i) => {
      if (!(p instanceof Tensor)) throw new TypeError(`recforge: ${name}.backward: shared parameter ${i} is not a Tensor`);
      if (p.grad) throw new TypeError(`recforge: ${name}.backward: shared parameter ${i} [${p.shape.join(", ")}] already has a gradient; call optimizer.zeroGrad() before each balanced step`);
    });
  }

  private checkLosses(losses: readonly Tensor[]): number[] {
    return losses.map((l, i) => {
      const v = l.item();
      if (!Number.isFinite(v)) throw new NonFiniteStep(`recforge: ${this.constructor.name}: the loss of task ${i} is ${v}; nothing was updated`);
      return v;
    });
  }
}

export function clearGrads(ps: readonly Tensor[]): void {
  for (const p of ps) if (!p.isDisposed) p.zeroGrad();
}

// Σ_i w_i L_i as a graph; intermediate sums are freed (the graph keeps what it needs), the
// caller's losses never are.
export function weightedSum(losses: readonly Tensor[], w: ArrayLike<number> | null): Tensor {
  const own = new Set<Tensor>();
  let total: Tensor | null = null;
  losses.forEach((l, i) => {
    const term = w && w[i] !== 1 ? mul(l, w[i]) : l;
    if (term !== l) own.add(term);
    const next: Tensor = total ? add(total, term) : term;
    if (next !== term) own.add(next);
    if (total && own.has(total) && total !== next) total.dispose();
    if (own.has(term) && term !== next) term.dispose();
    total = next;
  });
  return total!;
}

// The parameter level (MetaBalance, PCGrad):
/**
 * Runs one backward per task through the whole graph (retaining it until the last task)
 * and hands each task's gradients of the shared parameters to `onTask` (null where a
 * parameter got none); the parameters' .grad are left empty. Head parameters accumulate
 * their own task's gradient, unscaled.
 */
export function perTaskSharedGrads(name: string, losses: readonly Tensor[], shared: readonly Tensor[], onTask: (t: number, grads: (Tensor | null)[]) => void): void {
  const T = losses.length;
  for (let t = 0; t < T; t++) {
    if (!losses[t].requiresGrad) throw new TypeError(`recforge: ${name}: the loss of task ${t} does not depend on any trainable tensor`);
    runBackward(losses[t], undefined, { retainGraph: t < T - 1 });
    const grads = shared.map((p) => {
      const g = p.grad;
      p.grad = null;
      return g;
    });
    if (grads.every((g) => g === null)) {
      throw new TypeError(`recforge: ${name}: the loss of task ${t} reaches none of the shared parameters (does its head read the representation?)`);
    }
    onTask(t, grads);
  }
}
