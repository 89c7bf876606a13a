// Multi-task gradient balancers behind one interface.
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
import { Tensor } from "../../tensor/tensor.js";
import { keep } from "../../tensor/scope.js";
import { backward as runBackward } from "../../autograd/engine.js";
import { backendFor, code, contiguousRaw, add, cast, exp, mul, mulRaw, neg, sum, concat, reshape, tensor, BalanceState, balanceGradients, type BalanceReference, type BalanceStateDict, type BalanceStrategy, toDeviceRaw } from "../../ops/internal.js";
import { hash2, Rng } from "../../prng.js";
import type { Device } from "../../tensor/dtype.js";

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

class NonFiniteStep extends RangeError {}

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
      this.checkLosses(step.losses);
      return this.run(step);
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

  protected abstract run(step: BalanceStepInput): BalanceStepInfo;

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

  private checkLosses(losses: readonly Tensor[]): void {
    losses.forEach((l, i) => {
      const v = l.item();
      if (!Number.isFinite(v)) throw new NonFiniteStep(`recforge: ${this.constructor.name}: the loss of task ${i} is ${v}; nothing was updated`);
    });
  }
}

function clearGrads(ps: readonly Tensor[]): void {
  for (const p of ps) if (!p.isDisposed) p.zeroGrad();
}

// Σ_i w_i L_i as a graph; intermediate sums are freed (the graph keeps what it needs), the
// caller's losses never are.
function weightedSum(losses: readonly Tensor[], w: ArrayLike<number> | null): Tensor {
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

function rowNorm(g: Tensor): number {
  const c = contiguousRaw(g);
  try {
    return Math.sqrt(backendFor(c).sumSquares(code(c), c.size, c._h, c.offset));
  } finally {
    if (c !== g) c.dispose();
  }
}

// ---- loss level -------------------------------------------------------------------------

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

/** Equal weights: the plain sum of the task losses. */
export class EqualWeights extends FixedWeights {
  constructor(numTasks: number, opts: BalancerOptions = {}) {
    super(numTasks, { ...opts, weights: new Array(numTasks).fill(1) });
  }
}

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
    backendFor(this.logVars).write(this.logVars._h, 0, this.logVars.dtype === "float64" ? Float64Array.from(v) : Float32Array.from(v));
  }
  override dispose(): void {
    this.logVars.dispose();
  }
}

// ---- representation level ---------------------------------------------------------------

abstract class RepresentationBalancer extends Balancer {
  readonly level = "representation" as const;
  /** Per-task loss weights applied in the head pass (GradNorm's learned weights; default none). */
  protected lossWeights(): ArrayLike<number> | null {
    return null;
  }
  /** Combines the per-task gradients at z into z's gradient (may throw NonFiniteStep). */
  protected abstract combine(grads: Tensor[], losses: number[]): { out: Tensor; info: BalanceStepInfo; commit?: () => void };

  protected run(step: BalanceStepInput): BalanceStepInfo {
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
    // 2. balance at z
    const { out, info, commit } = this.combine(grads, losses.map((l) => l.item()));
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
  protected combine(grads: Tensor[]): { out: Tensor; info: BalanceStepInfo } {
    let r;
    try {
      r = balanceGradients(grads, this.state, this.options);
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

export interface GradNormOptions extends BalancerOptions {
  /** Restoring-force strength α (default 1.5, the paper's). */
  alpha?: number;
  /** Learning rate of the task weights (Adam on w; default 0.025, the paper's). */
  lr?: number;
}

/**
 * GradNorm (Chen et al., ICML 2018) with gradient norms measured at the shared
 * representation (as LibMTL's rep_grad mode and MGDA-UB do) instead of at the last shared
 * layer's weights: G_t = ||w_t ∂L_t/∂z||. Per step: loss weights w (sum T) weight the head
 * pass; z gets Σ_t w_t g_t; then w takes one Adam step on Σ_t |G_t − mean(G)·r_t^α| with
 * r_t = (L_t/L_t(0)) / mean_j(L_j/L_j(0)) (held constant), and is renormalised to sum to T
 * (weights are kept >= 1e-3).
 */
export class GradNorm extends RepresentationBalancer {
  readonly kind = "gradnorm";
  readonly alpha: number;
  readonly lr: number;
  private w: Float64Array;
  private initialLosses: Float64Array | null = null;
  private adamM: Float64Array;
  private adamV: Float64Array;
  private step = 0;
  constructor(numTasks: number, opts: GradNormOptions = {}) {
    super(numTasks, opts);
    this.alpha = opts.alpha ?? 1.5;
    this.lr = opts.lr ?? 0.025;
    if (!(this.alpha >= 0)) throw new RangeError(`recforge: GradNorm: alpha must be >= 0, got ${this.alpha}`);
    if (!(this.lr > 0)) throw new RangeError(`recforge: GradNorm: lr must be > 0, got ${this.lr}`);
    this.w = new Float64Array(numTasks).fill(1);
    this.adamM = new Float64Array(numTasks);
    this.adamV = new Float64Array(numTasks);
  }
  get weights(): number[] {
    return Array.from(this.w);
  }
  protected override lossWeights(): ArrayLike<number> {
    return this.w;
  }
  protected combine(grads: Tensor[], losses: number[]): { out: Tensor; info: BalanceStepInfo; commit: () => void } {
    const T = this.numTasks;
    const G = grads.map(rowNorm);
    G.forEach((g, t) => {
      if (!Number.isFinite(g)) throw new NonFiniteStep(`recforge: GradNorm: the gradient of task ${t} at the representation contains NaN/Inf; nothing was updated`);
    });
    const out = grads[0]._cloneNoGrad();
    for (let t = 1; t < T; t++) backendFor(out, grads[t]).axpby(code(out), out.size, grads[t]._h, grads[t].offset, 1, out._h, 0, 1, out._h, 0);
    const info = { weights: Array.from(this.w), norms: G };
    const commit = () => {
      const L0 = this.initialLosses ?? Float64Array.from(losses, (l) => Math.max(l, 1e-12));
      this.initialLosses = L0;
      const ratio = losses.map((l, t) => l / L0[t]);
      const meanRatio = ratio.reduce((a, b) => a + b, 0) / T;
      const meanG = G.reduce((a, b) => a + b, 0) / T;
      this.step++;
      const b1 = 0.9, b2 = 0.999, eps = 1e-8;
      for (let t = 0; t < T; t++) {
        const target = meanG * Math.pow(meanRatio > 0 ? ratio[t] / meanRatio : 1, this.alpha);
        // d|G_t - target|/dw_t = sign(G_t - target) · ||∂L_t/∂z|| = sign(...) · G_t / w_t
        const grad = Math.sign(G[t] - target) * (this.w[t] > 0 ? G[t] / this.w[t] : 0);
        this.adamM[t] = b1 * this.adamM[t] + (1 - b1) * grad;
        this.adamV[t] = b2 * this.adamV[t] + (1 - b2) * grad * grad;
        const mh = this.adamM[t] / (1 - b1 ** this.step), vh = this.adamV[t] / (1 - b2 ** this.step);
        this.w[t] = Math.max(this.w[t] - (this.lr * mh) / (Math.sqrt(vh) + eps), 1e-3);
      }
      const s = this.w.reduce((a, b) => a + b, 0);
      for (let t = 0; t < T; t++) this.w[t] *= T / s;
    };
    return { out, info, commit };
  }
  stateDict(): BalancerStateDict {
    return {
      kind: this.kind, numTasks: this.numTasks, alpha: this.alpha, lr: this.lr, step: this.step, weights: Array.from(this.w),
      initialLosses: this.initialLosses ? Array.from(this.initialLosses) : null, adamM: Array.from(this.adamM), adamV: Array.from(this.adamV),
    };
  }
  loadStateDict(sd: BalancerStateDict): void {
    this.checkStateHeader(sd);
    const T = this.numTasks;
    const arr = (k: string, nullable = false): Float64Array | null => {
      const v = sd[k];
      if (v === null && nullable) return null;
      if (!Array.isArray(v) || v.length !== T || v.some((x) => typeof x !== "number" || !Number.isFinite(x)))
        throw new RangeError(`recforge: GradNorm.loadStateDict: ${k} must be ${T} finite numbers`);
      return Float64Array.from(v as number[]);
    };
    const w = arr("weights")!, m = arr("adamM")!, v = arr("adamV")!, l0 = arr("initialLosses", true);
    if (!Number.isInteger(sd.step) || (sd.step as number) < 0) throw new RangeError("recforge: GradNorm.loadStateDict: step must be an integer >= 0");
    this.w = w;
    this.adamM = m;
    this.adamV = v;
    this.initialLosses = l0;
    this.step = sd.step as number;
  }
}

// ---- parameter level --------------------------------------------------------------------

/**
 * Runs one backward per task through the whole graph (retaining it until the last task)
 * and hands each task's gradients of the shared parameters to `onTask` (null where a
 * parameter got none); the parameters' .grad are left empty. Head parameters accumulate
 * their own task's gradient, unscaled.
 */
function perTaskSharedGrads(name: string, losses: readonly Tensor[], shared: readonly Tensor[], onTask: (t: number, grads: (Tensor | null)[]) => void): void {
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

export interface MetaBalanceOptions extends BalancerOptions {
  beta?: number;
  relax?: number;
}

/**
 * MetaBalance (He et al., WWW 2022) as its public code does it: for each task k in turn,
 * backward L_k alone; for every shared parameter tensor p:
 *     m_p[k] ← β·m_p[k] + (1-β)·||∂L_k/∂p||        (m starts at 0; no bias correction)
 *     ∂L_k/∂p ← ∂L_k/∂p · ( r·m_p[0]/(m_p[k] + 1e-5) + (1 - r) )
 * accumulated over tasks into p's gradient. Task 0 is the target task (its own gradient is
 * rescaled too, by ≈ 1). One deviation: a shared tensor that gets no gradient from task k
 * counts as a zero gradient (the public code stops the task's loop at such a tensor).
 * The moving averages are updated only once every task's gradients are finite.
 */
export class MetaBalance extends Balancer {
  readonly kind = "metabalance";
  readonly level = "parameter" as const;
  readonly beta: number;
  readonly relax: number;
  /** m[p][k] per shared parameter tensor (in sharedParams order); null until the first step. */
  private m: Float64Array[] | null = null;
  constructor(numTasks: number, opts: MetaBalanceOptions = {}) {
    super(numTasks, opts);
    this.beta = opts.beta ?? 0.9;
    this.relax = opts.relax ?? 0.7;
    if (!(this.beta >= 0 && this.beta < 1)) throw new RangeError(`recforge: MetaBalance: beta must be in [0, 1), got ${this.beta}`);
    if (!(this.relax >= 0 && this.relax <= 1)) throw new RangeError(`recforge: MetaBalance: relax must be in [0, 1], got ${this.relax}`);
  }
  /** Copy of the moving averages, [param][task]. */
  get movingAverages(): number[][] | null {
    return this.m ? this.m.map((r) => Array.from(r)) : null;
  }
  protected run(step: BalanceStepInput): BalanceStepInfo {
    const { losses, sharedParams } = step;
    const T = this.numTasks, P = sharedParams.length, beta = this.beta, r = this.relax;
    if (this.m && this.m.length !== P)
      throw new RangeError(`recforge: MetaBalance: got ${P} shared parameter tensors, the state has ${this.m.length} (the same list, in the same order, every step)`);
    const m = this.m ? this.m.map((x) => x.slice()) : Array.from({ length: P }, () => new Float64Array(T));
    const acc: (Tensor | null)[] = new Array(P).fill(null);
    const wSum = new Float64Array(T);
    try {
      perTaskSharedGrads("MetaBalance", losses, sharedParams, (k, grads) => {
        grads.forEach((g0, j) => {
          let g = g0;
          let n = 0;
          if (g) {
            if (!g.isContiguous) {
              const c = g._cloneNoGrad();
              g.dispose();
              g = c;
            }
            n = Math.sqrt(backendFor(g).sumSquares(code(g), g.size, g._h, g.offset));
            if (!Number.isFinite(n)) {
              g.dispose();
              throw new NonFiniteStep(`recforge: MetaBalance: the gradient of task ${k} w.r.t. shared parameter ${j} contains NaN/Inf; nothing was updated`);
            }
          }
          m[j][k] = beta * m[j][k] + (1 - beta) * n;
          const w = (r * m[j][0]) / (m[j][k] + 1e-5) + (1 - r);
          wSum[k] += w;
          if (!g) return;
          const a = acc[j];
          if (a) {
            backendFor(g, a).axpby(code(g), g.size, g._h, g.offset, w, a._h, a.offset, 1, a._h, a.offset);
            g.dispose();
          } else {
            backendFor(g).scaleInplace(code(g), g.size, g._h, g.offset, w);
            acc[j] = keep(g);
          }
        });
      });
    } catch (e) {
      acc.forEach((a) => a?.dispose());
      throw e;
    }
    sharedParams.forEach((p, j) => {
      p.grad = acc[j];
    });
    this.m = m;
    return { weights: Array.from(wSum, (s) => s / Math.max(P, 1)) };
  }
  stateDict(): BalancerStateDict {
    return { kind: this.kind, numTasks: this.numTasks, beta: this.beta, relax: this.relax, m: this.movingAverages };
  }
  loadStateDict(sd: BalancerStateDict): void {
    this.checkStateHeader(sd);
    const m = sd.m as number[][] | null;
    if (m === null) {
      this.m = null;
      return;
    }
    if (!Array.isArray(m) || m.some((row) => !Array.isArray(row) || row.length !== this.numTasks || row.some((v) => typeof v !== "number" || !Number.isFinite(v) || v < 0)))
      throw new RangeError(`recforge: MetaBalance.loadStateDict: m must be an array of [${this.numTasks}] rows of finite numbers >= 0`);
    this.m = m.map((row) => Float64Array.from(row));
  }
}

export interface PCGradOptions extends BalancerOptions {
  /** Seed of the random projection order (default 0). */
  seed?: number;
}

/**
 * PCGrad (Yu et al., NeurIPS 2020) on the shared parameters (heads keep their own
 * gradients, as LibMTL does): for each task i, for j in a random order of all tasks, if
 * g_i'·g_j < 0 then g_i' ← g_i' − (g_i'·g_j / ||g_j||²)·g_j; the shared gradient is Σ_i g_i'.
 * Every g_i' is a linear combination of the original g_j, so the projections run on the
 * T×T Gram matrix of the task gradients (T(T+1)/2 dot products over the shared parameters)
 * and the result is ONE weighted sum per parameter — exactly the sequential algorithm, with
 * no T copies of projected gradients. Tasks with a zero gradient are never projected onto.
 */
export class PCGrad extends Balancer {
  readonly kind = "pcgrad";
  readonly level = "parameter" as const;
  readonly seed: number;
  private steps = 0;
  constructor(numTasks: number, opts: PCGradOptions = {}) {
    super(numTasks, opts);
    this.seed = opts.seed ?? 0;
    if (!Number.isSafeInteger(this.seed) || this.seed < 0) throw new RangeError(`recforge: PCGrad: seed must be a non-negative integer, got ${this.seed}`);
  }
  protected run(step: BalanceStepInput): BalanceStepInfo {
    const { losses, sharedParams } = step;
    const T = this.numTasks, P = sharedParams.length;
    const per: (Tensor | null)[][] = [];
    try {
      perTaskSharedGrads("PCGrad", losses, sharedParams, (k, grads) => {
        per.push(grads.map((g) => (g && !g.isContiguous ? replaceContiguous(g) : g)));
      });
      // Gram matrix in float64
      const gram = Array.from({ length: T }, () => new Float64Array(T));
      for (let a = 0; a < T; a++)
        for (let b = a; b < T; b++) {
          let s = 0;
          for (let j = 0; j < P; j++) {
            const x = per[a][j], y = per[b][j];
            if (!x || !y) continue;
            s += a === b ? backendFor(x).sumSquares(code(x), x.size, x._h, x.offset) : dot(x, y);
          }
          if (!Number.isFinite(s)) throw new NonFiniteStep(`recforge: PCGrad: the gradients of tasks ${a} and ${b} contain NaN/Inf; nothing was updated`);
          gram[a][b] = gram[b][a] = s;
        }
      // Sequential projections on coefficients: g_i' = Σ_l c[i][l] g_l.
      const rng = new Rng(hash2(this.seed, this.steps));
      const coef = new Float64Array(T);
      for (let i = 0; i < T; i++) {
        const c = new Float64Array(T);
        c[i] = 1;
        const order = rng.permutation(T);
        for (const j of order) {
          if (!(gram[j][j] > 0)) continue;
          let d = 0;
          for (let l = 0; l < T; l++) d += c[l] * gram[l][j];
          if (d < 0) c[j] -= d / gram[j][j];
        }
        for (let l = 0; l < T; l++) coef[l] += c[l];
      }
      // shared gradient = Σ_l coef[l] g_l
      sharedParams.forEach((p, j) => {
        let acc: Tensor | null = null;
        for (let l = 0; l < T; l++) {
          const g = per[l][j];
          if (!g) continue;
          if (!acc) {
            acc = keep(g._cloneNoGrad());
            backendFor(acc).scaleInplace(code(acc), acc.size, acc._h, 0, coef[l]);
          } else backendFor(g, acc).axpby(code(g), g.size, g._h, g.offset, coef[l], acc._h, 0, 1, acc._h, 0);
        }
        p.grad = acc;
      });
      this.steps++;
      return { weights: Array.from(coef) };
    } finally {
      for (const row of per) for (const g of row) g?.dispose();
    }
  }
  stateDict(): BalancerStateDict {
    return { kind: this.kind, numTasks: this.numTasks, seed: this.seed, steps: this.steps };
  }
  loadStateDict(sd: BalancerStateDict): void {
    this.checkStateHeader(sd);
    if (sd.seed !== this.seed) throw new RangeError(`recforge: PCGrad.loadStateDict: the state's seed ${String(sd.seed)} differs from this balancer's ${this.seed}`);
    if (!Number.isInteger(sd.steps) || (sd.steps as number) < 0) throw new RangeError("recforge: PCGrad.loadStateDict: steps must be an integer >= 0");
    this.steps = sd.steps as number;
  }
}

function replaceContiguous(g: Tensor): Tensor {
  const c = g._cloneNoGrad();
  g.dispose();
  return c;
}

function dot(x: Tensor, y: Tensor): number {
  const p = mulRaw(x, y);
  try {
    const s = sum(p);
    const v = s.item();
    s.dispose();
    return v;
  } finally {
    p.dispose();
  }
}

// ---- factory ----------------------------------------------------------------------------

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
