// The DTI CTR model: a decoder-only LLaMA-architecture transformer over packed prompts, scored
// by a one-logit head at the [SUM] tokens (see ../shared/reference/dti.md).
//
//   tokens → embed_tokens → layers × [ x += o_proj(attn(rope(q), rope(k), v)) on RMSNorm(x);
//                                      x += down(silu(gate(h)) · up(h)), h = RMSNorm(x) ]
//          → (rows at sumIndex) → RMSNorm → score (linear, one logit)
//
// Attention is the fused interval kernel (every prompt layout of DTI and sliding-window
// training is one rule, given per token by the batch). Positions: RoPE in the rotate-half
// layout of Hugging Face LLaMA (so HF checkpoints load as they are), or ALiBi (standard
// geometric slopes, distances from batch.positions).
//
// Parameter names are Hugging Face LLaMA's ("model.layers.0.self_attn.q_proj.weight", ...), so a
// state dict is a HF checkpoint plus the score head ("score.weight", "score.bias"; the name of
// HF's LlamaForSequenceClassification head).
//
// Speed: every per-token step is one batched op over all L tokens (projections are single
// GEMMs on [L, dim]); q/k are rotated and re-laid out to [H, L, D] by one RoPE pass. Only the
// [SUM] rows of the last layer feed the head, so the last layer projects queries, runs attention,
// o_proj and the MLP for the [SUM] rows only; keys and values still cover every token. The [SUM]
// queries are appended after the L tokens as S extra rows (each with a copy of its own token's key
// and value, so its visible keys fit the kernel's interval rule; see sumQueryIntervals), where
// the L ordinary rows see only themselves: the kernel's query tiles then hold 8 [SUM] queries
// each instead of one [SUM] among 7 masked rows (DTI's [SUM] tokens are ~8 tokens apart, so
// before this every [SUM] cost a whole tile row of its window). Results equal the full pass up
// to the order of float sums.
import { Tensor } from "../../tensor/tensor.js";
import { tidy } from "../../tensor/scope.js";
import type { Device, DType } from "../../tensor/dtype.js";
import { toDeviceRaw, zeros, tensor, linear, add, mul, silu, embedding, indexSelect, scatterAdd, concat, slice, contiguous, expand, reshape, transpose, unsqueeze, alibiSlopes, intervalAttention, rope, ropeTable, type RopeTable } from "../../ops/internal.js";
import { Generator } from "../../tensor/random.js";
import { Module } from "../../nn/module.js";
import { ModuleList } from "../../nn/container.js";
import { Embedding } from "../../nn/embedding.js";
import { RMSNorm } from "../../nn/norm.js";
import { normalInit } from "../../nn/init.js";
import type { PackedBatch } from "./types.js";
import { appendedPositions, sumQueryIntervals } from "./sum_queries.js";

export type PositionEncoding = "rope" | "alibi";

export interface DTIModelConfig {
  vocabSize: number;
  /** Hidden size (HF hidden_size). */
  dim: number;
  layers: number;
  /** Query heads (HF num_attention_heads). */
  heads: number;
  /** Key/value heads for grouped-query attention (HF num_key_value_heads; default heads). */
  kvHeads?: number;
  /** Per-head dim (default dim / heads). */
  headDim?: number;
  /** SwiGLU hidden size (HF intermediate_size; default 8/3·dim rounded up to a multiple of 8). */
  ffnHidden?: number;
  positionEncoding?: PositionEncoding;
  /** RoPE θ base (HF rope_theta; default 10000). */
  ropeTheta?: number;
  /** RMSNorm epsilon (HF rms_norm_eps; default 1e-6). */
  normEps?: number;
  /** Std of the normal init of every weight matrix and the embeddings (HF initializer_range; default 0.02). */
  initStd?: number;
  /** Learnable bias on the score head (default true: CTR base rates are far from 0.5). */
  scoreBias?: boolean;
  dtype?: DType;
  /** Seed of a private generator for the init (else `generator`, else the default generator). */
  seed?: number;
  generator?: Generator;
}

/** The config with every default filled in. */
export type ResolvedDTIModelConfig = Required<Omit<DTIModelConfig, "seed" | "generator">>;

function resolve(c: DTIModelConfig): ResolvedDTIModelConfig {
  if (c === null || typeof c !== "object") throw new TypeError("recforge: DTIModel: config must be an object");
  const int = (v: unknown, what: string, min = 1) => {
    if (!Number.isInteger(v) || (v as number) < min) throw new RangeError(`recforge: DTIModel: ${what} must be an integer >= ${min}, got ${String(v)}`);
    return v as number;
  };
  const vocabSize = int(c.vocabSize, "vocabSize"), dim = int(c.dim, "dim"), layers = int(c.layers, "layers", 0), heads = int(c.heads, "heads");
  const kvHeads = int(c.kvHeads ?? heads, "kvHeads");
  if (heads % kvHeads) throw new RangeError(`recforge: DTIModel: heads (${heads}) must be a multiple of kvHeads (${kvHeads})`);
  if (c.headDim === undefined && dim % heads) throw new RangeError(`recforge: DTIModel: dim (${dim}) must be divisible by heads (${heads}), or give headDim`);
  const headDim = int(c.headDim ?? dim / heads, "headDim");
  const positionEncoding = c.positionEncoding ?? "rope";
  if (positionEncoding !== "rope" && positionEncoding !== "alibi")
    throw new TypeError(`recforge: DTIModel: positionEncoding must be "rope" or "alibi", got ${JSON.stringify(positionEncoding)}`);
  if (positionEncoding === "rope" && headDim % 2) throw new RangeError(`recforge: DTIModel: RoPE needs an even head dim, got ${headDim}`);
  const num = (v: number, what: string, ok: (x: number) => boolean) => {
    if (typeof v !== "number" || !ok(v)) throw new RangeError(`recforge: DTIModel: bad ${what}: ${String(v)}`);
    return v;
  };
  return {
    vocabSize, dim, layers, heads, kvHeads, headDim,
    ffnHidden: int(c.ffnHidden ?? Math.ceil((8 * dim) / 3 / 8) * 8, "ffnHidden"),
    positionEncoding,
    ropeTheta: num(c.ropeTheta ?? 10000, "ropeTheta", (x) => Number.isFinite(x) && x > 0),
    normEps: num(c.normEps ?? 1e-6, "normEps", (x) => x >= 0),
    initStd: num(c.initStd ?? 0.02, "initStd", (x) => Number.isFinite(x) && x >= 0),
    scoreBias: c.scoreBias ?? true,
    dtype: c.dtype ?? "float32",
  };
}

interface Init {
  std: number;
  dtype: DType;
  generator?: Generator;
}

/** A bias-free projection y = x Wᵀ with W [out, in] ~ Normal(0, std) (HF LLaMA's init). */
class Projection extends Module {
  readonly weight: Tensor;
  constructor(inFeatures: number, outFeatures: number, init: Init) {
    super();
    this.weight = this.param("weight", normalInit([outFeatures, inFeatures], init.std, init));
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight);
  }
}

/** What every layer of one forward pass shares: the batch's intervals, positions, tables. */
interface PassContext {
  L: number;
  intervals: Tensor; // int32 [5, L]
  lastIntervals: Tensor | null; // [SUM] queries keep theirs, the others see only themselves
  sumIndex: Tensor; // int32 [S]
  sumRows: Tensor | null; // int32 [S, heads·headDim], row s filled with sumIndex[s] (null: duplicates in sumIndex)
  rope: RopeTable | null;
  slopes: Tensor | null;
  positions: Tensor | null;
  /** The last layer's appended [SUM] queries (sumQueryIntervals), or null: the scattered layout above. */
  appended: AppendedSums | null;
}

/** The last layer's layout with the S [SUM] queries appended as rows L .. L+S-1. */
interface AppendedSums {
  intervals: Tensor; // int32 [5, L+S]
  rope: RopeTable | null; // positions of the L tokens, then of the [SUM] tokens
  positions: Tensor | null; // the same positions as a tensor (ALiBi)
}

class SelfAttention extends Module<[Tensor, PassContext, boolean], Tensor> {
  readonly q_proj: Projection;
  readonly k_proj: Projection;
  readonly v_proj: Projection;
  readonly o_proj: Projection;
  constructor(private readonly cfg: ResolvedDTIModelConfig, init: Init) {
    super();
    const { dim, heads, kvHeads, headDim } = cfg;
    this.q_proj = this.module("q_proj", new Projection(dim, heads * headDim, init));
    this.k_proj = this.module("k_proj", new Projection(dim, kvHeads * headDim, init));
    this.v_proj = this.module("v_proj", new Projection(dim, kvHeads * headDim, init));
    this.o_proj = this.module("o_proj", new Projection(heads * headDim, dim, init));
  }

  /** x: [L, dim] (normalised). Returns [L, dim], or [S, dim] (rows at sumIndex) when `last`. */
  forward(x: Tensor, ctx: PassContext, last: boolean): Tensor {
    if (last && ctx.appended) return this.appendedSums(x, ctx, ctx.appended);
    const { heads: H, headDim: D } = this.cfg;
    const L = ctx.L;
    const q = this.toHeads(last && ctx.sumRows ? this.sumQueries(x, ctx) : this.q_proj.call(x), H, L, ctx.rope);
    const [k, v] = this.keysValues(x, L, ctx.rope);
    const opts = ctx.slopes ? { alibiSlopes: ctx.slopes, positions: ctx.positions! } : {};
    const att = intervalAttention(q, k, v, last ? ctx.lastIntervals! : ctx.intervals, { scale: 1 / Math.sqrt(D), ...opts });
    // [H, L|S, D] → [L|S, H·D]
    return this.merge(last ? indexSelect(att, 1, ctx.sumIndex) : att);
  }

  /** [n, h·D] projection rows → [h, n, D] (rotated when a RoPE table is given). */
  private toHeads(t: Tensor, h: number, n: number, table: RopeTable | null): Tensor {
    const lhd = reshape(t, [n, h, this.cfg.headDim]);
    if (table) return rope(lhd, table, { layout: "lhd", outLayout: "hld" }); // rotate + re-lay out
    return contiguous(transpose(lhd, 0, 1));
  }

  /** Keys (rotated) and values [heads, n, D] of the rows x [n, dim], kv heads repeated for GQA. */
  private keysValues(x: Tensor, n: number, table: RopeTable | null): [Tensor, Tensor] {
    const { heads: H, kvHeads: Hkv, headDim: D } = this.cfg;
    let k = this.toHeads(this.k_proj.call(x), Hkv, n, table);
    let v = this.toHeads(this.v_proj.call(x), Hkv, n, null);
    if (Hkv !== H) {
      // grouped-query attention: each kv head serves H/Hkv consecutive query heads (HF's repeat_kv)
      const rep = (t: Tensor) => reshape(expand(unsqueeze(t, 1), [Hkv, H / Hkv, n, D]), [H, n, D]);
      k = rep(k);
      v = rep(v);
    }
    return [k, v];
  }

  /** Attention rows [H, n, D] → [n, dim] through o_proj. */
  private merge(rows: Tensor): Tensor {
    const n = rows.shape[1];
    const merged = reshape(contiguous(transpose(rows, 0, 1)), [n, this.cfg.heads * this.cfg.headDim]);
    return this.o_proj.call(merged);
  }

  /**
   * Last layer, [SUM] queries appended: keys and values of the L tokens and of a copy of each
   * [SUM] token (rows L + s), queries only at rows L + s (rows < L are zero and see only
   * themselves; their outputs are never read). Returns [S, dim].
   */
  private appendedSums(x: Tensor, ctx: PassContext, ap: AppendedSums): Tensor {
    const { heads: H, headDim: D } = this.cfg;
    const L = ctx.L, S = ctx.sumIndex.shape[0], n = L + S;
    const xs = indexSelect(x, 0, ctx.sumIndex);
    const [k, v] = this.keysValues(concat([x, xs], 0), n, ap.rope);
    const qs = this.q_proj.call(xs);
    const q = this.toHeads(concat([zeros([L, H * D], { dtype: x.dtype, device: x.device }), qs], 0), H, n, ap.rope);
    const opts = ctx.slopes ? { alibiSlopes: ctx.slopes, positions: ap.positions! } : {};
    const att = intervalAttention(q, k, v, ap.intervals, { scale: 1 / Math.sqrt(D), ...opts });
    return this.merge(slice(att, 1, L, n));
  }

  /**
   * Last layer: queries projected at the [SUM] rows only (the other queries see only themselves
   * and are never read), scattered into a zero [L, H·D] so the kernel keeps one row per token.
   */
  private sumQueries(x: Tensor, ctx: PassContext): Tensor {
    const width = this.cfg.heads * this.cfg.headDim;
    const qs = this.q_proj.call(indexSelect(x, 0, ctx.sumIndex));
    return scatterAdd(zeros([ctx.L, width], { dtype: x.dtype, device: x.device }), 0, ctx.sumRows!, qs);
  }
}

class SwiGLU extends Module {
  readonly gate_proj: Projection;
  readonly up_proj: Projection;
  readonly down_proj: Projection;
  constructor(dim: number, hidden: number, init: Init) {
    super();
    this.gate_proj = this.module("gate_proj", new Projection(dim, hidden, init));
    this.up_proj = this.module("up_proj", new Projection(dim, hidden, init));
    this.down_proj = this.module("down_proj", new Projection(hidden, dim, init));
  }
  forward(x: Tensor): Tensor {
    return this.down_proj.call(mul(silu(this.gate_proj.call(x)), this.up_proj.call(x)));
  }
}

class DecoderLayer extends Module<[Tensor, PassContext, boolean], Tensor> {
  readonly self_attn: SelfAttention;
  readonly mlp: SwiGLU;
  readonly input_layernorm: RMSNorm;
  readonly post_attention_layernorm: RMSNorm;
  constructor(cfg: ResolvedDTIModelConfig, init: Init) {
    super();
    this.self_attn = this.module("self_attn", new SelfAttention(cfg, init));
    this.mlp = this.module("mlp", new SwiGLU(cfg.dim, cfg.ffnHidden, init));
    this.input_layernorm = this.module("input_layernorm", new RMSNorm(cfg.dim, { eps: cfg.normEps, dtype: cfg.dtype }));
    this.post_attention_layernorm = this.module("post_attention_layernorm", new RMSNorm(cfg.dim, { eps: cfg.normEps, dtype: cfg.dtype }));
  }
  /** h: [L, dim] → [L, dim], or [S, dim] (the [SUM] rows) when `last`. */
  forward(h: Tensor, ctx: PassContext, last: boolean): Tensor {
    const a = this.self_attn.call(this.input_layernorm.call(h), ctx, last);
    const res = last ? indexSelect(h, 0, ctx.sumIndex) : h;
    const h2 = add(res, a);
    return add(h2, this.mlp.call(this.post_attention_layernorm.call(h2)));
  }
}

/** The LLaMA backbone ("model." in HF names): embeddings, decoder layers, final norm. */
class Backbone extends Module<never[], never> {
  readonly embed_tokens: Embedding;
  readonly layers: ModuleList<DecoderLayer>;
  readonly norm: RMSNorm;
  constructor(cfg: ResolvedDTIModelConfig, init: Init) {
    super();
    this.embed_tokens = this.module("embed_tokens", new Embedding(cfg.vocabSize, cfg.dim, { std: init.std, dtype: init.dtype, generator: init.generator }));
    this.layers = this.module("layers", new ModuleList(Array.from({ length: cfg.layers }, () => new DecoderLayer(cfg, init))));
    this.norm = this.module("norm", new RMSNorm(cfg.dim, { eps: cfg.normEps, dtype: cfg.dtype }));
  }
  forward(): never {
    throw new TypeError("recforge: DTIModel: call the model, not its backbone");
  }
}

/** One [SUM] head row (1 × dim) and bias. Named "score" as HF's sequence-classification head. */
class ScoreHead extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor | null;
  constructor(dim: number, withBias: boolean, init: Init) {
    super();
    this.weight = this.param("weight", normalInit([1, dim], init.std, init));
    this.bias = withBias ? this.param("bias", zeros([1], { dtype: init.dtype })) : null;
  }
  forward(x: Tensor): Tensor {
    return linear(x, this.weight, this.bias);
  }
}

function checkBatch(b: PackedBatch, vocab: number): void {
  if (b === null || typeof b !== "object") throw new TypeError("recforge: DTIModel.forward: expected a PackedBatch");
  for (const f of ["tokens", "positions", "intervals", "sumIndex"] as const)
    if (!(b[f] instanceof Int32Array)) throw new TypeError(`recforge: DTIModel.forward: batch.${f} must be an Int32Array`);
  const L = b.tokens.length;
  if (b.positions.length !== L) throw new RangeError(`recforge: DTIModel.forward: batch.positions has length ${b.positions.length}, tokens ${L}`);
  if (b.intervals.length !== 5 * L) throw new RangeError(`recforge: DTIModel.forward: batch.intervals has length ${b.intervals.length}, expected 5·L = ${5 * L}`);
  for (let i = 0; i < L; i++) {
    const t = b.tokens[i];
    if (t < 0 || t >= vocab) throw new RangeError(`recforge: DTIModel.forward: token ${i} has id ${t}, outside the vocabulary [0, ${vocab})`);
  }
  // Checked here too (the kernel checks the intervals it is given): the last layer replaces the
  // intervals of non-[SUM] tokens, and a bad batch must fail the same way whatever the depth.
  const iv = b.intervals;
  for (let i = 0; i < L; i++) {
    for (const [r, what] of [[0, "prefix"], [2, "context"]] as const) {
      const lo = iv[r * L + i], hi = iv[(r + 1) * L + i];
      if (lo < 0 || hi > L)
        throw new RangeError(`recforge: DTIModel.forward: token ${i}: ${what} interval [${lo}, ${hi}) must satisfy 0 <= lo and hi <= L = ${L}`);
    }
    const sl = iv[4 * L + i];
    if (sl < 0 || sl > i) throw new RangeError(`recforge: DTIModel.forward: token ${i}: selfLo = ${sl} must satisfy 0 <= selfLo <= ${i}`);
  }
  for (let s = 0; s < b.sumIndex.length; s++) {
    const i = b.sumIndex[s];
    if (i < 0 || i >= L) throw new RangeError(`recforge: DTIModel.forward: sumIndex[${s}] = ${i} is outside [0, ${L})`);
  }
}

/** int32 [S, width] whose row s is sumIndex[s] (scatter indices), or null when sumIndex repeats a token. */
function sumRowsIndex(sumIndex: Int32Array, width: number, device: Device): Tensor | null {
  if (new Set(sumIndex).size !== sumIndex.length) return null;
  const idx = new Int32Array(sumIndex.length * width);
  sumIndex.forEach((i, s) => idx.fill(i, s * width, (s + 1) * width));
  return tensor(idx, { shape: [sumIndex.length, width], device });
}

/** Intervals for the last layer: [SUM] queries unchanged, every other query sees only itself. */
function sumOnlyIntervals(iv: Int32Array, L: number, sumIndex: Int32Array): Int32Array {
  const out = new Int32Array(5 * L);
  for (let i = 0; i < L; i++) out[4 * L + i] = i; // prefix [0, 0), context [0, 0), self [i, i]
  for (const i of sumIndex) for (let r = 0; r < 5; r++) out[r * L + i] = iv[r * L + i];
  return out;
}

/**
 * Decoder-only CTR model. forward(batch) returns the logits at batch.sumIndex ([numSum]); train
 * with bceWithLogits against batch.labels.
 */
export class DTIModel extends Module<[PackedBatch], Tensor> {
  readonly config: ResolvedDTIModelConfig;
  readonly model: Backbone;
  readonly score: ScoreHead;
  private slopes: Tensor | null;

  constructor(config: DTIModelConfig) {
    super();
    const cfg = resolve(config);
    this.config = Object.freeze(cfg);
    const generator = config.seed !== undefined ? new Generator(config.seed) : config.generator;
    const init: Init = { std: cfg.initStd, dtype: cfg.dtype, generator };
    this.model = this.module("model", new Backbone(cfg, init));
    this.score = this.module("score", new ScoreHead(cfg.dim, cfg.scoreBias, init));
    // ALiBi slopes are fixed: kept on the model, outside the state dict (HF checkpoints have none).
    this.slopes = cfg.positionEncoding === "alibi" ? tensor(alibiSlopes(cfg.heads), { dtype: cfg.dtype }).keep() : null;
  }

  /** Logits at the [SUM] tokens, [numSum]. */
  forward(batch: PackedBatch): Tensor {
    return tidy(() => this.scoreRows(this.hidden(batch, true)));
  }

  /**
   * Final hidden states, before the final norm: [numSum, dim] at the [SUM] tokens (sumOnly,
   * the fast path used by forward) or [L, dim] for every token.
   */
  hidden(batch: PackedBatch, sumOnly = false): Tensor {
    const cfg = this.config;
    checkBatch(batch, cfg.vocabSize);
    return tidy(() => {
      const L = batch.tokens.length;
      const device = this.device; // the batch goes where the parameters are (model.to("cuda"))
      const tokens = tensor(batch.tokens, { device });
      const ctx: PassContext = {
        L,
        intervals: tensor(batch.intervals, { shape: [5, L], device }),
        lastIntervals: null,
        sumIndex: tensor(batch.sumIndex, { device }),
        sumRows: null,
        rope: cfg.positionEncoding === "rope" ? ropeTable(batch.positions, cfg.headDim, { base: cfg.ropeTheta, dtype: cfg.dtype, device }) : null,
        slopes: this.slopes,
        positions: cfg.positionEncoding === "alibi" ? tensor(batch.positions, { device }) : null,
        appended: null,
      };
      const appendedIv = sumOnly && cfg.layers > 0 ? sumQueryIntervals(batch.intervals, L, batch.sumIndex) : null;
      if (appendedIv) {
        const pos = appendedPositions(batch.positions, batch.sumIndex);
        ctx.appended = {
          intervals: tensor(appendedIv, { shape: [5, L + batch.sumIndex.length], device }),
          rope: cfg.positionEncoding === "rope" ? ropeTable(pos, cfg.headDim, { base: cfg.ropeTheta, dtype: cfg.dtype, device }) : null,
          positions: cfg.positionEncoding === "alibi" ? tensor(pos, { device }) : null,
        };
      } else if (sumOnly) {
        // a [SUM] query's keys need three ranges (an instruction prefix apart from its context): scattered layout
        ctx.lastIntervals = tensor(sumOnlyIntervals(batch.intervals, L, batch.sumIndex), { shape: [5, L], device });
        ctx.sumRows = sumRowsIndex(batch.sumIndex, cfg.heads * cfg.headDim, device);
      }
      let h = embedding(tokens, this.model.embed_tokens.weight);
      const n = this.model.layers.length;
      let i = 0;
      for (const layer of this.model.layers) {
        const last = sumOnly && i === n - 1;
        // one scope per layer: its temporaries go as soon as it is done (the graph keeps what
        // backward needs), so evaluation without gradients holds one layer's worth at a time
        const input = h;
        const next = tidy(() => layer.call(input, ctx, last));
        h.dispose();
        h = next;
        i++;
      }
      if (sumOnly && n === 0) {
        const sel = indexSelect(h, 0, ctx.sumIndex);
        h.dispose();
        h = sel;
      }
      return h;
    });
  }

  /** Final RMSNorm and score head on hidden rows [S, dim] → logits [S]. */
  scoreRows(h: Tensor): Tensor {
    return tidy(() => {
      const logits = this.score.call(this.model.norm.call(h));
      return reshape(logits, [logits.shape[0]]);
    });
  }

  /** Moves the parameters, and the fixed ALiBi slopes kept beside them, to `device`. */
  override to(device: Device): this {
    super.to(device);
    if (this.slopes && this.slopes.device !== device) this.slopes._adoptStorage(toDeviceRaw(this.slopes, device));
    return this;
  }

  override dispose(): void {
    this.slopes?.dispose();
    super.dispose();
  }
}
