// What NaN does in recforge's ops. docs/nan.md states the same facts; keep them in sync.
import test from "ava";
import * as rf from "../../dist/index.js";

const f64 = (data) => rf.tensor(data, { dtype: "float64" });
const isNaNs = (t, values, what) => t.true(Array.from(values).every(Number.isNaN), `${what}: ${Array.from(values)}`);

test("elementwise ops propagate NaN (including relu, clamp, sign, maximum, minimum)", (t) => {
  for (const dtype of ["float32", "float64"]) {
    const x = rf.tensor([NaN, NaN], { dtype });
    for (const f of ["neg", "exp", "log", "sqrt", "rsqrt", "abs", "relu", "leakyRelu", "elu", "gelu", "silu", "sigmoid", "tanh", "square", "reciprocal", "sign"])
      isNaNs(t, rf[f](x).toTypedArray(), `${f} ${dtype}`);
    isNaNs(t, rf.clamp(x, 0, 1).toTypedArray(), "clamp");
    isNaNs(t, rf.pow(x, 2).toTypedArray(), "pow");
    for (const f of ["add", "sub", "mul", "div", "pow", "maximum", "minimum"]) {
      isNaNs(t, rf[f](x, rf.tensor([2, -3], { dtype })).toTypedArray(), `${f}(NaN, y)`);
      isNaNs(t, rf[f](rf.tensor([2, -3], { dtype }), x).toTypedArray(), `${f}(y, NaN)`);
    }
  }
  // the exceptions that IEEE itself makes: NaN ** 0 = 1, 1 ** NaN = 1
  t.deepEqual(rf.pow(f64([NaN]), f64([0])).toArray(), [1]);
  t.deepEqual(rf.pow(f64([1]), f64([NaN])).toArray(), [1]);
});

test("comparisons: NaN is unequal to everything, including itself", (t) => {
  const x = f64([NaN, NaN, 1]);
  const y = f64([NaN, 1, NaN]);
  t.deepEqual(rf.eq(x, y).toArray(), [0, 0, 0]);
  t.deepEqual(rf.ne(x, y).toArray(), [1, 1, 1]);
  for (const f of ["lt", "le", "gt", "ge"]) t.deepEqual(rf[f](x, y).toArray(), [0, 0, 0], f);
  t.deepEqual(rf.isnan(f64([NaN, 1, Infinity])).toArray(), [1, 0, 0]);
  t.deepEqual(rf.isfinite(f64([NaN, 1, Infinity, -Infinity])).toArray(), [0, 1, 0, 0]);
});

test("reductions return NaN when a NaN is present; max/min indices point at the first NaN", (t) => {
  const x = f64([3, NaN, 5, NaN, 1]);
  for (const f of ["sum", "mean", "amax", "amin", "logsumexp", "variance"]) t.true(Number.isNaN(rf[f](x).item()), f);
  for (const f of ["max", "min"]) {
    const { values, indices } = rf[f](x, 0);
    t.true(Number.isNaN(values.item()), `${f} value`);
    t.is(indices.item(), 1, `${f} index`);
  }
  t.is(rf.argmax(x, 0).item(), 1);
  t.is(rf.argmin(x, 0).item(), 1);
  // only the rows / columns holding a NaN are affected, on every axis layout
  const m = f64([[1, NaN, 3], [4, 5, 6]]);
  t.deepEqual(rf.max(m, 1).values.toArray().map(Number.isNaN), [true, false]);
  t.deepEqual(rf.max(m, 0).values.toArray().map(Number.isNaN), [false, true, false]);
  t.deepEqual(rf.max(m, 0).indices.toArray(), [1, 0, 1]);
  t.deepEqual(rf.amin(m, 1).toArray().map(Number.isNaN), [true, false]);
});

test("row-wise ops: a NaN makes its whole row NaN and leaves other rows alone", (t) => {
  const m = f64([[1, NaN, 3], [4, 5, 6]]);
  for (const [name, out] of [
    ["softmax", rf.softmax(m)],
    ["logSoftmax", rf.logSoftmax(m)],
    ["layerNorm", rf.layerNorm(m)],
    ["rmsNorm", rf.rmsNorm(m)],
  ]) {
    const [r0, r1] = out.toArray();
    t.true(r0.every(Number.isNaN), `${name} row 0`);
    t.true(r1.every(Number.isFinite), `${name} row 1`);
  }
  const ce = rf.crossEntropy(m, rf.tensor([0, 2], { dtype: "int32" }), { reduction: "none" }).toArray();
  t.true(Number.isNaN(ce[0]) && Number.isFinite(ce[1]));
  t.true(Number.isNaN(rf.crossEntropy(m, rf.tensor([0, 2], { dtype: "int32" })).item()), "the mean loss is NaN");
  const mm = rf.matmul(m, f64([[1], [1], [1]])).toArray();
  t.true(Number.isNaN(mm[0][0]) && mm[1][0] === 15, "matmul: NaN reaches the dot products that read it");
  // where picks elementwise: a NaN in the branch not taken does not leak
  t.deepEqual(rf.where(rf.tensor([1, 0], { dtype: "int32" }), f64([1, NaN]), f64([NaN, 2])).toArray(), [1, 2]);
});

test("sort and topk treat NaN as the largest value (ties among NaNs keep index order)", (t) => {
  const x = f64([3, NaN, 1, NaN, 2]);
  const asc = rf.sort(x);
  t.deepEqual(asc.values.toArray().slice(0, 3), [1, 2, 3]);
  t.true(asc.values.toArray().slice(3).every(Number.isNaN));
  t.deepEqual(asc.indices.toArray(), [2, 4, 0, 1, 3]);
  const desc = rf.sort(x, { descending: true });
  t.deepEqual(desc.indices.toArray(), [1, 3, 0, 4, 2]);
  const top = rf.topk(x, 3);
  t.deepEqual(top.indices.toArray(), [1, 3, 0]);
  t.deepEqual(rf.topk(x, 2, { largest: false }).indices.toArray(), [2, 4]);
  const f32 = rf.sort(rf.tensor([NaN, -1, 0])); // float32 behaves the same
  t.deepEqual(f32.indices.toArray(), [1, 2, 0]);
});

test("gradients at NaN inputs", (t) => {
  const grad = (f, data = [NaN, 2]) => {
    const x = rf.tensor(data, { dtype: "float64", requiresGrad: true });
    rf.sum(f(x)).backward();
    return x.grad.toArray();
  };
  // smooth ops: NaN gradient
  for (const f of [rf.exp, rf.sqrt, rf.tanh, rf.sigmoid, rf.square, rf.elu]) t.true(Number.isNaN(grad(f)[0]), f.name);
  // piecewise ops test "x > 0" (or "lo <= x <= hi"), which is false for NaN: zero gradient
  t.deepEqual(grad(rf.relu), [0, 1]);
  t.deepEqual(grad(rf.abs), [0, 1]);
  t.deepEqual(grad((x) => rf.clamp(x, 0, 3)), [0, 1]);
  // leakyRelu takes the negative branch
  t.deepEqual(grad((x) => rf.leakyRelu(x, 0.1)), [0.1, 1]);
  // ops whose gradient does not depend on the value pass it through unchanged
  t.deepEqual(grad((x) => rf.mul(x, 3)), [3, 3]);
  t.deepEqual(grad((x) => rf.add(x, 1)), [1, 1]);
  // max-like ops route the gradient to the NaN (where the value came from)
  t.deepEqual(grad((x) => rf.amax(x), [1, NaN, 3]), [0, 1, 0]);
  t.deepEqual(grad((x) => rf.max(x, 0).values, [1, NaN, 3]), [0, 1, 0]);
  t.deepEqual(grad((x) => rf.maximum(x, 2), [NaN, 1, 3]), [1, 0, 1]);
  t.deepEqual(grad((x) => rf.minimum(x, 2), [NaN, 1, 3]), [1, 1, 0]);
  const b = rf.tensor([2, NaN], { dtype: "float64", requiresGrad: true });
  rf.sum(rf.maximum(rf.tensor([1, 1], { dtype: "float64" }), b)).backward();
  t.deepEqual(b.grad.toArray(), [1, 1], "NaN in b: the gradient goes to b");
  // a NaN anywhere in a softmax row makes that row's gradient NaN
  t.true(grad((x) => rf.softmax(x), [NaN, 1, 2]).every(Number.isNaN));
});
