// CompExp's network (../shared/reference/compexp.md "Model"):
//  - encoder, shared by references and candidates: word embedding → 1-layer bidirectional GRU;
//    sentence vector = sum of the two directions' final states;
//  - reference context ctx_r = Linear([enc(r); E_Δ(Δ_r)]), E_Δ a 16-d embedding of Δ ∈ [−4, 4];
//  - extractor: e_{r,c} = cos(ctx_r, enc(c)); p(c) ∝ (1/|R|) Σ_r exp(κ·e_{r,c}) (a mixture of von
//    Mises–Fisher kernels centred on the references);
//  - refiner: step_r = ReLU(a·exp(e_{r,c*}) + b), d = (1/|R|) Σ_r step_r·ctx_r, v = enc(c*) + d
//    (d = 0 for the no-reference ablation);
//  - generator: GRU decoder from h₀ = v (its own word embedding), Linear(H → |V|), log-softmax.
//    Teacher forcing runs the whole sequence in one fused `gru` call; decoding steps an nn.GRUCell
//    with the same weights (the cell's parameters are handed to the sequence op).
// A batch pads references and candidates per example; padding is masked out of every sum.
import type { Tensor } from "../../tensor/tensor.js";
import type { DType } from "../../tensor/dtype.js";
import { Generator } from "../../tensor/random.js";
import {
  tensor, add, sub, mul, div, exp, relu, sqrt, sum, matmul, transpose, reshape, concat, gather, logsumexp,
  logSoftmax, expand,
} from "../../ops/index.js";
import { Module } from "../../nn/module.js";
import { Embedding } from "../../nn/embedding.js";
import { Linear } from "../../nn/linear.js";
import { GRU, GRUCell } from "../../nn/gru.js";
import { EOS, padIds } from "./vocab.js";
import { decoderSequenceLogProb, decoderTokenNll, decoderDecode, type DecoderParts } from "./decoder.js";
export { argmaxOf, sampleLogProbs } from "./decoder.js";

export interface CompExpConfig {
  vocabSize: number;
  /** word embedding width, encoder and decoder (default 300) */
  embedDim?: number;
  /** GRU hidden size, encoder and decoder (default 300) */
  hidden?: number;
  /** width of the Δ embedding (default 16) */
  deltaDim?: number;
  /** largest |Δ| (default 4: ratings 1..5 → 9 rows) */
  maxDelta?: number;
  /** concentration κ of the von Mises–Fisher kernels (default 3) */
  kappa?: number;
  dtype?: DType;
  seed?: number;
}

/** One example's inputs: token ids of its references (with Δ) and of its candidates. */
export interface CompExpInput {
  refs: Int32Array[];
  refDelta: number[];
  cands: Int32Array[];
}

export interface Extraction {
  /** [B, Cmax] log p(c); padding columns hold −1e9-level values (probability 0) */
  logp: Tensor;
  /** [B, Rmax, Cmax] cosines e_{r,c} */
  cos: Tensor;
  /** [B, Rmax, H] reference contexts */
  ctx: Tensor;
  /** [B, Cmax, H] candidate vectors */
  candVec: Tensor;
  /** [B, Rmax, 1]: 1 for a real reference, 0 for padding */
  refMask: Tensor;
  /** |R| and |C| per example */
  numRefs: number[];
  numCands: number[];
}

const NEG = -1e9;


export class CompExpModel extends Module<[CompExpInput[]], Extraction> {
  readonly config: Required<Omit<CompExpConfig, "dtype">> & { dtype: DType };
  readonly encEmb: Embedding;
  readonly encoder: GRU;
  readonly deltaEmb: Embedding;
  readonly context: Linear;
  /** the refiner's a and b ([1] each) */
  readonly refA: Tensor;
  readonly refB: Tensor;
  readonly decEmb: Embedding;
  readonly cell: GRUCell;
  readonly out: Linear;

  constructor(cfg: CompExpConfig) {
    super();
    if (!Number.isInteger(cfg.vocabSize) || cfg.vocabSize <= EOS + 1)
      throw new RangeError(`CompExp: vocabSize must be an integer > ${EOS + 1} (the 4 special tokens and at least one word), got ${cfg.vocabSize}`);
    const dtype = cfg.dtype ?? "float32";
    this.config = {
      vocabSize: cfg.vocabSize, embedDim: cfg.embedDim ?? 300, hidden: cfg.hidden ?? 300, deltaDim: cfg.deltaDim ?? 16,
      maxDelta: cfg.maxDelta ?? 4, kappa: cfg.kappa ?? 3, dtype, seed: cfg.seed ?? 0,
    };
    const { vocabSize: V, embedDim: E, hidden: H, deltaDim: D, maxDelta } = this.config;
    const init = { dtype, generator: new Generator(this.config.seed) };
    this.encEmb = this.module("encEmb", new Embedding(V, E, { ...init, std: 0.1 }));
    this.encoder = this.module("encoder", new GRU(E, H, { ...init, bidirectional: true }));
    this.deltaEmb = this.module("deltaEmb", new Embedding(2 * maxDelta + 1, D, { ...init, std: 0.1 }));
    this.context = this.module("context", new Linear(H + D, H, init));
    // a = 1, b = 0: step_r = exp(e) at the start, a positive weight growing with the similarity
    this.refA = this.param("refA", tensor([1], { dtype }));
    this.refB = this.param("refB", tensor([0], { dtype }));
    this.decEmb = this.module("decEmb", new Embedding(V, E, { ...init, std: 0.1 }));
    this.cell = this.module("cell", new GRUCell(E, H, init));
    this.out = this.module("out", new Linear(H, V, init));
  }

  private int(data: Int32Array, shape: number[]): Tensor {
    return tensor(data, { dtype: "int32", shape, device: this.device });
  }

  private float(data: ArrayLike<number>, shape: number[]): Tensor {
    return tensor(this.config.dtype === "float64" ? Float64Array.from(data) : Float32Array.from(data), { dtype: this.config.dtype, shape, device: this.device });
  }

  /** Sentence vectors [S, H]: the sum of the bidirectional GRU's two final states. */
  encode(sentences: readonly Int32Array[]): Tensor {
    if (sentences.length === 0) throw new RangeError("CompExp.encode: no sentences");
    sentences.forEach((s, i) => {
      if (s.length === 0) throw new RangeError(`CompExp.encode: sentence ${i} is empty`);
    });
    const { ids, lengths, T } = padIds(sentences, null, null);
    const x = this.encEmb.call(this.int(ids, [sentences.length, T]));
    const { hN } = this.encoder.call(x, null, { lengths });
    return sum(hN, 0); // [2, S, H] → [S, H]
  }

  /** Encodes every reference and candidate of the batch once and scores the candidates. */
  forward(batch: CompExpInput[]): Extraction {
    const B = batch.length;
    if (B === 0) throw new RangeError("CompExp: empty batch");
    const { hidden: H, maxDelta, kappa } = this.config;
    batch.forEach((e, b) => {
      if (e.refs.length === 0) throw new RangeError(`CompExp: example ${b} has no references`);
      if (e.cands.length === 0) throw new RangeError(`CompExp: example ${b} has no candidates`);
      if (e.refDelta.length !== e.refs.length) throw new RangeError(`CompExp: example ${b} has ${e.refs.length} references but ${e.refDelta.length} Δ`);
      for (const d of e.refDelta) if (!Number.isInteger(d) || Math.abs(d) > maxDelta) throw new RangeError(`CompExp: example ${b}: Δ = ${d} is not an integer in [−${maxDelta}, ${maxDelta}]`);
    });
    const Rm = Math.max(...batch.map((e) => e.refs.length)), Cm = Math.max(...batch.map((e) => e.cands.length));
    // one encoder call for all sentences: references first, then candidates
    const sents: Int32Array[] = [];
    const refRow = new Int32Array(B * Rm), candRow = new Int32Array(B * Cm);
    const deltaIds = new Int32Array(B * Rm).fill(maxDelta); // Δ = 0 at padding (masked anyway)
    const refMask = new Float64Array(B * Rm), candBias = new Float64Array(B * Cm).fill(NEG), logR = new Float64Array(B);
    batch.forEach((e, b) => {
      e.refs.forEach((r, j) => { refRow[b * Rm + j] = sents.length; sents.push(r); refMask[b * Rm + j] = 1; deltaIds[b * Rm + j] = e.refDelta[j] + maxDelta; });
      logR[b] = Math.log(e.refs.length);
    });
    batch.forEach((e, b) => e.cands.forEach((c, j) => { candRow[b * Cm + j] = sents.length; sents.push(c); candBias[b * Cm + j] = 0; }));
    // padding slots point at sentence 0 (any real row): their values are masked out
    const vec = this.encode(sents);
    const refVec = reshape(indexSelectRows(vec, this.int(refRow, [B * Rm])), [B, Rm, H]);
    const candVec = reshape(indexSelectRows(vec, this.int(candRow, [B * Cm])), [B, Cm, H]);
    const dEmb = this.deltaEmb.call(this.int(deltaIds, [B, Rm]));
    const ctx = this.context.call(concat([refVec, dEmb], 2)); // [B, Rm, H]
    const cos = matmul(unitRows(ctx), transpose(unitRows(candVec), 1, 2)); // [B, Rm, Cm]
    const mask = this.float(refMask, [B, Rm, 1]);
    const refBias = this.float(Array.from(refMask, (m) => (m ? 0 : NEG)), [B, Rm, 1]);
    // log p̃(c) = log (1/|R|) Σ_r exp(κ e_rc): logsumexp over real references − log |R|
    const score = sub(logsumexp(add(mul(cos, kappa), refBias), 1), this.float(logR, [B, 1])); // [B, Cm]
    const logp = logSoftmax(add(score, this.float(candBias, [B, Cm])), -1);
    return { logp, cos, ctx, candVec, refMask: mask, numRefs: batch.map((e) => e.refs.length), numCands: batch.map((e) => e.cands.length) };
  }

  /** v = enc(c*) + d for the chosen candidates c* [B] (d = 0 with noReference). */
  refine(ext: Extraction, chosen: readonly number[], opts: { noReference?: boolean } = {}): Tensor {
    const B = chosen.length, H = this.config.hidden, Rm = ext.cos.shape[1];
    if (B !== ext.numCands.length) throw new RangeError(`CompExp.refine: ${B} choices for a batch of ${ext.numCands.length}`);
    chosen.forEach((c, b) => {
      if (!Number.isInteger(c) || c < 0 || c >= ext.numCands[b]) throw new RangeError(`CompExp.refine: choice ${c} of example ${b} is outside [0, ${ext.numCands[b]})`);
    });
    const idxH = new Int32Array(B * H);
    chosen.forEach((c, b) => idxH.fill(c, b * H, (b + 1) * H));
    const cStar = reshape(gather(ext.candVec, 1, this.int(idxH, [B, 1, H])), [B, H]);
    if (opts.noReference) return cStar;
    const idxR = new Int32Array(B * Rm);
    chosen.forEach((c, b) => idxR.fill(c, b * Rm, (b + 1) * Rm));
    const eStar = gather(ext.cos, 2, this.int(idxR, [B, Rm, 1])); // [B, Rm, 1]
    const step = mul(relu(add(mul(exp(eStar), this.refA), this.refB)), ext.refMask);
    const d = div(sum(mul(step, ext.ctx), 1), this.float(ext.numRefs, [B, 1])); // [B, H]
    return add(cStar, d);
  }

  /** The generator's modules, for the shared decoder functions (decoder.ts). */
  private get decoderParts(): DecoderParts {
    return { decEmb: this.decEmb, cell: this.cell, out: this.out, hidden: this.config.hidden, vocabSize: this.config.vocabSize, device: this.device };
  }

  /** Per-sequence log p(target | v) [B] with teacher forcing (targets end with <eos>). */
  sequenceLogProb(v: Tensor, targets: readonly Int32Array[]): Tensor {
    return decoderSequenceLogProb(this.decoderParts, v, targets, "CompExp");
  }

  /** Mean token NLL of the targets (teacher forcing): L_gen. */
  tokenNll(v: Tensor, targets: readonly Int32Array[]): Tensor {
    return decoderTokenNll(this.decoderParts, v, targets, "CompExp");
  }

  /**
   * Decodes from v [B, H] (no gradient): greedy (argmax) or sampled from the softmax with
   * `rand` (a seeded [0, 1) source). Returns token ids without <eos>, at most maxLen each.
   */
  decode(v: Tensor, opts: { maxLen?: number; rand?: () => number } = {}): Int32Array[] {
    return decoderDecode(this.decoderParts, v, opts);
  }
}

function indexSelectRows(x: Tensor, idx: Tensor): Tensor {
  // gather rows of a [S, H] table: expand the row ids over H and gather along axis 0
  const H = x.shape[1];
  return gather(x, 0, expand(reshape(idx, [idx.shape[0], 1]), [idx.shape[0], H]));
}

/** x / ‖x‖ along the last axis (‖x‖ floored at 1e-8, as torch's cosine_similarity). */
function unitRows(x: Tensor): Tensor {
  const n = sqrt(add(sum(mul(x, x), -1, true), 1e-16));
  return div(x, n);
}
