// GradNorm (representation level): learned task weights that equalise the gradient norms at z.
import { Tensor } from "../../../tensor/tensor.js";
import { backendFor, code, contiguousRaw } from "../../../ops/internal.js";
import { type BalancerOptions, type BalanceStepInfo, type BalancerStateDict, NonFiniteStep } from "./balancer.js";
import { RepresentationBalancer } from "./representation.js";

function rowNorm(g: Tensor): number {
  const c = contiguousRaw(g);
  try {
    return Math.sqrt(backendFor(c).sumSquares({ dtype: code(c), n: c.size, x: c }));
  } finally {
    if (c !== g) c.dispose();
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
    for (let t = 1; t < T; t++) backendFor(out, grads[t]).axpby({ dtype: code(out), n: out.size, x: grads[t], s: 1, y: out, t: 1, out });
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
