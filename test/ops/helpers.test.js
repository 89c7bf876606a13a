// The checkers must be able to fail: gradcheck flags a wrong gradient (reporting the
// worst element) and a leak in backward; the references agree with hand-computed values.
import test from "ava";
import * as rf from "../../dist/index.js";
import { gradcheck, leaf } from "../helpers/gradcheck.js";
import { matmulRef, randData, reduceRef, reducers, rng, scalar, softmaxRef } from "../helpers/reference.js";

const r = rng(5);

test("gradcheck passes a correct gradient and reports the worst element of a wrong one", (t) => {
  t.true(gradcheck((x) => rf.mul(rf.exp(x), x), [leaf(randData(r, [3, 2]))]).ok);
  // a hook that scales the gradient of one intermediate makes the analytic gradient wrong
  const wrong = gradcheck((x) => {
    const y = rf.exp(x);
    if (y.requiresGrad) y.registerHook((g) => rf.mul(g, 1.001)); // (not in the numeric pass)
    return y;
  }, [leaf(randData(r, [2, 3]))]);
  t.false(wrong.ok);
  t.regex(wrong.message, /input 0 \[2,3\] element \[\d,\d\]: analytic .* numeric .*x tolerance/);
  t.true(wrong.worst.ratio > 1);
});

test("gradcheck reports tensors left alive by backward", (t) => {
  const res = gradcheck((x) => {
    const y = rf.mul(x, 2);
    if (y.requiresGrad) y.registerHook(() => void rf.zeros([1])); // made during backward, never disposed
    return y;
  }, [leaf(randData(r, [2]))]);
  t.false(res.ok);
  t.regex(res.message, /left 1 tensor\(s\) alive/);
});

test("gradcheck flags a gradient on an input that does not require grad", (t) => {
  const c = rf.tensor([1, 2], { dtype: "float64" });
  const res = gradcheck((x) => rf.mul(x, c), [leaf(randData(r, [2])), c]);
  t.true(res.ok, res.message);
  t.is(c.grad, null);
});

test("references agree with hand-computed values", (t) => {
  const m = matmulRef({ shape: [2, 2], data: Float64Array.of(1, 2, 3, 4) }, { shape: [2], data: Float64Array.of(1, 1) });
  t.deepEqual([...m.shape], [2]);
  t.deepEqual(Array.from(m.data), [3, 7]);
  const s = reduceRef({ shape: [2, 3], data: Float64Array.of(1, 2, 3, 4, 5, 6) }, [1], true, reducers.sum);
  t.deepEqual([...s.shape], [2, 1]);
  t.deepEqual(Array.from(s.data), [6, 15]);
  const sm = softmaxRef({ shape: [2], data: Float64Array.of(0, Math.log(3)) });
  t.true(Math.abs(sm.data[0] - 0.25) < 1e-15 && Math.abs(sm.data[1] - 0.75) < 1e-15);
  // erf against known values (Abramowitz & Stegun table)
  for (const [x, e] of [[0.5, 0.5204998778130465], [1, 0.8427007929497149], [2, 0.9953222650189527], [3.5, 0.9999992569016276]])
    t.true(Math.abs(scalar.erf(x) - e) < 1e-13 && Math.abs(scalar.erf(-x) + e) < 1e-13, `erf(${x}) = ${scalar.erf(x)}`);
});
