// TF-IDF vectors and cosine similarity over token lists.
// Weighting (scikit-learn's TfidfVectorizer defaults): tf = raw count in the document,
// idf(t) = ln((1 + N) / (1 + df(t))) + 1 with N documents in the fitted corpus, vectors
// L2-normalised. Terms unseen at fit time are ignored by transform(). Vectors are sparse,
// with term ids sorted ascending so a dot product is a linear merge.

export interface SparseVector {
  /** term ids, strictly increasing */
  idx: Int32Array;
  val: Float64Array;
}

export class Tfidf {
  readonly vocab = new Map<string, number>();
  idf = new Float64Array(0);
  docCount = 0;

  /** Learns vocabulary and document frequencies from `docs` (each a token list). */
  static fit(docs: Iterable<readonly string[]>): Tfidf {
    const t = new Tfidf();
    const df: number[] = [];
    let n = 0;
    for (const doc of docs) {
      n++;
      for (const w of new Set(doc)) {
        let id = t.vocab.get(w);
        if (id === undefined) { id = t.vocab.size; t.vocab.set(w, id); df.push(0); }
        df[id]++;
      }
    }
    t.docCount = n;
    t.idf = new Float64Array(df.length);
    for (let i = 0; i < df.length; i++) t.idf[i] = Math.log((1 + n) / (1 + df[i])) + 1;
    return t;
  }

  /** The L2-normalised TF-IDF vector of a token list (all zeros → empty vector). */
  transform(tokens: readonly string[]): SparseVector {
    const tf = new Map<number, number>();
    for (const w of tokens) {
      const id = this.vocab.get(w);
      if (id !== undefined) tf.set(id, (tf.get(id) ?? 0) + 1);
    }
    return normalize(fromMap(tf, (id, c) => c * this.idf[id]));
  }
}

function fromMap(m: Map<number, number>, weight: (id: number, v: number) => number): SparseVector {
  const ids = [...m.keys()].sort((a, b) => a - b);
  const idx = Int32Array.from(ids);
  const val = new Float64Array(ids.length);
  for (let i = 0; i < ids.length; i++) val[i] = weight(ids[i], m.get(ids[i])!);
  return { idx, val };
}

/** Scales v to unit L2 norm (returns v unchanged when it is all zeros). */
export function normalize(v: SparseVector): SparseVector {
  let s = 0;
  for (let i = 0; i < v.val.length; i++) s += v.val[i] * v.val[i];
  if (s === 0) return v;
  const inv = 1 / Math.sqrt(s);
  for (let i = 0; i < v.val.length; i++) v.val[i] *= inv;
  return v;
}

/** Σ a_t·b_t over shared terms. */
export function dot(a: SparseVector, b: SparseVector): number {
  let i = 0, j = 0, s = 0;
  while (i < a.idx.length && j < b.idx.length) {
    const x = a.idx[i], y = b.idx[j];
    if (x === y) { s += a.val[i++] * b.val[j++]; }
    else if (x < y) i++;
    else j++;
  }
  return s;
}

/** Cosine similarity; 0 when either vector is all zeros. */
export function cosine(a: SparseVector, b: SparseVector): number {
  const na = Math.sqrt(dot(a, a)), nb = Math.sqrt(dot(b, b));
  return na === 0 || nb === 0 ? 0 : dot(a, b) / (na * nb);
}

/** Sum of vectors (e.g. a user's or item's profile), L2-normalised. */
export function sumNormalized(vs: readonly SparseVector[]): SparseVector {
  const m = new Map<number, number>();
  for (const v of vs) for (let i = 0; i < v.idx.length; i++) m.set(v.idx[i], (m.get(v.idx[i]) ?? 0) + v.val[i]);
  return normalize(fromMap(m, (_id, x) => x));
}

/** Dense n×n row-major matrix of pairwise cosines (diagonal 1 for non-zero vectors). */
export function cosineMatrix(vs: readonly SparseVector[]): Float64Array {
  const n = vs.length;
  const norms = vs.map((v) => Math.sqrt(dot(v, v)));
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i; j < n; j++) {
      const c = norms[i] === 0 || norms[j] === 0 ? 0 : dot(vs[i], vs[j]) / (norms[i] * norms[j]);
      out[i * n + j] = c;
      out[j * n + i] = c;
    }
  }
  return out;
}
