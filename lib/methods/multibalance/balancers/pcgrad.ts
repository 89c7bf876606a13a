// PCGrad (parameter level): per-task gradients projected off each other's conflicting directions.
import { Tensor } from "../../../tensor/tensor.js";
import { keep } from "../../../tensor/scope.js";
import { backendFor, code, mulRaw, sum } from "../../../ops/internal.js";
import { hash2, Rng } from "../../../prng.js";
import { Balancer, type BalancerOptions, type BalanceStepInput, type BalanceStepInfo, type BalancerStateDict, NonFiniteStep, perTaskSharedGrads } from "./balancer.js";

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
            s += a === b ? backendFor(x).sumSquares({ dtype: code(x), n: x.size, x }) : dot(x, y);
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
            backendFor(acc).scaleInplace({ dtype: code(acc), n: acc.size, x: acc, scale: coef[l] });
          } else backendFor(g, acc).axpby({ dtype: code(g), n: g.size, x: g, s: coef[l], y: acc, t: 1, out: acc });
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
