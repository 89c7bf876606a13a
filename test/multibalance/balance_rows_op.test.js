// balanceGradientsRows (native op; balance_gradients_rows): the MultiBalance step on T gradients
// given as separate tensors (row pointers), what balanceGradients uses on the CPU for a list, so
// that MultiBalance need not stack the leaves' gradients into [T, N]. Checked against the float64
// reference (helpers.multiBalanceRef) with odd sizes, rows scattered over one storage and over
// several, outputs poisoned before the call; bit for bit against the stacked op; bad input.
import test from "ava";
import { native } from "../../dist/native.js";
import { rf, prng, randArray, maxRelErr, sumErr, bitsEqual, multiBalanceRef, REFS, STRATEGIES, BALANCE_TOL } from "./helpers.js";

const F32 = 0, F64 = 1;
const REF_CODE = { target: 0, mean: 1, max: 2 }, STRAT_CODE = { both: 0, shrink: 1, enlarge: 2 };
const C = (dtype) => (dtype === "float64" ? Float64Array : Float32Array);
const ref = (t, offset = 0) => ({ _h: t._h, offset: t.offset + offset });

/** Poisoned [n] tensor (NaN everywhere) of a dtype: an element the kernel does not write shows. */
function poisoned(n, dtype) {
  return rf.tensor(C(dtype).from({ length: n }, () => NaN), { shape: [n] });
}

/** T rows of N elements inside ONE storage, at scattered offsets with gaps (reverse order). */
function scatteredRows(r, T, N, dtype, scales) {
  const gap = 3, total = T * (N + gap) + gap;
  const host = new (C(dtype))(total).fill(1e30); // gaps: values the kernel must not read
  const exact = [], offsets = [];
  for (let i = 0; i < T; i++) {
    const off = gap + (T - 1 - i) * (N + gap);
    const a = C(dtype).from(randArray(r, N, scales[i % scales.length]));
    host.set(a, off);
    exact.push(Array.from(a));
    offsets.push(off);
  }
  const storage = rf.tensor(host, { shape: [total] });
  return { storage, exact, rows: offsets.map((o) => ref(storage, o)) };
}

function call(dtype, T, N, gs, state, o, out, weights, norms) {
  native.balanceGradientsRows({
    dtype: dtype === "float64" ? F64 : F32, T, N, gs, m: state._m, init: state._init, beta: o.beta, relax: o.relax,
    refMode: REF_CODE[o.reference], target: o.target, strategy: STRAT_CODE[o.strategy], out, weights, norms,
  });
}

for (const reference of REFS)
  for (const strategy of STRATEGIES)
    test(`rows scattered in one storage = float64 reference over 4 steps (reference ${reference}, strategy ${strategy})`, (t) => {
      const r = prng(100 + REFS.indexOf(reference) * 10 + STRATEGIES.indexOf(strategy));
      const o = { reference, strategy, beta: 0.85, relax: 0.65, target: reference === "target" ? 1 : 0 };
      for (const dtype of ["float64", "float32"])
        for (const [T, N] of [[3, 1], [5, 37], [2, 8193 + 17]]) {
          const state = new rf.BalanceState(T);
          const st = { m: new Array(T).fill(0), init: new Array(T).fill(false) };
          for (let step = 0; step < 4; step++) {
            const { storage, exact, rows } = scatteredRows(r, T, N, dtype, [1, 40, 0.03]);
            const out = poisoned(N, dtype), w = poisoned(T, "float64"), n = poisoned(T, "float64");
            call(dtype, T, N, rows, state, o, out, w, n);
            const want = multiBalanceRef(exact, st, o);
            const err = sumErr(Array.from(out.toTypedArray()), want.out, want.mag);
            const stol = BALANCE_TOL[dtype].state;
            t.true(err < BALANCE_TOL[dtype].out(T), `${dtype} T ${T} N ${N} step ${step}: out error ${err}`);
            t.true(maxRelErr(Array.from(w.toTypedArray()), want.weights) < stol, `${dtype} T ${T} N ${N} step ${step}: weights`);
            t.true(maxRelErr(Array.from(n.toTypedArray()), want.norms) < stol, `${dtype} T ${T} N ${N} step ${step}: norms`);
            t.true(maxRelErr(Array.from(state.movingAverages), st.m) < stol, `${dtype} T ${T} N ${N} step ${step}: m`);
            for (const x of [storage, out, w, n]) x.dispose();
          }
          state.dispose();
        }
    });

test("rows in separate storages give the stacked op's results bit for bit, and out may be one of the rows", (t) => {
  const r = prng(7);
  for (const dtype of ["float32", "float64"]) {
    const T = 4, N = 1031;
    const arrays = Array.from({ length: T }, (_, i) => C(dtype).from(randArray(r, N, [1, 9, 0.1, 3][i])));
    const tensors = arrays.map((a) => rf.tensor(a, { shape: [N] }));
    const stacked = rf.stack(tensors, 0);
    const o = { reference: "mean", strategy: "both", beta: 0.9, relax: 0.7, target: 0 };
    const s1 = new rf.BalanceState(T), s2 = new rf.BalanceState(T), s3 = new rf.BalanceState(T);
    const outs = [];
    for (let step = 0; step < 3; step++) {
      const o1 = poisoned(N, dtype), o2 = poisoned(N, dtype);
      const w1 = poisoned(T, "float64"), w2 = poisoned(T, "float64"), n1 = poisoned(T, "float64"), n2 = poisoned(T, "float64");
      call(dtype, T, N, tensors.map((x) => ref(x)), s1, o, o1, w1, n1);
      native.balanceGradients({ dtype: dtype === "float64" ? F64 : F32, T, N, g: ref(stacked), m: s2._m, init: s2._init, beta: o.beta, relax: o.relax, refMode: 1, target: 0, strategy: 0, out: o2, weights: w2, norms: n2 });
      t.true(bitsEqual(o1.toTypedArray(), o2.toTypedArray()), `${dtype} step ${step}: out`);
      t.true(bitsEqual(w1.toTypedArray(), w2.toTypedArray()) && bitsEqual(n1.toTypedArray(), n2.toTypedArray()), `${dtype} step ${step}: weights, norms`);
      t.true(bitsEqual(s1.movingAverages, s2.movingAverages), `${dtype} step ${step}: m`);
      outs.push(o1);
      for (const x of [o2, w1, w2, n1, n2]) x.dispose();
    }
    // in place into row 2 (the aliasing the kernel allows): same result as the separate out
    const copies = arrays.map((a) => rf.tensor(a, { shape: [N] }));
    let last;
    for (let step = 0; step < 3; step++) {
      const w = poisoned(T, "float64"), n = poisoned(T, "float64");
      const fresh = arrays.map((a) => rf.tensor(a, { shape: [N] }));
      call(dtype, T, N, fresh.map((x) => ref(x)), s3, o, ref(fresh[2]), w, n);
      last = fresh[2].toTypedArray();
      fresh.forEach((x) => x.dispose());
      w.dispose();
      n.dispose();
    }
    t.true(bitsEqual(last, outs[2].toTypedArray()), `${dtype}: out aliasing row 2`);
    for (const x of [...tensors, ...copies, stacked, ...outs]) x.dispose();
    for (const s of [s1, s2, s3]) s.dispose();
  }
});

test("bad input: wrong row count, a short row, out partly overlapping a row, state overlapping a row, NaN", (t) => {
  const T = 3, N = 10, o = { reference: "target", strategy: "both", beta: 0.9, relax: 0.7, target: 0 };
  const big = rf.tensor(Float32Array.from({ length: 4 * N }, (_, i) => Math.sin(i)), { shape: [4 * N] });
  const rows = [0, N, 2 * N].map((off) => ref(big, off));
  const state = new rf.BalanceState(T);
  const out = poisoned(N, "float32"), w = poisoned(T, "float64"), n = poisoned(T, "float64");
  const m0 = Array.from(state.movingAverages);
  t.throws(() => call("float32", T, N, rows.slice(0, 2), state, o, out, w, n), { instanceOf: RangeError, message: /gs must hold T = 3 tensors, got 2/ });
  t.throws(() => call("float32", T, N, [rows[0], rows[1], ref(big, 3 * N + 1)], state, o, out, w, n), { instanceOf: RangeError, message: /gradient of task 2/ });
  t.throws(() => call("float32", T, N, rows, state, o, ref(big, N / 2), w, n), { instanceOf: RangeError, message: /out overlaps gradient of task 0 without being exactly one of its rows/ });
  const w64 = rf.tensor(new Float64Array(2 * T + 2), { shape: [2 * T + 2] });
  const rows64 = [ref(w64, 0), ref(w64, 0), ref(w64, 0)];
  const out64 = poisoned(T, "float64");
  t.throws(() => native.balanceGradientsRows({ dtype: F64, T, N: T, gs: rows64, m: state._m, init: state._init, beta: 0.9, relax: 0.7, refMode: 0, target: 0, strategy: 0, out: out64, weights: ref(w64, 1), norms: n }), { instanceOf: RangeError, message: /weights overlaps gradient of task 0/ });
  t.throws(() => call("float32", T, N, [rows[0], rows[1], ref(big, 2 * N)], state, { ...o, beta: 1 }, out, w, n), { instanceOf: RangeError, message: /beta/ });
  t.throws(() => call("float32", T, N, "not a list", state, o, out, w, n), { instanceOf: TypeError, message: /list of tensors/ });
  // a NaN in task 1: RangeError naming it, nothing written
  const bad = rf.tensor(Float32Array.from({ length: N }, (_, i) => (i === 7 ? NaN : 1)), { shape: [N] });
  t.throws(() => call("float32", T, N, [rows[0], ref(bad), rows[2]], state, o, out, w, n), { instanceOf: RangeError, message: /task 1 gradient contains NaN/ });
  t.true(Array.from(out.toTypedArray()).every(Number.isNaN), "out untouched");
  t.deepEqual(Array.from(state.movingAverages), m0);
  t.deepEqual(state.initialized, [false, false, false]);
  for (const x of [big, out, w, n, w64, out64, bad]) x.dispose();
  state.dispose();
});

test("balanceGradients on a list (CPU) takes the rows path: non-contiguous gradients too, same as stacked", (t) => {
  const r = prng(11);
  const T = 3;
  // [5, 7] views of [7, 5] transposes: not contiguous, copied before the kernel reads them
  const base = Array.from({ length: T }, (_, i) => rf.tensor(Float64Array.from(randArray(r, 35, i + 1)), { shape: [7, 5] }));
  const views = base.map((b) => rf.transpose(b, 0, 1));
  t.false(views[0].isContiguous);
  const s1 = new rf.BalanceState(T), s2 = new rf.BalanceState(T);
  const a = rf.balanceGradients(views, s1, { reference: "max" });
  const stacked = rf.stack(views.map((v) => v.contiguous()), 0);
  const b = rf.balanceGradients(stacked, s2, { reference: "max" });
  t.true(bitsEqual(a.out.toTypedArray(), b.out.toTypedArray()));
  t.true(bitsEqual(a.weights, b.weights));
  for (const x of [...base, ...views, stacked, a.out, b.out]) x.dispose();
  s1.dispose();
  s2.dispose();
});
