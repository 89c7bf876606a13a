// intervalAttention / denseMaskedAttention against a naive float64 reference that materialises
// the L×L mask (forward and dq, dk, dv), finite-difference gradient checks, fused vs dense
// agreement, ALiBi slopes, RoPE values (HF LLaMA rotate-half) and gradients, and bad input.
import test from "ava";
import * as rf from "../../dist/index.js";
import { assertGradcheck, leaf } from "../helpers/gradcheck.js";
import { assertClose, randData, rng } from "../helpers/reference.js";

const r = rng(2025);

// ---- layouts -----------------------------------------------------------------------------
/** Random per-token intervals: arbitrary (possibly empty, overlapping) prefix/context intervals, selfLo ≤ i. */
function randomIntervals(r, L) {
  const iv = new Int32Array(5 * L);
  for (let i = 0; i < L; i++) {
    for (const row of [0, 2]) {
      const a = r.int(0, L + 1), b = r.int(0, L + 1);
      const empty = r.next() < 0.25;
      iv[row * L + i] = empty ? Math.max(a, b) : Math.min(a, b);
      iv[(row + 1) * L + i] = empty ? Math.min(a, b) : Math.max(a, b);
    }
    iv[4 * L + i] = r.next() < 0.2 ? i : r.int(0, i + 1);
  }
  return iv;
}

/** A DTI-like layout: prefix P, context interactions of c tokens, targets of t tokens, window n. */
function dtiIntervals({ P = 3, m = 6, c = 2, k = 4, t = 2, n = 3 }) {
  const ctxStart = (p) => P + p * c;
  const ctxEnd = P + m * c;
  const L = ctxEnd + k * t;
  const iv = new Int32Array(5 * L), pos = new Int32Array(L);
  for (let i = 0; i < L; i++) {
    let pl = 0, ph = 0, cl = 0, ch = 0, sl = 0;
    if (i < P) { sl = 0; pos[i] = i; }
    else if (i < ctxEnd) {
      const p = Math.floor((i - P) / c);
      ph = P; cl = ctxStart(Math.max(0, p - n)); ch = ctxStart(p); sl = ctxStart(p);
      pos[i] = i;
    } else {
      const j = Math.floor((i - ctxEnd) / t); // target j follows interaction m - k + j
      const p = m - k + j;
      ph = P; cl = ctxStart(Math.max(0, p - n)); ch = ctxStart(p); sl = ctxEnd + j * t;
      pos[i] = ctxStart(p) + (i - sl); // window-relative
    }
    iv[i] = pl; iv[L + i] = ph; iv[2 * L + i] = cl; iv[3 * L + i] = ch; iv[4 * L + i] = sl;
  }
  return { L, iv, pos };
}

// ---- reference ---------------------------------------------------------------------------
function sees(iv, L, i, j) {
  return (j >= iv[i] && j < iv[L + i]) || (j >= iv[2 * L + i] && j < iv[3 * L + i]) || (j >= iv[4 * L + i] && j <= i);
}

/** Naive attention with an explicit mask, forward and backward, float64. */
function reference(H, L, D, q, k, v, dout, iv, { scale, slopes, pos }) {
  const n = H * L * D;
  const out = new Float64Array(n), dq = new Float64Array(n), dk = new Float64Array(n), dv = new Float64Array(n);
  const at = (h, i, d) => (h * L + i) * D + d;
  for (let h = 0; h < H; h++)
    for (let i = 0; i < L; i++) {
      const s = new Float64Array(L).fill(-Infinity);
      for (let j = 0; j < L; j++) {
        if (!sees(iv, L, i, j)) continue;
        let dot = 0;
        for (let d = 0; d < D; d++) dot += q[at(h, i, d)] * k[at(h, j, d)];
        s[j] = dot * scale - (slopes ? slopes[h] * (pos[i] - pos[j]) : 0);
      }
      const m = Math.max(...s);
      let z = 0;
      for (let j = 0; j < L; j++) z += Math.exp(s[j] - m);
      const p = s.map((x) => Math.exp(x - m) / z);
      for (let d = 0; d < D; d++) {
        let o = 0;
        for (let j = 0; j < L; j++) o += p[j] * v[at(h, j, d)];
        out[at(h, i, d)] = o;
      }
      // backward of this row: dP = dout·vᵀ, dS = P ∘ (dP − Σ P dP)
      const dP = new Float64Array(L);
      let delta = 0;
      for (let j = 0; j < L; j++) {
        if (p[j] === 0) continue;
        let x = 0;
        for (let d = 0; d < D; d++) x += dout[at(h, i, d)] * v[at(h, j, d)];
        dP[j] = x;
        delta += p[j] * x;
      }
      for (let j = 0; j < L; j++) {
        if (p[j] === 0) continue;
        const dS = p[j] * (dP[j] - delta) * scale;
        for (let d = 0; d < D; d++) {
          dv[at(h, j, d)] += p[j] * dout[at(h, i, d)];
          dq[at(h, i, d)] += dS * k[at(h, j, d)];
          dk[at(h, j, d)] += dS * q[at(h, i, d)];
        }
      }
    }
  return { out, dq, dk, dv };
}

const F64 = (a, shape) => ({ shape, data: Float64Array.from(a) });

function runOp(op, H, L, D, data, iv, opts, dtype = "float64") {
  const mk = (a) => rf.tensor(Float64Array.from(a), { dtype, shape: [H, L, D], requiresGrad: true });
  const q = mk(data.q), k = mk(data.k), v = mk(data.v);
  const out = op(q, k, v, iv, opts);
  const g = rf.tensor(Float64Array.from(data.dout), { dtype, shape: [H, L, D] });
  out.backward(g);
  const res = { out: out.toTypedArray(), dq: q.grad.toTypedArray(), dk: k.grad.toTypedArray(), dv: v.grad.toTypedArray() };
  for (const x of [q, k, v, out, g]) x.dispose();
  return res;
}

function randomInputs(r, H, L, D) {
  const n = H * L * D;
  const f = () => Float64Array.from({ length: n }, () => r.uniform(-1.5, 1.5));
  return { q: f(), k: f(), v: f(), dout: f() };
}

// ---- tests -------------------------------------------------------------------------------
test("intervalAttention matches the masked reference on random layouts (forward and dq, dk, dv)", (t) => {
  const live = rf.memory().liveTensors;
  const cases = [[1, 1, 1], [2, 7, 3], [3, 37, 5], [2, 70, 16], [1, 65, 8], [4, 33, 2]];
  for (const [H, L, D] of cases)
    for (const alibi of [false, true]) {
      const data = randomInputs(r, H, L, D);
      const iv = randomIntervals(r, L);
      const pos = Int32Array.from({ length: L }, () => r.int(-20, 200));
      const slopes = alibi ? Array.from(rf.alibiSlopes(H)) : null;
      const scale = 0.7 / Math.sqrt(D);
      const ref = reference(H, L, D, data.q, data.k, data.v, data.dout, iv, { scale, slopes, pos });
      const opts = alibi ? { scale, alibiSlopes: slopes, positions: pos } : { scale };
      for (const [name, op] of [["interval", rf.intervalAttention], ["dense", rf.denseMaskedAttention]]) {
        const got = runOp(op, H, L, D, data, iv, opts);
        const what = `${name} H=${H} L=${L} D=${D} alibi=${alibi}`;
        for (const key of ["out", "dq", "dk", "dv"])
          assertClose(t, F64(got[key], [H, L, D]), F64(ref[key], [H, L, D]), { rtol: 1e-10, atol: 1e-11, what: `${what} ${key}` });
      }
    }
  t.is(rf.memory().liveTensors, live, "no tensors left behind");
});

test("intervalAttention takes intervals as Int32Array, int32 [5, L] tensor or five arrays (same result)", (t) => {
  const { L, iv, pos } = dtiIntervals({});
  const H = 2, D = 4;
  const data = randomInputs(r, H, L, D);
  const a = runOp(rf.intervalAttention, H, L, D, data, iv, { alibiSlopes: [0.5, 0.25], positions: pos });
  const ivT = rf.tensor(iv, { shape: [5, L] });
  const posT = rf.tensor(pos);
  const b = runOp(rf.intervalAttention, H, L, D, data, ivT, { alibiSlopes: rf.tensor([0.5, 0.25], { dtype: "float64" }), positions: posT });
  const rows = {};
  ["prefLo", "prefHi", "ctxLo", "ctxHi", "selfLo"].forEach((name, i) => (rows[name] = Array.from(iv.subarray(i * L, (i + 1) * L))));
  const c = runOp(rf.intervalAttention, H, L, D, data, rows, { alibiSlopes: [0.5, 0.25], positions: Array.from(pos) });
  for (const key of ["out", "dq", "dk", "dv"]) {
    t.deepEqual(Array.from(b[key]), Array.from(a[key]), key);
    t.deepEqual(Array.from(c[key]), Array.from(a[key]), key);
  }
  ivT.dispose();
  posT.dispose();
});

test("intervalAttention finite-difference gradients (float64, small, with and without ALiBi)", (t) => {
  for (const alibi of [false, true]) {
    const { L, iv, pos } = dtiIntervals({ P: 1, m: 3, c: 1, k: 2, t: 2, n: 2 });
    const H = 2, D = 3;
    const mk = () => leaf(randData(r, [H, L, D], { lo: -1, hi: 1 }));
    const opts = alibi ? { alibiSlopes: [0.3, 0.1], positions: pos, scale: 0.9 } : {};
    assertGradcheck(t, (q, k, v) => rf.intervalAttention(q, k, v, iv, opts), [mk(), mk(), mk()], { what: `alibi=${alibi}`, atol: 1e-7, rtol: 1e-6 });
  }
  // only some inputs require grad
  const { L, iv } = dtiIntervals({ P: 0, m: 2, c: 2, k: 2, t: 1, n: 1 });
  const q = leaf(randData(r, [1, L, 2])), k = rf.tensor(randData(r, [1, L, 2]).data, { dtype: "float64", shape: [1, L, 2] });
  const v = leaf(randData(r, [1, L, 2]));
  assertGradcheck(t, (q, k, v) => rf.intervalAttention(q, k, v, iv), [q, k, v], { what: "k without grad" });
  t.is(k.grad, null);
});

test("fused and dense attention agree in float32 on a DTI layout (strided q/k/v views)", (t) => {
  const { L, iv, pos } = dtiIntervals({ P: 5, m: 40, c: 3, k: 12, t: 3, n: 10 });
  const H = 4, D = 16;
  const slopes = rf.alibiSlopes(H);
  // q/k/v as transposed views of [L, H, D] (what a projection produces): the ops copy as needed
  const leaves = [0, 1, 2].map(() => rf.randn([L, H, D], { generator: new rf.Generator(r.int(0, 1e6)) }).requiresGrad_());
  const g = rf.randn([H, L, D], { generator: new rf.Generator(5) });
  const grads = {};
  for (const [name, op] of [["interval", rf.intervalAttention], ["dense", rf.denseMaskedAttention]]) {
    const [q, k, v] = leaves.map((x) => rf.transpose(x, 0, 1));
    const out = op(q, k, v, iv, { alibiSlopes: slopes, positions: pos });
    out.backward(g);
    grads[name] = { out: out.toTypedArray(), ...Object.fromEntries(leaves.map((x, i) => [["dq", "dk", "dv"][i], x.grad.toTypedArray()])) };
    leaves.forEach((x) => x.zeroGrad());
    [q, k, v, out].forEach((x) => x.dispose());
  }
  const [q, k, v] = leaves.map((x) => rf.transpose(x, 0, 1));
  for (const key of ["out", "dq", "dk", "dv"]) {
    const a = grads.interval[key], b = grads.dense[key];
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]) / (1e-5 + 1e-4 * Math.abs(b[i])));
    t.true(worst <= 1, `${key}: ${worst}x tolerance`);
  }
  // Target isolation: the output of a target token does not depend on another target's keys.
  const out1 = rf.noGrad(() => rf.intervalAttention(q, k, v, iv));
  const vv = rf.noGrad(() => rf.clone(v)).toTypedArray();
  const lastTarget = L - 1;
  for (let h = 0; h < H; h++) for (let d = 0; d < D; d++) vv[(h * L + lastTarget) * D + d] += 10;
  const v2 = rf.tensor(vv, { shape: [H, L, D] });
  const out2 = rf.noGrad(() => rf.intervalAttention(q, k, v2, iv));
  const a1 = out1.toTypedArray(), a2 = out2.toTypedArray();
  let changedElsewhere = 0;
  for (let h = 0; h < H; h++) for (let i = 0; i < L - 3; i++) for (let d = 0; d < D; d++) if (a1[(h * L + i) * D + d] !== a2[(h * L + i) * D + d]) changedElsewhere++;
  t.is(changedElsewhere, 0, "no other token sees the last target's value");
  [...leaves, q, k, v, g, out1, out2, v2].forEach((x) => x.dispose());
});

test("alibiSlopes are the standard geometric slopes", (t) => {
  t.deepEqual(Array.from(rf.alibiSlopes(8)), [1, 2, 3, 4, 5, 6, 7, 8].map((i) => 2 ** -i));
  t.deepEqual(Array.from(rf.alibiSlopes(4)), [1, 2, 3, 4].map((i) => 2 ** (-2 * i)));
  // 6 heads: the 4-head slopes, then slopes 1 and 3 of the 8-head set
  t.deepEqual(Array.from(rf.alibiSlopes(6)), [2 ** -2, 2 ** -4, 2 ** -6, 2 ** -8, 2 ** -1, 2 ** -3]);
  t.deepEqual(Array.from(rf.alibiSlopes(1)), [2 ** -8]);
  t.is(rf.alibiSlopes(0).length, 0);
  t.throws(() => rf.alibiSlopes(-1), { instanceOf: RangeError });
});

// ---- RoPE --------------------------------------------------------------------------------
/** HF LLaMA: q * cos + rotate_half(q) * sin, cos/sin = cat(freqs, freqs), rotate_half(x) = cat(-x2, x1). Input/output [H, L, D]. */
function ropeRef(x, H, L, D, pos, base) {
  const y = new Float64Array(x.length), half = D / 2;
  for (let h = 0; h < H; h++)
    for (let l = 0; l < L; l++)
      for (let d = 0; d < D; d++) {
        const i = d % half;
        const a = pos[l] * (1 / base ** ((2 * i) / D));
        const xi = x[(h * L + l) * D + d];
        const rot = d < half ? -x[(h * L + l) * D + d + half] : x[(h * L + l) * D + d - half];
        y[(h * L + l) * D + d] = xi * Math.cos(a) + rot * Math.sin(a);
      }
  return y;
}

const permuteHLD = (x, H, L, D) => {
  // [H, L, D] -> [L, H, D]
  const y = new Float64Array(x.length);
  for (let h = 0; h < H; h++) for (let l = 0; l < L; l++) for (let d = 0; d < D; d++) y[(l * H + h) * D + d] = x[(h * L + l) * D + d];
  return y;
};

test("rope matches HF LLaMA's rotate-half rotation in both layouts", (t) => {
  for (const [H, L, D, base] of [[2, 5, 4, 10000], [3, 17, 8, 500000], [1, 1, 2, 10000], [4, 9, 32, 10000]]) {
    const pos = Int32Array.from({ length: L }, () => r.int(0, 4000));
    const x = randData(r, [H, L, D]).data;
    const want = ropeRef(x, H, L, D, pos, base);
    const xh = rf.tensor(x, { shape: [H, L, D] });
    const xl = rf.tensor(permuteHLD(x, H, L, D), { shape: [L, H, D] });
    assertClose(t, rf.rope(xh, pos, { base }), { shape: [H, L, D], data: want }, { rtol: 1e-12, atol: 1e-12, what: "hld" });
    assertClose(t, rf.rope(xh, rf.tensor(pos), base), { shape: [H, L, D], data: want }, { rtol: 1e-12, atol: 1e-12, what: "base as a number, positions as a tensor" });
    assertClose(t, rf.rope(xl, pos, { base, layout: "lhd", outLayout: "hld" }), { shape: [H, L, D], data: want }, { rtol: 1e-12, atol: 1e-12, what: "lhd->hld" });
    assertClose(t, rf.rope(xl, pos, { base, layout: "lhd" }), { shape: [L, H, D], data: permuteHLD(want, H, L, D) }, { rtol: 1e-12, atol: 1e-12, what: "lhd" });
    const table = rf.ropeTable(pos, D, { base, dtype: "float64" });
    assertClose(t, rf.rope(rf.transpose(xl, 0, 1), table), { shape: [H, L, D], data: want }, { rtol: 1e-12, atol: 1e-12, what: "strided view + table" });
    // float32 path
    const x32 = rf.tensor(Float32Array.from(x), { shape: [H, L, D] });
    assertClose(t, rf.rope(x32, pos, { base }), { shape: [H, L, D], data: want }, { rtol: 1e-5, atol: 2e-5, what: "float32" });
    table.dispose();
  }
  // position 0 is the identity; relative property: <rope(q, p), rope(k, p')> depends on p - p' only
  const x = rf.randn([1, 3, 8], { dtype: "float64" });
  assertClose(t, rf.rope(x, [0, 0, 0]), { shape: [1, 3, 8], data: Float64Array.from(x.toTypedArray()) }, { what: "pos 0" });
  const dot = (a, b) => a.reduce((s, v, i) => s + v * b[i], 0);
  const q = rf.randn([1, 1, 8], { dtype: "float64" }).toTypedArray(), k = rf.randn([1, 1, 8], { dtype: "float64" }).toTypedArray();
  const rot = (v, p) => rf.rope(rf.tensor(v, { shape: [1, 1, 8] }), [p]).toTypedArray();
  t.true(Math.abs(dot(rot(q, 7), rot(k, 3)) - dot(rot(q, 104), rot(k, 100))) < 1e-12);
});

test("rope gradients (finite differences, both layouts)", (t) => {
  const pos = [3, 0, 11, 250, 7];
  assertGradcheck(t, (x) => rf.rope(x, pos), [leaf(randData(r, [2, 5, 6]))], { what: "hld" });
  assertGradcheck(t, (x) => rf.rope(x, pos, { layout: "lhd", outLayout: "hld" }), [leaf(randData(r, [5, 2, 6]))], { what: "lhd->hld" });
  assertGradcheck(t, (x) => rf.rope(rf.transpose(x, 0, 1), pos, { base: 50 }), [leaf(randData(r, [5, 3, 4]))], { what: "strided input" });
});

// ---- bad input ---------------------------------------------------------------------------
test("bad input: shapes, interval arrays, selfLo > i, dtypes", (t) => {
  const H = 2, L = 6, D = 4;
  const q = rf.randn([H, L, D]), k = rf.randn([H, L, D]), v = rf.randn([H, L, D]);
  const iv = randomIntervals(r, L);
  const bad = (label, f, instanceOf) => t.throws(f, { instanceOf }, label);
  for (const op of [rf.intervalAttention, rf.denseMaskedAttention]) {
    bad("k shape", () => op(q, rf.zeros([H, L + 1, D]), v, iv), RangeError);
    bad("2-d q", () => op(rf.zeros([L, D]), k, v, iv), RangeError);
    bad("iv short", () => op(q, k, v, iv.subarray(1)), RangeError);
    bad("iv tensor shape", () => op(q, k, v, rf.zeros([4, L], { dtype: "int32" })), RangeError);
    bad("iv float tensor", () => op(q, k, v, rf.zeros([5, L])), TypeError);
    bad("iv rows short", () => op(q, k, v, { prefLo: [0], prefHi: [0], ctxLo: [0], ctxHi: [0], selfLo: [0] }), RangeError);
    bad("iv rows missing", () => op(q, k, v, { prefLo: new Int32Array(L) }), TypeError);
    const selfAfter = Int32Array.from(iv);
    selfAfter[4 * L + 2] = 3;
    bad("selfLo > i", () => op(q, k, v, selfAfter), RangeError);
    const negSelf = Int32Array.from(iv);
    negSelf[4 * L] = -1;
    bad("selfLo < 0", () => op(q, k, v, negSelf), RangeError);
    const ctxOut = Int32Array.from(iv);
    ctxOut[3 * L + 1] = L + 1;
    ctxOut[2 * L + 1] = 0;
    bad("ctxHi > L", () => op(q, k, v, ctxOut), RangeError);
    bad("float64 k", () => op(q, rf.zeros([H, L, D], { dtype: "float64" }), v, iv), TypeError);
    bad("int q", () => op(rf.zeros([H, L, D], { dtype: "int32" }), k, v, iv), TypeError);
    bad("alibi without positions", () => op(q, k, v, iv, { alibiSlopes: [1, 2] }), TypeError);
    bad("slopes length", () => op(q, k, v, iv, { alibiSlopes: [1], positions: new Int32Array(L) }), RangeError);
    bad("positions length", () => op(q, k, v, iv, { alibiSlopes: [1, 2], positions: new Int32Array(L - 1) }), RangeError);
    bad("scale NaN", () => op(q, k, v, iv, { scale: NaN }), RangeError);
    bad("options not an object", () => op(q, k, v, iv, 3), TypeError);
  }
  bad("rope odd D", () => rf.rope(rf.zeros([2, 3, 5]), [0, 1, 2]), RangeError);
  bad("rope positions length", () => rf.rope(rf.zeros([2, 3, 4]), [0, 1]), RangeError);
  bad("rope 2-d", () => rf.rope(rf.zeros([3, 4]), [0, 1, 2]), RangeError);
  bad("rope layout", () => rf.rope(rf.zeros([2, 3, 4]), [0, 1, 2], { layout: "dlh" }), TypeError);
  bad("rope table shape", () => {
    const tb = rf.ropeTable([0, 1], 4);
    try {
      rf.rope(rf.zeros([2, 3, 4]), tb);
    } finally {
      tb.dispose();
    }
  }, RangeError);
  bad("rope table dtype", () => {
    const tb = rf.ropeTable([0, 1, 2], 4, { dtype: "float64" });
    try {
      rf.rope(rf.zeros([2, 3, 4]), tb);
    } finally {
      tb.dispose();
    }
  }, TypeError);
  bad("ropeTable odd", () => rf.ropeTable([0], 3), RangeError);
  bad("ropeTable base", () => rf.ropeTable([0], 4, { base: 0 }), RangeError);
  [q, k, v].forEach((x) => x.dispose());
});

test("failed attention calls leave no tensors behind", (t) => {
  const H = 1, L = 4, D = 2;
  const q = rf.randn([H, L, D]).requiresGrad_(), k = rf.randn([H, L, D]), v = rf.randn([H, L, D]);
  const bad = Int32Array.from(randomIntervals(r, L));
  bad[4 * L + 1] = 2;
  const live = rf.memory().liveTensors;
  for (let i = 0; i < 3; i++) {
    t.throws(() => rf.intervalAttention(q, k, v, bad, { alibiSlopes: [1], positions: [0, 1, 2, 3] }), { instanceOf: RangeError, message: /selfLo/ });
    t.throws(() => rf.rope(q, [0, 1, 2]), { instanceOf: RangeError });
  }
  t.is(rf.memory().liveTensors, live);
  [q, k, v].forEach((x) => x.dispose());
});
