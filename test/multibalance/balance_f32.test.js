// The float32 path of the balance kernel (float lanes, since session 6): norms / weights within
// 1e-5 relative of the float64 reference at sizes around its sub-blocks (2048) and blocks (8192)
// and at Census's z (2 x [1024, 391]); gradients whose float squares underflow or overflow
// (the kernel must fall back to float64 for them); NaN inside a vector sub-block; T = 1 exact.
import test from "ava";
import { rf, prng, randArray, maxRelErr, sumErr, multiBalanceRef, BALANCE_TOL } from "./helpers.js";

function grads(r, T, N, scales) {
  const exact = Array.from({ length: T }, (_, i) => Array.from(Float32Array.from(randArray(r, N, scales[i % scales.length]))));
  return { exact, tensors: exact.map((a) => rf.tensor(Float32Array.from(a), { shape: [N] })) };
}

function checkSteps(t, what, T, N, scales, steps = 3, opts = { beta: 0.9, relax: 0.7, reference: "mean", strategy: "both" }) {
  const r = prng(N * 31 + T);
  const state = new rf.BalanceState(T);
  const ref = { m: new Array(T).fill(0), init: new Array(T).fill(false) };
  let worst = 0;
  for (let step = 0; step < steps; step++) {
    const { exact, tensors } = grads(r, T, N, scales);
    const res = rf.balanceGradients(tensors, state, opts);
    const want = multiBalanceRef(exact, ref, opts);
    const wErr = maxRelErr(Array.from(res.weights), want.weights), nErr = maxRelErr(Array.from(res.norms), want.norms);
    worst = Math.max(worst, wErr, nErr);
    t.true(nErr < BALANCE_TOL.float32.state, `${what} N ${N} step ${step}: norms ${Array.from(res.norms)} vs ${want.norms} (rel ${nErr})`);
    t.true(wErr < BALANCE_TOL.float32.state, `${what} N ${N} step ${step}: weights rel error ${wErr}`);
    const err = sumErr(Array.from(res.out.toTypedArray()), want.out, want.mag);
    t.true(err < BALANCE_TOL.float32.out(T), `${what} N ${N} step ${step}: out error ${err}`);
    res.out.dispose();
    tensors.forEach((x) => x.dispose());
  }
  state.dispose();
  return worst;
}

test("float32: norms and weights within 1e-5 of float64 around the sub-block and block sizes and at Census's z", (t) => {
  let worst = 0;
  for (const N of [2047, 2048, 2049, 4096 + 63, 8191, 8192, 8193, 8192 + 2048 + 5, 1024 * 391])
    for (const T of [2, 3]) worst = Math.max(worst, checkSteps(t, `T ${T}`, T, N, [1, 7, 0.05]));
  t.log(`largest relative error of norms / weights: ${worst.toExponential(2)}`);
});

test("float32: squares that underflow or overflow float are summed in float64 (tiny and huge gradients keep their norms)", (t) => {
  // 1e-24: squares ~1e-48 are below float's range; 3e20: squares ~1e41 above it, the elements finite
  for (const scales of [[1e-24, 1], [1, 1e-24], [3e20, 1], [1e-24, 3e20]]) checkSteps(t, `scales ${scales}`, 2, 8192 + 2048 + 5, scales, 2);
});

test("float32: a NaN inside a vector sub-block is rejected, nothing written; T = 1 gives the gradient bit for bit", (t) => {
  const r = prng(5);
  const N = 8192 + 3000;
  const { tensors } = grads(r, 2, N, [1, 2]);
  const host = tensors[1].toTypedArray().slice();
  host[4097] = NaN;
  const bad = rf.tensor(host, { shape: [N] });
  const state = new rf.BalanceState(2);
  t.throws(() => rf.balanceGradients([tensors[0], bad], state, {}), { instanceOf: RangeError, message: /task 1.*NaN|NaN.*task 1/ });
  t.deepEqual(Array.from(state.movingAverages), [0, 0], "state untouched");
  const one = new rf.BalanceState(1);
  const res = rf.balanceGradients([tensors[0]], one, {});
  t.deepEqual(Array.from(res.weights), [1]);
  t.deepEqual(Array.from(res.out.toTypedArray()), Array.from(tensors[0].toTypedArray()));
  res.out.dispose();
  [...tensors, bad].forEach((x) => x.dispose());
  state.dispose();
  one.dispose();
});
