// The fused GRU op (lib/ops/gru.ts over native/cpu/gru.cc): values against a plain float64 JS
// reference written step by step (random shapes: T = 1, odd sizes, lengths 0 / 1 / T, both
// directions, 1-3 layers, h0, no bias) with NaN in x's padding; finite-difference gradients (float64)
// through output and hN; agreement with the op-by-op network (gruReference) in values and gradients;
// backward from hN only / output only; memory; bad input errors. Run with RECFORGE_POISON=1 (npm test
// does), so unwritten outputs show as NaN.
import test from "ava";
import * as rf from "../../dist/index.js";
import { native } from "../../dist/native.js";
import { rng } from "../helpers/reference.js";
import { assertGradcheck } from "../helpers/gradcheck.js";

const sig = (v) => 1 / (1 + Math.exp(-v));

// Plain float64 GRU (PyTorch's equations). w: { wIh, wHh, bIh, bHh } arrays (per k) of Float64Array.
function refGru({ x, B, T, I, H, L, D, w, h0, lengths }) {
  const K = L * D;
  const hN = new Float64Array(K * B * H);
  let input = x, inF = I;
  for (let l = 0; l < L; l++) {
    const out = new Float64Array(B * T * D * H);
    for (let d = 0; d < D; d++) {
      const k = l * D + d;
      for (let b = 0; b < B; b++) {
        const len = lengths ? lengths[b] : T;
        let h = Float64Array.from({ length: H }, (_, j) => (h0 ? h0[(k * B + b) * H + j] : 0));
        for (let s = 0; s < len; s++) {
          const t = d === 0 ? s : len - 1 - s;
          const hNew = new Float64Array(H);
          for (let j = 0; j < H; j++) {
            const gi = [0, 1, 2].map((q) => {
              let a = w.bIh ? w.bIh[k][q * H + j] : 0;
              for (let i = 0; i < inF; i++) a += w.wIh[k][(q * H + j) * inF + i] * input[(b * T + t) * inF + i];
              return a;
            });
            const gh = [0, 1, 2].map((q) => {
              let a = w.bHh ? w.bHh[k][q * H + j] : 0;
              for (let i = 0; i < H; i++) a += w.wHh[k][(q * H + j) * H + i] * h[i];
              return a;
            });
            const r = sig(gi[0] + gh[0]), z = sig(gi[1] + gh[1]);
            const n = Math.tanh(gi[2] + r * gh[2]);
            hNew[j] = (1 - z) * n + z * h[j];
          }
          h = hNew;
          for (let j = 0; j < H; j++) out[(b * T + t) * D * H + d * H + j] = h[j];
        }
        for (let j = 0; j < H; j++) hN[(k * B + b) * H + j] = h[j];
      }
    }
    input = out;
    inF = D * H;
  }
  return { out: input, hN };
}

function problem(seed, { B, T, I, H, L = 1, D = 1, bias = true, h0 = true, lengths = null, dtype = "float64", grad = false }) {
  const r = rng(seed);
  const arr = (n, s = 1) => Float64Array.from({ length: n }, () => r.normal() * s);
  const K = L * D;
  const sc = 1 / Math.sqrt(H);
  const w = { wIh: [], wHh: [], bIh: bias ? [] : null, bHh: bias ? [] : null };
  for (let k = 0; k < K; k++) {
    w.wIh.push(arr(3 * H * (k < D ? I : D * H), 2 * sc));
    w.wHh.push(arr(3 * H * H, 2 * sc));
    if (bias) w.bIh.push(arr(3 * H, sc)), w.bHh.push(arr(3 * H, sc));
  }
  const x = arr(B * T * I);
  const h0a = h0 ? arr(K * B * H, 0.5) : null;
  const mk = (data, shape) => rf.tensor(data, { dtype, shape, requiresGrad: grad });
  const k3 = (k) => (k < D ? I : D * H);
  const tw = {
    wIh: w.wIh.map((a, k) => mk(a, [3 * H, k3(k)])),
    wHh: w.wHh.map((a) => mk(a, [3 * H, H])),
    bIh: bias ? w.bIh.map((a) => mk(a, [3 * H])) : null,
    bHh: bias ? w.bHh.map((a) => mk(a, [3 * H])) : null,
  };
  return { dims: { B, T, I, H, L, D }, w, x, h0: h0a, lengths, tw, tx: (data = x) => mk(data, [B, T, I]), th0: h0a ? mk(h0a, [K, B, H]) : null };
}

function disposeProblem(p) {
  for (const t of [...p.tw.wIh, ...p.tw.wHh, ...(p.tw.bIh ?? []), ...(p.tw.bHh ?? []), p.th0]) t?.dispose();
}

function maxErr(got, want) {
  let m = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
    if (!(e <= m)) m = Number.isNaN(e) ? Infinity : e;
  }
  return m;
}

const CASES = [
  { B: 1, T: 1, I: 1, H: 1 },
  { B: 3, T: 1, I: 5, H: 7, L: 2, D: 2 },
  { B: 5, T: 6, I: 3, H: 5, L: 2, D: 2, lengths: [6, 1, 0, 3, 6] },
  { B: 7, T: 5, I: 9, H: 3, L: 3, D: 1, bias: false, lengths: [5, 2, 0, 1, 4, 5, 3] },
  { B: 4, T: 7, I: 6, H: 11, L: 1, D: 2, h0: false, lengths: [7, 7, 1, 2] },
  { B: 9, T: 13, I: 17, H: 19, L: 2, D: 2 },
];

for (const dtype of ["float64", "float32"]) {
  test(`gru forward matches the float64 step-by-step reference (${dtype}; NaN padding)`, (t) => {
    CASES.forEach((c, ci) => {
      const p = problem(100 + ci, { ...c, dtype });
      const { B, T, I } = p.dims;
      // padding of x is never read: NaN there must not reach any output
      const xs = p.x.slice();
      if (c.lengths) for (let b = 0; b < B; b++) for (let s = c.lengths[b]; s < T; s++) for (let i = 0; i < I; i++) xs[(b * T + s) * I + i] = NaN;
      const x = p.tx(xs);
      const { output, hN } = rf.gru(x, p.tw, { bidirectional: p.dims.D === 2, h0: p.th0, lengths: c.lengths ?? null });
      const ref = refGru({ ...p.dims, x: p.x, w: p.w, h0: p.h0, lengths: c.lengths });
      const tol = dtype === "float64" ? 1e-12 : 2e-5;
      t.deepEqual(output.shape, [B, T, p.dims.D * p.dims.H]);
      t.deepEqual(hN.shape, [p.dims.L * p.dims.D, B, p.dims.H]);
      t.true(maxErr(output.toTypedArray(), ref.out) <= tol, `case ${ci} output: ${maxErr(output.toTypedArray(), ref.out)}`);
      t.true(maxErr(hN.toTypedArray(), ref.hN) <= tol, `case ${ci} hN: ${maxErr(hN.toTypedArray(), ref.hN)}`);
      for (const v of [x, output, hN]) v.dispose();
      disposeProblem(p);
    });
  });
}

test("gru gradients: finite differences through output and hN (float64, lengths 0 / 1 / T, bidirectional, 2 layers, h0)", (t) => {
  const p = problem(7, { B: 3, T: 4, I: 3, H: 2, L: 2, D: 2, grad: true, lengths: [4, 1, 0] });
  const x = p.tx();
  const params = [...p.tw.wIh, ...p.tw.wHh, ...p.tw.bIh, ...p.tw.bHh];
  const K = 4;
  const fn = (xx, hh, ...ps) => {
    const r = rf.gru(xx, { wIh: ps.slice(0, K), wHh: ps.slice(K, 2 * K), bIh: ps.slice(2 * K, 3 * K), bHh: ps.slice(3 * K) }, { bidirectional: true, h0: hh, lengths: [4, 1, 0] });
    return [r.output, r.hN];
  };
  assertGradcheck(t, fn, [x, p.th0, ...params], { what: "gru", atol: 1e-7, rtol: 1e-6 });
  x.dispose();
  disposeProblem(p);
});

test("gru gradients: finite differences, one direction, no bias, no h0, hN only", (t) => {
  const p = problem(8, { B: 2, T: 3, I: 2, H: 3, L: 1, D: 1, bias: false, h0: false, grad: true, lengths: [2, 3] });
  const x = p.tx();
  const fn = (xx, wi, wh) => rf.gru(xx, { wIh: [wi], wHh: [wh] }, { lengths: rf.tensor(new Int32Array([2, 3])) }).hN;
  assertGradcheck(t, fn, [x, p.tw.wIh[0], p.tw.wHh[0]], { what: "gru hN", atol: 1e-7, rtol: 1e-6 });
  x.dispose();
  disposeProblem(p);
});

test("gru agrees with the op-by-op network (values and gradients, float64)", (t) => {
  const p = problem(9, { B: 4, T: 5, I: 3, H: 4, L: 2, D: 2, grad: true, lengths: [5, 2, 1, 0] });
  const x = p.tx();
  const params = [x, p.th0, ...p.tw.wIh, ...p.tw.wHh, ...p.tw.bIh, ...p.tw.bHh];
  const wo = rf.randn([4, 5, 8], { dtype: "float64" }), wh = rf.randn([4, 4, 4], { dtype: "float64" });
  const run = (f) => {
    params.forEach((q) => q.zeroGrad());
    const r = f(x, p.tw, { bidirectional: true, h0: p.th0, lengths: [5, 2, 1, 0] });
    const loss = rf.add(rf.sum(rf.mul(r.output, wo)), rf.sum(rf.mul(r.hN, wh)));
    loss.backward();
    const res = { out: r.output.toTypedArray(), hN: r.hN.toTypedArray(), grads: params.map((q) => q.grad.toTypedArray()) };
    for (const v of [loss, r.output, r.hN]) v.dispose();
    return res;
  };
  const a = run(rf.gru), b = run(rf.gruReference);
  t.true(maxErr(a.out, b.out) < 1e-12);
  t.true(maxErr(a.hN, b.hN) < 1e-12);
  a.grads.forEach((g, i) => t.true(maxErr(g, b.grads[i]) < 1e-11, `grad ${i}: ${maxErr(g, b.grads[i])}`));
  for (const v of [x, wo, wh]) v.dispose();
  disposeProblem(p);
});

test("gru backward from output only, hN only and both: each matches the op-by-op network", (t) => {
  const p = problem(10, { B: 3, T: 3, I: 2, H: 3, L: 2, D: 2, grad: true });
  const x = p.tx();
  for (const which of ["output", "hN", "both"]) {
    const grads = [rf.gru, rf.gruReference].map((f) => {
      x.zeroGrad();
      p.tw.wHh[0].zeroGrad();
      const r = f(x, p.tw, { bidirectional: true, h0: p.th0 });
      const parts = which === "both" ? [r.output, r.hN] : [r[which]];
      const loss = parts.map((q) => rf.sum(rf.mul(q, q))).reduce((u, v) => rf.add(u, v));
      loss.backward();
      return [x.grad.toTypedArray(), p.tw.wHh[0].grad.toTypedArray()];
    });
    t.true(maxErr(grads[0][0], grads[1][0]) < 1e-12, `${which}: dx`);
    t.true(maxErr(grads[0][1], grads[1][1]) < 1e-12, `${which}: dW_hh`);
  }
  x.dispose();
  disposeProblem(p);
});

test("gru: padding gets zero output and zero gradient; zero-length rows give hN = h0", (t) => {
  const p = problem(11, { B: 3, T: 4, I: 2, H: 3, L: 1, D: 2, grad: true, lengths: [4, 2, 0] });
  const x = p.tx();
  const r = rf.gru(x, p.tw, { bidirectional: true, h0: p.th0, lengths: [4, 2, 0] });
  const out = r.output.toTypedArray(), hN = r.hN.toTypedArray();
  for (let s = 2; s < 4; s++) for (let j = 0; j < 6; j++) t.is(out[(1 * 4 + s) * 6 + j], 0);
  for (let s = 0; s < 4; s++) for (let j = 0; j < 6; j++) t.is(out[(2 * 4 + s) * 6 + j], 0);
  for (let k = 0; k < 2; k++) for (let j = 0; j < 3; j++) t.is(hN[(k * 3 + 2) * 3 + j], p.h0[(k * 3 + 2) * 3 + j]);
  rf.sum(rf.add(rf.sum(r.output), rf.sum(r.hN))).backward();
  const dx = x.grad.toTypedArray(), dh0 = p.th0.grad.toTypedArray();
  for (let s = 2; s < 4; s++) for (let i = 0; i < 2; i++) t.is(dx[(1 * 4 + s) * 2 + i], 0);
  for (let k = 0; k < 2; k++) for (let j = 0; j < 3; j++) t.is(dh0[(k * 3 + 2) * 3 + j], 1); // d(sum hN)/dh0 = 1 for empty rows
  x.dispose();
  disposeProblem(p);
});

test("gru: repeated forward + backward leaves no tensors alive", (t) => {
  const p = problem(12, { B: 3, T: 3, I: 2, H: 3, L: 2, D: 2, grad: true });
  const x = p.tx();
  const step = () =>
    rf.tidy(() => {
      const r = rf.gru(x, p.tw, { bidirectional: true, h0: p.th0, lengths: [3, 1, 2] });
      rf.add(rf.sum(r.output), rf.sum(r.hN)).backward();
    });
  step();
  const params = [x, p.th0, ...p.tw.wIh, ...p.tw.wHh, ...p.tw.bIh, ...p.tw.bHh];
  const live = rf.memory().liveTensors;
  for (let i = 0; i < 5; i++) step();
  t.is(rf.memory().liveTensors, live);
  const inf = rf.noGrad(() => rf.gru(x, p.tw, { bidirectional: true, h0: p.th0 })); // inference path
  inf.output.dispose();
  inf.hN.dispose();
  t.is(rf.memory().liveTensors, live);
  params.forEach((q) => q.zeroGrad());
  x.dispose();
  disposeProblem(p);
});

test("gru: bad input gets a clear error", (t) => {
  const p = problem(13, { B: 2, T: 3, I: 4, H: 5, L: 2, D: 2, dtype: "float32" });
  const x = p.tx();
  const bi = { bidirectional: true };
  const err = (f, type, re) => t.throws(f, { instanceOf: type, message: re });
  err(() => rf.gru(rf.zeros([2, 3]), p.tw, bi), RangeError, /x \[2, 3\] must be \[B, T, in\]/);
  err(() => rf.gru(x, p.tw), RangeError, /wIh\[0\] \(layer 0\) \[15, 4\] must be \[15, 10\]|wIh\[1\]/);
  err(() => rf.gru(x, { ...p.tw, wIh: p.tw.wIh.slice(0, 3) }, bi), RangeError, /wIh must be a non-empty array of layers\*dirs/);
  err(() => rf.gru(x, { ...p.tw, bHh: null }, bi), TypeError, /both bIh and bHh/);
  err(() => rf.gru(rf.zeros([2, 3, 3]), p.tw, bi), RangeError, /wIh\[0\] \(layer 0\) \[15, 4\] must be \[15, 3\]/);
  err(() => rf.gru(x, p.tw, { ...bi, lengths: [3, 4] }), RangeError, /lengths\[1\] = 4 must be an integer in \[0, 3\]/);
  err(() => rf.gru(x, p.tw, { ...bi, lengths: [3] }), RangeError, /lengths has 1 entries, x \[2, 3, 4\] has B = 2/);
  err(() => rf.gru(x, p.tw, { ...bi, lengths: rf.tensor(new Int32Array([3, -1])) }), RangeError, /lengths\[1\] = -1 is outside \[0, 3\]/);
  err(() => rf.gru(x, p.tw, { ...bi, lengths: rf.tensor([3, 1]) }), TypeError, /lengths must be int32/);
  err(() => rf.gru(x, p.tw, { ...bi, h0: rf.zeros([4, 2, 4]) }), RangeError, /h0 \[4, 2, 4\] must be \[4, 2, 5\]/);
  err(() => rf.gru(x, p.tw, { ...bi, h0: rf.zeros([4, 2, 5], { dtype: "float64" }) }), TypeError, /h0 is float64, x is float32/);
  err(() => rf.gru(rf.zeros([2, 3, 4], { dtype: "int32" }), p.tw, bi), TypeError, /x must be float32 or float64/);
  err(() => rf.gru(x, p.tw, { bidirectional: "yes" }), TypeError, /bidirectional must be a boolean/);
  // the binding's own checks (what a caller bypassing lib/ops/gru.ts would hit)
  {
    // a direct call with the table's named arguments; weights is the tensor list (per k: wIh, wHh, bIh, bHh)
    const dims = { B: 2, T: 3, inSize: 4, H: 5, layers: 2, dirs: 2 };
    const [nRes] = native.gruSizes(dims);
    const out = rf.Tensor.empty([2, 3, 10]), hN = rf.Tensor.empty([4, 2, 5]), reserve = rf.Tensor.empty([nRes]);
    const weights = [0, 1, 2, 3].flatMap((k) => [p.tw.wIh[k], p.tw.wHh[k], p.tw.bIh[k], p.tw.bHh[k]]);
    const call = { dtype: 0, ...dims, bias: true, x, lengths: null, h0: null, out, hN, reserve, workspace: null, weights };
    native.gruForward(call);
    const ref = rf.gru(x, p.tw, bi);
    t.deepEqual(Array.from(out.toTypedArray()), Array.from(ref.output.toTypedArray()), "direct call = rf.gru");
    ref.output.dispose();
    ref.hN.dispose();
    err(() => native.gruForward({ ...call, dirs: 3 }), RangeError, /dirs must be 1 or 2, got 3/);
    err(() => native.gruSizes({ ...dims, inSize: 0 }), RangeError, /in, H and layers must be >= 1/);
    err(() => native.gruForward({ ...call, weights: weights.slice(1) }), TypeError, /gruForward: weights must hold 16 tensors \(4 per layer and direction: wIh, wHh, bIh, bHh\), got 15/);
    err(() => native.gruForward({ ...call, weights: "w" }), TypeError, /gruForward weights: expected a list of tensors/);
    err(() => native.gruForward({ ...call, weights: [weights[2], ...weights.slice(1)] }), RangeError, /weight_ih_l0: needs elements \[0, 60\) of float32 but the storage holds 15/);
    for (const y of [out, hN, reserve]) y.dispose();
  }
  x.dispose();
  disposeProblem(p);
});

test("gru: a strided x (a permuted view) gives the same output and gradients as its contiguous copy", (t) => {
  const p = problem(14, { B: 3, T: 4, I: 5, H: 3, L: 2, D: 2, grad: true });
  const xt = rf.tensor(p.x, { dtype: "float64", shape: [3, 4, 5] });
  const tb = rf.contiguous(rf.permute(xt, [1, 0, 2])); // [T, B, in]
  const lengths = [4, 2, 1];
  const run = (x, leaf) => {
    const r = rf.gru(x, p.tw, { bidirectional: true, h0: p.th0, lengths });
    rf.add(rf.sum(rf.mul(r.output, r.output)), rf.sum(r.hN)).backward();
    const res = [r.output.toTypedArray(), leaf.grad.toTypedArray(), p.tw.wIh[0].grad.toTypedArray()];
    leaf.zeroGrad();
    p.tw.wIh[0].zeroGrad();
    return res;
  };
  const strided = tb.detach().requiresGrad_();
  const view = rf.permute(strided, [1, 0, 2]); // [B, T, in], not contiguous
  t.false(view.isContiguous);
  const a = run(view, strided);
  const dense = xt.detach().requiresGrad_();
  const b = run(dense, dense);
  t.true(maxErr(a[0], b[0]) < 1e-13, "output");
  // strided.grad is [T, B, in]: compare through the same permutation
  const ga = rf.contiguous(rf.permute(rf.tensor(a[1], { dtype: "float64", shape: [4, 3, 5] }), [1, 0, 2])).toTypedArray();
  t.true(maxErr(ga, b[1]) < 1e-12, "dx");
  t.true(maxErr(a[2], b[2]) < 1e-12, "dW_ih of layer 0");
  disposeProblem(p);
});
