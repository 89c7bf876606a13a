// Dynamic loss scaling for float16 mixed-precision training. float16 has 5 exponent bits: small
// gradients flowing through fp16 GEMM inputs underflow to zero (below 2^-24) unless the loss is
// multiplied by a large factor first. The scale adapts: a step whose gradients hold inf/NaN (the
// scale was too large) is skipped and the scale halved; after `growthInterval` good steps in a
// row it doubles. bfloat16 has float32's exponent range and needs none of this.
//
//   const scaler = new GradScaler();
//   backward(mul(loss, scaler.scale));
//   if (scaler.unscale(params)) { clipGradNorm(params, 1); opt.step(); }  // else: skipped
//   scaler.update();
import { Tensor } from "../tensor/tensor.js";
import { keep } from "../tensor/scope.js";
import { backendFor, code } from "../ops/internal.js";
import { gradNorm } from "./clip.js";

export interface GradScalerOptions {
  /** Initial scale (default 2^16, PyTorch's). */
  initScale?: number;
  /** Factor applied after growthInterval good steps (default 2). */
  growthFactor?: number;
  /** Factor applied after a step with inf/NaN gradients (default 0.5). */
  backoffFactor?: number;
  /** Good steps in a row before the scale grows (default 2000). */
  growthInterval?: number;
  /** Lower bound of the scale (default 1): a run that keeps overflowing at scale 1 has a real problem, not an fp16 one. */
  minScale?: number;
}

export interface GradScalerState {
  scale: number;
  goodSteps: number;
  skipped: number;
}

export class GradScaler {
  /** The current loss scale: multiply the loss by it before backward(). */
  scale: number;
  /** Good steps since the last change of scale. */
  goodSteps = 0;
  /** Steps skipped so far because of inf/NaN gradients. */
  skipped = 0;
  readonly growthFactor: number;
  readonly backoffFactor: number;
  readonly growthInterval: number;
  readonly minScale: number;
  private lastFinite: boolean | null = null;

  constructor(opts: GradScalerOptions = {}) {
    const num = (v: number | undefined, d: number, what: string, ok: (x: number) => boolean) => {
      const x = v ?? d;
      if (typeof x !== "number" || !Number.isFinite(x) || !ok(x)) throw new RangeError(`recforge: GradScaler: ${what} is invalid: ${String(v)}`);
      return x;
    };
    this.scale = num(opts.initScale, 2 ** 16, "initScale (must be > 0)", (x) => x > 0);
    this.growthFactor = num(opts.growthFactor, 2, "growthFactor (must be > 1)", (x) => x > 1);
    this.backoffFactor = num(opts.backoffFactor, 0.5, "backoffFactor (must be in (0, 1))", (x) => x > 0 && x < 1);
    this.growthInterval = num(opts.growthInterval, 2000, "growthInterval (must be an integer >= 1)", (x) => Number.isInteger(x) && x >= 1);
    this.minScale = num(opts.minScale, 1, "minScale (must be > 0)", (x) => x > 0);
  }

  /**
   * Divides every gradient of `params` by the scale, in place, and returns whether all of them
   * are finite. When they are not, the gradients are left as they are (the caller skips the
   * optimiser step; zeroGrad() clears them). Call update() once per step afterwards.
   */
  unscale(params: Iterable<Tensor>): boolean {
    const ps = [...new Set(params)].filter((p) => p.grad);
    const finite = Number.isFinite(gradNorm(ps));
    this.lastFinite = finite;
    if (!finite) return false;
    const inv = 1 / this.scale;
    for (const p of ps) {
      const g = p.grad!;
      if (g.isContiguous) backendFor(g).scaleInplace({ dtype: code(g), n: g.size, x: g, scale: inv });
      else {
        const c = keep(g._cloneNoGrad());
        backendFor(c).scaleInplace({ dtype: code(c), n: c.size, x: c, scale: inv });
        g.dispose();
        p.grad = c;
      }
    }
    return true;
  }

  /** Adapts the scale to the verdict of the last unscale() (or to `finite` when given). */
  update(finite?: boolean): void {
    const ok = finite ?? this.lastFinite;
    if (ok === null) throw new Error("recforge: GradScaler.update: call unscale(params) first (or pass whether the gradients were finite)");
    this.lastFinite = null;
    if (!ok) {
      this.scale = Math.max(this.minScale, this.scale * this.backoffFactor);
      this.goodSteps = 0;
      this.skipped++;
      return;
    }
    if (++this.goodSteps >= this.growthInterval) {
      this.scale *= this.growthFactor;
      this.goodSteps = 0;
    }
  }

  stateDict(): GradScalerState {
    return { scale: this.scale, goodSteps: this.goodSteps, skipped: this.skipped };
  }

  loadStateDict(s: GradScalerState): void {
    if (!s || !(s.scale > 0) || !Number.isInteger(s.goodSteps) || !Number.isInteger(s.skipped))
      throw new TypeError(`recforge: GradScaler.loadStateDict: expected {scale > 0, goodSteps, skipped}, got ${JSON.stringify(s)}`);
    this.scale = s.scale;
    this.goodSteps = s.goodSteps;
    this.skipped = s.skipped;
  }
}
