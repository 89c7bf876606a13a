// TransformerEncoderLayer (post-norm, on the fused interval-attention op) and the sinusoidal
// positional encoding: a plain float64 reference of the layer, key-padding isolation, the packed
// and padded layouts agreeing, finite-difference gradients of the input and of every parameter,
// dropout only in training, bad input.
import test from "ava";
import { tensor, tidy, noGrad, memory, TransformerEncoderLayer, sinusoidalPositionalEncoding, paddedSelfAttentionIntervals } from "../../dist/index.js";
import { assertGradcheck } from "../helpers/gradcheck.js";
import { moduleGradcheck } from "../helpers/module_gradcheck.js";
import { prng, randArray } from "./helpers.js";

// ---- the float64 reference --------------------------------------------------------------------
const lin = (x, W, b, nOut, nIn) => Array.from({ length: nOut }, (_, o) => {
  let s = b ? b[o] : 0;
  for (let i = 0; i < nIn; i++) s += W[o * nIn + i] * x[i];
  return s;
});
const layerNorm = (x, g, b, eps = 1e-5) => {
  const n = x.length, m = x.reduce((a, v) => a + v, 0) / n;
  const v = x.reduce((a, u) => a + (u - m) ** 2, 0) / n;
  return x.map((u, i) => ((u - m) / Math.sqrt(v + eps)) * g[i] + b[i]);
};
/** out[b][t] for the real tokens t < lengths[b] of x ([B·T·D] flat) under state dict `p` (arrays). */
function referenceLayer(x, B, T, D, H, F, lengths, p) {
  const dh = D / H, out = [];
  for (let b = 0; b < B; b++) {
    const n = lengths[b];
    const tok = (t) => Array.from(x.slice((b * T + t) * D, (b * T + t + 1) * D));
    const qkv = Array.from({ length: n }, (_, t) => lin(tok(t), p["self_attn.in_proj_weight"], p["self_attn.in_proj_bias"], 3 * D, D));
    const rows = [];
    for (let t = 0; t < n; t++) {
      const att = new Array(D).fill(0);
      for (let h = 0; h < H; h++) {
        const s = [];
        for (let j = 0; j < n; j++) {
          let d = 0;
          for (let e = 0; e < dh; e++) d += qkv[t][h * dh + e] * qkv[j][D + h * dh + e];
          s.push(d / Math.sqrt(dh));
        }
        const mx = Math.max(...s), ex = s.map((v) => Math.exp(v - mx)), z = ex.reduce((a, v) => a + v, 0);
        for (let j = 0; j < n; j++) for (let e = 0; e < dh; e++) att[h * dh + e] += (ex[j] / z) * qkv[j][2 * D + h * dh + e];
      }
      const o = lin(att, p["self_attn.out_proj.weight"], p["self_attn.out_proj.bias"], D, D);
      const x1 = layerNorm(tok(t).map((v, i) => v + o[i]), p["norm1.weight"], p["norm1.bias"]);
      const hid = lin(x1, p["linear1.weight"], p["linear1.bias"], F, D).map((v) => Math.max(v, 0));
      const f = lin(hid, p["linear2.weight"], p["linear2.bias"], D, F);
      rows.push(layerNorm(x1.map((v, i) => v + f[i]), p["norm2.weight"], p["norm2.bias"]));
    }
    out.push(rows);
  }
  return out;
}

const B = 3, T = 5, D = 6, H = 2, F = 7;
const LENGTHS = [5, 2, 1];

/** A layer whose every parameter (LayerNorm gains and zero-initialised biases included) is random. */
function randomLayer(dtype, seed = 5, opts = {}) {
  const m = new TransformerEncoderLayer(D, { heads: H, ffDim: F, dropout: 0.3, dtype, ...opts });
  const r = prng(seed);
  const sd = {};
  for (const [name, p] of m.namedParameters()) {
    const a = randArray(r, p.size, 0.6);
    if (name.startsWith("norm")) for (let i = 0; i < a.length; i++) a[i] += name.endsWith("weight") ? 1 : 0;
    sd[name] = a;
  }
  tidy(() => m.loadStateDict(Object.fromEntries(Object.entries(sd).map(([k, a]) => [k, tensor(a, { dtype, shape: [...m.namedParameters().find(([n]) => n === k)[1].shape] })]))));
  m.eval();
  return { m, sd };
}

function input(seed = 9, dtype = "float64") {
  const data = randArray(prng(seed), B * T * D, 1.5);
  return { data, x: tensor(data, { dtype, shape: [B, T, D] }) };
}

test("forward equals the float64 reference on the real tokens (float64 to 1e-12, float32 to 1e-5)", (t) => {
  for (const [dtype, tol] of [["float64", 1e-12], ["float32", 1e-5]]) {
    const { m, sd } = randomLayer(dtype);
    const { data, x } = input(9, dtype);
    const y = tidy(() => noGrad(() => m.call(x, LENGTHS).toTypedArray()));
    const ref = referenceLayer(data, B, T, D, H, F, LENGTHS, sd);
    let worst = 0;
    for (let b = 0; b < B; b++) for (let s = 0; s < LENGTHS[b]; s++) for (let e = 0; e < D; e++)
      worst = Math.max(worst, Math.abs(y[(b * T + s) * D + e] - ref[b][s][e]));
    t.true(worst < tol, `${dtype}: max |layer − reference| = ${worst}`);
    x.dispose();
    m.dispose();
  }
});

test("key padding: padded tokens never change a real token's output; packed = padded layout", (t) => {
  const { m } = randomLayer("float64");
  const { data, x } = input();
  const noisy = data.slice();
  for (let b = 0; b < B; b++) for (let s = LENGTHS[b]; s < T; s++) for (let e = 0; e < D; e++) noisy[(b * T + s) * D + e] = 100 * Math.cos(b + s + e);
  tidy(() => noGrad(() => {
    const a = m.call(x, LENGTHS).toTypedArray();
    const c = m.call(tensor(noisy, { dtype: "float64", shape: [B, T, D] }), LENGTHS).toTypedArray();
    // packed: only the 8 real tokens, each row's tokens seeing their own row (rowStart .. rowEnd)
    const N = LENGTHS.reduce((p, v) => p + v, 0), tokens = [], iv = new Int32Array(5 * N);
    let at = 0;
    LENGTHS.forEach((n, b) => {
      for (let s = 0; s < n; s++) {
        tokens.push(...data.slice((b * T + s) * D, (b * T + s + 1) * D));
        iv[at + s] = at;
        iv[N + at + s] = at + n;
        iv[4 * N + at + s] = at + s;
      }
      at += n;
    });
    const packed = m.forwardTokens(tensor(tokens, { dtype: "float64", shape: [N, D] }), iv).toTypedArray();
    at = 0;
    let dPad = 0, dPack = 0;
    LENGTHS.forEach((n, b) => {
      for (let s = 0; s < n; s++, at++)
        for (let e = 0; e < D; e++) {
          const i = (b * T + s) * D + e;
          dPad = Math.max(dPad, Math.abs(a[i] - c[i]));
          dPack = Math.max(dPack, Math.abs(a[i] - packed[at * D + e]));
        }
    });
    t.is(dPad, 0);
    t.true(dPack < 1e-12, `packed vs padded ${dPack}`);
  }));
  x.dispose();
  m.dispose();
});

test("gradient check (float64, finite differences): the input", (t) => {
  const { m } = randomLayer("float64");
  const x = tensor(input().data, { dtype: "float64", shape: [B, T, D], requiresGrad: true });
  const live = memory().liveTensors;
  // the helper's leak count would see the parameters' new .grad: count it here after zeroGrad
  assertGradcheck(t, (xx) => m.call(xx, LENGTHS), [x], { checkLeaks: false });
  m.zeroGrad();
  x.zeroGrad();
  t.is(memory().liveTensors, live);
  x.dispose();
  m.dispose();
});

test("gradient check (float64, finite differences): every parameter reaches the loss with the right gradient", (t) => {
  const { m } = randomLayer("float64");
  const { x } = input();
  const r = moduleGradcheck(m, () => m.call(x, LENGTHS));
  t.true(r.ok, r.message);
  t.is(r.count, 12); // in_proj w/b, out_proj w/b, linear1 w/b, linear2 w/b, norm1 w/b, norm2 w/b
  t.deepEqual(r.untouched, []);
  x.dispose();
  m.dispose();
});

test("dropout: active only in training mode; p = 0 in training equals eval; no tensors leak", (t) => {
  const { m } = randomLayer("float64");
  const { x } = input();
  const live = memory().liveTensors;
  tidy(() => noGrad(() => {
    const ev = m.call(x, LENGTHS).toTypedArray();
    t.deepEqual(m.call(x, LENGTHS).toTypedArray(), ev);
    m.train();
    const tr = m.call(x, LENGTHS).toTypedArray();
    t.notDeepEqual(tr, ev);
    m.eval();
  }));
  t.is(memory().liveTensors, live);
  const { m: m0, sd } = randomLayer("float64", 5, { dropout: 0 });
  m0.train();
  const y = tidy(() => noGrad(() => m0.call(x, LENGTHS).toTypedArray()));
  const ref = referenceLayer(input().data, B, T, D, H, F, LENGTHS, sd);
  t.true(Math.abs(y[0] - ref[0][0][0]) < 1e-12);
  x.dispose();
  m.dispose();
  m0.dispose();
});

test("sinusoidal positional encoding: values by hand, odd width", (t) => {
  const pe = sinusoidalPositionalEncoding(3, 4, { dtype: "float64" });
  t.deepEqual(pe.shape, [3, 4]);
  const v = pe.toTypedArray();
  // row 0: sin 0, cos 0, sin 0, cos 0
  t.deepEqual(Array.from(v.slice(0, 4)), [0, 1, 0, 1]);
  // row 2, pair i = 1: angle 2 / 10000^(2/4) = 2 / 100 = 0.02
  t.true(Math.abs(v[4 * 2 + 2] - Math.sin(0.02)) < 1e-15 && Math.abs(v[4 * 2 + 3] - Math.cos(0.02)) < 1e-15);
  t.true(Math.abs(v[4 * 1 + 0] - Math.sin(1)) < 1e-15 && Math.abs(v[4 * 1 + 1] - Math.cos(1)) < 1e-15);
  pe.dispose();
  const odd = sinusoidalPositionalEncoding(2, 5, { dtype: "float64" }).toTypedArray();
  // column 4 is a sine of angle 1 / 10000^(4/5)
  t.true(Math.abs(odd[5 + 4] - Math.sin(1 / 10000 ** 0.8)) < 1e-15);
  t.throws(() => sinusoidalPositionalEncoding(0, 4), { instanceOf: RangeError, message: /T must be an integer >= 1/ });
});

test("bad input: clear errors", (t) => {
  t.throws(() => new TransformerEncoderLayer(6, { heads: 4 }), { instanceOf: RangeError, message: /heads must be an integer >= 1 dividing D = 6/ });
  t.throws(() => new TransformerEncoderLayer(6), { instanceOf: TypeError, message: /options \{ heads/ });
  const { m } = randomLayer("float64");
  const { x } = input();
  t.throws(() => m.call(x, [5, 0, 1]), { instanceOf: RangeError, message: /lengths\[1\] = 0 must be an integer in \[1, T = 5\]/ });
  t.throws(() => m.call(x, [5, 6, 1]), { instanceOf: RangeError, message: /lengths\[1\] = 6/ });
  t.throws(() => m.call(x, [5, 2]), { instanceOf: RangeError, message: /one entry per row \(B = 3\)/ });
  t.throws(() => m.call(tensor(new Float64Array(12), { dtype: "float64", shape: [1, 3, 4] })), { instanceOf: RangeError, message: /x must be \[B, T, D = 6\], got \[1,3,4\]/ });
  t.deepEqual(Array.from(paddedSelfAttentionIntervals([2, 1], 2)), [0, 0, 2, 2, 2, 2, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3]);
  x.dispose();
  m.dispose();
});
