// Gradient clipping by global L2 norm: one native sum-of-squares pass per gradient, then
// (only when clipping is needed) one in-place scaling pass.
import { Tensor } from "../tensor/tensor.js";
import { keep } from "../tensor/scope.js";
import { backendFor, code, contiguousRaw } from "../ops/internal.js";

export interface ClipGradNormOptions {
  /** Throw a RangeError when the norm is NaN or infinite (default false: see clipGradNorm). */
  errorIfNonfinite?: boolean;
}

function uniqueGrads(params: Iterable<Tensor> | Tensor): Tensor[] {
  const list = params instanceof Tensor ? [params] : [...params];
  const out: Tensor[] = [];
  const seen = new Set<Tensor>();
  for (const p of list) {
    if (!(p instanceof Tensor)) throw new TypeError("recforge: clipGradNorm: params must be Tensors");
    if (seen.has(p) || !p.grad) continue;
    seen.add(p);
    out.push(p);
  }
  return out;
}

/** sqrt(Σ over all gradients of Σ g²), accumulated in double precision. Parameters without .grad are skipped. */
export function gradNorm(params: Iterable<Tensor> | Tensor): number {
  let total = 0;
  for (const p of uniqueGrads(params)) {
    const g = p.grad!._check("gradient");
    const c = contiguousRaw(g);
    try {
      total += backendFor(c).sumSquares({ dtype: code(c), n: c.size, x: c });
    } finally {
      if (c !== g) c.dispose();
    }
  }
  return Math.sqrt(total);
}

/**
 * Scales all gradients in place so that their global L2 norm is at most maxNorm (factor
 * maxNorm / (norm + 1e-6), as PyTorch), and returns the norm BEFORE clipping.
 *
 * Non-finite norm (a NaN or ±inf somewhere in the gradients): the gradients are left
 * unchanged and the non-finite norm is returned, so the caller can skip the optimiser
 * step (`if (!Number.isFinite(norm)) { opt.zeroGrad(); continue; }`); with
 * { errorIfNonfinite: true } a RangeError is thrown instead.
 */
export function clipGradNorm(params: Iterable<Tensor> | Tensor, maxNorm: number, opts: ClipGradNormOptions = {}): number {
  if (typeof maxNorm !== "number" || !(maxNorm >= 0)) throw new RangeError(`recforge: clipGradNorm: maxNorm must be a number >= 0, got ${maxNorm}`);
  const ps = uniqueGrads(params);
  const norm = gradNorm(ps);
  if (!Number.isFinite(norm)) {
    if (opts.errorIfNonfinite) throw new RangeError(`recforge: clipGradNorm: the total gradient norm is ${norm} (a gradient holds NaN or infinity)`);
    return norm;
  }
  const coef = maxNorm / (norm + 1e-6);
  if (coef >= 1) return norm;
  for (const p of ps) {
    const g = p.grad!;
    if (g.isContiguous) backendFor(g).scaleInplace({ dtype: code(g), n: g.size, x: g, scale: coef });
    else {
      // A strided gradient view (rare: a hook returned one): replace it by a scaled contiguous copy.
      const c = keep(g._cloneNoGrad());
      backendFor(c).scaleInplace({ dtype: code(c), n: c.size, x: c, scale: coef });
      g.dispose();
      p.grad = c;
    }
  }
  return norm;
}
