// Gradient checks (float64 central differences) for every elementwise op: unary maps,
// binary arithmetic in tensor, scalar and broadcasting forms, where, cast, clone.
import test from "ava";
import * as rf from "../../dist/index.js";
import { assertGradcheck, leaf } from "../helpers/gradcheck.js";
import { randData, rng } from "../helpers/reference.js";

const r = rng(101);
const data = (shape, o) => randData(r, shape, o);

// [name, fn, domain]: domains keep finite differences away from kinks and poles.
const unaries = [
  ["neg", rf.neg, {}],
  ["exp", rf.exp, {}],
  ["log", rf.log, { lo: 0.3, hi: 3 }],
  ["sqrt", rf.sqrt, { lo: 0.3, hi: 3 }],
  ["rsqrt", rf.rsqrt, { lo: 0.3, hi: 3 }],
  ["abs", rf.abs, { away: 0.05 }],
  ["relu", rf.relu, { away: 0.05 }],
  ["leakyRelu", (x) => rf.leakyRelu(x, 0.1), { away: 0.05 }],
  ["leakyRelu default slope", (x) => rf.leakyRelu(x), { away: 0.05 }],
  ["elu", (x) => rf.elu(x, 0.7), { away: 0.05 }],
  ["gelu", rf.gelu, { lo: -4, hi: 4 }],
  ["silu", rf.silu, { lo: -4, hi: 4 }],
  ["sigmoid", rf.sigmoid, { lo: -6, hi: 6 }],
  ["tanh", rf.tanh, {}],
  ["square", rf.square, {}],
  ["reciprocal", rf.reciprocal, { away: 0.3 }],
  ["sign (zero gradient)", rf.sign, { away: 0.05 }],
  ["clamp both", (x) => rf.clamp(x, -0.5, 0.7), { away: 0.05, from: [-0.5, 0.7] }],
  ["clamp min only", (x) => rf.clamp(x, -0.5), { away: 0.05, from: [-0.5] }],
  ["clamp max only", (x) => rf.clamp(x, undefined, 0.7), { away: 0.05, from: [0.7] }],
];

for (const [name, f, dom] of unaries) {
  test(`grad ${name}`, (t) => {
    assertGradcheck(t, f, [leaf(data([3, 5], dom))], { what: "contiguous" });
    // a transposed (non-contiguous) input goes through the contiguous-copy path
    assertGradcheck(t, (x) => f(rf.transpose(x)), [leaf(data([4, 3], dom))], { what: "transposed view" });
    // 0-d and 1-element inputs
    assertGradcheck(t, f, [leaf(data([], dom))], { what: "0-d" });
  });
}

test("grad methods on Tensor match the functions", (t) => {
  const x = leaf(data([2, 3], { lo: 0.3, hi: 2 }));
  for (const m of ["neg", "exp", "log", "sqrt", "rsqrt", "abs", "relu", "sigmoid", "tanh", "square"])
    assertGradcheck(t, (a) => a[m](), [x], { what: m });
  assertGradcheck(t, (a) => a.clamp(0.5, 1.5), [leaf(data([2, 3], { lo: 0.3, hi: 2, away: 0.05, from: [0.5, 1.5] }))]);
});

const binaries = [
  ["add", rf.add, {}, {}],
  ["sub", rf.sub, {}, {}],
  ["mul", rf.mul, {}, {}],
  ["div", rf.div, {}, { away: 0.4 }],
  ["pow", rf.pow, { lo: 0.3, hi: 2 }, { lo: -2, hi: 2 }],
  ["maximum", rf.maximum, {}, {}],
  ["minimum", rf.minimum, {}, {}],
];
const shapePairs = [
  [[3, 4], [3, 4]],
  [[3, 1], [1, 4]],
  [[2, 3, 4], [4]],
  [[4], [2, 3, 1]],
  [[2, 1, 3], [2, 4, 1]],
  [[], [3, 2]],
  [[3, 2], []],
];

for (const [name, f, da, db] of binaries) {
  test(`grad ${name} with broadcasting`, (t) => {
    for (const [sa, sb] of shapePairs) {
      assertGradcheck(t, f, [leaf(data(sa, da)), leaf(data(sb, db))], { what: `[${sa}] ${name} [${sb}]` });
    }
    // only one side requiring grad
    const a = leaf(data([3, 4], da));
    const b = rf.tensor(data([4], db).data, { dtype: "float64" });
    assertGradcheck(t, f, [a, b], { what: "b constant" });
    assertGradcheck(t, (x, y) => f(y, x), [leaf(data([4], db)), rf.tensor(data([3, 4], da).data, { dtype: "float64", shape: [3, 4] })], {
      what: "a constant",
    });
    // non-contiguous operand
    assertGradcheck(t, (x, y) => f(rf.transpose(x), y), [leaf(data([4, 3], da)), leaf(data([3, 4], db))], { what: "transposed a" });
  });

  test(`grad ${name} with a scalar operand`, (t) => {
    const sa = name === "pow" ? 1.7 : name === "div" ? -1.3 : 0.37;
    assertGradcheck(t, (x) => f(x, sa), [leaf(data([3, 4], { ...da, away: 0.05, from: [0.37] }))], { what: "tensor op scalar" });
    const sb = name === "pow" ? 1.6 : 0.37;
    assertGradcheck(t, (x) => f(sb, x), [leaf(data([3, 4], { ...db, away: 0.05, from: [0.37] }))], { what: "scalar op tensor" });
  });
}

test("grad pow with special scalar exponents (0, 1, 2, 0.5, -1, 3)", (t) => {
  for (const p of [0, 1, 2, 0.5, -1, 3]) assertGradcheck(t, (x) => rf.pow(x, p), [leaf(data([2, 3], { lo: 0.3, hi: 2 }))], { what: `x^${p}` });
  // integer exponents are defined for negative bases too
  for (const p of [2, 3]) assertGradcheck(t, (x) => rf.pow(x, p), [leaf(data([2, 3], { lo: -2, hi: -0.3 }))], { what: `neg^${p}` });
});

test("grad x op x (the same tensor on both sides)", (t) => {
  for (const [name, f] of [["add", rf.add], ["sub", rf.sub], ["mul", rf.mul], ["div", rf.div]]) {
    const x = leaf(data([3, 2], { lo: 0.5, hi: 2 }));
    assertGradcheck(t, (a) => f(a, a), [x], { what: name });
  }
});

test("grad where (float and int32 conditions, broadcasting, scalar branches)", (t) => {
  const cond = (shape, dtype) => rf.tensor(Float64Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => (r.next() < 0.5 ? 1 : 0)), { dtype, shape });
  for (const dtype of ["float64", "int32"]) {
    const full = cond([3, 4], dtype);
    assertGradcheck(t, (a, b) => rf.where(full, a, b), [leaf(data([3, 4])), leaf(data([3, 4]))], { what: `${dtype} cond` });
    const c = cond([3, 1], dtype);
    assertGradcheck(t, (a, b) => rf.where(c, a, b), [leaf(data([4])), leaf(data([3, 4]))], { what: `${dtype} broadcast` });
    assertGradcheck(t, (a) => rf.where(c, a, 0.5), [leaf(data([1, 4]))], { what: "scalar b" });
    assertGradcheck(t, (b) => rf.where(c, -2, b), [leaf(data([3, 4]))], { what: "scalar a" });
  }
});

test("grad cast float64 -> float64 and through float32", (t) => {
  assertGradcheck(t, (x) => rf.cast(x, "float64"), [leaf(data([3, 4]))], { what: "64->64" });
  assertGradcheck(t, (x) => rf.mul(x.cast("float64"), 3), [leaf(data([3, 4]))], { what: "method" });
  // Through float32 the function is only float32-accurate: use a wide step and tolerance.
  assertGradcheck(t, (x) => rf.cast(rf.exp(rf.cast(x, "float32")), "float64"), [leaf(data([3, 4]))], {
    eps: 1e-2, atol: 1e-3, rtol: 1e-3, what: "64->32->64",
  });
  // cast of a transposed view
  assertGradcheck(t, (x) => rf.cast(rf.transpose(x), "float64"), [leaf(data([3, 4]))], { what: "transposed" });
});

test("grad clone", (t) => {
  assertGradcheck(t, (x) => rf.mul(rf.clone(x), x), [leaf(data([3, 4]))]);
  assertGradcheck(t, (x) => rf.clone(rf.transpose(x)), [leaf(data([3, 4]))], { what: "transposed" });
  assertGradcheck(t, (x) => x.clone(), [leaf(data([2]))], { what: "method" });
});
