// Sampled softmax for large output vocabularies (Jean et al. 2015; TensorFlow's
// sampled_softmax_loss), as GatedLongRec's code uses it (shared/reference/gatedlongrec.md,
// "Item NLL"):
//   - negatives from a log-uniform (Zipf) distribution over FREQUENCY RANK k = 0, 1, ...:
//       P(k) = (log(k + 2) − log(k + 1)) / log(N + 1)
//     drawn without repetition (unique, the default: draws are repeated until S distinct
//     items are found; `tries` counts every draw) or with repetition;
//   - every logit (true and sampled) corrected by −log(expected count of that item in the
//     sample): unique: 1 − (1 − P)^tries, with repetition: S·P;
//   - a sampled item equal to the row's true item ("accidental hit") gets logit −∞;
//   - loss = cross-entropy over [true logit, sampled logits] with the true class first.
// With every item drawn exactly once and no correction, the candidate set is the whole
// vocabulary once and the loss IS the full softmax cross-entropy (tested). Composite of
// differentiable ops (embedding, matmul, concat, crossEntropy), so gradients come for free.
import { Tensor } from "../tensor/tensor.js";
import { tidy } from "../tensor/scope.js";
import { shapeStr } from "../tensor/shape.js";
import { tensor } from "./creation.js";
import { options } from "./core.js";
import { add, mul, sub } from "./elementwise.js";
import { embedding, indexSelect } from "./indexing.js";
import { matmul } from "./matmul.js";
import { concat, reshape, transpose } from "./shape.js";
import { sum } from "./reduce.js";
import { crossEntropy } from "./loss.js";

/** A drawn candidate set: item ids and log expected counts (null: no correction). */
export interface CandidateSample {
  ids: Int32Array;
  /** log(expected count) of each sampled id. */
  sampledLogQ: Float64Array | null;
  /** log(expected count) of each row's true item. */
  targetLogQ: Float64Array | null;
}

export interface LogUniformSamplerOptions {
  /** Seed of the sampler's own stream (default 0). */
  seed?: number;
  /** Draw without repetition (default true, as TensorFlow's and the reference code's sampler). */
  unique?: boolean;
}

/**
 * Log-uniform (Zipf) sampler over frequency rank. `order[k]` is the item id of frequency rank k
 * (most frequent first); ids outside `order` (e.g. the padding id) are never drawn.
 */
export class LogUniformSampler {
  readonly numCandidates: number;
  readonly unique: boolean;
  private readonly order: Int32Array;
  private readonly rankOf: Int32Array; // id -> rank, -1 when not a candidate
  private readonly logN1: number;
  private state: number;

  constructor(order: ArrayLike<number>, opts: LogUniformSamplerOptions = {}) {
    const n = order.length;
    if (n < 1) throw new RangeError("recforge: LogUniformSampler: needs at least one candidate item");
    let maxId = -1;
    for (let k = 0; k < n; k++) {
      const id = order[k];
      if (!Number.isInteger(id) || id < 0) throw new RangeError(`recforge: LogUniformSampler: order[${k}] = ${String(id)} is not an item id (integer >= 0)`);
      maxId = Math.max(maxId, id);
    }
    this.rankOf = new Int32Array(maxId + 1).fill(-1);
    this.order = Int32Array.from(order);
    for (let k = 0; k < n; k++) {
      if (this.rankOf[this.order[k]] >= 0) throw new RangeError(`recforge: LogUniformSampler: item ${this.order[k]} appears twice in the order`);
      this.rankOf[this.order[k]] = k;
    }
    this.numCandidates = n;
    this.unique = opts.unique ?? true;
    this.logN1 = Math.log(n + 1);
    const seed = opts.seed ?? 0;
    if (!Number.isInteger(seed)) throw new TypeError(`recforge: LogUniformSampler: seed must be an integer, got ${String(seed)}`);
    this.state = seed >>> 0;
  }

  /** Candidates ordered by descending count (ties by id); ids in `exclude` (e.g. [0]) are left out. */
  static fromCounts(counts: ArrayLike<number>, opts: LogUniformSamplerOptions & { exclude?: number[] } = {}): LogUniformSampler {
    const ex = new Set(opts.exclude ?? []);
    const ids: number[] = [];
    for (let i = 0; i < counts.length; i++) if (!ex.has(i)) ids.push(i);
    ids.sort((a, b) => counts[b] - counts[a] || a - b);
    return new LogUniformSampler(ids, opts);
  }

  /** P(item) under the sampler (0 for an id that is not a candidate). */
  probability(id: number): number {
    const k = id >= 0 && id < this.rankOf.length ? this.rankOf[id] : -1;
    return k < 0 ? 0 : (Math.log(k + 2) - Math.log(k + 1)) / this.logN1;
  }

  /** The stream position (a checkpoint can store it and setState() resumes the same draws). */
  getState(): number {
    return this.state;
  }
  setState(s: number): void {
    if (!Number.isInteger(s) || s < 0 || s > 0xffffffff) throw new RangeError(`recforge: LogUniformSampler.setState: expected a uint32, got ${String(s)}`);
    this.state = s;
  }

  private uniform(): number {
    // mulberry32 (lib/prng.ts) with the state kept here
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  private drawRank(): number {
    // inverse CDF: CDF(k) = log(k + 2) / log(N + 1), so k = floor(exp(u·log(N + 1))) − 1
    const k = Math.floor(Math.exp(this.uniform() * this.logN1)) - 1;
    return Math.min(Math.max(k, 0), this.numCandidates - 1);
  }

  private logExpected(id: number, S: number, tries: number, where: string): number {
    const p = this.probability(id);
    if (p === 0) throw new RangeError(`recforge: LogUniformSampler: ${where} item ${id} is not a candidate of the sampler`);
    return this.unique ? Math.log(-Math.expm1(tries * Math.log1p(-p))) : Math.log(S * p);
  }

  /** Draws S negatives; with `targets`, also the log expected counts of the true items. */
  sample(S: number, targets?: ArrayLike<number>): CandidateSample & { tries: number } {
    if (!Number.isInteger(S) || S < 1) throw new RangeError(`recforge: LogUniformSampler.sample: S must be an integer >= 1, got ${String(S)}`);
    if (this.unique && S > this.numCandidates)
      throw new RangeError(`recforge: LogUniformSampler.sample: ${S} distinct samples requested from ${this.numCandidates} candidates`);
    const ids = new Int32Array(S);
    let tries = 0;
    if (this.unique) {
      const seen = new Set<number>();
      while (seen.size < S) {
        const k = this.drawRank();
        tries++;
        if (!seen.has(k)) {
          ids[seen.size] = this.order[k];
          seen.add(k);
        }
      }
    } else {
      for (let i = 0; i < S; i++) ids[i] = this.order[this.drawRank()];
      tries = S;
    }
    const sampledLogQ = Float64Array.from(ids, (id) => this.logExpected(id, S, tries, "sampled"));
    const targetLogQ = targets ? Float64Array.from(targets, (id) => this.logExpected(id, S, tries, "target")) : null;
    return { ids, sampledLogQ, targetLogQ, tries };
  }
}

export interface SampledSoftmaxOptions {
  /** Subtract log(expected count) from the logits (default true; needs the sample's logQ arrays). */
  correction?: boolean;
  /** Give sampled items equal to the row's target logit −∞ (default true). */
  removeAccidentalHits?: boolean;
}

/**
 * Mean sampled-softmax cross-entropy. hidden [B, H]; weight [items, H] (the output / tied
 * embedding matrix); bias [items] or null; targets: B item ids (array or int32 Tensor); sample: from
 * LogUniformSampler.sample (or any CandidateSample). Differentiable in hidden, weight, bias.
 */
export function sampledSoftmaxLoss(hidden: Tensor, weight: Tensor, bias: Tensor | null, targets: ArrayLike<number> | Tensor,
  sample: CandidateSample, opts: SampledSoftmaxOptions = {}): Tensor {
  const op = "sampledSoftmaxLoss";
  opts = options(opts, op);
  if (targets instanceof Tensor) {
    targets._check(`${op} targets`);
    if (targets.dtype !== "int32" || targets.ndim !== 1) throw new TypeError(`recforge: ${op}: a targets Tensor must be int32 [B], got ${shapeStr(targets.shape)} ${targets.dtype}`);
    targets = targets.toTypedArray() as Int32Array; // the accidental-hit mask is built on the host
  }
  if (targets === null || typeof targets !== "object") throw new TypeError(`recforge: ${op}: targets must be an array of item ids or an int32 Tensor`);
  if (sample === null || typeof sample !== "object") throw new TypeError(`recforge: ${op}: sample must be a CandidateSample (from LogUniformSampler.sample)`);
  if (!(hidden instanceof Tensor) || hidden.ndim !== 2) throw new TypeError(`recforge: ${op}: hidden must be a [B, H] Tensor`);
  if (!(weight instanceof Tensor) || weight.ndim !== 2 || weight.shape[1] !== hidden.shape[1])
    throw new RangeError(`recforge: ${op}: weight must be [items, ${hidden.shape[1]}] to match hidden ${shapeStr(hidden.shape)}, got ${weight instanceof Tensor ? shapeStr(weight.shape) : "no Tensor"}`);
  const [B] = hidden.shape;
  const N = weight.shape[0];
  if (bias !== null && (!(bias instanceof Tensor) || bias.ndim !== 1 || bias.shape[0] !== N))
    throw new RangeError(`recforge: ${op}: bias must be [${N}] or null, got ${bias instanceof Tensor ? shapeStr(bias.shape) : String(bias)}`);
  if (!targets || targets.length !== B) throw new RangeError(`recforge: ${op}: ${targets ? targets.length : "no"} targets for ${B} rows of hidden`);
  const ids = sample?.ids;
  if (!(ids instanceof Int32Array) || ids.length < 1) throw new TypeError(`recforge: ${op}: sample.ids must be a non-empty Int32Array`);
  for (const [what, list] of [["target", targets], ["sampled id", ids]] as const)
    for (let i = 0; i < list.length; i++)
      if (!Number.isInteger(list[i]) || list[i] < 0 || list[i] >= N) throw new RangeError(`recforge: ${op}: ${what} ${String(list[i])} at position ${i} is out of range [0, ${N})`);
  const correction = opts.correction ?? true;
  if (correction) {
    if (!sample.sampledLogQ || sample.sampledLogQ.length !== ids.length || !sample.targetLogQ || sample.targetLogQ.length !== B)
      throw new RangeError(`recforge: ${op}: correction needs sample.sampledLogQ [${ids.length}] and sample.targetLogQ [${B}] (draw with sampler.sample(S, targets), or pass correction: false)`);
  }
  const S = ids.length;
  const dev = hidden.device, dtype = hidden.dtype;
  return tidy(() => {
    const tIdx = tensor(Int32Array.from(targets), { dtype: "int32", shape: [B], device: dev });
    const sIdx = tensor(ids, { dtype: "int32", shape: [S], device: dev });
    let trueLogit = sum(mul(hidden, embedding(tIdx, weight)), 1, true); // [B, 1]
    let sampled = matmul(hidden, transpose(embedding(sIdx, weight))); // [B, S]
    if (bias) {
      trueLogit = add(trueLogit, reshape(indexSelect(bias, 0, tIdx), [B, 1]));
      sampled = add(sampled, reshape(indexSelect(bias, 0, sIdx), [1, S]));
    }
    if (correction) {
      trueLogit = sub(trueLogit, tensor(sample.targetLogQ!, { dtype, shape: [B, 1], device: dev }));
      sampled = sub(sampled, tensor(sample.sampledLogQ!, { dtype, shape: [1, S], device: dev }));
    }
    if (opts.removeAccidentalHits ?? true) {
      const mask = new Float64Array(B * S);
      let hits = 0;
      for (let b = 0; b < B; b++)
        for (let s = 0; s < S; s++)
          if (ids[s] === targets[b]) {
            mask[b * S + s] = -Infinity;
            hits++;
          }
      if (hits) sampled = add(sampled, tensor(mask, { dtype, shape: [B, S], device: dev }));
    }
    const logits = concat([trueLogit, sampled], 1);
    return crossEntropy(logits, tensor(new Int32Array(B), { dtype: "int32", shape: [B], device: dev }));
  });
}
