// Autograd semantics: accumulation, retainGraph, noGrad, detach, hooks, retainGrad,
// non-scalar backward, saved tensors outliving disposed intermediates, tidy() around the
// forward pass, and that a finished backward leaves nothing alive.
import test from "ava";
import * as rf from "../../dist/index.js";

const leaf = (data, shape) => rf.tensor(data, { dtype: "float64", shape, requiresGrad: true });
const arr = (t) => Array.from(t.toTypedArray());
const close = (t, a, b, what = "") => t.true(a.length === b.length && a.every((v, i) => Math.abs(v - b[i]) <= 1e-12 * (1 + Math.abs(b[i]))), `${what} ${a} vs ${b}`);

test("gradients accumulate across backward calls until zeroGrad", (t) => {
  const x = leaf([1, 2, 3]);
  rf.sum(rf.mul(x, x)).backward(); // 2x
  close(t, arr(x.grad), [2, 4, 6], "first");
  rf.sum(rf.mul(x, 3)).backward(); // + 3
  close(t, arr(x.grad), [5, 7, 9], "accumulated");
  x.zeroGrad();
  t.is(x.grad, null);
  rf.sum(x).backward();
  close(t, arr(x.grad), [1, 1, 1], "after zeroGrad");
});

test("retainGraph allows a second backward; without it the second one is a clear error", (t) => {
  const x = leaf([0.5, -1]);
  const y = rf.sum(rf.exp(rf.mul(x, 2)));
  y.backward(undefined, { retainGraph: true });
  const g1 = arr(x.grad);
  y.backward(); // graph retained by the first call; this one frees it
  close(t, arr(x.grad), g1.map((v) => 2 * v), "doubled");
  t.throws(() => y.backward(), { instanceOf: TypeError, message: /already freed by a previous backward\(\).*retainGraph: true/ });
  close(t, arr(x.grad), g1.map((v) => 2 * v), "a failed backward leaves .grad alone");
  // the same through a graph whose nodes saved nothing
  const z = rf.sum(rf.add(x, 1));
  z.backward();
  t.throws(() => z.backward(), { instanceOf: TypeError, message: /retainGraph/ });
});

test("noGrad records nothing, restores the mode (also after a throw), enableGrad nests", (t) => {
  const x = leaf([1, 2]);
  t.true(rf.isGradEnabled());
  const y = rf.noGrad(() => {
    t.false(rf.isGradEnabled());
    const inner = rf.enableGrad(() => rf.mul(x, 2));
    t.truthy(inner.gradFn, "enableGrad inside noGrad records");
    return rf.mul(x, 2);
  });
  t.false(y.requiresGrad);
  t.is(y.gradFn, null);
  t.true(rf.isGradEnabled());
  t.throws(() => rf.noGrad(() => { throw new RangeError("boom"); }), { message: "boom" });
  t.true(rf.isGradEnabled(), "restored after a throw");
  t.throws(() => y.backward(), { instanceOf: TypeError, message: /does not require grad/ });
});

test("detach: shares data, carries no gradient", (t) => {
  const x = leaf([1, 2, 3]);
  const d = rf.mul(x, 2).detach();
  t.false(d.requiresGrad);
  t.is(d.gradFn, null);
  t.deepEqual(arr(d), [2, 4, 6]);
  // only the non-detached path contributes
  rf.sum(rf.add(rf.mul(x, d), x)).backward();
  close(t, arr(x.grad), [3, 5, 7]);
  const v = x.detach();
  t.deepEqual(arr(v), [1, 2, 3]);
  t.false(v.isDisposed);
});

test("hooks: an intermediate hook sees the gradient and can replace it; leaf hooks; removal", (t) => {
  const x = leaf([1, 2, 3]);
  const y = rf.mul(x, x); // dy/dx = 2x
  const seen = [];
  const remove = y.registerHook((g) => {
    seen.push(arr(g));
    return rf.mul(g, 10); // replace the gradient flowing into y
  });
  rf.sum(rf.mul(y, rf.tensor([1, 2, 3], { dtype: "float64" }))).backward(undefined, { retainGraph: true });
  t.deepEqual(seen, [[1, 2, 3]], "the hook saw dL/dy");
  close(t, arr(x.grad), [20, 80, 180], "leaf gradient uses the replaced gradient: 10 * g * 2x");
  x.zeroGrad();
  remove();
  rf.sum(y).backward(undefined, { retainGraph: true });
  close(t, arr(x.grad), [2, 4, 6], "hook removed");
  x.zeroGrad();
  // a hook returning nothing only observes
  y.registerHook((g) => void seen.push("observed"));
  rf.sum(y).backward();
  t.is(seen.at(-1), "observed");
  close(t, arr(x.grad), [2, 4, 6]);

  // hook on a leaf: replaces what is accumulated into .grad
  const w = leaf([1, 1]);
  const leafSeen = [];
  w.registerHook((g) => {
    leafSeen.push(arr(g));
    return rf.neg(g);
  });
  rf.sum(rf.mul(w, rf.tensor([3, 4], { dtype: "float64" }))).backward();
  t.deepEqual(leafSeen, [[3, 4]]);
  close(t, arr(w.grad), [-3, -4]);
  // hooks run for each backward, gradients still accumulate
  rf.sum(w).backward();
  close(t, arr(w.grad), [-4, -5]);
  // a hook on the backward root itself
  const z = leaf([2]);
  z.registerHook((g) => rf.mul(g, 5));
  z.backward();
  close(t, arr(z.grad), [5]);
  // a hook must keep the gradient's shape
  const q = leaf([1, 2]);
  const qq = rf.mul(q, 2);
  qq.registerHook(() => rf.zeros([3], { dtype: "float64" }));
  t.throws(() => rf.sum(qq).backward(), { instanceOf: RangeError, message: /hook returned shape \[3\], expected \[2\]/ });
});

test("the functional backward(t, grad, opts) matches the method", (t) => {
  const x = leaf([1, 2]);
  const y = rf.mul(x, x);
  rf.backward(y, rf.tensor([1, 1], { dtype: "float64" }), { retainGraph: true });
  close(t, arr(x.grad), [2, 4]);
  rf.backward(rf.sum(y));
  close(t, arr(x.grad), [4, 8]);
});

test("retainGrad keeps .grad on intermediates; others stay null", (t) => {
  const x = leaf([1, 2]);
  const a = rf.mul(x, 3).retainGrad();
  const b = rf.exp(a);
  const c = rf.sum(b);
  c.backward();
  close(t, arr(a.grad), arr(b).slice(), "dc/da = exp(a)");
  t.is(b.grad, null, "not retained");
  close(t, arr(x.grad), arr(b).map((v) => 3 * v));
  t.true(a.gradFn !== null && !a.isLeaf);
});

test("backward on a non-scalar needs an explicit gradient (vector-Jacobian product)", (t) => {
  const x = leaf([1, 2, 3]);
  const y = rf.mul(x, x);
  t.throws(() => y.backward(), { instanceOf: RangeError, message: /one-element tensor, got shape \[3\]/ });
  const v = rf.tensor([1, 0.5, -1], { dtype: "float64" });
  y.backward(v);
  close(t, arr(x.grad), [2, 2, -6]);
  t.false(v.isDisposed, "the caller's gradient tensor is not consumed");
  // a one-element but not 0-d output works without a gradient
  const s = leaf([4]);
  rf.mul(s, s).backward();
  close(t, arr(s.grad), [8]);
});

test("diamonds, shared subgraphs and unused branches accumulate correctly", (t) => {
  const x = leaf([0.3, -0.7]);
  const e = rf.exp(x);
  const a = rf.mul(e, 2), b = rf.mul(e, e);
  rf.exp(x); // an unused branch
  rf.sum(rf.add(a, b)).backward(); // d/dx (2e + e^2) = 2e + 2e^2
  const ev = [0.3, -0.7].map(Math.exp);
  close(t, arr(x.grad), ev.map((v) => 2 * v + 2 * v * v));
});

test("saved tensors stay valid when the user disposes intermediates and inputs before backward", (t) => {
  const cases = [
    ["exp*exp", (x, c) => { const y = rf.exp(x); const z = rf.mul(y, y); y.dispose(); return z; }],
    ["mul by a disposed constant", (x, c) => { const z = rf.mul(x, c); c.dispose(); return z; }],
    ["matmul", (x, c) => { const m = rf.reshape(x, [2, 2]); const z = rf.matmul(m, rf.reshape(c, [2, 2])); m.dispose(); c.dispose(); return z; }],
    ["softmax", (x) => { const y = rf.mul(x, 2); const z = rf.softmax(y); y.dispose(); return z; }],
    ["layerNorm", (x, c) => { const y = rf.add(x, 1); const z = rf.layerNorm(y, c); y.dispose(); c.dispose(); return z; }],
    ["where", (x, c) => { const cond = rf.gt(c, 0); const z = rf.where(cond, x, rf.neg(x)); cond.dispose(); c.dispose(); return z; }],
    ["gather", (x) => { const i = rf.tensor([3, 0, 0], { dtype: "int32" }); const z = rf.gather(x, 0, i); i.dispose(); return z; }],
    ["max values", (x) => { const { values, indices } = rf.max(rf.reshape(x, [2, 2]), 1); indices.dispose(); return values; }],
    ["crossEntropy", (x) => { const tg = rf.tensor([1, 0], { dtype: "int32" }); const l = rf.crossEntropy(rf.reshape(x, [2, 2]), tg); tg.dispose(); return l; }],
    ["sqrt of a transposed view", (x) => { const v = rf.transpose(rf.reshape(x, [2, 2])); const z = rf.sqrt(v); v.dispose(); return z; }],
  ];
  for (const [name, f] of cases) {
    const x = leaf([0.5, 1.5, 2.5, 3.5]);
    const c = rf.tensor([1, -2, 3, 4], { dtype: "float64" });
    const z = f(x, c);
    const clean = rf.tensor([0.5, 1.5, 2.5, 3.5], { dtype: "float64", requiresGrad: true });
    const zc = f(clean, rf.tensor([1, -2, 3, 4], { dtype: "float64" }));
    t.notThrows(() => rf.sum(z).backward(), name);
    rf.sum(zc).backward();
    t.deepEqual(arr(x.grad), arr(clean.grad), `${name}: same gradient as without disposing`);
  }
});

test("tidy around the forward pass: the returned loss can still be backpropagated", (t) => {
  const w = leaf([0.5, -0.25, 1]);
  const x = rf.tensor([[1, 2, 3], [4, 5, 6]], { dtype: "float64" });
  const loss = rf.tidy(() => rf.mean(rf.square(rf.sub(rf.matmul(x, w), 1))));
  t.notThrows(() => loss.backward());
  // d/dw mean((xw - 1)^2) = 2/N * x^T (xw - 1)
  const r = [1 * 0.5 + 2 * -0.25 + 3 - 1, 4 * 0.5 + 5 * -0.25 + 6 - 1];
  close(t, arr(w.grad), [0, 1, 2].map((j) => (2 / 2) * (r[0] * [1, 2, 3][j] + r[1] * [4, 5, 6][j])));
  // nested tidy: the graph survives the inner scope and is freed by the outer one
  w.zeroGrad();
  const before = rf.memory().liveTensors;
  rf.tidy(() => {
    const inner = rf.tidy(() => rf.sum(rf.exp(rf.mul(w, 2))));
    inner.backward();
  });
  w.zeroGrad();
  t.is(rf.memory().liveTensors, before, "nothing left after the outer scope");
});

test("a training step in tidy (forward + backward) leaves only the parameters and their grads", (t) => {
  const w = leaf([0.1, 0.2, 0.3, 0.4], [2, 2]);
  const b = leaf([0, 0]);
  const x = rf.randn([5, 2], { dtype: "float64", generator: new rf.Generator(3) });
  const y = rf.tensor([1, 0, 1, 1, 0], { dtype: "int32" });
  const step = () =>
    rf.tidy(() => {
      const h = rf.relu(rf.linear(x, w, b));
      const loss = rf.crossEntropy(rf.logSoftmax(h), y);
      loss.backward();
      return loss.item();
    });
  step();
  const live = rf.memory().liveTensors;
  for (let i = 0; i < 5; i++) step();
  t.is(rf.memory().liveTensors, live, "no growth over steps (grads are accumulated in place of the old ones)");
  w.zeroGrad();
  b.zeroGrad();
  t.is(rf.memory().liveTensors, live - 2);
});

test("backward frees saved tensors (without retainGraph) and leaves only the leaf grads", (t) => {
  const x = leaf([1, 2, 3, 4], [2, 2]);
  const before = rf.memory().liveTensors;
  // tidy disposes the intermediates; the graph's saved tensors survive with y
  const y = rf.tidy(() => rf.sum(rf.softmax(rf.matmul(x, rf.exp(x)))));
  t.true(rf.memory().liveTensors > before + 1, "saved tensors are alive before backward");
  y.backward();
  t.is(rf.memory().liveTensors, before + 2, "after backward: only y and x.grad");
  y.dispose();
  x.zeroGrad();
  t.is(rf.memory().liveTensors, before);
});

test("requiresGrad rules: float leaves only, not cleared on non-leaves", (t) => {
  const x = leaf([1]);
  const y = rf.mul(x, 2);
  t.throws(() => { y.requiresGrad = false; }, { instanceOf: TypeError, message: /non-leaf.*detach/ });
  t.true(y.requiresGrad);
  t.false(y.isLeaf);
  t.true(x.isLeaf);
  const i = rf.tensor([1], { dtype: "int32" });
  t.throws(() => i.requiresGrad_(), { instanceOf: TypeError, message: /int32/ });
  // ops on int32 tensors never require grad, even next to float ones that do
  t.false(rf.embedding(i, rf.ones([2, 2])).requiresGrad);
  t.true(rf.embedding(i, rf.ones([2, 2], { requiresGrad: true })).requiresGrad);
});
