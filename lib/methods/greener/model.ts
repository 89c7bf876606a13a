// GREENer's scorer: per-node-type input projections, two graph-attention layers (4 heads
// concatenated + ELU, then 1 head), a Deep & Cross network scoring each candidate sentence on
// [h_user; h_item; h_sentence], and a linear head scoring each attribute node.
import type { Tensor } from "../../tensor/tensor.js";
import { Generator } from "../../tensor/random.js";
import type { DType } from "../../tensor/dtype.js";
import { tensor, elu, dropout, concat, reshape, indexSelect } from "../../ops/index.js";
import { Module } from "../../nn/module.js";
import { Embedding } from "../../nn/embedding.js";
import { Linear } from "../../nn/linear.js";
import { GATConv, NodeTypeProjection } from "../../nn/gat.js";
import { DCN } from "../../nn/dcn.js";
import type { GreenerBatch } from "./graph.js";

export interface GreenerModelConfig {
  numUsers: number;
  numItems: number;
  numAttributes: number;
  /** width of the fixed sentence vectors (the sentence encoder's output) */
  sentenceDim: number;
  /** hidden size of every node after projection and after each GAT layer (default 256, as the reference) */
  hidden?: number;
  /** heads of the first GAT layer, concatenated (default 4; hidden must be divisible by it) */
  heads?: number;
  /** width of the trainable user / item / attribute embeddings (default 64) */
  embedDim?: number;
  /** feature dropout on the GAT inputs and between the layers (default 0.2) */
  dropout?: number;
  /**
   * residual connections in both GAT layers (default true): a node keeps its own state beside
   * the attention-weighted mean of its neighbours (PyG GATConv residual=True); without them a
   * sentence's own features are diluted by its attributes' messages at every layer
   */
  residual?: boolean;
  /** cross layers and deep tower of the DCN scorer (default 2 and [hidden, hidden / 2]) */
  dcnCross?: number;
  dcnDeep?: number[];
  /** width of the per-candidate pair features appended to the DCN's input (default 0: none; profile_features.ts) */
  pairFeatureDim?: number;
  dtype?: DType;
  seed?: number;
}

export interface GreenerOutput {
  /** [ΣC] one logit per candidate sentence */
  sentenceScores: Tensor;
  /** [ΣA] one logit per attribute node */
  attrLogits: Tensor;
}

export class GreenerModel extends Module<[GreenerBatch, Tensor], GreenerOutput> {
  readonly config: Required<Omit<GreenerModelConfig, "dtype">> & { dtype: DType };
  readonly userEmb: Embedding;
  readonly itemEmb: Embedding;
  readonly attrEmb: Embedding;
  readonly inputProj: NodeTypeProjection;
  readonly gat1: GATConv;
  readonly gat2: GATConv;
  readonly scorer: DCN;
  readonly attrHead: Linear;
  private readonly gen: Generator;

  constructor(cfg: GreenerModelConfig) {
    super();
    const hidden = cfg.hidden ?? 256, heads = cfg.heads ?? 4, embedDim = cfg.embedDim ?? 64;
    if (hidden % heads !== 0) throw new RangeError(`GREENer: hidden (${hidden}) must be divisible by heads (${heads})`);
    const dtype = cfg.dtype ?? "float32";
    this.config = {
      numUsers: cfg.numUsers, numItems: cfg.numItems, numAttributes: cfg.numAttributes, sentenceDim: cfg.sentenceDim,
      hidden, heads, embedDim, dropout: cfg.dropout ?? 0.2, residual: cfg.residual ?? true, dcnCross: cfg.dcnCross ?? 2, dcnDeep: cfg.dcnDeep ?? [hidden, hidden / 2],
      pairFeatureDim: cfg.pairFeatureDim ?? 0, dtype, seed: cfg.seed ?? 0,
    };
    if (!(Number.isInteger(this.config.pairFeatureDim) && this.config.pairFeatureDim >= 0)) throw new RangeError(`GREENer: pairFeatureDim must be an integer >= 0, got ${this.config.pairFeatureDim}`);
    this.gen = new Generator(this.config.seed);
    const init = { dtype, generator: this.gen };
    this.userEmb = this.module("userEmb", new Embedding(cfg.numUsers, embedDim, { ...init, std: 0.1 }));
    this.itemEmb = this.module("itemEmb", new Embedding(cfg.numItems, embedDim, { ...init, std: 0.1 }));
    this.attrEmb = this.module("attrEmb", new Embedding(cfg.numAttributes, embedDim, { ...init, std: 0.1 }));
    this.inputProj = this.module("inputProj", new NodeTypeProjection([embedDim, embedDim, cfg.sentenceDim, embedDim], hidden, { ...init, names: ["user", "item", "sentence", "attribute"] }));
    // Layer 1: 4 heads of hidden/4 concatenated (width hidden), then ELU; layer 2: one head.
    this.gat1 = this.module("gat1", new GATConv(hidden, hidden / heads, { ...init, heads, concat: true, residual: this.config.residual }));
    this.gat2 = this.module("gat2", new GATConv(hidden, hidden, { ...init, heads: 1, residual: this.config.residual }));
    this.scorer = this.module("scorer", new DCN(3 * hidden + this.config.pairFeatureDim, { ...init, crossLayers: this.config.dcnCross, deep: this.config.dcnDeep, outFeatures: 1 }));
    this.attrHead = this.module("attrHead", new Linear(hidden, 1, init));
  }

  /** Node states after the two GAT layers, [N, hidden]. */
  encode(b: GreenerBatch, sentenceTable: Tensor): Tensor {
    const device = this.device; // ids go where the parameters are (model.to("cuda")); sentenceTable must be there too
    const ids = (a: Int32Array) => tensor(a, { device });
    const users = ids(b.users), items = ids(b.items), rows = ids(b.sentenceRows), attrs = ids(b.attrIds);
    const feats = [this.userEmb.call(users), this.itemEmb.call(items), indexSelect(sentenceTable, 0, rows), this.attrEmb.call(attrs)];
    const h0 = this.inputProj.call(feats, b.batch.graph.nodeType!);
    [users, items, rows, attrs, ...feats].forEach((t) => t.dispose());
    const p = this.config.dropout, train = this.training;
    const d0 = dropout(h0, p, { training: train, generator: this.gen });
    const g1 = this.gat1.call(d0, b.csr);
    const h1 = elu(g1);
    const d1 = dropout(h1, p, { training: train, generator: this.gen });
    const h2 = this.gat2.call(d1, b.csr);
    for (const t of [h0, d0, g1, h1, d1]) if (t !== h2) t.dispose();
    return h2;
  }

  forward(b: GreenerBatch, sentenceTable: Tensor): GreenerOutput {
    const h = this.encode(b, sentenceTable);
    const pick = (a: Int32Array) => {
      const i = tensor(a, { device: h.device });
      const r = indexSelect(h, 0, i);
      i.dispose();
      return r;
    };
    const hu = pick(b.userNodeOfSentence), hi = pick(b.itemNodeOfSentence), hs = pick(b.sentenceNodes), ha = pick(b.attrNodes);
    const F = this.config.pairFeatureDim;
    if (b.pairFeatureWidth !== F) throw new RangeError(`GREENer: the model expects ${F} pair features per candidate, the batch has ${b.pairFeatureWidth}`);
    const flat = F > 0 ? tensor(b.pairFeatures, { device: h.device }) : null;
    const pf = flat ? reshape(flat, [hs.shape[0], F]) : null;
    const x = concat(pf ? [hu, hi, hs, pf] : [hu, hi, hs], 1);
    if (pf && pf !== flat) pf.dispose();
    flat?.dispose();
    const s = this.scorer.call(x);
    const sentenceScores = reshape(s, [s.shape[0]]);
    const a = this.attrHead.call(ha);
    const attrLogits = reshape(a, [a.shape[0]]);
    for (const t of [h, hu, hi, hs, ha, x, s, a]) if (t !== sentenceScores && t !== attrLogits) t.dispose();
    return { sentenceScores, attrLogits };
  }
}
