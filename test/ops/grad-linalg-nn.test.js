// Gradient checks for matmul (2-d, batched, broadcast batch, 1-d operands, transposed
// views), linear, softmax / logSoftmax (last and other axes), layerNorm, rmsNorm.
import test from "ava";
import * as rf from "../../dist/index.js";
import { assertGradcheck, leaf } from "../helpers/gradcheck.js";
import { randData, rng } from "../helpers/reference.js";

const r = rng(303);
const data = (shape, o) => randData(r, shape, o);

test("grad matmul 2-d, batched and broadcast batch", (t) => {
  const cases = [
    [[3, 4], [4, 5]],
    [[1, 4], [4, 1]],
    [[2, 3, 4], [2, 4, 5]], // batched
    [[2, 3, 4], [4, 5]], // batch folded into M
    [[3, 4], [2, 4, 5]], // a broadcast over b's batch
    [[2, 1, 3, 4], [3, 4, 2]], // broadcast batch dims on both sides
    [[1, 3, 4], [2, 4, 2]],
  ];
  for (const [sa, sb] of cases)
    assertGradcheck(t, rf.matmul, [leaf(data(sa)), leaf(data(sb))], { what: `[${sa}] @ [${sb}]` });
});

test("grad matmul with 1-d operands", (t) => {
  const cases = [
    [[4], [4]],
    [[4], [4, 3]],
    [[3, 4], [4]],
    [[4], [2, 4, 3]],
    [[2, 3, 4], [4]],
  ];
  for (const [sa, sb] of cases)
    assertGradcheck(t, rf.matmul, [leaf(data(sa)), leaf(data(sb))], { what: `[${sa}] @ [${sb}]` });
});

test("grad matmul with transposed and sliced views", (t) => {
  const A = () => leaf(data([4, 3])), B = () => leaf(data([5, 4]));
  assertGradcheck(t, (a, b) => rf.matmul(rf.transpose(a), rf.transpose(b)), [A(), B()], { what: "aT @ bT" });
  assertGradcheck(t, (a, b) => rf.matmul(a.T, b), [leaf(data([4, 3])), leaf(data([4, 5]))], { what: "aT @ b" });
  assertGradcheck(t, (a, b) => rf.matmul(a, b.T), [leaf(data([3, 4])), leaf(data([5, 4]))], { what: "a @ bT" });
  assertGradcheck(t, (a, b) => rf.matmul(rf.transpose(a, 1, 2), b), [leaf(data([2, 4, 3])), leaf(data([2, 4, 5]))], { what: "batched aT" });
  // Column slices and interleaved batches (batch stride < rows x ld): the binding computes such
  // operands' extent exactly ((rows-1)*ld + cols).
  assertGradcheck(t, (a, b) => rf.matmul(rf.permute(a, [1, 0, 2]), b), [leaf(data([3, 2, 4])), leaf(data([4, 5]))], { what: "permuted batch" });
  assertGradcheck(t, (a, b) => rf.matmul(rf.slice(a, 1, 1, 4), b), [leaf(data([3, 5])), leaf(data([3, 2]))], { what: "column slice" });
  assertGradcheck(t, (a, b) => rf.matmul(rf.slice(a, 0, 1, 3), b), [leaf(data([4, 3])), leaf(data([3, 2]))], { what: "row slice" });
  assertGradcheck(t, (a, b) => rf.matmul(rf.expand(a, [3, 2, 4]), b), [leaf(data([1, 2, 4])), leaf(data([3, 4, 2]))], { what: "expanded a" });
  assertGradcheck(t, (a, b) => a.matmul(b), [leaf(data([2, 3])), leaf(data([3, 2]))], { what: "method" });
});

test("grad matmul x @ x (same tensor twice)", (t) => {
  assertGradcheck(t, (x) => rf.matmul(x, x), [leaf(data([3, 3]))]);
  assertGradcheck(t, (x) => rf.matmul(x, x.T), [leaf(data([3, 2]))], { what: "x xT" });
});

test("grad linear with and without bias, 1-d / 2-d / 3-d input", (t) => {
  for (const xs of [[4], [3, 4], [2, 3, 4]]) {
    assertGradcheck(t, rf.linear, [leaf(data(xs)), leaf(data([5, 4])), leaf(data([5]))], { what: `bias, x [${xs}]` });
    assertGradcheck(t, (x, w) => rf.linear(x, w), [leaf(data(xs)), leaf(data([5, 4]))], { what: `no bias, x [${xs}]` });
    assertGradcheck(t, (x, w) => rf.linear(x, w, null), [leaf(data(xs)), leaf(data([5, 4]))], { what: `null bias, x [${xs}]` });
  }
  // weight frozen: only x and bias get gradients
  const w = rf.tensor(data([2, 3]).data, { dtype: "float64", shape: [2, 3] });
  assertGradcheck(t, rf.linear, [leaf(data([4, 3])), w, leaf(data([2]))], { what: "frozen weight" });
});

test("grad softmax and logSoftmax on last and non-last axes", (t) => {
  for (const f of [rf.softmax, rf.logSoftmax]) {
    for (const axis of [-1, 0, 1, 2, -2])
      assertGradcheck(t, (x) => f(x, axis), [leaf(data([2, 3, 4], { lo: -3, hi: 3 }))], { what: `${f.name} axis ${axis}` });
    assertGradcheck(t, (x) => f(x), [leaf(data([5]))], { what: `${f.name} 1-d` });
    assertGradcheck(t, (x) => f(rf.transpose(x)), [leaf(data([4, 3]))], { what: `${f.name} transposed` });
    assertGradcheck(t, (x) => f(x), [leaf(data([3, 1]))], { what: `${f.name} one class` });
  }
  assertGradcheck(t, (x) => x.softmax(0), [leaf(data([3, 2]))], { what: "method softmax" });
  assertGradcheck(t, (x) => x.logSoftmax(), [leaf(data([3, 2]))], { what: "method logSoftmax" });
});

test("grad layerNorm with and without weight / bias", (t) => {
  const x = () => leaf(data([3, 5]));
  assertGradcheck(t, (a) => rf.layerNorm(a), [x()], { what: "plain" });
  assertGradcheck(t, (a, w) => rf.layerNorm(a, w), [x(), leaf(data([5]))], { what: "weight" });
  assertGradcheck(t, (a, w, b) => rf.layerNorm(a, w, b), [x(), leaf(data([5])), leaf(data([5]))], { what: "weight+bias" });
  assertGradcheck(t, (a, b) => rf.layerNorm(a, null, b), [x(), leaf(data([5]))], { what: "bias only" });
  assertGradcheck(t, (a, w, b) => rf.layerNorm(a, w, b, 0.1), [leaf(data([2, 3, 4])), leaf(data([4])), leaf(data([4]))], { what: "3-d, eps 0.1" });
  assertGradcheck(t, (a, w, b) => rf.layerNorm(rf.transpose(a), w, b), [leaf(data([4, 3])), leaf(data([4])), leaf(data([4]))], { what: "transposed" });
  // frozen weight with trainable x
  const w = rf.tensor(data([5]).data, { dtype: "float64" });
  assertGradcheck(t, (a, b) => rf.layerNorm(a, w, b), [x(), leaf(data([5]))], { what: "frozen weight" });
  // only the parameters train
  const xc = rf.tensor(data([3, 5]).data, { dtype: "float64", shape: [3, 5] });
  assertGradcheck(t, (w2, b) => rf.layerNorm(xc, w2, b), [leaf(data([5])), leaf(data([5]))], { what: "x constant" });
});

test("grad rmsNorm with and without weight", (t) => {
  assertGradcheck(t, (a) => rf.rmsNorm(a), [leaf(data([3, 5]))], { what: "plain" });
  assertGradcheck(t, (a, w) => rf.rmsNorm(a, w), [leaf(data([3, 5])), leaf(data([5]))], { what: "weight" });
  assertGradcheck(t, (a, w) => rf.rmsNorm(a, w, 0.1), [leaf(data([2, 2, 4])), leaf(data([4]))], { what: "3-d, eps 0.1" });
  assertGradcheck(t, (a, w) => rf.rmsNorm(rf.transpose(a), w), [leaf(data([4, 3])), leaf(data([4]))], { what: "transposed" });
  const xc = rf.tensor(data([3, 5]).data, { dtype: "float64", shape: [3, 5] });
  assertGradcheck(t, (w) => rf.rmsNorm(xc, w), [leaf(data([5]))], { what: "x constant" });
});
