// Forward values of the elementwise ops against naive float64 references, on random
// shapes with odd and zero-size dims, broadcasting, views; float32 against the float64
// reference with a float32-sized tolerance.
import test from "ava";
import * as rf from "../../dist/index.js";
import { assertClose, binaryRef, broadcastShape, randData, rng, scalar, unaryRef, whereRef } from "../helpers/reference.js";

const r = rng(606);
const DIMS = [0, 1, 2, 3, 5, 7];
const randShape = (nd = r.int(0, 4)) => Array.from({ length: nd }, () => r.pick(DIMS));
// A shape that broadcasts with `s`: some dims replaced by 1, some leading dims dropped.
const bcastPartner = (s) => s.slice(r.int(0, s.length + 1)).map((d) => (r.next() < 0.4 ? 1 : d));
const tol = { float64: { rtol: 1e-10, atol: 1e-12 }, float32: { rtol: 2e-6, atol: 1e-6 } };
// float32 inputs are the float64 data rounded to float32, so both sides see the same numbers
const toT = (a, dtype) => rf.tensor(a.data, { dtype, shape: a.shape });
const asInput = (a, dtype) => (dtype === "float32" ? { shape: a.shape, data: a.data.map(Math.fround) } : a);

const unaries = [
  ["neg", rf.neg, scalar.neg, {}],
  ["exp", rf.exp, scalar.exp, { lo: -10, hi: 10 }],
  ["log", rf.log, scalar.log, { lo: 1e-3, hi: 100 }],
  ["sqrt", rf.sqrt, scalar.sqrt, { lo: 0, hi: 100 }],
  ["rsqrt", rf.rsqrt, scalar.rsqrt, { lo: 1e-3, hi: 100 }],
  ["abs", rf.abs, scalar.abs, {}],
  ["relu", rf.relu, scalar.relu, {}],
  ["leakyRelu", (x) => rf.leakyRelu(x, 0.2), (x) => scalar.leakyRelu(x, 0.2), {}],
  ["elu", (x) => rf.elu(x, 1.5), (x) => scalar.elu(x, 1.5), {}],
  ["gelu", rf.gelu, scalar.gelu, { lo: -5, hi: 5 }],
  ["silu", rf.silu, scalar.silu, { lo: -30, hi: 30 }],
  ["sigmoid", rf.sigmoid, scalar.sigmoid, { lo: -60, hi: 60 }],
  ["tanh", rf.tanh, scalar.tanh, { lo: -5, hi: 5 }],
  ["square", rf.square, scalar.square, {}],
  ["reciprocal", rf.reciprocal, scalar.reciprocal, { away: 1e-3 }],
  ["sign", rf.sign, scalar.sign, {}],
  ["clamp", (x) => rf.clamp(x, -0.5, 1), (x) => Math.min(Math.max(x, -0.5), 1), {}],
  ["add scalar", (x) => rf.add(x, 2.5), (x) => x + 2.5, {}],
  ["scalar sub", (x) => rf.sub(2.5, x), (x) => 2.5 - x, {}],
  ["mul scalar", (x) => rf.mul(x, -3), (x) => x * -3, {}],
  ["div scalar", (x) => rf.div(x, 4), (x) => x / 4, {}],
  ["scalar div", (x) => rf.div(3, x), (x) => 3 / x, { away: 1e-2 }],
  ["pow scalar 2", (x) => rf.pow(x, 2), (x) => x ** 2, {}],
  ["pow scalar 3", (x) => rf.pow(x, 3), (x) => x ** 3, {}],
  ["pow scalar 0.5", (x) => rf.pow(x, 0.5), (x) => x ** 0.5, { lo: 0, hi: 4 }],
  ["scalar pow", (x) => rf.pow(2, x), (x) => 2 ** x, {}],
];

for (const [name, f, ref, dom] of unaries) {
  test(`forward ${name} (float64, float32, views, zero-size)`, (t) => {
    for (const dtype of ["float64", "float32"]) {
      for (let k = 0; k < 6; k++) {
        const shape = k === 0 ? [0, 3] : k === 1 ? [5, 0] : k === 2 ? [] : randShape();
        const a = asInput(randData(r, shape, { lo: -4, hi: 4, ...dom }), dtype);
        const x = toT(a, dtype);
        const y = f(x);
        t.is(y.dtype, dtype);
        assertClose(t, y, unaryRef(ref, a), { ...tol[dtype], what: `${dtype} [${shape}]` });
        x.dispose();
        y.dispose();
      }
      // a transposed input
      const a = asInput(randData(r, [3, 5], { lo: -4, hi: 4, ...dom }), dtype);
      const x = toT(a, dtype);
      const y = f(rf.transpose(x));
      const refT = unaryRef(ref, a);
      const want = { shape: [5, 3], data: new Float64Array(15) };
      for (let i = 0; i < 3; i++) for (let j = 0; j < 5; j++) want.data[j * 3 + i] = refT.data[i * 5 + j];
      assertClose(t, y, want, { ...tol[dtype], what: `${dtype} transposed` });
    }
  });
}

const binaries = [
  ["add", rf.add, (a, b) => a + b, {}, {}],
  ["sub", rf.sub, (a, b) => a - b, {}, {}],
  ["mul", rf.mul, (a, b) => a * b, {}, {}],
  ["div", rf.div, (a, b) => a / b, {}, { away: 1e-2 }],
  ["pow", rf.pow, (a, b) => a ** b, { lo: 0, hi: 3 }, { lo: -2, hi: 2 }],
  ["maximum", rf.maximum, Math.max, {}, {}],
  ["minimum", rf.minimum, Math.min, {}, {}],
];

for (const [name, f, ref, da, db] of binaries) {
  test(`forward ${name} with random broadcasting shapes`, (t) => {
    for (const dtype of ["float64", "float32"]) {
      const cases = [[[0, 3], [1, 3]], [[5, 0], [5, 1]], [[2, 1, 3], [4, 1]], [[], [3]], [[7], []], [[3, 1], [0]]];
      for (let k = 0; k < 10; k++) {
        const s = randShape();
        cases.push(r.next() < 0.5 ? [s, bcastPartner(s)] : [bcastPartner(s), s]);
      }
      for (const [sa, sb] of cases) {
        const a = asInput(randData(r, sa, { lo: -3, hi: 3, ...da }), dtype), b = asInput(randData(r, sb, { lo: -3, hi: 3, ...db }), dtype);
        const out = f(toT(a, dtype), toT(b, dtype));
        t.deepEqual([...out.shape], broadcastShape(sa, sb));
        assertClose(t, out, binaryRef(ref, a, b), { ...tol[dtype], what: `${dtype} [${sa}] ${name} [${sb}]` });
      }
    }
    // strided operands: a transposed and a sliced view
    const a = randData(r, [4, 3], { lo: -3, hi: 3, ...da }), b = randData(r, [3, 6], { lo: -3, hi: 3, ...db });
    const ta = rf.transpose(toT(a, "float64")), tb = rf.slice(toT(b, "float64"), 1, 1, 5);
    const at = { shape: [3, 4], data: new Float64Array(12) };
    for (let i = 0; i < 4; i++) for (let j = 0; j < 3; j++) at.data[j * 4 + i] = a.data[i * 3 + j];
    const bs = { shape: [3, 4], data: new Float64Array(12) };
    for (let i = 0; i < 3; i++) for (let j = 0; j < 4; j++) bs.data[i * 4 + j] = b.data[i * 6 + j + 1];
    assertClose(t, f(ta, tb), binaryRef(ref, at, bs), { ...tol.float64, what: "views" });
  });
}

test("forward int32 arithmetic, maximum/minimum and scalars", (t) => {
  const a = rf.tensor([[1, -2, 3], [4, 5, -6]], { dtype: "int32" });
  const b = rf.tensor([10, 20, 30], { dtype: "int32" });
  t.deepEqual(rf.add(a, b).toArray(), [[11, 18, 33], [14, 25, 24]]);
  t.deepEqual(rf.sub(a, b).toArray(), [[-9, -22, -27], [-6, -15, -36]]);
  t.deepEqual(rf.mul(a, b).toArray(), [[10, -40, 90], [40, 100, -180]]);
  t.deepEqual(rf.maximum(a, 0).toArray(), [[1, 0, 3], [4, 5, 0]]);
  t.deepEqual(rf.minimum(a, b).toArray(), [[1, -2, 3], [4, 5, -6]]);
  t.is(rf.add(a, b).dtype, "int32");
  // int32 with a number operand stays int32 (both argument orders)
  t.deepEqual(rf.add(a, 1).toArray(), [[2, -1, 4], [5, 6, -5]]);
  t.deepEqual(rf.sub(1, a).toArray(), [[0, 3, -2], [-3, -4, 7]]);
  t.deepEqual(rf.sub(a, 1).toArray(), [[0, -3, 2], [3, 4, -7]]);
  t.deepEqual(rf.mul(2, a).toArray(), [[2, -4, 6], [8, 10, -12]]);
  t.is(rf.mul(a, 2).dtype, "int32");
});

test("forward comparisons eq ne lt le gt ge (float and int32, broadcasting, scalars)", (t) => {
  const ops = [["eq", rf.eq, (a, b) => +(a === b)], ["ne", rf.ne, (a, b) => +(a !== b)], ["lt", rf.lt, (a, b) => +(a < b)],
    ["le", rf.le, (a, b) => +(a <= b)], ["gt", rf.gt, (a, b) => +(a > b)], ["ge", rf.ge, (a, b) => +(a >= b)]];
  for (const [name, f, ref] of ops) {
    for (const dtype of ["float64", "float32", "int32"]) {
      // small integers so that equality actually happens
      const mk = (shape) => ({ shape, data: Float64Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => r.int(-2, 3)) });
      for (const [sa, sb] of [[[3, 4], [3, 4]], [[3, 1], [1, 4]], [[0, 2], [2]], [[5], []]]) {
        const a = mk(sa), b = mk(sb);
        const out = f(toT(a, dtype), toT(b, dtype));
        t.is(out.dtype, dtype, `${name} keeps the operands' dtype`);
        assertClose(t, out, binaryRef(ref, a, b), { rtol: 0, atol: 0, what: `${name} ${dtype} [${sa}] [${sb}]` });
      }
      const a = mk([2, 3]);
      assertClose(t, f(toT(a, dtype), 1), binaryRef(ref, a, { shape: [], data: Float64Array.of(1) }), { rtol: 0, atol: 0, what: `${name} scalar` });
      assertClose(t, f(1, toT(a, dtype)), binaryRef(ref, { shape: [], data: Float64Array.of(1) }, a), { rtol: 0, atol: 0, what: `scalar ${name}` });
    }
    const x = rf.tensor([1, 2, 3]);
    t.deepEqual(x[name](2).toArray(), [1, 2, 3].map((v) => ref(v, 2)), `${name} method`);
  }
});

test("forward where with broadcasting, int32 and float conditions, zero-size", (t) => {
  for (const dtype of ["float64", "float32", "int32"]) {
    for (const [sc, sa, sb] of [[[3, 4], [3, 4], [3, 4]], [[3, 1], [4], [1, 4]], [[0, 2], [2], []], [[2, 3], [], [3]], [[4], [2, 1], [1]]]) {
      const c = { shape: sc, data: Float64Array.from({ length: sc.reduce((p, d) => p * d, 1) }, () => (r.next() < 0.5 ? 0 : r.int(1, 3))) };
      const a = randData(r, sa, { lo: -5, hi: 5 }), b = randData(r, sb, { lo: -5, hi: 5 });
      if (dtype === "int32") [a, b].forEach((v) => v.data.forEach((x, i) => (v.data[i] = Math.trunc(x))));
      const ai = asInput(a, dtype), bi = asInput(b, dtype);
      for (const cdt of ["int32", "float64"]) {
        const out = rf.where(toT(c, cdt), toT(ai, dtype), toT(bi, dtype));
        assertClose(t, out, whereRef(c, ai, bi), { rtol: 0, atol: 0, what: `${dtype} cond ${cdt} [${sc}] [${sa}] [${sb}]` });
      }
    }
  }
  const c = rf.tensor([1, 0, 1], { dtype: "int32" });
  t.deepEqual(rf.where(c, rf.tensor([1, 2, 3]), 9).toArray(), [1, 9, 3]);
  t.deepEqual(rf.where(c, -1, rf.tensor([1, 2, 3])).toArray(), [-1, 2, -1]);
});

test("forward cast between all dtypes (truncation toward zero, float32 rounding)", (t) => {
  const vals = [0, 1.5, -1.5, 2.7, -2.7, 1e6 + 0.25, 123456789];
  const x64 = rf.tensor(vals, { dtype: "float64" });
  t.deepEqual(Array.from(rf.cast(x64, "int32").toTypedArray()), vals.map(Math.trunc));
  t.deepEqual(Array.from(rf.cast(x64, "float32").toTypedArray()), vals.map(Math.fround));
  t.deepEqual(Array.from(rf.cast(x64, "float64").toTypedArray()), vals);
  const i32 = rf.tensor([-3, 0, 7, 2147483647], { dtype: "int32" });
  t.deepEqual(Array.from(rf.cast(i32, "float64").toTypedArray()), [-3, 0, 7, 2147483647]);
  t.deepEqual(Array.from(rf.cast(i32, "float32").toTypedArray()), [-3, 0, 7, Math.fround(2147483647)]);
  t.deepEqual(Array.from(rf.cast(i32, "int32").toTypedArray()), [-3, 0, 7, 2147483647]);
  const v = rf.transpose(rf.tensor([[1.25, 2.5], [3.75, 4]], { dtype: "float32" }));
  t.deepEqual(rf.cast(v, "float64").toArray(), [[1.25, 3.75], [2.5, 4]]);
  t.deepEqual(rf.cast(rf.zeros([0, 3]), "int32").shape, [0, 3]);
});

test("forward clone copies (independent storage, contiguous result)", (t) => {
  const x = rf.tensor([[1, 2, 3], [4, 5, 6]]);
  const c = rf.clone(rf.transpose(x));
  t.true(c.isContiguous);
  t.deepEqual(c.toArray(), [[1, 4], [2, 5], [3, 6]]);
  x.dispose();
  t.deepEqual(c.toArray(), [[1, 4], [2, 5], [3, 6]], "survives disposing the source");
  t.deepEqual(rf.clone(rf.zeros([0, 2])).shape, [0, 2]);
});
