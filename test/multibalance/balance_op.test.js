// balanceGradients (lib/ops/balance.ts): the fused MultiBalance step against a float64
// reference, over several steps (the moving averages), every reference and strategy.
import test from "ava";
import { rf, prng, randArray, maxRelErr, sumErr, bitsEqual, multiBalanceRef, REFS, STRATEGIES, BALANCE_TOL } from "./helpers.js";

function randomGrads(r, T, shape, dtype, scales) {
  const n = shape.reduce((a, b) => a * b, 1);
  const arrays = Array.from({ length: T }, (_, i) => randArray(r, n, scales[i % scales.length]));
  const C = dtype === "float64" ? Float64Array : Float32Array;
  // reference sees exactly the values the kernel sees (rounded to the element type)
  const exact = arrays.map((a) => Array.from(C.from(a)));
  return { exact, tensors: exact.map((a) => rf.tensor(C.from(a), { shape })) };
}

for (const reference of REFS)
  for (const strategy of STRATEGIES)
    test(`combined gradient = float64 formula over 5 steps (reference ${reference}, strategy ${strategy})`, (t) => {
      const r = prng(REFS.indexOf(reference) * 10 + STRATEGIES.indexOf(strategy) + 1);
      const T = 4, shape = [13, 7];
      const opts = { reference, strategy, beta: 0.8, relax: 0.6, target: reference === "target" ? 2 : 0 };
      for (const dtype of ["float64", "float32"]) {
        const state = new rf.BalanceState(T);
        const ref = { m: new Array(T).fill(0), init: new Array(T).fill(false) };
        for (let step = 0; step < 5; step++) {
          const { exact, tensors } = randomGrads(r, T, shape, dtype, [1, 30, 0.02, 4]);
          const res = rf.balanceGradients(tensors, state, opts);
          const want = multiBalanceRef(exact, ref, opts);
          t.deepEqual(res.out.shape, shape);
          t.is(res.out.dtype, dtype);
          // float64: a few ulps of the summed magnitudes; float32: the float-lane tolerance (BALANCE_TOL)
          const tol = BALANCE_TOL[dtype].out(T), stol = BALANCE_TOL[dtype].state;
          const err = sumErr(Array.from(res.out.toTypedArray()), want.out, want.mag);
          t.true(err < tol, `${dtype} step ${step}: out error ${err}`);
          t.true(maxRelErr(Array.from(res.weights), want.weights) < stol, `${dtype} step ${step}: weights`);
          t.true(maxRelErr(Array.from(res.norms), want.norms) < stol, `${dtype} step ${step}: norms`);
          t.true(maxRelErr(Array.from(state.movingAverages), ref.m) < stol, `${dtype} step ${step}: m`);
          if (strategy === "shrink") t.true(want.weights.every((w) => w <= 1));
          if (strategy === "enlarge") t.true(want.weights.every((w) => w >= 1));
          res.out.dispose();
          tensors.forEach((x) => x.dispose());
        }
        state.dispose();
      }
    });

test("stacked [T, ...] input and a caller-provided out give the same result as a list", (t) => {
  const r = prng(5);
  const { tensors } = randomGrads(r, 3, [6, 5], "float64", [1, 3, 9]);
  const s1 = new rf.BalanceState(3), s2 = new rf.BalanceState(3);
  const a = rf.balanceGradients(tensors, s1);
  const stacked = rf.stack(tensors, 0);
  const out = rf.zeros([6, 5], { dtype: "float64" });
  const b = rf.balanceGradients(stacked, s2, { out });
  t.is(b.out, out);
  t.true(bitsEqual(a.out.toTypedArray(), out.toTypedArray()));
  t.true(bitsEqual(s1.movingAverages, s2.movingAverages));
  for (const x of [...tensors, stacked, out, a.out]) x.dispose();
  s1.dispose();
  s2.dispose();
});

test("one task: weight exactly 1 and out == g bit for bit, every reference", (t) => {
  const r = prng(9);
  for (const reference of REFS) {
    const s = new rf.BalanceState(1);
    for (let step = 0; step < 3; step++) {
      const g = rf.tensor(Float32Array.from(randArray(r, 17, 5)));
      const res = rf.balanceGradients([g], s, { reference });
      t.is(res.weights[0], 1);
      t.true(bitsEqual(res.out.toTypedArray(), g.toTypedArray()));
      g.dispose();
      res.out.dispose();
    }
    s.dispose();
  }
});

test("zero gradient: that task gets weight 1, no NaN anywhere", (t) => {
  const s = new rf.BalanceState(3);
  for (let step = 0; step < 3; step++) {
    const gs = [rf.tensor(Float64Array.from([1, 2, 3])), rf.zeros([3], { dtype: "float64" }), rf.tensor(Float64Array.from([0.1, 0, 0]))];
    const res = rf.balanceGradients(gs, s);
    t.is(res.weights[1], 1);
    t.true([...res.weights, ...res.out.toTypedArray(), ...s.movingAverages].every(Number.isFinite));
    gs.forEach((g) => g.dispose());
    res.out.dispose();
  }
  s.dispose();
});

test("NaN / Inf gradient: RangeError naming the task, state and out untouched", (t) => {
  const s = new rf.BalanceState(2);
  const ok = [rf.tensor(Float64Array.from([1, 2])), rf.tensor(Float64Array.from([3, 4]))];
  rf.balanceGradients(ok, s).out.dispose();
  const before = s.stateDict();
  for (const bad of [NaN, Infinity, -Infinity]) {
    const gs = [rf.tensor(Float64Array.from([1, 2])), rf.tensor(Float64Array.from([3, bad]))];
    const out = rf.full([2], 7, { dtype: "float64" });
    t.throws(() => rf.balanceGradients(gs, s, { out }), { instanceOf: RangeError, message: /task 1 .*NaN\/Inf/ });
    t.deepEqual(s.stateDict(), before);
    t.deepEqual(Array.from(out.toTypedArray()), [7, 7]);
    [...gs, out].forEach((x) => x.dispose());
  }
  ok.forEach((x) => x.dispose());
  s.dispose();
});

test("tasks whose gradients differ in shape (different batch sizes) are rejected with both shapes", (t) => {
  const s = new rf.BalanceState(2);
  const a = rf.zeros([8, 4]), b = rf.zeros([6, 4]);
  t.throws(() => rf.balanceGradients([a, b], s), { instanceOf: RangeError, message: /task 1 gradient has shape \[6, 4\], task 0 has \[8, 4\]/ });
  const c = rf.zeros([8, 4], { dtype: "float64" });
  t.throws(() => rf.balanceGradients([a, c], s), { instanceOf: TypeError, message: /float64/ });
  t.throws(() => rf.balanceGradients([a, a, a], s), { instanceOf: RangeError, message: /3 tasks, the state is for 2/ });
  t.throws(() => rf.balanceGradients([], s), { instanceOf: TypeError });
  t.throws(() => rf.balanceGradients([a, a], s, { beta: 1 }), { instanceOf: RangeError, message: /beta/ });
  t.throws(() => rf.balanceGradients([a, a], s, { relax: -0.1 }), { instanceOf: RangeError, message: /relax/ });
  t.throws(() => rf.balanceGradients([a, a], s, { reference: "median" }), { instanceOf: RangeError, message: /reference/ });
  t.throws(() => rf.balanceGradients([a, a], s, { strategy: "up" }), { instanceOf: RangeError, message: /strategy/ });
  t.throws(() => rf.balanceGradients([a, a], s, { target: 2 }), { instanceOf: RangeError, message: /target/ });
  t.deepEqual(s.initialized, [false, false]);
  [a, b, c].forEach((x) => x.dispose());
  s.dispose();
});

test("BalanceState.stateDict round-trips the moving averages bit for bit", (t) => {
  const r = prng(11);
  const s = new rf.BalanceState(3);
  for (let step = 0; step < 4; step++) {
    const gs = [0, 1, 2].map((i) => rf.tensor(Float32Array.from(randArray(r, 9, 10 ** i))));
    rf.balanceGradients(gs, s).out.dispose();
    gs.forEach((g) => g.dispose());
  }
  const sd = JSON.parse(JSON.stringify(s.stateDict()));
  const s2 = new rf.BalanceState(3);
  s2.loadStateDict(sd);
  t.true(bitsEqual(s.movingAverages, s2.movingAverages));
  t.deepEqual(s2.initialized, [true, true, true]);
  // and the next step agrees exactly
  const gs = [0, 1, 2].map((i) => rf.tensor(Float32Array.from(randArray(r, 9, 10 ** i))));
  const a = rf.balanceGradients(gs, s), b = rf.balanceGradients(gs, s2);
  t.true(bitsEqual(a.out.toTypedArray(), b.out.toTypedArray()));
  t.throws(() => s2.loadStateDict({ ...sd, numTasks: 2 }), { message: /for 2 tasks, this one has 3/ });
  t.throws(() => s2.loadStateDict({ ...sd, m: [1, NaN, 2] }), { message: /m\[1\]/ });
  [...gs, a.out, b.out].forEach((x) => x.dispose());
  s.dispose();
  s2.dispose();
});
