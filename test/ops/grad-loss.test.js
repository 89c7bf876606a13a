// Gradient checks for the losses (bceWithLogits with posWeight, crossEntropy with
// ignoreIndex, mse) in every reduction, and for dropout with a fixed generator.
import test from "ava";
import * as rf from "../../dist/index.js";
import { assertGradcheck, leaf } from "../helpers/gradcheck.js";
import { randData, rng } from "../helpers/reference.js";

const r = rng(505);
const data = (shape, o) => randData(r, shape, o);
const reductions = [undefined, "mean", "sum", "none"];

test("grad bceWithLogits (hard and soft targets, posWeight, every reduction)", (t) => {
  for (const reduction of reductions)
    for (const posWeight of [undefined, 1, 3.5, 0.25]) {
      const hard = rf.tensor(Float64Array.from({ length: 12 }, () => (r.next() < 0.5 ? 1 : 0)), { shape: [3, 4] });
      const soft = rf.tensor(data([3, 4], { lo: 0, hi: 1 }).data, { dtype: "float64", shape: [3, 4] });
      for (const [tn, y] of [["hard", rf.cast(hard, "float64")], ["soft", soft]])
        assertGradcheck(t, (x) => rf.bceWithLogits(x, y, { reduction, posWeight }), [leaf(data([3, 4], { lo: -4, hi: 4 }))], {
          what: `${tn} ${reduction} pw ${posWeight}`,
        });
    }
  // large logits stay finite and differentiable
  const x = data([6], { lo: -40, hi: 40 });
  const y = rf.tensor([0, 1, 0, 1, 0.5, 1], { dtype: "float64" });
  assertGradcheck(t, (a) => rf.bceWithLogits(a, y, { reduction: "sum" }), [leaf(x)], { what: "large logits" });
  // non-contiguous logits and target
  const yt = rf.tensor(data([4, 3], { lo: 0, hi: 1 }).data, { dtype: "float64", shape: [4, 3] });
  assertGradcheck(t, (a) => rf.bceWithLogits(rf.transpose(a), rf.transpose(yt)), [leaf(data([4, 3]))], { what: "transposed" });
});

test("grad bceWithLogits with respect to a soft target that requires grad", (t) => {
  for (const posWeight of [1, 2.5])
    assertGradcheck(t, (x, y) => rf.bceWithLogits(x, y, { posWeight }), [leaf(data([2, 3], { lo: -3, hi: 3 })), leaf(data([2, 3], { lo: 0.1, hi: 0.9 }))], {
      what: `posWeight ${posWeight}`,
    });
  const x = rf.tensor(data([4], { lo: -3, hi: 3 }).data, { dtype: "float64" });
  assertGradcheck(t, (y) => rf.bceWithLogits(x, y, { reduction: "sum", posWeight: 2 }), [leaf(data([4], { lo: 0, hi: 1 }))], { what: "only the target" });
});

test("grad crossEntropy (every reduction, ignoreIndex rows)", (t) => {
  const target = rf.tensor([1, 4, 0, 2, 4], { dtype: "int32" });
  for (const reduction of reductions) {
    assertGradcheck(t, (x) => rf.crossEntropy(x, target, { reduction }), [leaf(data([5, 5], { lo: -3, hi: 3 }))], { what: `${reduction}` });
    // rows 1 and 4 ignored: zero gradient there, and the mean counts the 3 other rows
    assertGradcheck(t, (x) => rf.crossEntropy(x, target, { reduction, ignoreIndex: 4 }), [leaf(data([5, 5]))], { what: `${reduction} ignore 4` });
    const withNeg = rf.tensor([1, -100, 0, -100, 3], { dtype: "int32" });
    assertGradcheck(t, (x) => rf.crossEntropy(x, withNeg, { reduction }), [leaf(data([5, 5]))], { what: `${reduction} default ignore -100` });
  }
  assertGradcheck(t, (x) => rf.crossEntropy(rf.transpose(x), target), [leaf(data([5, 5]))], { what: "transposed logits" });
  assertGradcheck(t, (x) => rf.crossEntropy(x, rf.tensor([0, 0], { dtype: "int32" })), [leaf(data([2, 1]))], { what: "one class" });
  const big = data([3, 4]);
  big.data.forEach((v, i) => (big.data[i] = v * 200));
  assertGradcheck(t, (x) => rf.crossEntropy(x, rf.tensor([0, 3, 1], { dtype: "int32" })), [leaf(big)], { what: "large logits" });
});

test("grad mse in pred and target, every reduction", (t) => {
  for (const reduction of reductions) {
    assertGradcheck(t, (p, y) => rf.mse(p, y, { reduction }), [leaf(data([3, 4])), leaf(data([3, 4]))], { what: `${reduction}` });
    const y = rf.tensor(data([5]).data, { dtype: "float64" });
    assertGradcheck(t, (p) => rf.mse(p, y, { reduction }), [leaf(data([5]))], { what: `${reduction} constant target` });
  }
});

test("grad dropout with a fixed generator equals the mask scaling", (t) => {
  for (const p of [0.25, 0.5, 0.9]) {
    const seed = 1234;
    // the same generator state on every evaluation gives the same mask
    const f = (x) => rf.dropout(x, p, { generator: new rf.Generator(seed) });
    assertGradcheck(t, f, [leaf(data([4, 5]))], { what: `p ${p}` });
    // and that gradient is exactly mask / (1 - p): 0 or 1/(1-p)
    const x = rf.ones([4, 5], { dtype: "float64", requiresGrad: true });
    const y = f(x);
    rf.sum(y).backward();
    const g = x.grad.toTypedArray();
    const yv = y.toTypedArray();
    const scale = 1 / (1 - p);
    t.true(g.every((v, i) => (v === 0 || Math.abs(v - scale) < 1e-12) && v === yv[i]), `p ${p}: grad ${Array.from(g)}`);
    x.dispose();
    y.dispose();
  }
  // not training / p = 0: identity with identity gradient
  assertGradcheck(t, (x) => rf.mul(rf.dropout(x, 0.5, { training: false }), 1), [leaf(data([3]))], { what: "eval" });
  assertGradcheck(t, (x) => rf.mul(rf.dropout(x, 0), 1), [leaf(data([3]))], { what: "p 0" });
});
