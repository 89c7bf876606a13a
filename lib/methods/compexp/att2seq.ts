// The Att2Seq-style generator baseline of CompExp's spec (../shared/reference/compexp.md
// "Baselines", a "we" baseline): the review's attributes (user, item, rating) → embeddings →
// one tanh layer (the MLP) → h₀ of the same GRU decoder CompExp's generator uses (decoder.ts: the
// fused GRU for teacher forcing, the single-step cell for decoding). It sees no candidate and no
// reference sentence: it writes from who rates what, and how.
//   h₀ = tanh(W [E_u(u); E_i(i); E_y(y)] + b), y ∈ 1..maxRating (one embedding row per star).
import type { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { Generator } from "../../tensor/random.js";
import { tensor, concat, tanh } from "../../ops/index.js";
import { Module } from "../../nn/module.js";
import { Embedding } from "../../nn/embedding.js";
import { Linear } from "../../nn/linear.js";
import { GRUCell } from "../../nn/gru.js";
import { EOS } from "./vocab.js";
import { decoderSequenceLogProb, decoderTokenNll, decoderDecode, type DecoderParts } from "./decoder.js";

export interface Att2SeqConfig {
  vocabSize: number;
  numUsers: number;
  numItems: number;
  /** width of each attribute embedding (default 64) */
  attrDim?: number;
  /** decoder word embedding width (default 300) */
  embedDim?: number;
  /** GRU hidden size (default 300) */
  hidden?: number;
  /** ratings are integers 1..maxRating (default 5) */
  maxRating?: number;
  dtype?: DType;
  seed?: number;
}

/** One example's attributes: user and item ids (0-based) and the integer star rating. */
export interface Att2SeqInput {
  user: number;
  item: number;
  rating: number;
}

export class Att2SeqModel extends Module<[readonly Att2SeqInput[]], Tensor> {
  readonly config: Required<Omit<Att2SeqConfig, "dtype">> & { dtype: DType };
  readonly userEmb: Embedding;
  readonly itemEmb: Embedding;
  readonly ratingEmb: Embedding;
  readonly mlp: Linear;
  readonly decEmb: Embedding;
  readonly cell: GRUCell;
  readonly out: Linear;

  constructor(cfg: Att2SeqConfig) {
    super();
    if (!Number.isInteger(cfg.vocabSize) || cfg.vocabSize <= EOS + 1)
      throw new RangeError(`Att2Seq: vocabSize must be an integer > ${EOS + 1} (the 4 special tokens and at least one word), got ${cfg.vocabSize}`);
    for (const k of ["numUsers", "numItems"] as const)
      if (!Number.isInteger(cfg[k]) || cfg[k] < 1) throw new RangeError(`Att2Seq: ${k} must be an integer >= 1, got ${cfg[k]}`);
    const dtype = cfg.dtype ?? "float32";
    this.config = {
      vocabSize: cfg.vocabSize, numUsers: cfg.numUsers, numItems: cfg.numItems, attrDim: cfg.attrDim ?? 64,
      embedDim: cfg.embedDim ?? 300, hidden: cfg.hidden ?? 300, maxRating: cfg.maxRating ?? 5, dtype, seed: cfg.seed ?? 0,
    };
    const { vocabSize: V, numUsers, numItems, attrDim: A, embedDim: E, hidden: H, maxRating } = this.config;
    const init = { dtype, generator: new Generator(this.config.seed) };
    this.userEmb = this.module("userEmb", new Embedding(numUsers, A, { ...init, std: 0.1 }));
    this.itemEmb = this.module("itemEmb", new Embedding(numItems, A, { ...init, std: 0.1 }));
    this.ratingEmb = this.module("ratingEmb", new Embedding(maxRating, A, { ...init, std: 0.1 }));
    this.mlp = this.module("mlp", new Linear(3 * A, H, init));
    this.decEmb = this.module("decEmb", new Embedding(V, E, { ...init, std: 0.1 }));
    this.cell = this.module("cell", new GRUCell(E, H, init));
    this.out = this.module("out", new Linear(H, V, init));
  }

  /** h₀ [B, H] of the decoder from the attributes. */
  forward(batch: readonly Att2SeqInput[]): Tensor {
    const B = batch.length;
    if (B === 0) throw new RangeError("Att2Seq: empty batch");
    const { numUsers, numItems, maxRating } = this.config;
    const u = new Int32Array(B), i = new Int32Array(B), y = new Int32Array(B);
    batch.forEach((e, b) => {
      if (!Number.isInteger(e.user) || e.user < 0 || e.user >= numUsers) throw new RangeError(`Att2Seq: example ${b}: user ${e.user} is not an integer in [0, ${numUsers})`);
      if (!Number.isInteger(e.item) || e.item < 0 || e.item >= numItems) throw new RangeError(`Att2Seq: example ${b}: item ${e.item} is not an integer in [0, ${numItems})`);
      if (!Number.isInteger(e.rating) || e.rating < 1 || e.rating > maxRating) throw new RangeError(`Att2Seq: example ${b}: rating ${e.rating} is not an integer in [1, ${maxRating}]`);
      u[b] = e.user;
      i[b] = e.item;
      y[b] = e.rating - 1;
    });
    const ids = (a: Int32Array) => tensor(a, { dtype: "int32", shape: [B], device: this.device });
    const x = concat([this.userEmb.call(ids(u)), this.itemEmb.call(ids(i)), this.ratingEmb.call(ids(y))], 1);
    return tanh(this.mlp.call(x));
  }

  private get decoderParts(): DecoderParts {
    return { decEmb: this.decEmb, cell: this.cell, out: this.out, hidden: this.config.hidden, vocabSize: this.config.vocabSize, device: this.device };
  }

  /** Per-sequence log p(target | h₀) [B] with teacher forcing. */
  sequenceLogProb(h0: Tensor, targets: readonly Int32Array[]): Tensor {
    return decoderSequenceLogProb(this.decoderParts, h0, targets, "Att2Seq");
  }

  /** Mean token NLL of the targets (teacher forcing). */
  tokenNll(h0: Tensor, targets: readonly Int32Array[]): Tensor {
    return decoderTokenNll(this.decoderParts, h0, targets, "Att2Seq");
  }

  /** Greedy (or, with `rand`, sampled) decoding from h₀; token ids without <eos>. */
  decode(h0: Tensor, opts: { maxLen?: number; rand?: () => number } = {}): Int32Array[] {
    return decoderDecode(this.decoderParts, h0, opts);
  }
}
