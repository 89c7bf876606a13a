// MetaBalance (parameter level): per-task gradients of every shared parameter, rescaled by moving
// averages of their norms.
import { Tensor } from "../../../tensor/tensor.js";
import { keep } from "../../../tensor/scope.js";
import { backendFor, code } from "../../../ops/internal.js";
import { Balancer, type BalancerOptions, type BalanceStepInput, type BalanceStepInfo, type BalancerStateDict, NonFiniteStep, perTaskSharedGrads } from "./balancer.js";

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
            n = Math.sqrt(backendFor(g).sumSquares({ dtype: code(g), n: g.size, x: g }));
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
            backendFor(g, a).axpby({ dtype: code(g), n: g.size, x: g, s: w, y: a, t: 1, out: a });
            g.dispose();
          } else {
            backendFor(g).scaleInplace({ dtype: code(g), n: g.size, x: g, scale: w });
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
