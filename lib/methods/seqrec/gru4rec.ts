// GRU4Rec (Hidasi et al.) as the GatedLongRec spec's baseline (shared/reference/gatedlongrec.md,
// "Baselines"): one GRU over the last W = 30 items, the state after the last real step scored
// against every item with the output tied to the input embedding (logits = h·Eᵀ + b, as
// GatedLongRec's own item head), full-softmax cross-entropy with the next item.
// "gru4rec-cat": the same with a category embedding (same width) SUMMED to each step's item
// embedding (the spec's "item and category embeddings summed").
import type { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { add, crossEntropy, linear, reshape, tensor, zeros } from "../../ops/index.js";
import { Embedding } from "../../nn/embedding.js";
import { GRU } from "../../nn/gru.js";
import { Dropout } from "../../nn/dropout.js";
import { SeqRecModel, type SeqInputs } from "./model.js";

export interface Gru4RecConfig {
  numItems: number;
  numCategories: number;
  /** Hidden size = embedding size (tied output). Default 50. */
  hidden?: number;
  window?: number;
  /** Add a category embedding to every input step. */
  withCategory?: boolean;
  /** Dropout on the GRU's input embeddings (default 0). */
  dropout?: number;
  dtype?: DType;
}

/** Item ids as an int32 [rows, W] tensor. */
export function idTensor(ids: Int32Array, rows: number, W: number): Tensor {
  return tensor(ids, { shape: [rows, W], dtype: "int32" });
}

export class Gru4Rec extends SeqRecModel {
  readonly window: number;
  readonly H: number;
  readonly withCategory: boolean;
  readonly itemEmb: Embedding;
  readonly catEmb: Embedding | null;
  readonly gru: GRU;
  readonly drop: Dropout;
  readonly outBias: Tensor;
  private readonly cfg: Gru4RecConfig;

  constructor(cfg: Gru4RecConfig) {
    super();
    this.cfg = cfg;
    this.H = cfg.hidden ?? 50;
    this.window = cfg.window ?? 30;
    this.withCategory = !!cfg.withCategory;
    const init = { dtype: cfg.dtype };
    this.itemEmb = this.module("item_emb", new Embedding(cfg.numItems, this.H, { paddingIdx: 0, std: 0.1, ...init }));
    this.catEmb = this.withCategory ? this.module("cat_emb", new Embedding(cfg.numCategories, this.H, { paddingIdx: 0, std: 0.1, ...init })) : null;
    this.gru = this.module("gru", new GRU(this.H, this.H, init));
    this.drop = this.module("drop", new Dropout(cfg.dropout ?? 0));
    this.outBias = this.param("out_bias", zeros([cfg.numItems], { dtype: cfg.dtype ?? "float32" }));
  }

  config(): Record<string, unknown> {
    return { model: this.withCategory ? "gru4rec-cat" : "gru4rec", hidden: this.H, window: this.window, dropout: this.cfg.dropout ?? 0, numItems: this.cfg.numItems };
  }

  /** [B, H]: the GRU state after each row's last real step. */
  private encode(inp: SeqInputs): Tensor {
    const w = inp.window;
    let x = this.itemEmb.call(idTensor(w.items, w.B, w.W));
    if (this.catEmb) x = add(x, this.catEmb.call(idTensor(w.categories, w.B, w.W)));
    const { hN } = this.gru.call(this.drop.call(x), null, { lengths: w.lengths });
    return reshape(hN, [w.B, this.H]);
  }

  scores(inp: SeqInputs): Tensor {
    return linear(this.encode(inp), this.itemEmb.weight, this.outBias);
  }

  loss(inp: SeqInputs): Tensor {
    return crossEntropy(this.scores(inp), tensor(inp.window.targetItems, { dtype: "int32" }));
  }
}
