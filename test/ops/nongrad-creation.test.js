// Ops without gradients: topk, sort, random draws (determinism and statistics), arange,
// eye, full/zeros/ones(/Like), and tensor() from nested arrays and typed arrays.
import test from "ava";
import * as rf from "../../dist/index.js";
import { numel, randData, rng } from "../helpers/reference.js";

const r = rng(909);

// Reference order: by value in the requested direction, ties by ascending index (stable).
function sortRow(row, descending) {
  return row.map((v, i) => [v, i]).sort((a, b) => (a[0] !== b[0] ? (descending ? b[0] - a[0] : a[0] - b[0]) : a[1] - b[1]));
}

test("sort along the last and other axes (stable, both directions, all dtypes, empty)", (t) => {
  for (const dtype of ["float64", "float32", "int32"])
    for (const shape of [[4, 7], [3, 1], [2, 3, 5], [0, 4], [4, 0], [9]]) {
      const a = randData(r, shape, { lo: -3, hi: 3 });
      a.data.forEach((v, i) => (a.data[i] = Math.round(v) + 0)); // ties on purpose (+ 0: no -0)
      const x = rf.tensor(a.data, { dtype, shape });
      for (const descending of [false, true])
        for (let axis = -1; axis < shape.length; axis++) {
          const ax = axis < 0 ? axis + shape.length : axis;
          const { values, indices } = rf.sort(x, { axis, descending });
          t.deepEqual(values.shape, shape);
          t.is(values.dtype, dtype);
          t.is(indices.dtype, "int32");
          const vs = values.toTypedArray(), is = indices.toTypedArray();
          // walk every line along `ax`
          const stride = shape.slice(ax + 1).reduce((p, d) => p * d, 1);
          const n = shape[ax];
          for (let base = 0; base < numel(shape); base++) {
            if (Math.floor(base / stride) % n !== 0) continue; // first element of a line
            const row = Array.from({ length: n }, (_, j) => a.data[base + j * stride]);
            const want = sortRow(row, descending);
            for (let j = 0; j < n; j++) {
              t.is(vs[base + j * stride], want[j][0]);
              t.is(is[base + j * stride], want[j][1], `${dtype} [${shape}] axis ${axis} desc ${descending}`);
            }
          }
        }
    }
});

test("topk (largest and smallest, k from 0 to n, ties by index, other axes)", (t) => {
  for (const dtype of ["float64", "float32", "int32"])
    for (let c = 0; c < 12; c++) {
      const shape = [r.int(1, 4), r.int(1, 9)];
      const a = randData(r, shape, { lo: -4, hi: 4 });
      a.data.forEach((v, i) => (a.data[i] = Math.round(v) + 0));
      const x = rf.tensor(a.data, { dtype, shape });
      const n = shape[1];
      for (const k of [0, 1, Math.floor(n / 2), n])
        for (const largest of [true, false]) {
          const { values, indices } = rf.topk(x, k, { largest });
          t.deepEqual(values.shape, [shape[0], k]);
          for (let i = 0; i < shape[0]; i++) {
            const want = sortRow(Array.from(a.data.subarray(i * n, (i + 1) * n)), largest).slice(0, k);
            t.deepEqual(Array.from(values.toTypedArray().subarray(i * k, (i + 1) * k)), want.map((w) => w[0]));
            t.deepEqual(Array.from(indices.toTypedArray().subarray(i * k, (i + 1) * k)), want.map((w) => w[1]), `${dtype} k ${k} largest ${largest}`);
          }
        }
    }
  const x = rf.tensor([[1, 9], [5, 2], [7, 3]]);
  const { values, indices } = rf.topk(x, 2, { axis: 0 });
  t.deepEqual(values.toArray(), [[7, 9], [5, 3]]);
  t.deepEqual(indices.toArray(), [[2, 0], [1, 2]]);
  t.deepEqual(rf.topk(rf.zeros([0, 3]), 2).values.shape, [0, 2]);
});

test("random draws: same seed gives identical values; draws advance the generator", (t) => {
  for (const [name, draw] of [
    ["rand", (g) => rf.rand([1000], { generator: g })],
    ["randn", (g) => rf.randn([1000], { generator: g, dtype: "float64" })],
    ["randint", (g) => rf.randint(-5, 17, [1000], { generator: g })],
    ["bernoulli", (g) => rf.bernoulli([1000], 0.3, { generator: g })],
  ]) {
    const a = draw(new rf.Generator(42)).toTypedArray();
    const b = draw(new rf.Generator(42)).toTypedArray();
    t.deepEqual(a, b, `${name}: same seed`);
    const g = new rf.Generator(42);
    draw(g);
    t.is(g.offset, 1000);
    const c = draw(g).toTypedArray();
    t.notDeepEqual(a, c, `${name}: the second draw continues the stream`);
    const d = draw(new rf.Generator(43)).toTypedArray();
    t.notDeepEqual(a, d, `${name}: another seed`);
    // state round-trip
    const s = g.getState();
    const e1 = draw(g).toTypedArray();
    g.setState(s);
    t.deepEqual(draw(g).toTypedArray(), e1, `${name}: setState replays`);
  }
  // the default generator and manualSeed
  rf.manualSeed(7);
  const u = rf.randn([50]).toTypedArray();
  rf.manualSeed(7);
  t.deepEqual(rf.randn([50]).toTypedArray(), u);
  // counter-based: one draw of 2n equals two draws of n, and the thread count does not matter
  const whole = rf.rand([20000], { generator: new rf.Generator(5) }).toTypedArray();
  const g2 = new rf.Generator(5);
  const halves = [...rf.rand([10000], { generator: g2 }).toTypedArray(), ...rf.rand([10000], { generator: g2 }).toTypedArray()];
  t.deepEqual(Array.from(whole), halves);
  const threads = rf.getNumThreads();
  rf.setNumThreads(1);
  const single = rf.randn([50000], { generator: new rf.Generator(9) }).toTypedArray();
  rf.setNumThreads(Math.max(2, threads));
  t.deepEqual(rf.randn([50000], { generator: new rf.Generator(9) }).toTypedArray(), single);
  rf.setNumThreads(threads);
});

function stats(a) {
  let s = 0, s2 = 0, min = Infinity, max = -Infinity;
  for (const v of a) {
    s += v;
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  const m = s / a.length;
  for (const v of a) s2 += (v - m) ** 2;
  return { mean: m, std: Math.sqrt(s2 / (a.length - 1)), min, max };
}

test("random draws: statistics are roughly right", (t) => {
  const n = 200000;
  for (const dtype of ["float32", "float64"]) {
    const u = stats(rf.rand([n], { dtype, low: -2, high: 3, generator: new rf.Generator(1) }).toTypedArray());
    t.true(u.min >= -2 && u.max < 3, `uniform range ${u.min} ${u.max}`);
    t.true(Math.abs(u.mean - 0.5) < 0.02 && Math.abs(u.std - 5 / Math.sqrt(12)) < 0.02, `uniform ${JSON.stringify(u)}`);
    const z = stats(rf.randn([n], { dtype, mean: 1.5, std: 2, generator: new rf.Generator(2) }).toTypedArray());
    t.true(Math.abs(z.mean - 1.5) < 0.03 && Math.abs(z.std - 2) < 0.03, `normal ${JSON.stringify(z)}`);
    const b = stats(rf.bernoulli([n], 0.2, { dtype, generator: new rf.Generator(3) }).toTypedArray());
    t.true(Math.abs(b.mean - 0.2) < 0.01 && b.min === 0 && b.max === 1, `bernoulli ${JSON.stringify(b)}`);
  }
  const ints = rf.randint(3, 10, [n], { generator: new rf.Generator(4) }).toTypedArray();
  const counts = new Array(7).fill(0);
  for (const v of ints) {
    if (v < 3 || v >= 10 || !Number.isInteger(v)) return t.fail(`randint out of range: ${v}`);
    counts[v - 3]++;
  }
  t.true(counts.every((c) => Math.abs(c / n - 1 / 7) < 0.01), `randint counts ${counts}`);
  // a full-int32 range works too
  const wide = rf.randint(-(2 ** 31), 2 ** 31 - 1, [1000], { generator: new rf.Generator(5) }).toTypedArray();
  t.true(wide.some((v) => v < -1e9) && wide.some((v) => v > 1e9));
  t.deepEqual(rf.randn([0, 3]).shape, [0, 3]);
  t.deepEqual(rf.randint(0, 2, []).shape, []);
});

test("arange (int32 for integers, float otherwise, negative step, empty, dtype option)", (t) => {
  t.deepEqual(rf.arange(5).toArray(), [0, 1, 2, 3, 4]);
  t.is(rf.arange(5).dtype, "int32");
  t.deepEqual(rf.arange(2, 11, 3).toArray(), [2, 5, 8]);
  t.deepEqual(rf.arange(5, 0, -2).toArray(), [5, 3, 1]);
  t.deepEqual(rf.arange(0).shape, [0]);
  t.deepEqual(rf.arange(3, 1).shape, [0]);
  t.is(rf.arange(0, 1, 0.25).dtype, "float32");
  t.deepEqual(rf.arange(0, 1, 0.25).toArray(), [0, 0.25, 0.5, 0.75]);
  t.is(rf.arange(3, undefined, 1, { dtype: "float64" }).dtype, "float64");
  t.deepEqual(rf.arange(0, 0.3, 0.1, { dtype: "float64" }).toArray(), [0, 0.1, 0.2]);
});

test("eye, full, zeros, ones, zerosLike, onesLike", (t) => {
  t.deepEqual(rf.eye(3).toArray(), [[1, 0, 0], [0, 1, 0], [0, 0, 1]]);
  t.deepEqual(rf.eye(2, 3, { dtype: "int32" }).toArray(), [[1, 0, 0], [0, 1, 0]]);
  t.deepEqual(rf.eye(3, 1, { dtype: "float64" }).toArray(), [[1], [0], [0]]);
  t.deepEqual(rf.eye(0).shape, [0, 0]);
  for (const dtype of ["float32", "float64", "int32"]) {
    const f = rf.full([2, 3], 7, { dtype });
    t.is(f.dtype, dtype);
    t.deepEqual(f.toArray(), [[7, 7, 7], [7, 7, 7]]);
    t.deepEqual(rf.zeros([3], { dtype }).toArray(), [0, 0, 0]);
    t.deepEqual(rf.ones([2, 1], { dtype }).toArray(), [[1], [1]]);
    t.deepEqual(rf.zerosLike(f).toArray(), [[0, 0, 0], [0, 0, 0]]);
    t.is(rf.onesLike(f).dtype, dtype);
  }
  t.is(rf.full([], -2.5).item(), -2.5);
  t.deepEqual(rf.zeros([0, 4]).shape, [0, 4]);
  t.true(rf.ones([2], { requiresGrad: true }).requiresGrad);
  t.true(Number.isNaN(rf.full([1], NaN).item()));
  t.is(rf.full([1], Infinity, { dtype: "float64" }).item(), Infinity);
});

test("tensor() from numbers, nested arrays and typed arrays", (t) => {
  const a = rf.tensor([[1, 2, 3], [4, 5, 6]]);
  t.deepEqual(a.shape, [2, 3]);
  t.is(a.dtype, "float32");
  t.deepEqual(a.toArray(), [[1, 2, 3], [4, 5, 6]]);
  t.is(rf.tensor(3.5).item(), 3.5);
  t.deepEqual(rf.tensor(3.5).shape, []);
  t.deepEqual(rf.tensor(true).item(), 1);
  t.deepEqual(rf.tensor([true, false]).toArray(), [1, 0]);
  t.deepEqual(rf.tensor([]).shape, [0]);
  t.deepEqual(rf.tensor([[], []]).shape, [2, 0]);
  t.deepEqual(rf.tensor([[[1]], [[2]]]).shape, [2, 1, 1]);
  t.is(rf.tensor([0.1], { dtype: "float64" }).item(), 0.1);
  t.is(rf.tensor([0.1]).item(), Math.fround(0.1));
  t.deepEqual(rf.tensor([1, 2], { dtype: "int32" }).toArray(), [1, 2]);
  // typed arrays keep their dtype unless told otherwise
  t.is(rf.tensor(new Float32Array([1, 2])).dtype, "float32");
  t.is(rf.tensor(new Float64Array([1, 2])).dtype, "float64");
  t.is(rf.tensor(new Int32Array([1, 2])).dtype, "int32");
  t.deepEqual(rf.tensor(new Float64Array([1.5, 2.5]), { dtype: "float32" }).toArray(), [1.5, 2.5]);
  t.deepEqual(rf.tensor(new Uint8Array([1, 255]), { dtype: "int32" }).toArray(), [1, 255]);
  t.deepEqual(rf.tensor(new Float64Array(6).map((_, i) => i), { shape: [2, 3] }).toArray(), [[0, 1, 2], [3, 4, 5]]);
  t.deepEqual(rf.tensor([1, 2, 3, 4], { shape: [2, 2] }).toArray(), [[1, 2], [3, 4]]);
  t.true(rf.tensor([1], { requiresGrad: true }).requiresGrad);
  // special values survive
  t.deepEqual(Array.from(rf.tensor([NaN, Infinity, -Infinity, -0], { dtype: "float64" }).toTypedArray()), [NaN, Infinity, -Infinity, -0]);
  // the source array is copied
  const src = new Float64Array([1, 2]);
  const c = rf.tensor(src);
  src[0] = 99;
  t.is(c.toArray()[0], 1);
});
