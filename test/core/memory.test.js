import test from "ava";
import * as rf from "../../dist/index.js";

test("tidy disposes what it created except the returned tensors", (t) => {
  const before = rf.memory().liveTensors;
  const kept = rf.tidy(() => {
    const a = rf.randn([10, 10]);
    const b = a.mul(2).add(1);
    return { out: b.sum(), list: [b.relu()] };
  });
  t.is(rf.memory().liveTensors, before + 2);
  t.false(kept.out.isDisposed);
  kept.out.dispose();
  kept.list[0].dispose();
  t.is(rf.memory().liveTensors, before);
});

test("nested tidy hands returned tensors to the parent scope", (t) => {
  const before = rf.memory().liveTensors;
  rf.tidy(() => {
    const inner = rf.tidy(() => rf.ones([3]).mul(3));
    t.false(inner.isDisposed);
    t.deepEqual(Array.from(inner.toTypedArray()), [3, 3, 3]);
  });
  t.is(rf.memory().liveTensors, before);
});

test("keep() survives a scope; tidy rejects async functions; errors still free", (t) => {
  const before = rf.memory().liveTensors;
  let k;
  rf.tidy(() => {
    k = rf.zeros([2]).keep();
  });
  t.false(k.isDisposed);
  k.dispose();
  t.throws(() => rf.tidy(async () => rf.zeros([1])), { instanceOf: TypeError, message: /Promise/ });
  t.throws(() => rf.tidy(() => { rf.zeros([5]); throw new Error("boom"); }), { message: "boom" });
  t.is(rf.memory().liveTensors, before);
});

test("using a disposed tensor throws a TypeError naming it; dispose is idempotent", (t) => {
  const a = rf.ones([2, 3]);
  a.dispose();
  a.dispose();
  t.throws(() => a.add(1), { instanceOf: TypeError, message: /\[2, 3\].*disposed/ });
  t.throws(() => a.toArray(), { instanceOf: TypeError, message: /disposed/ });
});

test("Symbol.dispose lets `using`-style code free tensors", (t) => {
  const before = rf.memory().liveTensors;
  const a = rf.ones([4]);
  a[Symbol.dispose]();
  t.true(a.isDisposed);
  t.is(rf.memory().liveTensors, before);
});

test("views share storage: native memory is freed when the last view goes", (t) => {
  const base = rf.memory().nativeBytes;
  const a = rf.zeros([256, 256]);
  const v = a.reshape([65536]);
  const s = a.slice(0, 10, 20);
  a.dispose();
  t.is(rf.memory().nativeBytes, base + 256 * 256 * 4);
  v.dispose();
  s.dispose();
  t.is(rf.memory().nativeBytes, base);
});

test("memory() reports live tensors, native bytes and peaks", (t) => {
  rf.resetPeakMemory();
  const m0 = rf.memory();
  const a = rf.zeros([1000]);
  const m1 = rf.memory();
  t.is(m1.liveTensors, m0.liveTensors + 1);
  t.true(m1.nativeBytes >= m0.nativeBytes + 4000);
  t.true(m1.nativePeakBytes >= m1.nativeBytes);
  a.dispose();
});

test("backward frees intermediate gradients and saved tensors", (t) => {
  const w = rf.randn([8, 8], { requiresGrad: true });
  const before = rf.memory().liveTensors;
  rf.tidy(() => {
    const x = rf.randn([4, 8]);
    const loss = rf.linear(x, w).relu().square().mean();
    loss.backward();
  });
  // only w.grad is new
  t.is(rf.memory().liveTensors, before + 1);
  t.deepEqual(w.grad.shape, [8, 8]);
  w.dispose();
});

test("a graph returned from tidy still backpropagates after the scope closed", (t) => {
  const x = rf.randn([3, 4], { requiresGrad: true });
  const w = rf.ones([4]);
  const y = rf.tidy(() => rf.layerNorm(x.mul(2), w).sigmoid());
  const loss = y.sum();
  loss.backward();
  t.deepEqual(x.grad.shape, [3, 4]);
  t.true(Array.from(x.grad.toTypedArray()).every(Number.isFinite));
  [x, w, y, loss].forEach((v) => v.dispose());
});

test("graphs not returned from tidy are freed with the scope (no backward needed)", (t) => {
  const w = rf.randn([16, 16], { requiresGrad: true });
  const before = rf.memory().liveTensors;
  for (let i = 0; i < 50; i++) rf.tidy(() => rf.linear(rf.randn([8, 16]), w).relu().sum().item());
  t.is(rf.memory().liveTensors, before);
  w.dispose();
});
