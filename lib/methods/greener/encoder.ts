// GREENer's sentence features. The reference uses a pretrained sentence encoder; none is
// available offline here, so we use a documented DETERMINISTIC encoder instead:
//
//   v(sentence) = normalise( Σ_t tfidf(t) · r(t) ),   r(t) ∈ R^dim
//
// tfidf: the TF-IDF vector of the sentence's tokens (lib/text Tfidf, fitted on the training
// sentences; sklearn weighting, L2-normalised), and r(t) a fixed pseudo-random Gaussian vector
// per TERM (entries N(0, 1/dim)), drawn from a PRNG seeded by a hash of the term string — so a
// term's vector does not depend on the vocabulary order or size, and the same corpus gives
// the same features on every machine. This is a random projection of TF-IDF (Johnson–
// Lindenstrauss: cosines between sentences are preserved up to O(1/sqrt(dim))). It carries
// lexical, not semantic, similarity; the trainable per-type projection of the model sits on top.
//
// With surfaceFeatures (default on) two more entries follow the projection, the sentence
// statistics a pretrained encoder would carry implicitly but the normalised projection loses:
//   log(1 + #tokens) / log(64)   (length)
//   mean idf of the tokens / max idf   (how generic the wording is: common words have low idf)
// (the width is then dim + 2).
import { Tensor } from "../../tensor/tensor.js";
import { native } from "../../native.js";
import { mulberry32 } from "../../prng.js";
import { runSync, type Steps } from "../step_loop.js";

/** The part of lib/text's Tfidf the encoder needs. */
export interface TfidfLike {
  readonly vocab: ReadonlyMap<string, number>;
  readonly idf: Float64Array;
  transform(tokens: readonly string[]): { idx: Int32Array; val: Float64Array };
}

// FNV-1a over UTF-16 code units
function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class TfidfProjectionEncoder {
  /** projection width */
  readonly dim: number;
  /** output width: dim, plus 2 with surface features */
  readonly width: number;
  readonly seed: number;
  readonly surfaceFeatures: boolean;
  private readonly maxIdf: number;
  private readonly tfidf: TfidfLike;
  private readonly termOf: string[];
  private readonly rows: Float32Array; // [vocab, dim], filled lazily
  private readonly filled: Uint8Array;

  constructor(tfidf: TfidfLike, opts: { dim?: number; seed?: number; surfaceFeatures?: boolean } = {}) {
    this.dim = opts.dim ?? 256;
    this.seed = opts.seed ?? 0;
    this.surfaceFeatures = opts.surfaceFeatures ?? true;
    this.width = this.dim + (this.surfaceFeatures ? 2 : 0);
    let m = 0;
    for (let i = 0; i < tfidf.idf.length; i++) m = Math.max(m, tfidf.idf[i]);
    this.maxIdf = m || 1;
    if (!Number.isInteger(this.dim) || this.dim < 1) throw new RangeError(`GREENer encoder: dim must be a positive integer, got ${this.dim}`);
    this.tfidf = tfidf;
    this.termOf = new Array(tfidf.vocab.size);
    for (const [t, id] of tfidf.vocab) this.termOf[id] = t;
    this.rows = new Float32Array(tfidf.vocab.size * this.dim);
    this.filled = new Uint8Array(tfidf.vocab.size);
  }

  /** r(term id): Gaussian entries (Box–Muller) with variance 1/dim. */
  private termVector(id: number): Float32Array {
    const d = this.dim, row = this.rows.subarray(id * d, (id + 1) * d);
    if (!this.filled[id]) {
      const rand = mulberry32(hashString(this.termOf[id], this.seed));
      const scale = 1 / Math.sqrt(d);
      for (let i = 0; i < d; i += 2) {
        const u = 1 - rand(), v = rand();
        const r = Math.sqrt(-2 * Math.log(u)) * scale;
        row[i] = r * Math.cos(2 * Math.PI * v);
        if (i + 1 < d) row[i + 1] = r * Math.sin(2 * Math.PI * v);
      }
      this.filled[id] = 1;
    }
    return row;
  }

  /** The vector of one token list: the unit-length projection (all zeros when no token is in the vocabulary), then the surface features. */
  encode(tokens: readonly string[], out = new Float32Array(this.width)): Float32Array {
    out.fill(0);
    const v = this.tfidf.transform(tokens);
    for (let k = 0; k < v.idx.length; k++) {
      const r = this.termVector(v.idx[k]), w = v.val[k];
      for (let i = 0; i < this.dim; i++) out[i] += w * r[i];
    }
    let s = 0;
    for (let i = 0; i < this.dim; i++) s += out[i] * out[i];
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let i = 0; i < this.dim; i++) out[i] *= inv;
    }
    if (this.surfaceFeatures) {
      let idfSum = 0, known = 0;
      for (const t of tokens) {
        const id = this.tfidf.vocab.get(t);
        if (id !== undefined) (idfSum += this.tfidf.idf[id]), known++;
      }
      out[this.dim] = Math.log(1 + tokens.length) / Math.log(64);
      out[this.dim + 1] = known ? idfSum / known / this.maxIdf : 1;
    }
    return out;
  }

  /**
   * [n, width + extra.width] float32 tensor of the given token lists; `extra` appends
   * per-sentence columns after the encoder's (row-major [n, extra.width], e.g. the item
   * centrality features of centrality.ts).
   */
  encodeAll(sentences: readonly (readonly string[])[], extra?: { values: Float32Array; width: number }): Tensor {
    return encodeRows(this, sentences, extra, "GREENer encoder");
  }
}

/**
 * [n, encoder.width + extra.width] float32 tensor: each sentence encoded by `encoder.encode`, then
 * `extra`'s row-major per-sentence columns. Shared by every sentence encoder of GREENer.
 */
export function encodeRows(
  encoder: { readonly width: number; encode(tokens: readonly string[], out: Float32Array<ArrayBuffer>): unknown },
  sentences: readonly (readonly string[])[],
  extra: { values: Float32Array; width: number } | undefined,
  who: string,
): Tensor {
  return runSync(encodeRowsSteps(encoder, sentences, extra, who));
}

/** Sentences encoded between two boundaries of encodeRowsSteps (a few tens of milliseconds). */
export const ENCODE_CHUNK = 2048;

/**
 * encodeRows as a trainer core (lib/methods/step_loop.ts): a "prepare" boundary (stage
 * "sentence features") after every ENCODE_CHUNK sentences, so an async trainer keeps the event
 * loop turning while it encodes tens of thousands of sentences.
 */
export function* encodeRowsSteps(
  encoder: { readonly width: number; encode(tokens: readonly string[], out: Float32Array<ArrayBuffer>): unknown },
  sentences: readonly (readonly string[])[],
  extra: { values: Float32Array; width: number } | undefined,
  who: string,
): Steps<Tensor> {
  const ew = extra?.width ?? 0;
  if (extra && extra.values.length !== sentences.length * ew) {
    throw new RangeError(`${who}: extra columns hold ${extra.values.length} values, expected ${sentences.length} × ${ew}`);
  }
  const w = encoder.width, rw = w + ew, n = sentences.length;
  const buf = new Float32Array(n * rw);
  for (let i = 0; i < n; i++) {
    encoder.encode(sentences[i], buf.subarray(i * rw, i * rw + w));
    if (extra) buf.set(extra.values.subarray(i * ew, (i + 1) * ew), i * rw + w);
    if ((i + 1) % ENCODE_CHUNK === 0 || i + 1 === n) yield { phase: "prepare", stage: "sentence features", epoch: 0, step: i + 1, steps: n };
  }
  const t = Tensor.empty([n, rw], "float32");
  if (buf.length) native.write({ handle: t._h, byteOffset: 0, data: buf });
  return t;
}
