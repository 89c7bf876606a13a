// Sentence features LEARNED FROM THE CORPUS for GREENer: latent semantic analysis (LSA).
//
// The default encoder (encoder.ts) is a fixed random projection of TF-IDF: it keeps lexical
// similarity but learns nothing from the reviews. LSA fits the projection on the TRAINING
// sentences: the top-k right singular vectors V_k of the TF-IDF matrix A (rows = training
// sentences, L2-normalised sklearn TF-IDF), so that terms that co-occur in the domain's reviews
// ("tuner"/"tuning"/"pitch") share directions. A sentence's feature vector is
// normalise(tfidf(sentence) · V_k), then the same surface features as encoder.ts (length, mean idf).
//
// V_k comes from a randomized SVD (Halko, Martinsson & Tropp 2011, Alg. 4.4 with q power
// iterations): Y = A Ω (Ω Gaussian, k + oversample columns), orthonormalise, alternate with Aᵀ,
// then Bᵀ = Aᵀ Q, the small eigenproblem (BBᵀ = Zᵀ Z) by cyclic Jacobi, V = Z U / σ. All float64.
import { Tensor } from "../../tensor/tensor.js";
import { mulberry32 } from "../../prng.js";
import type { SparseVector } from "../../text/tfidf.js";
import { encodeRows, type TfidfLike } from "./encoder.js";

/** Orthonormalises the columns of a row-major [n, l] matrix in place (modified Gram–Schmidt, twice for stability); a column that vanishes becomes 0. */
export function orthonormaliseColumns(m: Float64Array, n: number, l: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < l; c++) {
      for (let p = 0; p < c; p++) {
        let d = 0;
        for (let i = 0; i < n; i++) d += m[i * l + c] * m[i * l + p];
        for (let i = 0; i < n; i++) m[i * l + c] -= d * m[i * l + p];
      }
      let s = 0;
      for (let i = 0; i < n; i++) s += m[i * l + c] * m[i * l + c];
      const inv = s > 1e-24 ? 1 / Math.sqrt(s) : 0;
      for (let i = 0; i < n; i++) m[i * l + c] *= inv;
    }
  }
}

/** Eigen-decomposition of a symmetric [l, l] matrix by cyclic Jacobi: values descending, vectors as columns of a row-major [l, l]. */
export function symmetricEigen(a: Float64Array, l: number): { values: Float64Array; vectors: Float64Array } {
  const m = Float64Array.from(a), v = new Float64Array(l * l);
  for (let i = 0; i < l; i++) v[i * l + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0, diag = 0;
    for (let i = 0; i < l; i++) {
      diag += m[i * l + i] * m[i * l + i];
      for (let j = i + 1; j < l; j++) off += m[i * l + j] * m[i * l + j];
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < l; p++) {
      for (let q = p + 1; q < l; q++) {
        const apq = m[p * l + q];
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * l + q] - m[p * l + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < l; k++) {
          const mkp = m[k * l + p], mkq = m[k * l + q];
          m[k * l + p] = c * mkp - s * mkq;
          m[k * l + q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < l; k++) {
          const mpk = m[p * l + k], mqk = m[q * l + k];
          m[p * l + k] = c * mpk - s * mqk;
          m[q * l + k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < l; k++) {
          const vkp = v[k * l + p], vkq = v[k * l + q];
          v[k * l + p] = c * vkp - s * vkq;
          v[k * l + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: l }, (_, i) => i).sort((x, y) => m[y * l + y] - m[x * l + x]);
  const values = Float64Array.from(order, (i) => m[i * l + i]);
  const vectors = new Float64Array(l * l);
  order.forEach((src, dst) => {
    for (let k = 0; k < l; k++) vectors[k * l + dst] = v[k * l + src];
  });
  return { values, vectors };
}

/**
 * Top-k right singular vectors of the sparse matrix whose rows are `rows` (column ids < cols):
 * V as row-major [cols, k] (column c = the c-th singular vector), sigma descending.
 */
export function randomizedSvd(rows: readonly SparseVector[], cols: number, k: number, opts: { oversample?: number; powerIterations?: number; seed?: number } = {}): { V: Float64Array; sigma: Float64Array; k: number } {
  const n = rows.length;
  if (!(Number.isInteger(k) && k >= 1)) throw new RangeError(`randomizedSvd: k must be a positive integer, got ${k}`);
  if (n === 0 || cols === 0) throw new RangeError(`randomizedSvd: empty matrix [${n}, ${cols}]`);
  const kk = Math.min(k, n, cols);
  const l = Math.min(kk + (opts.oversample ?? 10), n, cols);
  const rand = mulberry32(((opts.seed ?? 0) * 0x9e3779b1 + 7) >>> 0);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  let z = new Float64Array(cols * l);
  for (let i = 0; i < z.length; i++) z[i] = gauss();
  // y = A z  ([n, l]);  zt = Aᵀ y  ([cols, l])
  const times = (zz: Float64Array) => {
    const y = new Float64Array(n * l);
    rows.forEach((r, i) => {
      for (let t = 0; t < r.idx.length; t++) {
        const j = r.idx[t], w = r.val[t];
        for (let c = 0; c < l; c++) y[i * l + c] += w * zz[j * l + c];
      }
    });
    return y;
  };
  const timesT = (y: Float64Array) => {
    const out = new Float64Array(cols * l);
    rows.forEach((r, i) => {
      for (let t = 0; t < r.idx.length; t++) {
        const j = r.idx[t], w = r.val[t];
        for (let c = 0; c < l; c++) out[j * l + c] += w * y[i * l + c];
      }
    });
    return out;
  };
  let y = times(z);
  orthonormaliseColumns(y, n, l);
  for (let q = 0; q < (opts.powerIterations ?? 1); q++) {
    z = timesT(y);
    orthonormaliseColumns(z, cols, l);
    y = times(z);
    orthonormaliseColumns(y, n, l);
  }
  const bt = timesT(y); // Bᵀ = Aᵀ Q, [cols, l]
  const c = new Float64Array(l * l); // B Bᵀ = (Bᵀ)ᵀ Bᵀ
  for (let j = 0; j < cols; j++) {
    for (let a = 0; a < l; a++) {
      const x = bt[j * l + a];
      if (x === 0) continue;
      for (let b = a; b < l; b++) c[a * l + b] += x * bt[j * l + b];
    }
  }
  for (let a = 0; a < l; a++) for (let b = 0; b < a; b++) c[a * l + b] = c[b * l + a];
  const { values, vectors } = symmetricEigen(c, l);
  const sigma = new Float64Array(kk), V = new Float64Array(cols * kk);
  for (let s = 0; s < kk; s++) {
    sigma[s] = Math.sqrt(Math.max(0, values[s]));
    const inv = sigma[s] > 1e-12 ? 1 / sigma[s] : 0;
    for (let j = 0; j < cols; j++) {
      let acc = 0;
      for (let a = 0; a < l; a++) acc += bt[j * l + a] * vectors[a * l + s];
      V[j * kk + s] = acc * inv;
    }
  }
  return { V, sigma, k: kk };
}

/** GREENer sentence encoder over an LSA basis fitted on the training sentences' TF-IDF vectors. */
export class LsaEncoder {
  readonly dim: number;
  readonly width: number;
  readonly surfaceFeatures = true;
  readonly sigma: Float64Array;
  private readonly V: Float64Array;
  private readonly maxIdf: number;

  constructor(private readonly tfidf: TfidfLike, trainingVectors: readonly SparseVector[], opts: { dim?: number; seed?: number } = {}) {
    const svd = randomizedSvd(trainingVectors, tfidf.vocab.size, opts.dim ?? 128, { seed: opts.seed ?? 0 });
    this.dim = svd.k;
    this.V = svd.V;
    this.sigma = svd.sigma;
    this.width = this.dim + 2;
    let m = 0;
    for (let i = 0; i < tfidf.idf.length; i++) m = Math.max(m, tfidf.idf[i]);
    this.maxIdf = m || 1;
  }

  encode(tokens: readonly string[], out = new Float32Array(this.width)): Float32Array {
    out.fill(0);
    const v = this.tfidf.transform(tokens), d = this.dim;
    const acc = new Float64Array(d);
    for (let t = 0; t < v.idx.length; t++) {
      const j = v.idx[t], w = v.val[t];
      for (let c = 0; c < d; c++) acc[c] += w * this.V[j * d + c];
    }
    let s = 0;
    for (let c = 0; c < d; c++) s += acc[c] * acc[c];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let c = 0; c < d; c++) out[c] = acc[c] * inv;
    let idfSum = 0, known = 0;
    for (const t of tokens) {
      const id = this.tfidf.vocab.get(t);
      if (id !== undefined) (idfSum += this.tfidf.idf[id]), known++;
    }
    out[d] = Math.log(1 + tokens.length) / Math.log(64);
    out[d + 1] = known ? idfSum / known / this.maxIdf : 1;
    return out;
  }

  /** [n, width + extra.width] float32 tensor (as TfidfProjectionEncoder.encodeAll). */
  encodeAll(sentences: readonly (readonly string[])[], extra?: { values: Float32Array; width: number }): Tensor {
    return encodeRows(this, sentences, extra, "LSA encoder");
  }
}
