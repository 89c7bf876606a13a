// Gradient checks for reductions: sum, mean, max/min (values), amax/amin, logsumexp,
// variance, over several axis sets with keepdim on and off.
import test from "ava";
import * as rf from "../../dist/index.js";
import { assertGradcheck, leaf } from "../helpers/gradcheck.js";
import { randData, rng } from "../helpers/reference.js";

const r = rng(202);
const data = (shape, o) => randData(r, shape, o);
const shape = [2, 3, 4];
const axisSets = [undefined, 0, 1, 2, -1, [0, 2], [1, 2], [0, 1, 2], [-3, -1]];

for (const [name, f] of [["sum", rf.sum], ["mean", rf.mean], ["logsumexp", rf.logsumexp], ["variance", rf.variance]]) {
  test(`grad ${name} over axis sets, keepdim on and off`, (t) => {
    for (const axes of axisSets)
      for (const keepdim of [false, true])
        assertGradcheck(t, (x) => f(x, axes, keepdim), [leaf(data(shape))], { what: `axes ${JSON.stringify(axes)} keepdim ${keepdim}` });
    // non-contiguous input
    assertGradcheck(t, (x) => f(rf.transpose(x, 0, 2), [0, 1]), [leaf(data(shape))], { what: "transposed" });
    // 1-element and 0-d inputs
    // (variance over one element with Bessel's correction is 0/0 = NaN, as in PyTorch)
    const g = name === "variance" ? (x) => f(x, 0, false, 0) : (x) => f(x, 0);
    assertGradcheck(t, g, [leaf(data([1, 3]))], { what: "size-1 axis" });
    if (name !== "variance") assertGradcheck(t, (x) => f(x), [leaf(data([]))], { what: "0-d" });
  });
}

test("grad sum/mean over an empty axis list is the identity", (t) => {
  assertGradcheck(t, (x) => rf.sum(x, []), [leaf(data([2, 3]))], { what: "sum" });
  assertGradcheck(t, (x) => rf.mean(x, []), [leaf(data([2, 3]))], { what: "mean" });
  assertGradcheck(t, (x) => rf.logsumexp(x, []), [leaf(data([2, 3]))], { what: "logsumexp" });
});

test("grad variance with correction 0 and 2", (t) => {
  for (const c of [0, 2]) assertGradcheck(t, (x) => rf.variance(x, 1, false, c), [leaf(data([3, 5]))], { what: `correction ${c}` });
  assertGradcheck(t, (x) => x.var(1, true), [leaf(data([3, 5]))], { what: "method" });
});

test("grad max/min values along each axis (gradient goes to the extreme element)", (t) => {
  for (const f of [rf.max, rf.min])
    for (const axis of [0, 1, 2, -1])
      for (const keepdim of [false, true])
        assertGradcheck(t, (x) => f(x, axis, keepdim).values, [leaf(data(shape))], { what: `${f.name} axis ${axis} keepdim ${keepdim}` });
  assertGradcheck(t, (x) => x.max(1).values, [leaf(data([3, 4]))], { what: "method" });
  assertGradcheck(t, (x) => rf.max(rf.transpose(x), 0).values, [leaf(data([3, 4]))], { what: "transposed" });
});

test("grad amax/amin over axis sets", (t) => {
  for (const f of [rf.amax, rf.amin])
    for (const axes of axisSets)
      for (const keepdim of [false, true])
        assertGradcheck(t, (x) => f(x, axes, keepdim), [leaf(data(shape))], { what: `${f.name} ${JSON.stringify(axes)} ${keepdim}` });
});

test("grad logsumexp with large logits (stable shift)", (t) => {
  const x = data([3, 4]);
  x.data.forEach((v, i) => (x.data[i] = v * 300));
  assertGradcheck(t, (a) => rf.logsumexp(a, 1), [leaf(x)]);
});

test("grad of reductions chained with the method forms", (t) => {
  assertGradcheck(t, (x) => x.sum(0).mean(), [leaf(data([3, 4]))]);
  assertGradcheck(t, (x) => x.amax([0, 1]).add(x.amin(1, true).sum()), [leaf(data([3, 4]))]);
  assertGradcheck(t, (x) => x.logsumexp(-1, true), [leaf(data([3, 4]))]);
});
