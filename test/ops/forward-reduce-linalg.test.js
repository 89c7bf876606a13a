// Forward values of reductions, matmul/linear, softmax and the norms against naive
// float64 references: random shapes with odd and zero-size dims, random axis sets,
// keepdim both ways, float32 with a float32 tolerance.
import test from "ava";
import * as rf from "../../dist/index.js";
import {
  assertClose, layerNormRef, matmulRef, permuteRef, randData, reduceRef, reducers, rmsNormRef, rng, softmaxRef, transposeLast,
} from "../helpers/reference.js";

const r = rng(707);
const DIMS = [0, 1, 2, 3, 5, 7];
const randShape = (nd = r.int(1, 5)) => Array.from({ length: nd }, () => r.pick(DIMS));
const tol = { float64: { rtol: 1e-10, atol: 1e-12 }, float32: { rtol: 1e-5, atol: 1e-5 } };
const toT = (a, dtype = "float64") => rf.tensor(a.data, { dtype, shape: a.shape });
const asInput = (a, dtype) => (dtype === "float32" ? { shape: a.shape, data: a.data.map(Math.fround) } : a);
const randAxes = (nd) => {
  const k = r.int(0, 3);
  if (k === 0) return undefined;
  const all = [...Array(nd).keys()].filter(() => r.next() < 0.5);
  return k === 1 && all.length ? all[0] - (r.next() < 0.5 ? nd : 0) : all;
};
const axesList = (axes, nd) => (axes === undefined ? [...Array(nd).keys()] : [].concat(axes).map((a) => (a < 0 ? a + nd : a)));

const reductions = [
  ["sum", rf.sum, reducers.sum, true],
  ["mean", rf.mean, reducers.mean, true],
  ["amax", rf.amax, reducers.max, false],
  ["amin", rf.amin, reducers.min, false],
  ["logsumexp", rf.logsumexp, reducers.logsumexp, false],
  ["variance", rf.variance, (v) => reducers.variance(v, 1), true],
];

for (const [name, f, ref, emptyOk] of reductions) {
  test(`forward ${name} over random shapes and axis sets`, (t) => {
    for (const dtype of ["float64", "float32"]) {
      for (let k = 0; k < 25; k++) {
        const shape = k === 0 ? [0, 3] : k === 1 ? [5, 0] : k === 2 ? [4, 1, 3] : randShape();
        const axes = k < 2 ? 1 : k === 2 ? [0, 2] : randAxes(shape.length);
        const keepdim = r.next() < 0.5;
        const a = asInput(randData(r, shape, { lo: -3, hi: 3 }), dtype);
        const emptyAxis = axesList(axes, shape.length).some((ax) => shape[ax] === 0);
        if (emptyAxis && !emptyOk) {
          t.throws(() => f(toT(a, dtype), axes, keepdim), { instanceOf: RangeError, message: /empty/ }, `${name} over an empty axis`);
          continue;
        }
        const out = f(toT(a, dtype), axes, keepdim);
        t.is(out.dtype, dtype);
        assertClose(t, out, reduceRef(a, axes, keepdim, ref), { ...tol[dtype], what: `${dtype} [${shape}] axes ${JSON.stringify(axes)} keepdim ${keepdim}` });
      }
    }
  });
}

test("forward reductions of empty tensors follow the usual conventions", (t) => {
  t.is(rf.sum(rf.zeros([0])).item(), 0);
  t.is(rf.sum(rf.zeros([0, 4]), 0).toArray().length, 4);
  t.deepEqual(rf.sum(rf.zeros([3, 0]), 1).toArray(), [0, 0, 0]);
  t.true(Number.isNaN(rf.mean(rf.zeros([0])).item()), "mean of nothing is NaN");
  t.true(Number.isNaN(rf.variance(rf.zeros([0])).item()));
  t.deepEqual(rf.amax(rf.zeros([0, 3]), 1).shape, [0], "amax over a non-empty axis of an empty tensor");
  t.deepEqual(rf.sum(rf.zeros([2, 0, 3]), [0, 2]).toArray(), []);
});

test("forward sum/mean of a strided view and of large rows (double accumulation)", (t) => {
  const a = randData(r, [3, 4, 5]);
  const v = rf.permute(toT(a), [2, 0, 1]);
  assertClose(t, rf.sum(v, [1]), reduceRef(permuteRef(a, [2, 0, 1]), [1], false, reducers.sum), tol.float64);
  assertClose(t, rf.mean(v, [0, 2], true), reduceRef(permuteRef(a, [2, 0, 1]), [0, 2], true, reducers.mean), tol.float64);
  // 100k float32 ones: a float accumulator would drift, the kernel accumulates in double
  t.is(rf.sum(rf.ones([100003])).item(), 100003);
  t.is(rf.sum(rf.ones([3, 70001]), 1).toArray()[2], 70001);
  t.is(rf.sum(rf.ones([70001, 3]), 0).toArray()[1], 70001);
});

test("forward max/min values and indices, argmax/argmin (first index on ties)", (t) => {
  for (let k = 0; k < 20; k++) {
    const shape = randShape().map((d) => d || 1);
    const axis = r.int(-shape.length, shape.length);
    const keepdim = r.next() < 0.5;
    // values on a coarse grid so that ties happen
    const a = randData(r, shape);
    a.data.forEach((v, i) => (a.data[i] = Math.round(v * 2)));
    for (const [f, vref, iref] of [[rf.max, reducers.max, reducers.argmax], [rf.min, reducers.min, reducers.argmin]]) {
      const { values, indices } = f(toT(a), axis, keepdim);
      assertClose(t, values, reduceRef(a, axis, keepdim, vref), { rtol: 0, atol: 0, what: `${f.name} values` });
      t.is(indices.dtype, "int32");
      assertClose(t, indices, reduceRef(a, axis, keepdim, iref), { rtol: 0, atol: 0, what: `${f.name} indices [${shape}] axis ${axis}` });
    }
    assertClose(t, rf.argmax(toT(a), axis, keepdim), reduceRef(a, axis, keepdim, reducers.argmax), { rtol: 0, atol: 0, what: "argmax" });
    assertClose(t, rf.argmin(toT(a), axis, keepdim), reduceRef(a, axis, keepdim, reducers.argmin), { rtol: 0, atol: 0, what: "argmin" });
  }
  t.deepEqual(rf.argmax(rf.tensor([[1, 3, 3], [2, 2, 1]]), 1).toArray(), [1, 0]);
  t.deepEqual(rf.tensor([[5, 1], [0, 9]]).argmax(0).toArray(), [0, 1]);
  t.deepEqual(rf.max(rf.zeros([0, 3]), 1).values.shape, [0]);
});

test("forward matmul on random shapes: 2-d, batched, broadcast batch, 1-d, zero sizes", (t) => {
  const cases = [
    [[3, 4], [4, 5]], [[0, 4], [4, 5]], [[3, 0], [0, 5]], [[3, 4], [4, 0]], [[2, 3, 0], [0, 4]], [[0, 3, 4], [4, 2]],
    [[4], [4]], [[0], [0]], [[4], [4, 3]], [[3, 4], [4]], [[2, 3, 4], [4]], [[4], [2, 4, 3]],
    [[2, 1, 3, 4], [5, 4, 2]], [[1, 3, 4], [2, 4, 2]], [[7, 5], [5, 3]], [[1, 1], [1, 1]], [[2, 2, 3], [1, 3, 5]],
  ];
  for (let k = 0; k < 15; k++) {
    const M = r.pick(DIMS), K = r.pick(DIMS), N = r.pick(DIMS);
    const batch = Array.from({ length: r.int(0, 3) }, () => r.pick([1, 2, 3]));
    const bb = batch.map((d) => (r.next() < 0.3 ? 1 : d)).slice(r.int(0, batch.length + 1));
    cases.push([[...batch, M, K], [...bb, K, N]]);
  }
  for (const dtype of ["float64", "float32"])
    for (const [sa, sb] of cases) {
      const a = asInput(randData(r, sa), dtype), b = asInput(randData(r, sb), dtype);
      const out = rf.matmul(toT(a, dtype), toT(b, dtype));
      assertClose(t, out, matmulRef(a, b), { ...tol[dtype], what: `${dtype} [${sa}] @ [${sb}]` });
    }
});

test("forward matmul of transposed views equals the reference", (t) => {
  const a = randData(r, [5, 3]), b = randData(r, [4, 5]);
  assertClose(t, rf.matmul(toT(a).T, toT(b).T), matmulRef(transposeLast(a), transposeLast(b)), tol.float64);
  const c = randData(r, [2, 4, 3]), d = randData(r, [2, 4, 5]);
  assertClose(t, rf.matmul(rf.transpose(toT(c), 1, 2), toT(d)), matmulRef(transposeLast(c), d), { ...tol.float64, what: "batched" });
  const e = randData(r, [1, 3]); // a row vector broadcast over a batch via expand
  const ex = rf.expand(toT(e), [4, 1, 3]);
  const f = randData(r, [4, 3, 2]);
  const eRef = { shape: [4, 1, 3], data: new Float64Array(12).map((_, i) => e.data[i % 3]) };
  assertClose(t, rf.matmul(ex, toT(f)), matmulRef(eRef, f), { ...tol.float64, what: "expanded" });
});

test("forward linear (with and without bias; 1-d, 2-d, 3-d and empty inputs)", (t) => {
  for (const dtype of ["float64", "float32"])
    for (const xs of [[4], [3, 4], [2, 3, 4], [0, 4], [2, 0, 4]]) {
      const x = asInput(randData(r, xs), dtype), w = asInput(randData(r, [5, 4]), dtype), b = asInput(randData(r, [5]), dtype);
      const y0 = matmulRef(x, transposeLast(w));
      assertClose(t, rf.linear(toT(x, dtype), toT(w, dtype)), y0, { ...tol[dtype], what: `no bias [${xs}]` });
      const yb = { shape: y0.shape, data: y0.data.map((v, i) => v + b.data[i % 5]) };
      assertClose(t, rf.linear(toT(x, dtype), toT(w, dtype), toT(b, dtype)), yb, { ...tol[dtype], what: `bias [${xs}]` });
    }
});

test("forward softmax / logSoftmax on every axis of random shapes", (t) => {
  for (const dtype of ["float64", "float32"])
    for (let k = 0; k < 15; k++) {
      const shape = k === 0 ? [0, 3] : k === 1 ? [3, 0] : randShape();
      const axis = r.int(0, shape.length);
      const a = asInput(randData(r, shape, { lo: -20, hi: 20 }), dtype);
      const perm = [...Array(shape.length).keys()];
      [perm[axis], perm[shape.length - 1]] = [perm[shape.length - 1], perm[axis]];
      for (const log of [false, true]) {
        const want = permuteRef(softmaxRef(permuteRef(a, perm), log), perm);
        const out = (log ? rf.logSoftmax : rf.softmax)(toT(a, dtype), axis);
        assertClose(t, out, want, { ...tol[dtype], what: `${dtype} ${log ? "log" : ""}softmax [${shape}] axis ${axis}` });
      }
    }
  // huge logits do not overflow; a row of -inf except one entry
  t.deepEqual(rf.softmax(rf.tensor([1000, 1000], { dtype: "float64" })).toArray(), [0.5, 0.5]);
  t.deepEqual(rf.softmax(rf.tensor([-Infinity, 0, -Infinity])).toArray(), [0, 1, 0]);
  t.deepEqual(rf.logSoftmax(rf.tensor([-1000, 0], { dtype: "float64" })).toArray(), [-1000, 0]);
});

test("forward layerNorm / rmsNorm (weight, bias, eps; zero-size; float32)", (t) => {
  for (const dtype of ["float64", "float32"])
    for (const shape of [[3, 5], [2, 3, 4], [7], [0, 4], [1, 1], [5, 1]]) {
      const n = shape.at(-1);
      const x = asInput(randData(r, shape, { lo: -5, hi: 5 }), dtype), w = asInput(randData(r, [n]), dtype), b = asInput(randData(r, [n]), dtype);
      const T = (a) => toT(a, dtype);
      const what = `${dtype} [${shape}]`;
      assertClose(t, rf.layerNorm(T(x)), layerNormRef(x), { ...tol[dtype], what: `layerNorm ${what}` });
      assertClose(t, rf.layerNorm(T(x), T(w), T(b)), layerNormRef(x, w, b), { ...tol[dtype], what: `layerNorm w b ${what}` });
      assertClose(t, rf.layerNorm(T(x), T(w), null, 0.5), layerNormRef(x, w, null, 0.5), { ...tol[dtype], what: `layerNorm eps ${what}` });
      assertClose(t, rf.rmsNorm(T(x)), rmsNormRef(x), { ...tol[dtype], what: `rmsNorm ${what}` });
      assertClose(t, rf.rmsNorm(T(x), T(w), 0.1), rmsNormRef(x, w, 0.1), { ...tol[dtype], what: `rmsNorm w eps ${what}` });
    }
});
