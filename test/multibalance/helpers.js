// Shared helpers for the MultiBalance tests (not a test file: ava only runs *.test.js).
import * as rf from "../../dist/index.js";

export { rf };

/** Deterministic JS PRNG (mulberry32, lib/prng.ts). */
import { mulberry32 as prng } from "../../dist/prng.js";
export { prng };

export function randArray(rand, n, scale = 1) {
  return Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
}

export function maxRelErr(a, b) {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / Math.max(1e-12, Math.abs(b[i]), 1e-3 * maxAbs(b)));
  return m;
}
function maxAbs(b) {
  let m = 0;
  for (let i = 0; i < b.length; i++) m = Math.max(m, Math.abs(b[i]));
  return m;
}

/** max_j |a_j − b_j| / mag_j: error relative to the magnitude of the summed terms (condition-aware). */
// The kernel's stated precision (native/include/recforge/balance_gradients.h, "Precision"):
// float64 gradients: norms / m / weights to ~1e-12, out to a few ulps of Σ|w_i g_i|; float32
// gradients (float lanes): norms / m / weights within 1e-5 relative of the float64 reference
// (typically ~1e-7), out within that plus (T + 1) float roundings of Σ|w_i g_i|.
export const BALANCE_TOL = {
  float64: { state: 1e-12, out: () => 1e-14 },
  float32: { state: 1e-5, out: (T) => 1e-5 + (T + 1) * 2 ** -23 },
};

export function sumErr(a, b, mag) {
  let m = 0;
  for (let j = 0; j < a.length; j++) m = Math.max(m, Math.abs(a[j] - b[j]) / Math.max(mag[j], 1e-300));
  return m;
}

export function bitsEqual(a, b) {
  if (a.length !== b.length || a.constructor !== b.constructor) return false;
  const x = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const y = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  return Buffer.compare(x, y) === 0;
}

// ---- float64 reference of the MultiBalance rule --------------------------------------------
export const REFS = ["target", "mean", "max"];
export const STRATEGIES = ["both", "shrink", "enlarge"];

/** One step of the rule on plain arrays; mutates state {m: number[], init: boolean[]}. */
export function multiBalanceRef(grads, state, o = {}) {
  const beta = o.beta ?? 0.9, relax = o.relax ?? 0.7, ref = o.reference ?? "target", target = o.target ?? 0, strat = o.strategy ?? "both";
  const T = grads.length, N = grads[0].length;
  const norms = grads.map((g) => Math.sqrt(g.reduce((s, v) => s + v * v, 0)));
  for (let i = 0; i < T; i++) {
    state.m[i] = state.init[i] ? beta * state.m[i] + (1 - beta) * norms[i] : norms[i];
    state.init[i] = true;
  }
  const mref = ref === "target" ? state.m[target] : ref === "mean" ? state.m.reduce((a, b) => a + b, 0) / T : Math.max(...state.m);
  const weights = state.m.map((mi) => {
    let w = mi === 0 || mi === mref ? 1 : relax * (mref / mi) + (1 - relax);
    if (strat === "shrink") w = Math.min(w, 1);
    if (strat === "enlarge") w = Math.max(w, 1);
    return w;
  });
  const out = new Array(N).fill(0), mag = new Array(N).fill(0);
  for (let i = 0; i < T; i++)
    for (let j = 0; j < N; j++) {
      out[j] += weights[i] * grads[i][j];
      mag[j] += Math.abs(weights[i] * grads[i][j]);
    }
  return { out, weights, norms, mag };
}

// ---- a toy multi-task model, in recforge (float64) and by hand in JS ------------------------
// bottom: z = tanh(X W + b)  [B, d];  head t: y_t = z V_t [B];  L_t = s_t · mean((y_t − y*_t)²)
export function toyProblem(seed, { B = 7, inDim = 5, d = 4, T = 3, scales = [1, 10, 0.1, 3, 0.5] } = {}) {
  const r = prng(seed);
  return {
    B, inDim, d, T,
    X: randArray(r, B * inDim),
    W: randArray(r, inDim * d, 0.7),
    b: randArray(r, d, 0.3),
    V: Array.from({ length: T }, () => randArray(r, d)),
    Y: Array.from({ length: T }, () => randArray(r, B)),
    s: scales.slice(0, T),
  };
}

export function toyModel(p) {
  const f64 = (a, shape) => rf.tensor(Float64Array.from(a), { shape });
  const W = f64(p.W, [p.inDim, p.d]).requiresGrad_().keep();
  const b = f64(p.b, [p.d]).requiresGrad_().keep();
  const V = p.V.map((v) => f64(v, [p.d, 1]).requiresGrad_().keep());
  const X = f64(p.X, [p.B, p.inDim]).keep();
  const Y = p.Y.map((y) => f64(y, [p.B]).keep());
  return {
    W, b, V, X, Y,
    shared: [W, b],
    heads: V,
    bottom: () => rf.tanh(rf.add(rf.matmul(X, W), b)),
    losses: (zs) => zs.map((z, t) => rf.mul(rf.mse(rf.reshape(rf.matmul(z, V[t]), [p.B]), Y[t]), p.s[t])),
    dispose() {
      for (const x of [W, b, X, ...V, ...Y]) x.dispose();
    },
  };
}

/** The toy model by hand: z, per-task gradients at z, per-task gradients of W, b and V_t. */
export function toyReference(p) {
  const { B, inDim, d, T } = p;
  const z = new Array(B * d);
  for (let i = 0; i < B; i++)
    for (let k = 0; k < d; k++) {
      let a = p.b[k];
      for (let j = 0; j < inDim; j++) a += p.X[i * inDim + j] * p.W[j * d + k];
      z[i * d + k] = Math.tanh(a);
    }
  const gz = [], gV = [], losses = [];
  for (let t = 0; t < T; t++) {
    const g = new Array(B * d).fill(0), gv = new Array(d).fill(0);
    let L = 0;
    for (let i = 0; i < B; i++) {
      let y = 0;
      for (let k = 0; k < d; k++) y += z[i * d + k] * p.V[t][k];
      const e = y - p.Y[t][i];
      L += e * e;
      const c = (p.s[t] * 2 * e) / B;
      for (let k = 0; k < d; k++) {
        g[i * d + k] = c * p.V[t][k];
        gv[k] += c * z[i * d + k];
      }
    }
    gz.push(g);
    gV.push(gv);
    losses.push((p.s[t] * L) / B);
  }
  // d(bottom params) from a gradient G at z
  const bottomGrads = (G) => {
    const gW = new Array(inDim * d).fill(0), gb = new Array(d).fill(0);
    for (let i = 0; i < B; i++)
      for (let k = 0; k < d; k++) {
        const pre = G[i * d + k] * (1 - z[i * d + k] ** 2);
        gb[k] += pre;
        for (let j = 0; j < inDim; j++) gW[j * d + k] += p.X[i * inDim + j] * pre;
      }
    return [gW, gb];
  };
  return { z, gz, gV, losses, bottomGrads };
}

/** One balanced step on the toy model: returns { info, grads: {W, b, V[]} } as arrays. */
export function toyStep(model, balancer, extra = {}) {
  const info = rf.tidy(() => {
    const z = model.bottom();
    const zs = balancer.branch(z);
    const losses = model.losses(zs);
    return balancer.backward({ losses, rep: z, taskInputs: zs, sharedParams: model.shared, taskParams: model.heads, ...extra });
  });
  const g = (t) => (t.grad ? Array.from(t.grad.toTypedArray()) : null);
  const grads = { W: g(model.W), b: g(model.b), V: model.V.map(g) };
  for (const t of [model.W, model.b, ...model.V, ...balancer.parameters()]) t.zeroGrad();
  return { info, grads };
}
