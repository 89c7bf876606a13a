// 10,000 training steps of a small MLP: the live tensor count must stay constant and the
// process RSS must not grow by more than 5% (after a warm-up that fills caches). A native
// leak (e.g. finalizers that never run in a synchronous loop) shows up here.
import test from "ava";
import * as rf from "../../dist/index.js";

test("10,000 training steps: constant live tensors, RSS growth < 5%", (t) => {
  const gen = new rf.Generator(1);
  const model = new rf.MLP([16, 64, 64, 1], { generator: gen, dropout: 0.1 });
  const opt = new rf.AdamW(model.parameters(), { lr: 1e-3 });
  const x = rf.randn([64, 16], { generator: gen });
  const y = x.sum(1).gt(0);
  const step = () =>
    rf.tidy(() => {
      const loss = rf.bceWithLogits(model.call(x).reshape([-1]), y);
      opt.zeroGrad();
      loss.backward();
      rf.clipGradNorm(model.parameters(), 1.0);
      opt.step();
      return loss.item();
    });
  // Warm-up: optimiser state, allocator cache, JIT and V8 heap sizing settle within ~2,000 steps.
  for (let i = 0; i < 2000; i++) step();
  global.gc?.();
  const live0 = rf.memory().liveTensors;
  const rss0 = process.memoryUsage().rss;
  let last = 0;
  for (let i = 0; i < 10000; i++) {
    last = step();
    if (i % 1000 === 0) {
      t.is(rf.memory().liveTensors, live0, `live tensors at step ${i}`);
      global.gc?.(); // collect JS garbage so RSS reflects live memory (ava runs node with --expose-gc)
    }
  }
  global.gc?.();
  const rss1 = process.memoryUsage().rss;
  t.is(rf.memory().liveTensors, live0);
  const growth = (rss1 - rss0) / rss0;
  t.log(`RSS ${(rss0 / 2 ** 20).toFixed(1)} MiB -> ${(rss1 / 2 ** 20).toFixed(1)} MiB (${(growth * 100).toFixed(2)}%), final loss ${last.toFixed(4)}`);
  t.true(growth < 0.05, `RSS grew ${(growth * 100).toFixed(2)}%`);
  t.true(last < 0.3, `the model learned (loss ${last})`);
  model.dispose();
  opt.dispose();
  x.dispose();
  y.dispose();
});
