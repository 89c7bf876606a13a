import test from "ava";
import { rf, prng, randArray, maxRelErr, bitsEqual } from "./helpers.js";

const N = 37; // odd, so no vector-width luck
const STEPS = 6;

// ---- float64 references of the update rules (PyTorch semantics) ----------------------
function sgdRef(p0, grads, lrs, o) {
  const p = p0.slice();
  let buf = null;
  for (let s = 0; s < grads.length; s++) {
    const d = new Array(p.length);
    for (let i = 0; i < p.length; i++) d[i] = grads[s][i] + o.weightDecay * p[i];
    if (o.momentum !== 0) {
      if (!buf) buf = d.slice();
      else for (let i = 0; i < p.length; i++) buf[i] = o.momentum * buf[i] + (1 - o.dampening) * d[i];
      for (let i = 0; i < p.length; i++) d[i] = o.nesterov ? d[i] + o.momentum * buf[i] : buf[i];
    }
    for (let i = 0; i < p.length; i++) p[i] -= lrs[s] * d[i];
  }
  return p;
}

function adamRef(p0, grads, lrs, o, decoupled) {
  const p = p0.slice();
  const m = new Array(p.length).fill(0), v = new Array(p.length).fill(0);
  for (let s = 0; s < grads.length; s++) {
    const t = s + 1, lr = lrs[s];
    for (let i = 0; i < p.length; i++) {
      let g = grads[s][i];
      if (decoupled) p[i] *= 1 - lr * o.weightDecay;
      else g += o.weightDecay * p[i];
      m[i] = o.beta1 * m[i] + (1 - o.beta1) * g;
      v[i] = o.beta2 * v[i] + (1 - o.beta2) * g * g;
      const mhat = m[i] / (1 - o.beta1 ** t), vhat = v[i] / (1 - o.beta2 ** t);
      p[i] -= (lr * mhat) / (Math.sqrt(vhat) + o.eps);
    }
  }
  return p;
}

function setGrad(p, values) {
  p.zeroGrad();
  p.grad = rf.tensor(values, { dtype: p.dtype, shape: [...p.shape] }).keep();
}

// Runs `make(params)` over STEPS steps with the given grads and per-step lrs (set on the group, as a schedule would).
function runOptimizer(make, dtype, p0, grads, lrs) {
  const p = rf.tensor(p0, { dtype, shape: [N] });
  const opt = make([p]);
  for (let s = 0; s < grads.length; s++) {
    opt.paramGroups[0].lr = lrs[s];
    setGrad(p, grads[s]);
    rf.tidy(() => opt.step()); // state created inside a scope must survive it
  }
  const out = Array.from(p.toTypedArray());
  opt.dispose();
  p.dispose();
  return out;
}

function fixture(seed) {
  const r = prng(seed);
  return {
    p0: randArray(r, N, 2),
    grads: Array.from({ length: STEPS }, () => randArray(r, N, 1.5)),
    lrs: Array.from({ length: STEPS }, (_, s) => 0.1 / (1 + s)),
  };
}

const sgdCases = [
  { name: "plain", momentum: 0, dampening: 0, weightDecay: 0, nesterov: false },
  { name: "weight decay", momentum: 0, dampening: 0, weightDecay: 0.05, nesterov: false },
  { name: "momentum", momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false },
  { name: "momentum + dampening + wd", momentum: 0.8, dampening: 0.3, weightDecay: 0.01, nesterov: false },
  { name: "nesterov", momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true },
  { name: "nesterov + wd", momentum: 0.7, dampening: 0, weightDecay: 0.02, nesterov: true },
];

for (const c of sgdCases) {
  test(`SGD ${c.name} matches the float64 reference over ${STEPS} steps`, (t) => {
    const { p0, grads, lrs } = fixture(1);
    const { name, ...o } = c;
    const ref = sgdRef(p0, grads, lrs, o);
    const got64 = runOptimizer((ps) => new rf.SGD(ps, { lr: 1, ...o }), "float64", p0, grads, lrs);
    t.true(maxRelErr(got64, ref) < 1e-13, `float64 err ${maxRelErr(got64, ref)}`);
    const got32 = runOptimizer((ps) => new rf.SGD(ps, { lr: 1, ...o }), "float32", p0.map(Math.fround), grads.map((g) => g.map(Math.fround)), lrs);
    const ref32 = sgdRef(p0.map(Math.fround), grads.map((g) => g.map(Math.fround)), lrs, o);
    t.true(maxRelErr(got32, ref32) < 2e-6, `float32 err ${maxRelErr(got32, ref32)}`);
  });
}

const adamCases = [
  { name: "Adam", cls: "Adam", o: { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0 } },
  { name: "Adam with L2 weight decay", cls: "Adam", o: { beta1: 0.85, beta2: 0.99, eps: 1e-6, weightDecay: 0.1 } },
  { name: "AdamW (decoupled weight decay)", cls: "AdamW", o: { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 } },
  { name: "AdamW default weight decay 0.01", cls: "AdamW", o: { beta1: 0.9, beta2: 0.999, eps: 1e-8 }, ref: { weightDecay: 0.01 } },
];

for (const c of adamCases) {
  test(`${c.name} matches the float64 reference over ${STEPS} steps`, (t) => {
    const { p0, grads, lrs } = fixture(2);
    const o = { ...c.o, ...(c.ref ?? {}) };
    const decoupled = c.cls === "AdamW";
    const ref = adamRef(p0, grads, lrs, o, decoupled);
    const got64 = runOptimizer((ps) => new rf[c.cls](ps, { lr: 1, ...c.o }), "float64", p0, grads, lrs);
    t.true(maxRelErr(got64, ref) < 1e-12, `float64 err ${maxRelErr(got64, ref)}`);
    const got32 = runOptimizer((ps) => new rf[c.cls](ps, { lr: 1, ...c.o }), "float32", p0.map(Math.fround), grads.map((g) => g.map(Math.fround)), lrs);
    const ref32 = adamRef(p0.map(Math.fround), grads.map((g) => g.map(Math.fround)), lrs, o, decoupled);
    t.true(maxRelErr(got32, ref32) < 1e-5, `float32 err ${maxRelErr(got32, ref32)}`);
  });
}

test("Adam and AdamW differ when weight decay is on (the decay is really decoupled)", (t) => {
  const { p0, grads, lrs } = fixture(3);
  const o = { lr: 1, weightDecay: 0.1 };
  const a = runOptimizer((ps) => new rf.Adam(ps, o), "float64", p0, grads, lrs);
  const w = runOptimizer((ps) => new rf.AdamW(ps, o), "float64", p0, grads, lrs);
  t.true(maxRelErr(a, w) > 1e-4);
});

test("betas option, parameter groups with their own lr, params without grad are skipped", (t) => {
  const a = rf.tensor([1, 2, 3], { dtype: "float64" });
  const b = rf.tensor([4, 5], { dtype: "float64" });
  const c = rf.tensor([6], { dtype: "float64" });
  const opt = new rf.Adam([{ params: [a, c] }, { params: [b], lr: 0.5 }], { lr: 0.1, betas: [0.5, 0.75] });
  t.is(opt.paramGroups[0].beta1, 0.5);
  t.is(opt.paramGroups[1].beta2, 0.75);
  t.is(opt.paramGroups[1].lr, 0.5);
  setGrad(a, [1, 1, 1]);
  setGrad(b, [1, -1]);
  opt.step();
  // first Adam step moves each element by lr · sign(g) (up to eps)
  t.deepEqual(a.toArray().map((v) => +v.toFixed(6)), [0.9, 1.9, 2.9]);
  t.deepEqual(b.toArray().map((v) => +v.toFixed(6)), [3.5, 5.5]);
  t.deepEqual(c.toArray(), [6]);
  t.false(opt.state.has(c));
  t.is(opt.state.get(a).step, 1);
  opt.zeroGrad();
  t.is(a.grad, null);
  opt.dispose();
  [a, b, c].forEach((x) => x.dispose());
});

test("optimizer argument errors", (t) => {
  const p = rf.zeros([2]);
  t.throws(() => new rf.SGD([], { lr: 0.1 }), { message: /empty parameter list/ });
  t.throws(() => new rf.SGD([p, p]), { message: /appears more than once/ });
  t.throws(() => new rf.SGD([p], { lr: -1 }), { message: /lr must be a finite number >= 0/ });
  t.throws(() => new rf.SGD([p], { nesterov: true }), { message: /nesterov needs momentum > 0/ });
  t.throws(() => new rf.Adam([p], { beta1: 1 }), { message: /beta1 must be in \[0, 1\)/ });
  t.throws(() => new rf.Adam([{ params: [p], foo: 1 }]), { message: /unknown option "foo"/ });
  t.throws(() => new rf.SGD([rf.zeros([2], { dtype: "int32" })]), { message: /must be float32 or float64/ });
  t.throws(() => new rf.SGD([rf.zeros([2, 3]).T]), { message: /must be contiguous/ });
  const opt = new rf.SGD([p], { lr: 0.1 });
  p.grad = rf.zeros([3]).keep();
  t.throws(() => opt.step(), { message: /gradient \[3\] float32 does not match parameter \[2\] float32/ });
  opt.paramGroups[0].lr = NaN;
  p.zeroGrad();
  t.throws(() => opt.step(), { message: /lr must be a finite number/ });
  p.dispose();
});

test("a non-contiguous gradient is handled (copied for the fused kernel)", (t) => {
  const p = rf.zeros([2, 3], { dtype: "float64" });
  const g = rf.tensor([[1, 2], [3, 4], [5, 6]], { dtype: "float64" });
  p.grad = g.T; // strided view
  const opt = new rf.SGD([p], { lr: 1 });
  opt.step();
  t.deepEqual(p.toArray(), [[-1, -3, -5], [-2, -4, -6]]);
  opt.dispose();
  p.dispose();
  g.dispose();
});

function trainSteps(opt, params, grads) {
  for (const gs of grads) {
    params.forEach((p, i) => setGrad(p, gs[i]));
    opt.step();
  }
}

for (const [name, make] of [
  ["SGD", (ps) => new rf.SGD(ps, { lr: 0.05, momentum: 0.9, nesterov: true })],
  ["Adam", (ps) => new rf.Adam(ps, { lr: 0.05 })],
  ["AdamW", (ps) => new rf.AdamW(ps, { lr: 0.05, weightDecay: 0.2 })],
]) {
  test(`${name} stateDict round trip: a restored optimizer continues bit-exactly`, (t) => {
    const r = prng(9);
    const shapes = [[3, 4], [5]];
    const init = shapes.map((s) => randArray(r, s.reduce((a, b) => a * b, 1)));
    const grads = Array.from({ length: 5 }, () => shapes.map((s) => randArray(r, s.reduce((a, b) => a * b, 1))));
    const pa = shapes.map((s, i) => rf.tensor(init[i], { shape: s }));
    const optA = make(pa);
    trainSteps(optA, pa, grads.slice(0, 3));
    // a second optimizer on copies of the parameters, restored from A's state dict
    const pb = pa.map((p) => p.clone());
    const optB = make(pb);
    optB.paramGroups[0].lr = 123; // overwritten by the load
    optB.loadStateDict(optA.stateDict());
    t.is(optB.paramGroups[0].lr, 0.05);
    const sd = optA.stateDict();
    t.is(sd.type, name);
    t.deepEqual(sd.paramGroups[0].params, [0, 1]);
    // the loaded state is a copy: A's tensors are not shared with B
    for (const [ix, st] of Object.entries(optB.stateDict().state))
      for (const [k, v] of Object.entries(st)) if (v instanceof rf.Tensor) t.not(v, sd.state[ix][k]);
    trainSteps(optA, pa, grads.slice(3));
    trainSteps(optB, pb, grads.slice(3));
    pa.forEach((p, i) => t.true(bitsEqual(p.toTypedArray(), pb[i].toTypedArray())));
    [optA, optB].forEach((o) => o.dispose());
    [...pa, ...pb].forEach((p) => p.dispose());
  });
}

test("optimizer loadStateDict rejects mismatches and changes nothing", (t) => {
  const p = rf.ones([4]);
  const q = rf.ones([2]);
  const opt = new rf.Adam([p, q], { lr: 0.1 });
  setGrad(p, [1, 2, 3, 4]);
  setGrad(q, [1, 2]);
  opt.step();
  const before = JSON.stringify({ g: opt.paramGroups.map(({ params, ...h }) => h), m: Array.from(opt.state.get(p).expAvg.toTypedArray()) });
  const sgd = new rf.SGD([p, q], { lr: 0.1, momentum: 0.9 });
  sgd.step();
  t.throws(() => opt.loadStateDict(sgd.stateDict()), { message: /state dict is for "SGD", this optimizer is Adam/ });
  const other = new rf.Adam([rf.ones([4]), rf.ones([3])], { lr: 0.5 });
  other.params().forEach((x, i) => setGrad(x, i ? [1, 1, 1] : [1, 1, 1, 1]));
  other.step();
  t.throws(() => opt.loadStateDict(other.stateDict()), { message: /state of parameter 1 \[2\]: "expAvg" is \[3\] float32, expected \[2\] float32/ });
  const single = new rf.Adam([rf.ones([4])]);
  t.throws(() => opt.loadStateDict(single.stateDict()), { message: /group 0: has 1 parameters, this optimizer's group has 2/ });
  const sd = opt.stateDict();
  t.throws(() => opt.loadStateDict({ ...sd, paramGroups: [{ ...sd.paramGroups[0], lr: -1 }] }), { message: /lr must be a finite number >= 0/ });
  t.throws(() => opt.loadStateDict({ ...sd, state: { 0: { step: 1 } } }), { message: /missing "expAvg"/ });
  const after = JSON.stringify({ g: opt.paramGroups.map(({ params, ...h }) => h), m: Array.from(opt.state.get(p).expAvg.toTypedArray()) });
  t.is(after, before);
  [opt, sgd, other, single].forEach((o) => o.dispose());
});

test("clipGradNorm: global L2 norm, in-place scaling, no-op below the limit", (t) => {
  const a = rf.zeros([3], { dtype: "float64" });
  const b = rf.zeros([2, 2], { dtype: "float64" });
  const c = rf.zeros([2], { dtype: "float64" }); // no grad: ignored
  setGrad(a, [3, 0, 4]);
  setGrad(b, [0, 12, 0, 0]);
  const ga = a.grad;
  const norm = rf.clipGradNorm([a, b, c, a], 6.5);
  t.is(norm, 13);
  t.is(a.grad, ga, "scaled in place");
  const coef = 6.5 / (13 + 1e-6);
  t.deepEqual(Array.from(a.grad.toTypedArray()), [3 * coef, 0, 4 * coef]);
  t.deepEqual(Array.from(b.grad.toTypedArray()), [0, 12 * coef, 0, 0]);
  t.true(Math.abs(rf.gradNorm([a, b]) - 6.5) < 1e-6);
  const n2 = rf.clipGradNorm([a, b], 100);
  t.true(Math.abs(n2 - 6.5) < 1e-6);
  t.deepEqual(Array.from(a.grad.toTypedArray()), [3 * coef, 0, 4 * coef], "unchanged below maxNorm");
  // float32 gradients too
  const f = rf.zeros([1000]);
  setGrad(f, new Array(1000).fill(0.5));
  t.true(Math.abs(rf.clipGradNorm(f, 1) - Math.sqrt(250)) < 1e-9);
  t.true(Math.abs(rf.gradNorm(f) - 1) < 1e-5);
  [a, b, c, f].forEach((x) => x.dispose());
});

test("clipGradNorm with a non-finite norm leaves gradients alone (or throws when asked)", (t) => {
  const a = rf.zeros([2]);
  const b = rf.zeros([2]);
  setGrad(a, [1, NaN]);
  setGrad(b, [3, 4]);
  t.true(Number.isNaN(rf.clipGradNorm([a, b], 1)));
  t.deepEqual(Array.from(b.grad.toTypedArray()), [3, 4]);
  setGrad(a, [Infinity, 0]);
  t.is(rf.clipGradNorm([a, b], 1), Infinity);
  t.deepEqual(Array.from(b.grad.toTypedArray()), [3, 4]);
  t.throws(() => rf.clipGradNorm([a, b], 1, { errorIfNonfinite: true }), { message: /total gradient norm is Infinity/ });
  t.throws(() => rf.clipGradNorm([a], -1), { message: /maxNorm must be a number >= 0/ });
  [a, b].forEach((x) => x.dispose());
});

test("optimizer step after dispose is an error; zero-size parameters are fine", (t) => {
  const p = rf.zeros([0, 3]);
  const opt = new rf.Adam([p]);
  p.grad = rf.zeros([0, 3]).keep();
  opt.step();
  t.is(opt.state.get(p).step, 1);
  opt.dispose();
  t.throws(() => opt.step(), { message: /disposed/ });
  p.dispose();
});
