// Adagrad: float64 reference over several steps (PyTorch semantics), checkpoint round trip,
// hyperparameter and binding errors.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { rf, prng, randArray, maxRelErr, bitsEqual } from "./helpers.js";
import { native } from "../../dist/native.js";

const N = 37; // odd, so no vector-width luck
const STEPS = 7;

// torch.optim.Adagrad, in float64: clr = lr / (1 + (t-1)·lrDecay); g += wd·p; G += g²; p -= clr·g/(√G + eps)
function adagradRef(p0, grads, lrs, o) {
  const p = p0.slice();
  const G = new Array(p.length).fill(o.initialAccumulatorValue);
  for (let s = 0; s < grads.length; s++) {
    const clr = lrs[s] / (1 + s * o.lrDecay);
    for (let i = 0; i < p.length; i++) {
      const g = grads[s][i] + o.weightDecay * p[i];
      G[i] += g * g;
      p[i] -= (clr * g) / (Math.sqrt(G[i]) + o.eps);
    }
  }
  return p;
}

function run(o, dtype, p0, grads, lrs) {
  const p = rf.tensor(p0, { dtype, shape: [N] });
  const opt = new rf.Adagrad([p], o);
  for (let s = 0; s < grads.length; s++) {
    opt.paramGroups[0].lr = lrs[s];
    p.zeroGrad();
    p.grad = rf.tensor(grads[s], { dtype, shape: [N] }).keep();
    rf.tidy(() => opt.step()); // state created inside a scope must survive it
  }
  const out = Array.from(p.toTypedArray());
  t_state.step = opt.state.get(p).step;
  opt.dispose();
  p.dispose();
  return out;
}
const t_state = { step: 0 };

const cases = [
  { name: "defaults", o: {} },
  { name: "weight decay", o: { weightDecay: 0.05 } },
  { name: "initial accumulator + eps", o: { initialAccumulatorValue: 0.1, eps: 1e-6 } },
  { name: "lr decay + everything", o: { lrDecay: 0.3, weightDecay: 0.02, initialAccumulatorValue: 0.5, eps: 1e-8 } },
];
const defaults = { lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 };

for (const [ci, c] of cases.entries()) {
  test(`Adagrad ${c.name} matches the float64 reference over ${STEPS} steps`, (t) => {
    const r = prng(100 + ci);
    const p0 = randArray(r, N, 2);
    const grads = Array.from({ length: STEPS }, () => randArray(r, N, 1.5));
    grads[2][5] = 0; // a zero gradient on the first steps' accumulator: no division by zero
    const lrs = Array.from({ length: STEPS }, (_, s) => 0.05 / (1 + 0.5 * s));
    const o = { ...defaults, ...c.o };
    const ref = adagradRef(p0, grads, lrs, o);
    const got64 = run(c.o, "float64", p0, grads, lrs);
    t.is(t_state.step, STEPS);
    t.true(maxRelErr(got64, ref) < 1e-13, `float64 err ${maxRelErr(got64, ref)}`);
    const ref32 = adagradRef(p0.map(Math.fround), grads.map((g) => g.map(Math.fround)), lrs, o);
    const got32 = run(c.o, "float32", p0, grads, lrs);
    t.true(maxRelErr(got32, ref32) < 2e-6, `float32 err ${maxRelErr(got32, ref32)}`);
  });
}

test("Adagrad first step from G = 0 moves every element by lr·sign(g) (up to eps)", (t) => {
  const p = rf.tensor([1, 2, 3, 4]);
  const opt = new rf.Adagrad([p], { lr: 0.1 });
  p.grad = rf.tensor([0.5, -3, 1e-3, -20]).keep();
  opt.step();
  const got = Array.from(p.toTypedArray());
  [0.9, 2.1, 2.9, 4.1].forEach((v, i) => t.true(Math.abs(got[i] - v) < 1e-6, `${got[i]} vs ${v}`));
  t.deepEqual(Array.from(opt.state.get(p).sum.toTypedArray()), [0.25, 9, Math.fround(Math.fround(1e-3) ** 2), 400]);
  opt.dispose();
  p.dispose();
});

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-adagrad-"));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));

test("Adagrad state (step, sum) survives stateDict and checkpoint round trips: training resumes bit-exactly", (t) => {
  const r = prng(9);
  const shapes = [[3, 4], [5]];
  const size = (s) => s.reduce((a, b) => a * b, 1);
  const init = shapes.map((s) => randArray(r, size(s)));
  const grads = Array.from({ length: 6 }, () => shapes.map((s) => randArray(r, size(s))));
  const make = (ps) => new rf.Adagrad(ps, { lr: 0.05, lrDecay: 0.1, weightDecay: 0.01, initialAccumulatorValue: 0.2 });
  const steps = (opt, ps, gs) => {
    for (const g of gs) {
      ps.forEach((p, i) => {
        p.zeroGrad();
        p.grad = rf.tensor(g[i], { shape: shapes[i] }).keep();
      });
      opt.step();
    }
  };
  const pa = shapes.map((s, i) => rf.tensor(init[i], { shape: s }));
  const optA = make(pa);
  steps(optA, pa, grads.slice(0, 3));
  const sd = optA.stateDict();
  t.is(sd.type, "Adagrad");
  t.deepEqual(Object.keys(sd.state["0"]).sort(), ["step", "sum"]);

  // checkpoint file: a fresh optimiser on copies of the parameters, different hyperparameters first
  const file = path.join(dir, "a.safetensors");
  rf.saveCheckpoint(file, { optimizer: optA, generator: null });
  const header = rf.readSafetensorsHeader(file);
  t.true("optimizer.state.0.sum" in header.tensors && "optimizer.state.1.sum" in header.tensors);
  const pb = pa.map((p) => p.clone());
  const optB = new rf.Adagrad(pb, { lr: 7 });
  rf.loadCheckpoint(file, { optimizer: optB, generator: null });
  t.is(optB.paramGroups[0].lr, 0.05);
  t.is(optB.paramGroups[0].lrDecay, 0.1);
  t.is(optB.state.get(pb[1]).step, 3);
  // the wrong kind is refused
  const adam = new rf.Adam(pb.map((p) => p.clone()));
  t.throws(() => rf.loadCheckpoint(file, { optimizer: adam, generator: null }), { message: /is for "Adagrad", this optimizer is Adam/ });

  steps(optA, pa, grads.slice(3));
  steps(optB, pb, grads.slice(3));
  pa.forEach((p, i) => t.true(bitsEqual(p.toTypedArray(), pb[i].toTypedArray()), `param ${i} bit-exact`));
  const sa = optA.state.get(pa[0]).sum.toTypedArray(), sb = optB.state.get(pb[0]).sum.toTypedArray();
  t.true(bitsEqual(sa, sb));
  for (const o of [optA, optB, adam]) o.dispose();
  for (const p of [...pa, ...pb, ...adam.params()]) p.dispose();
});

test("Adagrad hyperparameter and binding errors", (t) => {
  const p = rf.ones([4]);
  t.throws(() => new rf.Adagrad([p], { lr: -1 }), { message: /lr must be a finite number >= 0/ });
  t.throws(() => new rf.Adagrad([p], { eps: NaN }), { message: /eps must be a finite number >= 0/ });
  t.throws(() => new rf.Adagrad([p], { initialAccumulatorValue: -0.1 }), { message: /initialAccumulatorValue must be/ });
  t.throws(() => new rf.Adagrad([{ params: [p], momentum: 0.9 }]), { message: /unknown option "momentum"/ });
  const opt = new rf.Adagrad([p]);
  const sd = opt.stateDict();
  t.throws(() => opt.loadStateDict({ ...sd, state: { 0: { step: 1 } } }), { message: /missing "sum"/ });
  // the binding checks what crosses it: sizes, overlap, step
  {
    const q = rf.ones([4]), g = rf.ones([4]), s = rf.zeros([4]);
    const args = { dtype: 0, n: 4, param: q, grad: g, sum: s, lr: 0.1, lrDecay: 0, eps: 1e-10, weightDecay: 0, step: 1 };
    native.adagradStep(args); // the valid call passes
    t.throws(() => native.adagradStep({ ...args, n: 5 }), { instanceOf: RangeError });
    t.throws(() => native.adagradStep({ ...args, grad: q }), { message: /must not overlap/ });
    t.throws(() => native.adagradStep({ ...args, step: 0 }), { message: /step must be >= 1/ });
    t.throws(() => native.adagradStep({ ...args, dtype: 2 }), { message: /expected a float dtype/ });
    for (const x of [q, g, s]) x.dispose();
  }
  opt.dispose();
  p.dispose();
});
