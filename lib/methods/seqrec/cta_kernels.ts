// CTA's temporal weighting (shared/reference/cta.md, "Model" 4–6), as differentiable code on
// recforge's elementwise ops:
//   - parseKernelSpec: kernel strings "log", "lin-5", "log-2-lin-2", "exp^" (a ~ U(10, 15));
//   - TemporalKernels: learnable scalars a_k, b_k and φ_k(Δt) for the seven kernel types
//       exp   1000·exp(−aΔt) + b        exp*  a·exp(−Δt) + b       log  a·log(1 + Δt) + b
//       lin   aΔt + b                   ind   Δt                   const 1
//       thres 1/(1 + exp(−aΔt + b))
//     init a ~ U(0, 0.01) (U(10, 15) with the suffix ^), b ~ U(0, 1) — ind and const keep a and b
//     but never read them (the code's parameter layout);
//   - temporalWeights: β = α·φ_k, γ = β·c_k, a softmax over POSITIONS per kernel (padding −∞),
//     summed over kernels: w_i = Σ_k softmax_i(γ_{·,k}) (rows sum to K, as coded).
// Kernels of consecutive equal type are computed as one [B, T, n] block (one op chain per run,
// not per kernel). Profile (bench/js or `--profile` of train seqrec): at W ≤ 50 and K ≤ 12 this
// is a few small elementwise ops per batch next to the encoder's GEMMs; no fused op (see
// docs/cta.md).
import { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { add, concat, exp, log, mul, neg, rand, sigmoid, slice, softmax, sum, tensor, unsqueeze } from "../../ops/index.js";
import { Module } from "../../nn/module.js";

export const KERNEL_TYPES = ["exp", "exp*", "log", "lin", "ind", "const", "thres"] as const;
export type KernelType = (typeof KERNEL_TYPES)[number];

export interface KernelSpec {
  type: KernelType;
  /** The ^ initialisation: a ~ U(10, 15) instead of U(0, 0.01). */
  sharp: boolean;
}

/**
 * Parses a kernel string: dash-separated names, each optionally followed by a count
 * ("log", "lin-5", "log-2-lin-2", "exp^-3-const"). A name is one of KERNEL_TYPES with an optional
 * ^ suffix. Anything else is a RangeError naming the string and the bad part.
 */
export function parseKernelSpec(s: string): KernelSpec[] {
  if (typeof s !== "string" || s.trim() === "")
    throw new RangeError(`recforge: CTA kernels: expected a kernel string such as "log", "lin-5" or "log-2-lin-2", got ${JSON.stringify(s)}`);
  const parts = s.split("-");
  const out: KernelSpec[] = [];
  const bad = (why: string) => new RangeError(`recforge: CTA kernels ${JSON.stringify(s)}: ${why} (kernel types: ${KERNEL_TYPES.join(", ")}, optional ^ suffix, optional count: "log-2-lin-2")`);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (p === "") throw bad(`empty part at position ${i + 1}`);
    if (/^\d+$/.test(p)) throw bad(`count ${p} at position ${i + 1} follows no kernel name`);
    const sharp = p.endsWith("^");
    const name = sharp ? p.slice(0, -1) : p;
    if (!(KERNEL_TYPES as readonly string[]).includes(name)) throw bad(`unknown kernel ${JSON.stringify(p)}`);
    let n = 1;
    if (i + 1 < parts.length && /^\d+$/.test(parts[i + 1])) {
      n = Number(parts[++i]);
      if (!(n >= 1 && n <= 1000)) throw bad(`count ${parts[i]} of ${JSON.stringify(p)} must be in [1, 1000]`);
    }
    for (let k = 0; k < n; k++) out.push({ type: name as KernelType, sharp });
  }
  return out;
}

/** The canonical string of a kernel list (runs of equal kernels written name-count). */
export function kernelSpecString(ks: readonly KernelSpec[]): string {
  const runs: string[] = [];
  for (let i = 0; i < ks.length; ) {
    let j = i;
    while (j < ks.length && ks[j].type === ks[i].type && ks[j].sharp === ks[i].sharp) j++;
    const name = ks[i].type + (ks[i].sharp ? "^" : "");
    runs.push(j - i > 1 ? `${name}-${j - i}` : name);
    i = j;
  }
  return runs.join("-");
}

/** φ_k(Δt) for every kernel: forward(dt [B, T]) → [B, T, K]. Parameters a [K], b [K]. */
export class TemporalKernels extends Module<[Tensor], Tensor> {
  readonly kernels: readonly KernelSpec[];
  readonly a: Tensor;
  readonly b: Tensor;
  /** Runs of consecutive equal types: [start, end). */
  private readonly runs: Array<[number, number]> = [];

  constructor(kernels: readonly KernelSpec[] | string, opts: { dtype?: DType } = {}) {
    super();
    this.kernels = typeof kernels === "string" ? parseKernelSpec(kernels) : [...kernels];
    const K = this.kernels.length;
    if (K < 1) throw new RangeError("recforge: CTA kernels: need at least one kernel");
    for (const k of this.kernels)
      if (!k || !(KERNEL_TYPES as readonly string[]).includes(k.type)) throw new RangeError(`recforge: CTA kernels: unknown kernel ${JSON.stringify(k?.type)}`);
    const dtype = opts.dtype ?? "float32";
    // a ~ U(0, 0.01) or U(10, 15) per kernel: one uniform draw, shifted and scaled per kernel
    const uT = rand([K], { dtype: "float64" });
    const u = uT.toTypedArray() as Float64Array;
    uT.dispose();
    const aInit = Float64Array.from(u, (v, k) => (this.kernels[k].sharp ? 10 + 5 * v : 0.01 * v));
    this.a = this.param("a", tensor(aInit, { dtype }));
    this.b = this.param("b", rand([K], { dtype }));
    for (let i = 0; i < K; ) {
      let j = i;
      while (j < K && this.kernels[j].type === this.kernels[i].type) j++;
      this.runs.push([i, j]);
      i = j;
    }
  }

  get K(): number {
    return this.kernels.length;
  }

  forward(dt: Tensor): Tensor {
    if (!(dt instanceof Tensor) || dt.ndim !== 2) throw new RangeError(`recforge: CTA kernels: Δt must be a [B, T] tensor, got ${dt instanceof Tensor ? `[${dt.shape}]` : typeof dt}`);
    const [B, T] = dt.shape;
    const d = unsqueeze(dt, 2); // [B, T, 1], broadcast against [n] parameters
    const blocks = this.runs.map(([i, j]) => {
      const n = j - i, a = slice(this.a, 0, i, j), b = slice(this.b, 0, i, j);
      switch (this.kernels[i].type) {
        case "exp":
          return add(mul(exp(neg(mul(d, a))), 1000), b);
        case "exp*":
          return add(mul(exp(neg(d)), a), b);
        case "log":
          return add(mul(log(add(d, 1)), a), b);
        case "lin":
          return add(mul(d, a), b);
        case "ind":
          return concat(Array.from({ length: n }, () => d), 2);
        case "const":
          return tensor(new Float64Array(B * T * n).fill(1), { dtype: dt.dtype, shape: [B, T, n] });
        case "thres":
          return sigmoid(add(mul(d, a), neg(b)));
      }
    });
    return blocks.length === 1 ? blocks[0] : concat(blocks, 2);
  }
}

/**
 * w [B, T] = Σ_k softmax over positions of γ_{·,k} = α·φ_k·c_k, padded positions (i >= lengths[b])
 * excluded (−∞ before the softmax, weight 0). alpha [B, T], phi [B, T, K], ctx [B, T, K] or null
 * (all ones). Every row needs lengths[b] >= 1.
 */
export function temporalWeights(alpha: Tensor, phi: Tensor, ctx: Tensor | null, lengths: ArrayLike<number>): Tensor {
  if (!(alpha instanceof Tensor) || alpha.ndim !== 2) throw new RangeError(`recforge: temporalWeights: alpha must be [B, T], got ${alpha instanceof Tensor ? `[${alpha.shape}]` : typeof alpha}`);
  const [B, T] = alpha.shape;
  if (!(phi instanceof Tensor) || phi.ndim !== 3 || phi.shape[0] !== B || phi.shape[1] !== T)
    throw new RangeError(`recforge: temporalWeights: phi must be [B, T, K] = [${B}, ${T}, K], got ${phi instanceof Tensor ? `[${phi.shape}]` : typeof phi}`);
  const K = phi.shape[2];
  if (ctx !== null && (!(ctx instanceof Tensor) || ctx.ndim !== 3 || ctx.shape.some((v, i) => v !== phi.shape[i])))
    throw new RangeError(`recforge: temporalWeights: ctx must be [B, T, K] = [${B}, ${T}, ${K}] or null, got ${ctx instanceof Tensor ? `[${ctx.shape}]` : typeof ctx}`);
  if (!lengths || lengths.length !== B) throw new RangeError(`recforge: temporalWeights: lengths must have B = ${B} entries`);
  const mask = new Float64Array(B * T);
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    if (!Number.isInteger(n) || n < 1 || n > T) throw new RangeError(`recforge: temporalWeights: lengths[${b}] = ${String(n)} must be an integer in [1, ${T}]`);
    for (let t = n; t < T; t++) mask[b * T + t] = -Infinity;
  }
  let gamma = mul(unsqueeze(alpha, 2), phi);
  if (ctx) gamma = mul(gamma, ctx);
  const masked = add(gamma, tensor(mask, { dtype: alpha.dtype, shape: [B, T, 1] }));
  return sum(softmax(masked, 1), 2);
}
