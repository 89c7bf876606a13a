// A post-norm Transformer encoder layer (Vaswani et al.; PyTorch's nn.TransformerEncoderLayer
// with norm_first = false and activation ReLU) and sinusoidal positional encoding, as CTA's
// encoder uses them (shared/reference/cta.md, "Model" 1–2).
//
//   x1  = LayerNorm1(x + dropout(SelfAttention(x)))
//   out = LayerNorm2(x1 + dropout(W2 · dropout(relu(W1 · x1 + b1)) + b2))
//
// Attention runs on recforge's one attention op, the fused `intervalAttention` (lib/ops/
// attention.ts; SASRec and DTI use it too), so no L×L mask is built: on a right-padded batch
// [B, T, D] with per-row lengths, token (b, t) gets the key interval [b·T, b·T + len_b) (its
// row's real tokens, no causal mask) and the self span [i, i]. Real queries therefore never see a
// padded key (key padding); a padded QUERY sees its row's real keys plus itself, so its output is
// finite but meaningless — callers mask padded positions (as with PyTorch's src_key_padding_mask,
// whose padded outputs are not meaningful either). The fused op has no attention-probability
// dropout (PyTorch's MultiheadAttention has one): dropout applies to the attention block's
// output, inside the feed-forward and after it.
//
// Parameter names follow PyTorch (self_attn.in_proj_weight [3D, D], self_attn.in_proj_bias,
// self_attn.out_proj.{weight,bias}, linear1, linear2, norm1, norm2) so that a torch state dict
// loads with loadStateDict; the initialisation is PyTorch's (xavier-uniform in_proj, zero
// attention biases, nn.Linear defaults elsewhere).
import { Tensor } from "../tensor/tensor.js";
import type { DType } from "../tensor/dtype.js";
import { add, contiguous, intervalAttention, linear, relu, reshape, split, tensor, transpose, zeros } from "../ops/index.js";
import { Module } from "./module.js";
import { Linear } from "./linear.js";
import { LayerNorm } from "./norm.js";
import { Dropout } from "./dropout.js";
import { xavierUniform, type InitOptions } from "./init.js";

const CLS = "TransformerEncoderLayer";

/**
 * Sinusoidal positional encoding [T, D] (Vaswani et al.): pe[p, 2i] = sin(p / 10000^(2i/D)),
 * pe[p, 2i+1] = cos(p / 10000^(2i/D)); computed in float64, returned as `dtype` (float32).
 */
export function sinusoidalPositionalEncoding(T: number, D: number, opts: { dtype?: DType; base?: number } = {}): Tensor {
  for (const [v, what] of [[T, "T"], [D, "D"]] as const)
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`recforge: sinusoidalPositionalEncoding: ${what} must be an integer >= 1, got ${String(v)}`);
  const base = opts.base ?? 10000;
  if (typeof base !== "number" || !(base > 0) || !Number.isFinite(base)) throw new RangeError(`recforge: sinusoidalPositionalEncoding: base must be a finite number > 0, got ${String(base)}`);
  const pe = new Float64Array(T * D);
  for (let p = 0; p < T; p++)
    for (let j = 0; j < D; j++) {
      const angle = p / Math.pow(base, (2 * Math.floor(j / 2)) / D);
      pe[p * D + j] = j % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  return tensor(pe, { shape: [T, D], dtype: opts.dtype ?? "float32" });
}

/**
 * Key intervals [5, B·T] for self-attention over a right-padded batch (see the file header):
 * every token of row b sees keys [b·T, b·T + len_b) and itself. lengths[b] must be in [1, T].
 */
export function paddedSelfAttentionIntervals(lengths: ArrayLike<number>, T: number, op = CLS): Int32Array {
  const B = lengths.length, N = B * T;
  const iv = new Int32Array(5 * N);
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    if (!Number.isInteger(n) || n < 1 || n > T)
      throw new RangeError(`recforge: ${op}: lengths[${b}] = ${String(n)} must be an integer in [1, T = ${T}] (a row needs a real token)`);
    for (let t = 0; t < T; t++) {
      const i = b * T + t;
      iv[i] = b * T; // prefLo
      iv[N + i] = b * T + n; // prefHi
      iv[4 * N + i] = i; // selfLo: the self span [i, i] (already inside the row for real tokens)
    }
  }
  return iv;
}

export interface MultiheadSelfAttentionOptions extends InitOptions {
  /** Biases on the input and output projections (default true). */
  bias?: boolean;
}

/** Multi-head self-attention on the fused interval-attention op: in_proj [3D, D] → heads → out_proj. */
export class MultiheadSelfAttention extends Module<[Tensor, Tensor | Int32Array], Tensor> {
  readonly D: number;
  readonly heads: number;
  readonly inProjWeight: Tensor;
  readonly inProjBias: Tensor | null;
  readonly outProj: Linear;

  constructor(D: number, heads: number, opts: MultiheadSelfAttentionOptions = {}) {
    super();
    if (!Number.isInteger(D) || D < 1) throw new RangeError(`recforge: MultiheadSelfAttention: D must be an integer >= 1, got ${String(D)}`);
    if (!Number.isInteger(heads) || heads < 1 || D % heads !== 0)
      throw new RangeError(`recforge: MultiheadSelfAttention: heads must be an integer >= 1 dividing D = ${D}, got ${String(heads)}`);
    this.D = D;
    this.heads = heads;
    this.inProjWeight = this.param("in_proj_weight", xavierUniform([3 * D, D], opts));
    this.inProjBias = opts.bias === false ? null : this.param("in_proj_bias", zeros([3 * D], { dtype: opts.dtype }));
    this.outProj = this.module("out_proj", new Linear(D, D, opts));
    this.outProj.bias?._fill(0); // PyTorch zeroes out_proj.bias
  }

  /** x [N, D] tokens, intervals [5, N] (lib/ops/attention.ts) → [N, D]. */
  forward(x: Tensor, intervals: Tensor | Int32Array): Tensor {
    const N = x.shape[0], h = this.heads, dh = this.D / h;
    const [q, k, v] = split(linear(x, this.inProjWeight, this.inProjBias), this.D, 1);
    const toHeads = (t: Tensor) => contiguous(transpose(reshape(t, [N, h, dh]), 0, 1));
    const att = intervalAttention(toHeads(q), toHeads(k), toHeads(v), intervals, { scale: 1 / Math.sqrt(dh) });
    return this.outProj.call(reshape(contiguous(transpose(att, 0, 1)), [N, this.D]));
  }
}

export interface TransformerEncoderLayerOptions extends InitOptions {
  /** Attention heads (must divide D). */
  heads: number;
  /** Feed-forward width (default 2048, PyTorch's and CTA's). */
  ffDim?: number;
  /** Dropout probability (default 0.1, PyTorch's; CTA uses 0.2). */
  dropout?: number;
  /** LayerNorm epsilon (default 1e-5). */
  eps?: number;
}

/**
 * forward(x [B, T, D], lengths [B]) → [B, T, D] on a right-padded batch (lengths[b] real tokens
 * in row b, each in [1, T]; null = every row full), or forwardTokens(x [N, D], intervals [5, N])
 * for any packed layout. Outputs at padded positions are not meaningful (see the file header).
 */
export class TransformerEncoderLayer extends Module<[Tensor, (ArrayLike<number> | null)?], Tensor> {
  readonly D: number;
  readonly selfAttn: MultiheadSelfAttention;
  readonly linear1: Linear;
  readonly linear2: Linear;
  readonly norm1: LayerNorm;
  readonly norm2: LayerNorm;
  readonly dropout: Dropout;
  readonly dropout1: Dropout;
  readonly dropout2: Dropout;

  constructor(D: number, opts: TransformerEncoderLayerOptions) {
    super();
    if (!opts || typeof opts !== "object") throw new TypeError(`recforge: ${CLS}: options { heads, ffDim?, dropout? } are required`);
    const ff = opts.ffDim ?? 2048, p = opts.dropout ?? 0.1;
    if (!Number.isInteger(ff) || ff < 1) throw new RangeError(`recforge: ${CLS}: ffDim must be an integer >= 1, got ${String(ff)}`);
    const init = { dtype: opts.dtype, generator: opts.generator };
    this.D = D;
    this.selfAttn = this.module("self_attn", new MultiheadSelfAttention(D, opts.heads, init));
    this.linear1 = this.module("linear1", new Linear(D, ff, init));
    this.linear2 = this.module("linear2", new Linear(ff, D, init));
    this.norm1 = this.module("norm1", new LayerNorm(D, { eps: opts.eps, dtype: opts.dtype }));
    this.norm2 = this.module("norm2", new LayerNorm(D, { eps: opts.eps, dtype: opts.dtype }));
    this.dropout = this.module("dropout", new Dropout(p));
    this.dropout1 = this.module("dropout1", new Dropout(p));
    this.dropout2 = this.module("dropout2", new Dropout(p));
  }

  /** x [N, D] packed tokens, intervals [5, N] → [N, D]. */
  forwardTokens(x: Tensor, intervals: Tensor | Int32Array): Tensor {
    if (!(x instanceof Tensor) || x.ndim !== 2 || x.shape[1] !== this.D)
      throw new RangeError(`recforge: ${CLS}: tokens must be [N, D = ${this.D}], got ${x instanceof Tensor ? `[${x.shape}]` : typeof x}`);
    const x1 = this.norm1.call(add(x, this.dropout1.call(this.selfAttn.call(x, intervals))));
    const ff = this.linear2.call(this.dropout.call(relu(this.linear1.call(x1))));
    return this.norm2.call(add(x1, this.dropout2.call(ff)));
  }

  forward(x: Tensor, lengths: ArrayLike<number> | null = null): Tensor {
    if (!(x instanceof Tensor) || x.ndim !== 3 || x.shape[2] !== this.D)
      throw new RangeError(`recforge: ${CLS}: x must be [B, T, D = ${this.D}], got ${x instanceof Tensor ? `[${x.shape}]` : typeof x}`);
    const [B, T] = x.shape;
    if (lengths !== null && (typeof lengths !== "object" || lengths.length !== B))
      throw new RangeError(`recforge: ${CLS}: lengths must have one entry per row (B = ${B}), got ${lengths === null || typeof lengths !== "object" ? typeof lengths : `length ${lengths.length}`}`);
    const iv = paddedSelfAttentionIntervals(lengths ?? new Int32Array(B).fill(T), T);
    return reshape(this.forwardTokens(reshape(x, [B * T, this.D]), iv), [B, T, this.D]);
  }
}
