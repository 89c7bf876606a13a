// Graph attention layer (GATConv, Veličković et al. 2018; the math of PyTorch Geometric's
// GATConv) on the fused native kernel, and per-node-type input projections for heterogeneous
// graphs.
import type { Tensor } from "../tensor/tensor.js";
import type { CsrGraph } from "../graph/csr.js";
import { linear, add, leakyRelu, mul, mean, sum, concat, reshape, slice, contiguous, indexSelect, dropout, tensor, zeros, edgeSoftmax, gatAttention, segmentAggregate } from "../ops/index.js";
import { Module } from "./module.js";
import { Linear } from "./linear.js";
import { xavierUniform, type InitOptions } from "./init.js";
import type { Generator } from "../tensor/random.js";

export interface GATConvOptions extends InitOptions {
  /** Attention heads (default 1). */
  heads?: number;
  /** Concatenate the heads (out = heads * outFeatures, default) or average them (out = outFeatures). */
  concat?: boolean;
  /** LeakyReLU slope of the attention logits (default 0.2). */
  negativeSlope?: number;
  /** Attend over self-loops too (default true; existing loops are replaced by one per node). */
  addSelfLoops?: boolean;
  /** Dropout on the input features (default 0). */
  dropout?: number;
  /**
   * Dropout on the attention weights (default 0, PyG's `dropout`). When active (training,
   * p > 0) the layer runs unfused (edgeSoftmax kernel + per-head weighted aggregation), since
   * the fused kernel never materialises the weights it would drop.
   */
  attentionDropout?: number;
  /** Add a residual connection: a linear map of the input (identity when the widths match). */
  residual?: boolean;
  /** Learnable output bias (default true). */
  bias?: boolean;
}

export class GATConv extends Module<[Tensor, CsrGraph], Tensor> {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly heads: number;
  readonly concat: boolean;
  readonly negativeSlope: number;
  readonly addSelfLoops: boolean;
  readonly dropout: number;
  readonly attentionDropout: number;
  /** [heads * outFeatures, inFeatures]: Wh = x Wᵀ. */
  readonly weight: Tensor;
  /** [heads, outFeatures] attention vectors for the source and destination ends. */
  readonly attSrc: Tensor;
  readonly attDst: Tensor;
  readonly bias: Tensor | null;
  readonly residualProj: Linear | null;
  readonly residual: boolean;
  private readonly generator?: Generator;

  constructor(inFeatures: number, outFeatures: number, opts: GATConvOptions = {}) {
    super();
    const heads = opts.heads ?? 1;
    for (const [v, what] of [[inFeatures, "inFeatures"], [outFeatures, "outFeatures"], [heads, "heads"]] as const)
      if (!Number.isInteger(v) || v < (what === "inFeatures" ? 0 : 1)) throw new RangeError(`recforge: GATConv: ${what} must be a positive integer, got ${v}`);
    for (const [p, what] of [[opts.dropout ?? 0, "dropout"], [opts.attentionDropout ?? 0, "attentionDropout"]] as const)
      if (typeof p !== "number" || !(p >= 0 && p < 1)) throw new RangeError(`recforge: GATConv: ${what} must be in [0, 1), got ${p}`);
    this.inFeatures = inFeatures;
    this.outFeatures = outFeatures;
    this.heads = heads;
    this.concat = opts.concat ?? true;
    this.negativeSlope = opts.negativeSlope ?? 0.2;
    this.addSelfLoops = opts.addSelfLoops ?? true;
    this.dropout = opts.dropout ?? 0;
    this.attentionDropout = opts.attentionDropout ?? 0;
    this.generator = opts.generator;
    const init = { dtype: opts.dtype, generator: opts.generator };
    // Glorot initialisation throughout, as PyG's GATConv.
    this.weight = this.param("weight", xavierUniform([heads * outFeatures, inFeatures], init));
    this.attSrc = this.param("attSrc", xavierUniform([heads, outFeatures], init));
    this.attDst = this.param("attDst", xavierUniform([heads, outFeatures], init));
    const outDim = this.concat ? heads * outFeatures : outFeatures;
    this.residual = !!opts.residual;
    this.residualProj = this.residual && inFeatures !== outDim ? this.module("residualProj", new Linear(inFeatures, outDim, { ...init, bias: false })) : null;
    this.bias = opts.bias === false ? null : this.param("bias", zeros([outDim], { dtype: opts.dtype }));
  }

  get outDim(): number {
    return this.concat ? this.heads * this.outFeatures : this.outFeatures;
  }

  /** x [N, inFeatures], graph over the N nodes → [N, outDim]. */
  forward(x: Tensor, graph: CsrGraph): Tensor {
    if (x.ndim !== 2 || x.shape[1] !== this.inFeatures)
      throw new RangeError(`recforge: GATConv: input [${x.shape.join(", ")}] must be [N, ${this.inFeatures}]`);
    const g = this.addSelfLoops ? graph.withSelfLoops() : graph;
    if (x.shape[0] !== g.numDst) throw new RangeError(`recforge: GATConv: input has ${x.shape[0]} rows, the graph ${g.numDst} nodes`);
    const N = x.shape[0], H = this.heads, F = this.outFeatures;
    const temps: Tensor[] = [];
    const t = <T extends Tensor>(v: T): T => (temps.push(v), v);
    const h = this.training && this.dropout > 0 ? t(dropout(x, this.dropout, { training: true, generator: this.generator })) : x;
    const wh = t(reshape(t(linear(h, this.weight)), [N, H, F]));
    let out: Tensor;
    if (this.training && this.attentionDropout > 0) out = t(this.unfused(wh, g, temps));
    else out = t(gatAttention(wh, this.attSrc, this.attDst, g, { negativeSlope: this.negativeSlope }));
    let y = this.concat ? t(reshape(out, [N, H * F])) : t(mean(out, 1));
    if (this.residual) y = t(add(y, this.residualProj ? t(this.residualProj.call(x)) : x));
    if (this.bias) y = t(add(y, this.bias));
    for (const v of temps) if (v !== y && v !== x) v.dispose();
    return y;
  }

  // Attention with dropout on the weights: scores → edgeSoftmax kernel → dropout → one weighted
  // segment sum per head.
  private unfused(wh: Tensor, g: CsrGraph, temps: Tensor[]): Tensor {
    const t = <T extends Tensor>(v: T): T => (temps.push(v), v);
    const el = t(sum(t(mul(wh, this.attSrc)), -1)), er = t(sum(t(mul(wh, this.attDst)), -1)); // [N, H]
    const src = g.on(wh.device).src, dst = g.dstOn(wh.device);
    const z = t(leakyRelu(t(add(t(indexSelect(el, 0, src)), t(indexSelect(er, 0, dst)))), this.negativeSlope));
    const alpha = t(dropout(t(edgeSoftmax(z, g)), this.attentionDropout, { training: true, generator: this.generator }));
    const perHead: Tensor[] = [];
    for (let h = 0; h < this.heads; h++) {
      const xh = t(contiguous(t(slice(wh, 1, h, h + 1))));
      const wgt = t(contiguous(t(reshape(t(slice(alpha, 1, h, h + 1)), [g.numEdges]))));
      perHead.push(t(segmentAggregate(xh, g, "sum", { weight: wgt })));
    }
    return this.heads === 1 ? perHead[0] : concat(perHead, 1);
  }
}

/**
 * Per-node-type input projections for heterogeneous graphs: each node type has its own Linear
 * map (its own input width) to a shared output width, and the projected rows are put back in
 * node order. forward(features, nodeType): features[t] [n_t, inDims[t]] holds the nodes of type
 * t in increasing node order; nodeType [N] the type of each node.
 */
export class NodeTypeProjection extends Module<[(Tensor | null)[], Int32Array], Tensor> {
  readonly inDims: readonly number[];
  readonly outFeatures: number;
  readonly projections: readonly Linear[];

  constructor(inDims: number[], outFeatures: number, opts: InitOptions & { bias?: boolean; names?: string[] } = {}) {
    super();
    if (!Array.isArray(inDims) || inDims.length === 0) throw new RangeError("recforge: NodeTypeProjection: needs the input width of each node type");
    if (opts.names && opts.names.length !== inDims.length)
      throw new RangeError(`recforge: NodeTypeProjection: ${opts.names.length} names for ${inDims.length} node types`);
    this.inDims = Object.freeze(inDims.slice());
    this.outFeatures = outFeatures;
    this.projections = inDims.map((d, i) => this.module(opts.names?.[i] ?? `type${i}`, new Linear(d, outFeatures, opts)));
  }

  forward(features: (Tensor | null)[], nodeType: Int32Array): Tensor {
    const T = this.inDims.length;
    if (!Array.isArray(features) || features.length !== T)
      throw new RangeError(`recforge: NodeTypeProjection: expected ${T} feature tensors (one per node type), got ${features?.length}`);
    const counts = new Int32Array(T);
    for (let i = 0; i < nodeType.length; i++) {
      const ty = nodeType[i];
      if (!(ty >= 0 && ty < T)) throw new RangeError(`recforge: NodeTypeProjection: nodeType[${i}] = ${ty} is outside [0, ${T})`);
      counts[ty]++;
    }
    const parts: Tensor[] = [];
    const offsets = new Int32Array(T);
    let off = 0;
    for (let ty = 0; ty < T; ty++) {
      const f = features[ty];
      const n = f ? f.shape[0] : 0;
      if (n !== counts[ty] || (f && (f.ndim !== 2 || f.shape[1] !== this.inDims[ty])))
        throw new RangeError(`recforge: NodeTypeProjection: features[${ty}] ${f ? `[${f.shape.join(", ")}]` : "null"} must be [${counts[ty]}, ${this.inDims[ty]}] (nodes of that type)`);
      offsets[ty] = off;
      off += n;
      if (n > 0) parts.push(this.projections[ty].call(f!));
    }
    const w0 = this.projections[0].weight;
    if (parts.length === 0) return zeros([0, this.outFeatures], { dtype: w0.dtype, device: w0.device });
    // row of node i in the type-grouped concatenation
    const perm = new Int32Array(nodeType.length);
    const next = offsets.slice();
    for (let i = 0; i < nodeType.length; i++) perm[i] = next[nodeType[i]]++;
    const cat = parts.length === 1 ? parts[0] : concat(parts, 0);
    const idx = tensor(perm, { device: cat.device });
    const out = indexSelect(cat, 0, idx);
    idx.dispose();
    if (cat !== parts[0]) cat.dispose();
    parts.forEach((p) => p.dispose());
    return out;
  }
}
