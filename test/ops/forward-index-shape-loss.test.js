// Forward values of indexing ops, shape ops and losses against naive float64 references,
// on random shapes with odd and zero-size dims.
import test from "ava";
import * as rf from "../../dist/index.js";
import {
  assertClose, bceRef, binaryRef, concatRef, crossEntropyRef, embeddingRef, gatherRef, indexSelectRef, numel, permuteRef, randData,
  reduceRef, reducers, rng, scatterAddRef, sliceRef,
} from "../helpers/reference.js";

const r = rng(808);
const DIMS = [0, 1, 2, 3, 5, 7];
const randShape = (nd = r.int(1, 4)) => Array.from({ length: nd }, () => r.pick(DIMS));
const toT = (a, dtype = "float64") => rf.tensor(a.data, { dtype, shape: a.shape });
const randIdx = (shape, hi) => ({ shape, data: Float64Array.from({ length: numel(shape) }, () => r.int(0, hi)) });
const exact = { rtol: 0, atol: 0 };

test("forward embedding on random index shapes (repeats, zero-size, every dtype)", (t) => {
  for (const dtype of ["float64", "float32", "int32"])
    for (let k = 0; k < 12; k++) {
      const rows = k === 0 ? 1 : r.pick([1, 2, 3, 5, 7]), d = k === 1 ? 0 : r.pick(DIMS);
      const ishape = k === 2 ? [0] : k === 3 ? [] : randShape(r.int(1, 3));
      const w = randData(r, [rows, d], { lo: -100, hi: 100 });
      if (dtype !== "float64") w.data.forEach((v, i) => (w.data[i] = Math.round(v)));
      const idx = randIdx(ishape, rows);
      const out = rf.embedding(toT(idx, "int32"), toT(w, dtype));
      t.is(out.dtype, dtype);
      assertClose(t, out, embeddingRef(idx, w), { ...exact, what: `${dtype} idx [${ishape}] weight [${rows}, ${d}]` });
    }
});

test("forward gather / scatterAdd along random axes of random shapes", (t) => {
  for (let k = 0; k < 30; k++) {
    const shape = randShape(r.int(1, 4)).map((d) => (k % 3 === 0 ? d : d || 1));
    const axis = r.int(0, shape.length);
    if (shape[axis] === 0) shape[axis] = 2; // indices need something to point at unless k = 0 below
    const is = [...shape];
    is[axis] = r.pick([0, 1, 2, 4, 6]);
    const x = randData(r, shape), idx = randIdx(is, shape[axis]), src = randData(r, is);
    const what = `x [${shape}] axis ${axis} idx [${is}]`;
    assertClose(t, rf.gather(toT(x), axis, toT(idx, "int32")), gatherRef(x, axis, idx), { ...exact, what: `gather ${what}` });
    assertClose(t, rf.scatterAdd(toT(x), axis, toT(idx, "int32"), toT(src)), scatterAddRef(x, axis, idx, src), {
      rtol: 1e-12, atol: 1e-12, what: `scatterAdd ${what}`,
    });
    const neg = axis - shape.length;
    assertClose(t, rf.gather(toT(x), neg, toT(idx, "int32")), gatherRef(x, axis, idx), { ...exact, what: `gather negative axis ${what}` });
  }
  // int32 payloads
  const x = rf.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "int32" });
  const i = rf.tensor([[2, 2], [0, 1]], { dtype: "int32" });
  t.deepEqual(rf.gather(x, 1, i).toArray(), [[3, 3], [4, 5]]);
  t.deepEqual(rf.scatterAdd(x, 1, i, rf.tensor([[10, 20], [30, 40]], { dtype: "int32" })).toArray(), [[1, 2, 33], [34, 45, 6]]);
  t.deepEqual(x.toArray(), [[1, 2, 3], [4, 5, 6]], "scatterAdd does not modify its input");
});

test("forward indexSelect along every axis (repeats, empty index list)", (t) => {
  for (let k = 0; k < 20; k++) {
    const shape = randShape(r.int(1, 4)).map((d) => d || 1);
    if (k % 5 === 0) shape[shape.length - 1] = 0; // a zero-size dim that is not the selected one
    const axis = r.int(0, shape.length);
    if (shape[axis] === 0) continue;
    const idx = randIdx([r.pick([0, 1, 3, 6])], shape[axis]);
    const x = randData(r, shape);
    assertClose(t, rf.indexSelect(toT(x), axis, toT(idx, "int32")), indexSelectRef(x, axis, idx), { ...exact, what: `[${shape}] axis ${axis} idx ${idx.data}` });
  }
});

test("forward concat / stack / split / slice with zero-size parts", (t) => {
  for (let k = 0; k < 15; k++) {
    const base = randShape(r.int(1, 4));
    const axis = r.int(0, base.length);
    const parts = Array.from({ length: r.int(1, 4) }, () => {
      const s = [...base];
      s[axis] = r.pick([0, 1, 2, 3]);
      return randData(r, s);
    });
    const out = rf.concat(parts.map((p) => toT(p)), axis);
    assertClose(t, out, concatRef(parts, axis), { ...exact, what: `concat axis ${axis} of ${parts.map((p) => `[${p.shape}]`)}` });
    // split undoes concat
    const pieces = rf.split(out, parts.map((p) => p.shape[axis]), axis);
    pieces.forEach((p, i) => assertClose(t, p, parts[i], { ...exact, what: `split piece ${i}` }));
    // slice with python-like bounds
    const n = out.shape[axis];
    for (const [s, e] of [[0, n], [1, n - 1], [-2, undefined], [n + 3, n + 5], [-n - 4, 1]]) {
      const ss = Math.min(Math.max(s < 0 ? s + n : s, 0), n);
      const ee = Math.min(Math.max(e === undefined ? n : e < 0 ? e + n : e, ss), n);
      assertClose(t, rf.slice(out, axis, s, e), sliceRef(concatRef(parts, axis), axis, ss, ee), { ...exact, what: `slice ${s}:${e} of ${n}` });
    }
  }
  // stack of equal shapes (including empty ones)
  for (const shape of [[2, 3], [0, 2], [4], []]) {
    const parts = [randData(r, shape), randData(r, shape), randData(r, shape)];
    for (let axis = 0; axis <= shape.length; axis++) {
      const withOne = parts.map((p) => ({ shape: [...p.shape.slice(0, axis), 1, ...p.shape.slice(axis)], data: p.data }));
      assertClose(t, rf.stack(parts.map((p) => toT(p)), axis), concatRef(withOne, axis), { ...exact, what: `stack [${shape}] axis ${axis}` });
    }
  }
  // split into chunks with a ragged tail
  t.deepEqual(rf.split(rf.arange(7), 3).map((p) => p.toArray()), [[0, 1, 2], [3, 4, 5], [6]]);
  t.deepEqual(rf.split(rf.zeros([0, 2]), 2).length, 0, "chunking an empty axis gives no pieces");
});

test("forward reshape / permute / transpose / expand / squeeze / unsqueeze / flatten", (t) => {
  for (let k = 0; k < 15; k++) {
    const shape = randShape(r.int(1, 5));
    const x = randData(r, shape);
    const X = toT(x);
    const perm = [...shape.keys()].sort(() => r.next() - 0.5);
    const p = rf.permute(X, perm);
    assertClose(t, p, permuteRef(x, perm), { ...exact, what: `permute [${shape}] ${perm}` });
    // reshape of a permuted (non-contiguous) tensor copies in logical order
    const flat = permuteRef(x, perm);
    assertClose(t, rf.reshape(p, [-1]), { shape: [flat.data.length], data: flat.data }, { ...exact, what: "reshape of permuted" });
    assertClose(t, rf.flatten(p), { shape: [flat.data.length], data: flat.data }, { ...exact, what: "flatten of permuted" });
    const u = rf.unsqueeze(p, r.int(0, shape.length + 1));
    assertClose(t, rf.squeeze(u), { shape: flat.shape.filter((d) => d !== 1), data: flat.data }, { ...exact, what: "squeeze(unsqueeze)" });
  }
  const x = rf.tensor([[1, 2, 3]]);
  t.deepEqual(rf.expand(x, [2, 2, 3]).toArray(), [[[1, 2, 3], [1, 2, 3]], [[1, 2, 3], [1, 2, 3]]]);
  t.deepEqual(rf.expand(x, [0, 3]).shape, [0, 3], "expand a size-1 dim to 0");
  t.deepEqual(rf.expand(rf.zeros([0, 1]), [0, 4]).shape, [0, 4]);
  t.deepEqual(rf.transpose(rf.arange(6).reshape([2, 3])).toArray(), [[0, 3], [1, 4], [2, 5]]);
  t.deepEqual(rf.reshape(rf.zeros([0, 3]), [3, 0, 5]).shape, [3, 0, 5]);
  t.deepEqual(rf.reshape(rf.zeros([4, 0]), [-1, 2]).shape, [0, 2]);
  t.deepEqual(rf.flatten(rf.zeros([2, 3, 4]), 1, 2).shape, [2, 12]);
  t.deepEqual(rf.squeeze(rf.zeros([1, 1])).shape, []);
  t.deepEqual(rf.contiguous(rf.transpose(rf.arange(6).reshape([3, 2]))).toArray(), [[0, 2, 4], [1, 3, 5]]);
});

test("forward bceWithLogits, crossEntropy, mse against references (every reduction)", (t) => {
  const reduce = (a, reduction) => (reduction === "none" ? a : reduceRef(a, undefined, false, reduction === "sum" ? reducers.sum : reducers.mean));
  for (const dtype of ["float64", "float32"]) {
    const tl = dtype === "float64" ? { rtol: 1e-10, atol: 1e-12 } : { rtol: 1e-5, atol: 1e-5 };
    const fr = (a) => (dtype === "float32" ? { shape: a.shape, data: a.data.map(Math.fround) } : a);
    for (const shape of [[3, 4], [7], [0, 2], []]) {
      const x = fr(randData(r, shape, { lo: -30, hi: 30 })), y = fr(randData(r, shape, { lo: 0, hi: 1 }));
      for (const reduction of ["mean", "sum", "none"])
        for (const posWeight of [1, 2.5]) {
          if (numel(shape) === 0 && reduction === "mean") continue;
          assertClose(t, rf.bceWithLogits(toT(x, dtype), toT(y, dtype), { reduction, posWeight }), reduce(bceRef(x, y, posWeight), reduction), {
            ...tl, what: `bce ${dtype} [${shape}] ${reduction} ${posWeight}`,
          });
        }
      const p = fr(randData(r, shape)), q = fr(randData(r, shape));
      for (const reduction of ["mean", "sum", "none"]) {
        if (numel(shape) === 0 && reduction === "mean") continue;
        assertClose(t, rf.mse(toT(p, dtype), toT(q, dtype), { reduction }), reduce(binaryRef((a, b) => (a - b) ** 2, p, q), reduction), {
          ...tl, what: `mse ${dtype} [${shape}] ${reduction}`,
        });
      }
    }
    for (const [n, c] of [[5, 4], [1, 1], [3, 7], [0, 3]]) {
      const x = fr(randData(r, [n, c], { lo: -50, hi: 50 }));
      const tgt = randIdx([n], c);
      if (n > 2) tgt.data[1] = -100;
      const want = crossEntropyRef(x, tgt);
      const T = toT(tgt, "int32");
      assertClose(t, rf.crossEntropy(toT(x, dtype), T, { reduction: "none" }), want, { ...tl, what: `ce none ${dtype} [${n},${c}]` });
      assertClose(t, rf.crossEntropy(toT(x, dtype), T, { reduction: "sum" }), reduce(want, "sum"), { ...tl, what: `ce sum` });
      const counted = Array.from(tgt.data).filter((v) => v !== -100).length;
      const mean = rf.crossEntropy(toT(x, dtype), T).item();
      if (counted) t.true(Math.abs(mean - reducers.sum(Array.from(want.data)) / counted) <= tl.atol + tl.rtol * Math.abs(mean), `ce mean ${mean}`);
      else t.true(Number.isNaN(mean), "mean over no counted rows is NaN");
    }
  }
});
