// Small, obviously-correct float64 references for the op tests, plus the random data and
// comparison helpers they share. Arrays are { shape: number[], data: Float64Array } in
// row-major order; nothing here calls recforge except the conversion helpers at the end.

import { mulberry32 } from "../../dist/prng.js";

// ---- seeded random numbers (mulberry32 of lib/prng.ts: tiny, deterministic across platforms) -------
export function rng(seed = 1) {
  const next = mulberry32(seed);
  return {
    next,
    uniform: (lo = -1, hi = 1) => lo + (hi - lo) * next(),
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo)), // [lo, hi)
    normal: () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next()),
    pick: (xs) => xs[Math.floor(next() * xs.length)],
  };
}

export const numel = (shape) => shape.reduce((p, d) => p * d, 1);
export const stridesOf = (shape) => {
  const st = new Array(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= shape[i];
  }
  return st;
};

/**
 * Random float64 data of a shape, uniform in [lo, hi). `away` keeps every value at least
 * that far from each point in `from` (for kinks such as relu at 0, where a finite
 * difference straddling the kink is meaningless).
 */
export function randData(r, shape, { lo = -2, hi = 2, away = 0, from = [0] } = {}) {
  const n = numel(shape);
  const d = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let v;
    do v = r.uniform(lo, hi);
    while (away > 0 && from.some((p) => Math.abs(v - p) < away));
    d[i] = v;
  }
  return { shape: [...shape], data: d };
}

export function arr(shape, data) {
  return { shape: [...shape], data: Float64Array.from(data) };
}

// ---- index helpers ----------------------------------------------------------------
export function unravel(i, shape) {
  const idx = new Array(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    idx[d] = i % shape[d];
    i = Math.floor(i / shape[d]);
  }
  return idx;
}
export function ravel(idx, shape) {
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d] + idx[d];
  return i;
}

export function broadcastShape(a, b) {
  const n = Math.max(a.length, b.length);
  const out = [];
  for (let i = 0; i < n; i++) {
    const da = i < n - a.length ? 1 : a[i - (n - a.length)];
    const db = i < n - b.length ? 1 : b[i - (n - b.length)];
    if (da !== db && da !== 1 && db !== 1) throw new Error(`reference: cannot broadcast ${a} and ${b}`);
    out.push(da === 1 ? db : da);
  }
  return out;
}

// Reads a (shape) at the index of an element of the broadcast `target` shape.
function bcastIndex(idx, shape) {
  const lead = idx.length - shape.length;
  let i = 0;
  for (let d = 0; d < shape.length; d++) i = i * shape[d] + (shape[d] === 1 ? 0 : idx[d + lead]);
  return i;
}

// ---- elementwise --------------------------------------------------------------------
export function unaryRef(f, a) {
  return { shape: [...a.shape], data: a.data.map(f) };
}

export function binaryRef(f, a, b) {
  const shape = broadcastShape(a.shape, b.shape);
  const n = numel(shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    data[i] = f(a.data[bcastIndex(idx, a.shape)], b.data[bcastIndex(idx, b.shape)]);
  }
  return { shape, data };
}

export function whereRef(c, a, b) {
  const shape = broadcastShape(broadcastShape(c.shape, a.shape), b.shape);
  const n = numel(shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    data[i] = c.data[bcastIndex(idx, c.shape)] !== 0 ? a.data[bcastIndex(idx, a.shape)] : b.data[bcastIndex(idx, b.shape)];
  }
  return { shape, data };
}

// Scalar functions with the same definitions as the library documents.
const erf = (x) => {
  // Abramowitz-Stegun 7.1.26 is too coarse for 1e-6 checks: use a series / continued fraction.
  const t = Math.abs(x);
  let r;
  if (t < 3) {
    let sum = t, term = t;
    for (let k = 1; k < 200; k++) {
      term *= (-t * t) / k;
      const add = term / (2 * k + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // erfc continued fraction (Lentz), accurate for t >= 3
    let f = t, c = t, d = 0;
    for (let k = 1; k < 200; k++) {
      const an = k / 2;
      d = t + an * d;
      d = 1 / d;
      c = t + an / c;
      f *= c * d;
      if (Math.abs(c * d - 1) < 1e-16) break;
    }
    r = 1 - Math.exp(-t * t) / (f * Math.sqrt(Math.PI));
  }
  return x < 0 ? -r : r;
};
export const scalar = {
  neg: (x) => -x,
  exp: Math.exp,
  log: Math.log,
  sqrt: Math.sqrt,
  rsqrt: (x) => 1 / Math.sqrt(x),
  abs: Math.abs,
  relu: (x) => (x > 0 ? x : 0),
  leakyRelu: (x, s = 0.01) => (x > 0 ? x : x * s),
  elu: (x, a = 1) => (x > 0 ? x : a * Math.expm1(x)),
  gelu: (x) => 0.5 * x * (1 + erf(x / Math.SQRT2)),
  silu: (x) => x / (1 + Math.exp(-x)),
  sigmoid: (x) => 1 / (1 + Math.exp(-x)),
  tanh: Math.tanh,
  square: (x) => x * x,
  reciprocal: (x) => 1 / x,
  sign: Math.sign,
  erf,
};

// ---- reductions ---------------------------------------------------------------------
/** Reduces over `axes` (sorted, unique) with f(values[]) -> number. */
export function reduceRef(a, axes, keepdim, f) {
  const ax = axes == null ? a.shape.map((_, i) => i) : (Array.isArray(axes) ? axes : [axes]).map((x) => (x < 0 ? x + a.shape.length : x));
  const kept = a.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const groups = Array.from({ length: numel(kept) }, () => []);
  for (let i = 0; i < a.data.length; i++) {
    const idx = unravel(i, a.shape).map((v, d) => (ax.includes(d) ? 0 : v));
    groups[ravel(idx, kept)].push(a.data[i]);
  }
  const data = Float64Array.from(groups.map(f));
  const shape = keepdim ? kept : a.shape.filter((_, i) => !ax.includes(i));
  return { shape, data };
}
export const reducers = {
  sum: (v) => v.reduce((p, x) => p + x, 0),
  mean: (v) => v.reduce((p, x) => p + x, 0) / v.length,
  max: (v) => v.reduce((p, x) => (p !== p || x !== x ? NaN : Math.max(p, x)), -Infinity),
  min: (v) => v.reduce((p, x) => (p !== p || x !== x ? NaN : Math.min(p, x)), Infinity),
  argmax: (v) => v.reduce((bi, x, i) => (x > v[bi] ? i : bi), 0),
  argmin: (v) => v.reduce((bi, x, i) => (x < v[bi] ? i : bi), 0),
  logsumexp: (v) => {
    const m = Math.max(...v);
    if (!Number.isFinite(m)) return m;
    return m + Math.log(v.reduce((p, x) => p + Math.exp(x - m), 0));
  },
  variance: (v, correction = 1) => {
    const mu = v.reduce((p, x) => p + x, 0) / v.length;
    return v.reduce((p, x) => p + (x - mu) ** 2, 0) / Math.max(v.length - correction, 0);
  },
};

// ---- layout -------------------------------------------------------------------------
export function permuteRef(a, dims) {
  const shape = dims.map((d) => a.shape[d]);
  const n = numel(shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    const src = new Array(a.shape.length);
    dims.forEach((d, k) => (src[d] = idx[k]));
    data[i] = a.data[ravel(src, a.shape)];
  }
  return { shape, data };
}

export function sliceRef(a, axis, start, end) {
  const shape = [...a.shape];
  shape[axis] = end - start;
  const n = numel(shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    idx[axis] += start;
    data[i] = a.data[ravel(idx, a.shape)];
  }
  return { shape, data };
}

export function concatRef(list, axis) {
  const shape = [...list[0].shape];
  shape[axis] = list.reduce((p, a) => p + a.shape[axis], 0);
  const n = numel(shape);
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const idx = unravel(i, shape);
    let k = 0, pos = idx[axis];
    while (pos >= list[k].shape[axis]) pos -= list[k++].shape[axis];
    idx[axis] = pos;
    data[i] = list[k].data[ravel(idx, list[k].shape)];
  }
  return { shape, data };
}

// ---- matmul -------------------------------------------------------------------------
/** NumPy matmul semantics on float64 arrays (1-d operands promoted, batch broadcast). */
export function matmulRef(a, b) {
  const a2 = a.shape.length === 1 ? { shape: [1, a.shape[0]], data: a.data } : a;
  const b2 = b.shape.length === 1 ? { shape: [b.shape[0], 1], data: b.data } : b;
  const M = a2.shape.at(-2), K = a2.shape.at(-1), N = b2.shape.at(-1);
  if (b2.shape.at(-2) !== K) throw new Error("reference: matmul inner dims differ");
  const ab = a2.shape.slice(0, -2), bb = b2.shape.slice(0, -2);
  const batch = broadcastShape(ab, bb);
  const nb = numel(batch);
  const data = new Float64Array(nb * M * N);
  for (let t = 0; t < nb; t++) {
    const bi = unravel(t, batch);
    const ao = bcastIndex(bi, ab) * M * K, bo = bcastIndex(bi, bb) * K * N;
    for (let m = 0; m < M; m++)
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let k = 0; k < K; k++) s += a2.data[ao + m * K + k] * b2.data[bo + k * N + n];
        data[t * M * N + m * N + n] = s;
      }
  }
  let shape = [...batch, M, N];
  if (a.shape.length === 1) shape = shape.filter((_, i) => i !== shape.length - 2);
  if (b.shape.length === 1) shape = shape.slice(0, -1);
  return { shape, data };
}

export function transposeLast(a) {
  const nd = a.shape.length;
  const dims = [...Array(nd).keys()];
  [dims[nd - 2], dims[nd - 1]] = [dims[nd - 1], dims[nd - 2]];
  return permuteRef(a, dims);
}

// ---- row-wise (last-axis) ops ---------------------------------------------------------
function rowsMap(a, f) {
  const n = a.shape.at(-1);
  const out = new Float64Array(a.data.length);
  for (let r = 0; n > 0 && r < a.data.length / n; r++) out.set(f(Array.from(a.data.subarray(r * n, (r + 1) * n))), r * n);
  return { shape: [...a.shape], data: out };
}
export function softmaxRef(a, log = false) {
  return rowsMap(a, (row) => {
    const lse = reducers.logsumexp(row);
    return row.map((x) => (log ? x - lse : Math.exp(x - lse)));
  });
}
export function layerNormRef(a, w, b, eps = 1e-5) {
  return rowsMap(a, (row) => {
    const mu = reducers.mean(row);
    const v = row.reduce((p, x) => p + (x - mu) ** 2, 0) / row.length;
    return row.map((x, i) => ((x - mu) / Math.sqrt(v + eps)) * (w ? w.data[i] : 1) + (b ? b.data[i] : 0));
  });
}
export function rmsNormRef(a, w, eps = 1e-6) {
  return rowsMap(a, (row) => {
    const ms = row.reduce((p, x) => p + x * x, 0) / row.length;
    return row.map((x, i) => (x / Math.sqrt(ms + eps)) * (w ? w.data[i] : 1));
  });
}

// ---- indexing -----------------------------------------------------------------------
export function embeddingRef(idx, w) {
  const d = w.shape[1];
  const data = new Float64Array(idx.data.length * d);
  idx.data.forEach((r, i) => data.set(w.data.subarray(r * d, (r + 1) * d), i * d));
  return { shape: [...idx.shape, d], data };
}
export function gatherRef(x, axis, idx) {
  const data = new Float64Array(idx.data.length);
  for (let i = 0; i < data.length; i++) {
    const p = unravel(i, idx.shape);
    p[axis] = idx.data[i];
    data[i] = x.data[ravel(p, x.shape)];
  }
  return { shape: [...idx.shape], data };
}
export function scatterAddRef(x, axis, idx, src) {
  const data = Float64Array.from(x.data);
  for (let i = 0; i < idx.data.length; i++) {
    const p = unravel(i, idx.shape);
    p[axis] = idx.data[i];
    data[ravel(p, x.shape)] += src.data[i];
  }
  return { shape: [...x.shape], data };
}
export function indexSelectRef(x, axis, idx) {
  const shape = [...x.shape];
  shape[axis] = idx.data.length;
  const data = new Float64Array(numel(shape));
  for (let i = 0; i < data.length; i++) {
    const p = unravel(i, shape);
    p[axis] = idx.data[p[axis]];
    data[i] = x.data[ravel(p, x.shape)];
  }
  return { shape, data };
}

// ---- losses -------------------------------------------------------------------------
export function bceRef(x, y, posWeight = 1) {
  return binaryRef((l, t) => {
    const logSig = -Math.log1p(Math.exp(-Math.abs(l))) + Math.min(l, 0); // log sigmoid(l)
    const logOneMinus = logSig - l; // log(1 - sigmoid(l))
    return -(posWeight * t * logSig + (1 - t) * logOneMinus);
  }, x, y);
}
export function crossEntropyRef(logits, target, ignoreIndex = -100) {
  const [n, c] = logits.shape;
  const data = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = target.data[i];
    if (t === ignoreIndex) continue;
    const row = Array.from(logits.data.subarray(i * c, (i + 1) * c));
    data[i] = reducers.logsumexp(row) - row[t];
  }
  return { shape: [n], data };
}

// ---- conversion and comparison ------------------------------------------------------
/** recforge Tensor -> { shape, data: Float64Array } */
export function fromTensor(t) {
  return { shape: [...t.shape], data: Float64Array.from(t.toTypedArray()) };
}

/**
 * Compares actual (a Tensor or reference array) with the expected reference array:
 * shapes equal and |a - e| <= atol + rtol |e| elementwise (NaN matches NaN, ±inf match
 * exactly). Reports the worst element through ava's assertion `t`.
 */
export function assertClose(t, actual, expected, { rtol = 1e-12, atol = 1e-12, what = "" } = {}) {
  const a = actual && typeof actual.toTypedArray === "function" ? fromTensor(actual) : actual;
  const label = what ? `${what}: ` : "";
  if (a.shape.length !== expected.shape.length || a.shape.some((d, i) => d !== expected.shape[i])) {
    t.fail(`${label}shape [${a.shape}] differs from expected [${expected.shape}]`);
    return false;
  }
  let worst = -1, worstRatio = 0;
  for (let i = 0; i < expected.data.length; i++) {
    const x = a.data[i], e = expected.data[i];
    let ratio;
    if (Number.isNaN(e) || Number.isNaN(x)) ratio = Number.isNaN(e) && Number.isNaN(x) ? 0 : Infinity;
    else if (!Number.isFinite(e) || !Number.isFinite(x)) ratio = x === e ? 0 : Infinity;
    else ratio = Math.abs(x - e) / (atol + rtol * Math.abs(e));
    if (ratio > worstRatio) {
      worstRatio = ratio;
      worst = i;
    }
  }
  if (worstRatio > 1) {
    const idx = unravel(worst, expected.shape);
    t.fail(`${label}element [${idx}] of shape [${expected.shape}] is ${a.data[worst]}, expected ${expected.data[worst]} (${worstRatio.toExponential(2)}x the tolerance)`);
    return false;
  }
  t.pass();
  return true;
}
