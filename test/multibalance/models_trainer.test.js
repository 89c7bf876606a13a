// Models (MMoE, shared-bottom), the training loop, and checkpoints with balancer state.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { rf, bitsEqual } from "./helpers.js";

const tiny = (o = {}) => rf.syntheticMultiTask({ numTasks: 3, vocabs: [500, 50, 7], denseDim: 4, trainRows: 2048, validRows: 512, testRows: 512, seed: 2, ...o });
const rows = (split, s, n) => split.gather(Int32Array.from({ length: n }, (_, i) => s + i));

test("MMoE and shared-bottom: shapes, a clean shared / task parameter partition", (t) => {
  const d = tiny();
  for (const kind of ["mmoe", "shared-bottom"]) {
    const m = rf.createModel(kind, d.schema, { embeddingDim: 4, experts: 3, expertDim: 8, bottom: [16, 8], tower: [6] });
    const shared = new Set(m.sharedParameters());
    const task = m.tasks.flatMap((_, k) => m.taskParameters(k));
    t.false(task.some((p) => shared.has(p)));
    t.is(shared.size + task.length, m.parameters().length);
    const hb = rows(d.train, 0, 9);
    rf.tidy(() => {
      const bt = rf.batchToTensors(hb, d.schema.denseDim);
      const z = m.bottom(bt);
      t.deepEqual(z.shape, [9, m.repDim]);
      if (kind === "mmoe") t.is(m.repDim, 3 * 4 + 4 + 3 * 8); // [x, experts]
      const outs = m.forward(bt);
      t.deepEqual(outs.map((o) => o.shape), [[9], [9], [9]]);
    });
    m.dispose();
  }
  t.throws(() => rf.createModel("dlrm", d.schema), { message: /unknown model/ });
});

test("MMoE: a head's gradient at z reaches both the gate input and the experts part", (t) => {
  const d = tiny();
  const m = new rf.MMoE(d.schema, { embeddingDim: 4, experts: 3, expertDim: 8 });
  const bal = new rf.MultiBalance(3);
  const hb = rows(d.train, 0, 16);
  rf.tidy(() => {
    const bt = rf.batchToTensors(hb, d.schema.denseDim);
    const z = m.bottom(bt);
    const zs = bal.branch(z);
    const losses = m.losses(m.heads(zs), bt.labels);
    rf.backward(rf.add(rf.add(losses[0], losses[1]), losses[2]));
    const g = zs[1].grad.toArray();
    const absSum = (a, b) => g.reduce((s, row) => s + row.slice(a, b).reduce((x, v) => x + Math.abs(v), 0), 0);
    t.true(absSum(0, m.inDim) > 0, "gate input part");
    t.true(absSum(m.inDim, m.repDim) > 0, "experts part");
    for (const z of zs) z.zeroGrad();
  });
  m.zeroGrad();
  m.dispose();
  bal.dispose();
});

test("trainer: different batch sizes per task are rejected; regression tasks train with MSE", (t) => {
  const d = tiny({ regressionTasks: 1 });
  const m = rf.createModel("shared-bottom", d.schema, { embeddingDim: 4, bottom: [8] });
  const bal = new rf.MultiBalance(3);
  const hb = rows(d.train, 0, 8);
  const bad = { ...hb, labels: [hb.labels[0], hb.labels[1].subarray(0, 5), hb.labels[2]] };
  t.throws(() => rf.computeGradients(m, bal, bad), { instanceOf: RangeError, message: /task "task1" has 5 labels for a batch of 8 rows/ });
  t.throws(() => rf.computeGradients(m, new rf.MultiBalance(2), hb), { message: /balancer is for 2 tasks, the model has 3/ });
  const r = rf.trainMultiTask({ data: d, model: m, balancer: bal, epochs: 4, batchSize: 256, lr: 3e-3, log: () => {} });
  t.is(r.steps, 32);
  t.deepEqual(r.test.map((x) => x.type), ["binary", "binary", "regression"]);
  t.true(r.test[2].mse > 0 && r.test[2].auc === null && Number.isFinite(r.test[0].auc) && Number.isFinite(r.test[0].ne));
  t.true(r.qps > 0);
  // the regression head learns something: test MSE below the label variance
  const y = rows(d.test, 0, d.test.size).labels[2];
  const mu = y.reduce((a, b) => a + b, 0) / y.length;
  const variance = y.reduce((a, b) => a + (b - mu) ** 2, 0) / y.length;
  t.true(r.test[2].mse < variance, `test mse ${r.test[2].mse} vs label variance ${variance}`);
  m.dispose();
  bal.dispose();
});

for (const kind of ["multibalance", "metabalance", "gradnorm", "uncertainty", "pcgrad", "equal"])
  test(`checkpoint restores the ${kind} state exactly, and training continues identically`, (t) => {
    const d = tiny();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-mb-"));
    const file = path.join(dir, "ck.safetensors");
    const mopts = { embeddingDim: 4, experts: 2, expertDim: 6, tower: [4] };
    const batches = [0, 1, 2, 3].map((i) => rows(d.train, i * 64, 64));
    const a = rf.trainMultiTask({ data: d, model: "mmoe", modelOptions: mopts, balancer: kind, batches: batches.slice(0, 3), epochs: 1, seed: 1, selectByValid: false, evalRows: 64 });
    rf.saveTrainingCheckpoint(file, { model: a.model, optimizer: a.optimizer, balancer: a.balancer, extra: { step: a.steps } });

    const model = rf.createModel("mmoe", d.schema, { ...mopts, seed: 99 });
    const balancer = rf.createBalancer(kind, 3, { seed: 1 });
    const optimizer = new rf.Adam([...model.parameters(), ...balancer.parameters()], { lr: 1e-3 });
    const extra = rf.loadTrainingCheckpoint(file, { model, optimizer, balancer });
    t.deepEqual(extra, { step: 3 });
    t.is(JSON.stringify(balancer.stateDict()), JSON.stringify(a.balancer.stateDict()));
    if (kind === "multibalance") t.true(bitsEqual(balancer.state.movingAverages, a.balancer.state.movingAverages));
    const pa = a.model.parameters(), pb = model.parameters();
    pa.forEach((p, i) => t.true(bitsEqual(p.toTypedArray(), pb[i].toTypedArray())));
    // one more step on both: identical gradients, weights and updated state
    const ia = rf.computeGradients(a.model, a.balancer, batches[3]);
    const ib = rf.computeGradients(model, balancer, batches[3]);
    t.deepEqual(ia.info.weights, ib.info.weights);
    pa.forEach((p, i) => t.true(bitsEqual(p.grad.toTypedArray(), pb[i].grad.toTypedArray())));
    a.optimizer.step();
    optimizer.step();
    pa.forEach((p, i) => t.true(bitsEqual(p.toTypedArray(), pb[i].toTypedArray())));
    t.is(JSON.stringify(balancer.stateDict()), JSON.stringify(a.balancer.stateDict()));
    // a checkpoint for another balancer / task count does not load, and changes nothing
    const wrong = rf.createBalancer(kind === "multibalance" ? "gradnorm" : "multibalance", 3);
    const before = JSON.stringify(wrong.stateDict());
    t.throws(() => rf.loadTrainingCheckpoint(file, { model, balancer: wrong }), { message: /the state is for/ });
    t.is(JSON.stringify(wrong.stateDict()), before);
    for (const x of [a.model, model, a.balancer, balancer, wrong, a.optimizer, optimizer]) x.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  });
