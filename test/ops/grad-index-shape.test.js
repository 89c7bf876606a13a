// Gradient checks for index-driven ops (embedding, gather, scatterAdd, indexSelect) and
// shape ops (concat, stack, split, slice, reshape, permute, transpose, expand,
// squeeze/unsqueeze, flatten, contiguous).
import test from "ava";
import * as rf from "../../dist/index.js";
import { assertGradcheck, leaf } from "../helpers/gradcheck.js";
import { randData, rng } from "../helpers/reference.js";

const r = rng(404);
const data = (shape, o) => randData(r, shape, o);
const ints = (shape, hi) => rf.tensor(Int32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => r.int(0, hi)), { shape });

test("grad embedding with repeated indices (gradients accumulate per row)", (t) => {
  const idx = rf.tensor([[0, 2, 2], [4, 0, 2]], { dtype: "int32" });
  assertGradcheck(t, (w) => rf.embedding(idx, w), [leaf(data([5, 3]))], { what: "2-d indices" });
  assertGradcheck(t, (w) => rf.embedding(rf.tensor([1, 1, 1, 1], { dtype: "int32" }), w), [leaf(data([3, 2]))], { what: "all the same row" });
  assertGradcheck(t, (w) => rf.embedding(rf.tensor(3, { dtype: "int32" }), w), [leaf(data([4, 2]))], { what: "0-d index" });
  assertGradcheck(t, (w) => rf.embedding(rf.transpose(idx), w), [leaf(data([5, 3]))], { what: "transposed indices" });
  assertGradcheck(t, (w) => rf.embedding(idx, rf.transpose(w)), [leaf(data([3, 5]))], { what: "transposed weight" });
});

test("grad gather along each axis (repeated indices)", (t) => {
  for (const axis of [0, 1, 2, -1]) {
    const shape = [2, 3, 4];
    const a = axis < 0 ? axis + 3 : axis;
    const is = [...shape];
    is[a] = 5; // more picks than the axis has: repeats guaranteed
    const idx = ints(is, shape[a]);
    assertGradcheck(t, (x) => rf.gather(x, axis, idx), [leaf(data(shape))], { what: `axis ${axis}` });
  }
  const idx = ints([3, 2], 4);
  assertGradcheck(t, (x) => x.gather(1, idx), [leaf(data([3, 4]))], { what: "method" });
  assertGradcheck(t, (x) => rf.gather(rf.transpose(x), 1, idx), [leaf(data([4, 3]))], { what: "transposed x" });
});

test("grad scatterAdd in x and src along each axis (colliding indices)", (t) => {
  for (const axis of [0, 1, 2]) {
    const shape = [2, 3, 4];
    const is = [...shape];
    is[axis] = 5;
    const idx = ints(is, shape[axis]);
    assertGradcheck(t, (x, s) => rf.scatterAdd(x, axis, idx, s), [leaf(data(shape)), leaf(data(is))], { what: `axis ${axis}` });
  }
  const idx = ints([2, 3], 4);
  assertGradcheck(t, (s) => rf.scatterAdd(rf.zeros([2, 4], { dtype: "float64" }), 1, idx, s), [leaf(data([2, 3]))], { what: "src only" });
  assertGradcheck(t, (x) => rf.scatterAdd(x, 1, idx, rf.ones([2, 3], { dtype: "float64" })), [leaf(data([2, 4]))], { what: "x only" });
  assertGradcheck(t, (x, s) => rf.scatterAdd(rf.transpose(x), 1, idx, s), [leaf(data([4, 2])), leaf(data([2, 3]))], { what: "transposed x" });
});

test("grad indexSelect along each axis (repeated indices)", (t) => {
  const idx = rf.tensor([2, 0, 2, 1], { dtype: "int32" });
  for (const axis of [0, 1, 2, -1]) assertGradcheck(t, (x) => rf.indexSelect(x, axis, idx), [leaf(data([3, 3, 3]))], { what: `axis ${axis}` });
  assertGradcheck(t, (x) => rf.indexSelect(x, 0, idx), [leaf(data([3]))], { what: "1-d" });
  assertGradcheck(t, (x) => x.indexSelect(1, idx), [leaf(data([2, 3]))], { what: "method" });
  assertGradcheck(t, (x) => rf.indexSelect(rf.transpose(x), 0, idx), [leaf(data([2, 3]))], { what: "transposed x" });
});

test("grad concat and stack along each axis (mixed requiresGrad)", (t) => {
  for (const axis of [0, 1, 2, -1])
    assertGradcheck(t, (a, b, c) => rf.concat([a, b, c], axis), [leaf(data([2, 3, 4])), leaf(data([2, 3, 4])), leaf(data([2, 3, 4]))], { what: `concat axis ${axis}` });
  assertGradcheck(t, (a, b) => rf.concat([a, b], 1), [leaf(data([2, 1])), leaf(data([2, 3]))], { what: "uneven" });
  const c = rf.tensor(data([2, 2]).data, { dtype: "float64", shape: [2, 2] });
  assertGradcheck(t, (a) => rf.concat([c, a, c], 0), [leaf(data([1, 2]))], { what: "constant parts" });
  assertGradcheck(t, (a) => rf.concat([a, a], 0), [leaf(data([2, 2]))], { what: "same tensor twice" });
  assertGradcheck(t, (a, b) => rf.concat([rf.transpose(a), b], 0), [leaf(data([3, 2])), leaf(data([1, 3]))], { what: "transposed part" });
  for (const axis of [0, 1, 2, -1])
    assertGradcheck(t, (a, b) => rf.stack([a, b], axis), [leaf(data([2, 3])), leaf(data([2, 3]))], { what: `stack axis ${axis}` });
});

test("grad split (sizes and chunk) and slice (negative and clamped bounds)", (t) => {
  assertGradcheck(t, (x) => rf.split(x, [1, 3, 0, 1], 1), [leaf(data([2, 5]))], { what: "sizes" });
  assertGradcheck(t, (x) => rf.split(x, 2, 0), [leaf(data([5, 2]))], { what: "chunks" });
  assertGradcheck(t, (x) => x.split(2, -1).slice(1), [leaf(data([2, 5]))], { what: "method, unused first part" });
  for (const [s, e] of [[1, 3], [-3, -1], [0, 100], [-100, 2], [2, undefined], [3, 1]])
    assertGradcheck(t, (x) => rf.slice(x, 1, s, e), [leaf(data([2, 4]))], { what: `slice ${s}:${e}` });
  assertGradcheck(t, (x) => rf.slice(rf.slice(x, 0, 1), 1, 1, 3), [leaf(data([3, 4]))], { what: "slice of slice" });
  assertGradcheck(t, (x) => rf.slice(rf.transpose(x), 0, 1, 3), [leaf(data([3, 4]))], { what: "slice of transposed" });
  assertGradcheck(t, (x) => x.slice(0, 1, 2), [leaf(data([3, 2]))], { what: "method" });
});

test("grad reshape, flatten, view on contiguous and non-contiguous inputs", (t) => {
  assertGradcheck(t, (x) => rf.reshape(x, [4, 3]), [leaf(data([2, 6]))], { what: "reshape" });
  assertGradcheck(t, (x) => rf.reshape(x, [-1]), [leaf(data([2, 3]))], { what: "reshape -1" });
  assertGradcheck(t, (x) => rf.reshape(rf.transpose(x), [6]), [leaf(data([2, 3]))], { what: "reshape of transposed (copy)" });
  assertGradcheck(t, (x) => rf.reshape(x, [2, 3]), [leaf(data([2, 3]))], { what: "same shape" });
  assertGradcheck(t, (x) => rf.flatten(x), [leaf(data([2, 3, 2]))], { what: "flatten" });
  assertGradcheck(t, (x) => rf.flatten(x, 1), [leaf(data([2, 3, 2]))], { what: "flatten from 1" });
  assertGradcheck(t, (x) => rf.flatten(rf.permute(x, [2, 0, 1]), 0, 1), [leaf(data([2, 3, 2]))], { what: "flatten permuted" });
  assertGradcheck(t, (x) => rf.flatten(x), [leaf(data([]))], { what: "flatten 0-d" });
  assertGradcheck(t, (x) => x.view([3, 2]), [leaf(data([6]))], { what: "view" });
  assertGradcheck(t, (x) => x.reshape([1, 6]).flatten(), [leaf(data([6]))], { what: "methods" });
});

test("grad permute, transpose, .T", (t) => {
  for (const dims of [[0, 1, 2], [2, 0, 1], [1, 2, 0], [-1, 0, 1]])
    assertGradcheck(t, (x) => rf.mul(rf.permute(x, dims), rf.permute(x, dims)), [leaf(data([2, 3, 4]))], { what: `permute ${dims}` });
  assertGradcheck(t, (x) => rf.transpose(x, 0, 2), [leaf(data([2, 3, 4]))], { what: "transpose 0 2" });
  assertGradcheck(t, (x) => rf.transpose(x), [leaf(data([2, 3, 4]))], { what: "transpose default" });
  assertGradcheck(t, (x) => rf.transpose(x), [leaf(data([3]))], { what: "transpose 1-d" });
  assertGradcheck(t, (x) => x.T, [leaf(data([2, 3]))], { what: ".T" });
  assertGradcheck(t, (x) => x.permute([1, 0]).transpose(), [leaf(data([2, 3]))], { what: "methods" });
});

test("grad expand (new leading dims, -1, size-1 dims)", (t) => {
  assertGradcheck(t, (x) => rf.expand(x, [2, 3, 4]), [leaf(data([3, 1]))], { what: "lead + size-1" });
  assertGradcheck(t, (x) => rf.expand(x, [3, -1]), [leaf(data([1, 4]))], { what: "-1" });
  assertGradcheck(t, (x) => rf.expand(x, [2, 2]), [leaf(data([]))], { what: "0-d" });
  assertGradcheck(t, (x) => rf.mul(rf.expand(x, [3, 2]), rf.expand(x, [3, 2])), [leaf(data([1, 2]))], { what: "expanded twice" });
  assertGradcheck(t, (x) => rf.expand(rf.transpose(x), [2, 3, 1]), [leaf(data([1, 3]))], { what: "expand transposed" });
  assertGradcheck(t, (x) => x.expand([2, 2]), [leaf(data([2]))], { what: "method" });
});

test("grad squeeze / unsqueeze on contiguous and strided inputs", (t) => {
  assertGradcheck(t, (x) => rf.squeeze(x), [leaf(data([1, 3, 1, 2]))], { what: "squeeze all" });
  assertGradcheck(t, (x) => rf.squeeze(x, 2), [leaf(data([1, 3, 1, 2]))], { what: "squeeze axis" });
  assertGradcheck(t, (x) => rf.squeeze(x, -4), [leaf(data([1, 3, 1, 2]))], { what: "squeeze -4" });
  assertGradcheck(t, (x) => rf.squeeze(x), [leaf(data([3, 2]))], { what: "squeeze nothing" });
  for (const a of [0, 1, 2, -1, -3]) assertGradcheck(t, (x) => rf.unsqueeze(x, a), [leaf(data([3, 2]))], { what: `unsqueeze ${a}` });
  assertGradcheck(t, (x) => rf.unsqueeze(rf.transpose(x), 1), [leaf(data([3, 2]))], { what: "unsqueeze transposed" });
  assertGradcheck(t, (x) => rf.squeeze(rf.transpose(rf.unsqueeze(x, 0), 0, 2)), [leaf(data([3, 2]))], { what: "squeeze transposed" });
  assertGradcheck(t, (x) => x.unsqueeze(0).squeeze(0), [leaf(data([3]))], { what: "methods" });
});

test("grad contiguous (copy of a view and no-op on a contiguous tensor)", (t) => {
  assertGradcheck(t, (x) => rf.contiguous(rf.transpose(x)), [leaf(data([2, 3]))], { what: "transposed" });
  assertGradcheck(t, (x) => rf.mul(rf.contiguous(x), 2), [leaf(data([2, 3]))], { what: "already contiguous" });
  assertGradcheck(t, (x) => x.T.contiguous(), [leaf(data([2, 3]))], { what: "method" });
});
