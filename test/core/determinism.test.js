// The same seed gives an identical loss curve (dropout and initialisation included), at
// any thread count; a checkpoint save/load round trip is exact.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as rf from "../../dist/index.js";

function curve(seed, steps = 60) {
  const gen = new rf.Generator(seed);
  const model = new rf.MLP([8, 32, 1], { generator: gen, dropout: 0.2 });
  const opt = new rf.Adam(model.parameters(), { lr: 1e-2 });
  const losses = [];
  for (let s = 0; s < steps; s++) {
    losses.push(
      rf.tidy(() => {
        const x = rf.randn([32, 8], { generator: gen });
        const y = x.slice(1, 0, 1).reshape([-1]).gt(0);
        const loss = rf.bceWithLogits(model.call(x).reshape([-1]), y);
        opt.zeroGrad();
        loss.backward();
        opt.step();
        return loss.item();
      }),
    );
  }
  model.dispose();
  opt.dispose();
  return losses;
}

test("same seed, same loss curve; another seed differs", (t) => {
  const a = curve(5), b = curve(5), c = curve(6);
  t.deepEqual(a, b);
  t.notDeepEqual(a, c);
});

test("the loss curve does not depend on the thread count", (t) => {
  const n = rf.getNumThreads();
  const a = curve(9);
  rf.setNumThreads(1);
  const b = curve(9);
  rf.setNumThreads(n);
  t.deepEqual(a, b);
});

test("checkpoint round trip is exact and training continues identically", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-det-"));
  const file = path.join(dir, "ckpt.safetensors");
  const make = () => {
    const gen = new rf.Generator(3);
    const model = new rf.MLP([4, 16, 1], { generator: gen });
    const opt = new rf.Adam(model.parameters(), { lr: 1e-2 });
    return { gen, model, opt };
  };
  const run = (s, steps) => {
    for (let i = 0; i < steps; i++)
      rf.tidy(() => {
        const x = rf.randn([16, 4], { generator: s.gen });
        const loss = rf.mse(s.model.call(x).reshape([-1]), x.sum(1));
        s.opt.zeroGrad();
        loss.backward();
        s.opt.step();
      });
  };
  const a = make();
  run(a, 5);
  rf.saveCheckpoint(file, { model: a.model, optimizer: a.opt, generator: a.gen });
  const before = a.model.parameters().map((p) => Array.from(p.toTypedArray()));
  run(a, 5);
  const b = make();
  rf.loadCheckpoint(file, { model: b.model, optimizer: b.opt, generator: b.gen });
  t.deepEqual(b.model.parameters().map((p) => Array.from(p.toTypedArray())), before);
  run(b, 5);
  t.deepEqual(b.model.parameters().map((p) => Array.from(p.toTypedArray())), a.model.parameters().map((p) => Array.from(p.toTypedArray())));
  fs.rmSync(dir, { recursive: true, force: true });
});
