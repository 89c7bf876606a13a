// CompExp checkpoints: a stage interrupted after epoch 1 and resumed from <stage>-last equals the
// uninterrupted run bit for bit (model parameters after epoch 2), for each of the three stages.
// Why exact: the checkpoint stores float32 parameters and Adam's moments exactly, host
// randomness is re-seeded per epoch from (seed, epoch), and the CPU kernels are deterministic.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CompExpModel } from "../../dist/methods/compexp/model.js";
import { buildCorpus, trainCompExp } from "../../dist/methods/compexp/train.js";
import { compexpTinyData } from "./fixtures.js";

function setup() {
  const c = buildCorpus(compexpTinyData(), 1);
  c.validation = c.train; // the fixture has no validation reviews (checkpoint test only)
  const m = new CompExpModel({ vocabSize: c.vocab.size, embedDim: 6, hidden: 5, seed: 7 });
  return { c, m };
}

const params = (m) => m.namedParameters().map(([k, t]) => [k, Array.from(t.toTypedArray())]);

for (const stage of ["extractor", "pretrain", "e2e"]) {
  test(`${stage}: resume after epoch 1 equals the uninterrupted 2-epoch run`, (t) => {
    const dirA = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-compexp-resume-a-"));
    const dirB = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-compexp-resume-b-"));
    t.teardown(() => { fs.rmSync(dirA, { recursive: true, force: true }); fs.rmSync(dirB, { recursive: true, force: true }); });
    const o = { stage, batchSize: 2, itersPerEpoch: 2, samples: 2, seed: 5, restoreBest: false, lr: 1e-2 };
    const a = setup(), b = setup();
    if (stage !== "extractor") {
      // rewrite pairs need a trained encoder; the fixture has no attributes, so pair one by hand
      a.c.rewrites = [{ pair: { source: a.c.train[0].candidates[0], target: a.c.train[0].target[0] }, example: a.c.train[0] }];
      b.c.rewrites = a.c.rewrites;
    }
    const ra = trainCompExp(a.m, a.c, { ...o, epochs: 2, checkpointDir: dirA });
    const rb1 = trainCompExp(b.m, b.c, { ...o, epochs: 1, checkpointDir: dirB });
    t.is(rb1.epochs.length, 1);
    // a fresh model object (as after a crash), resumed from disk
    const b2 = setup();
    const rb = trainCompExp(b2.m, b.c, { ...o, epochs: 2, checkpointDir: dirB, resume: true });
    t.is(rb.resumedFrom, 0);
    t.deepEqual(rb.epochs.map((e) => e.loss), ra.epochs.map((e) => e.loss));
    t.deepEqual(rb.epochs.map((e) => e.validation), ra.epochs.map((e) => e.validation));
    t.deepEqual(params(b2.m), params(a.m));
    // and the run really moved: epoch 2 changed the parameters of epoch 1
    t.notDeepEqual(params(b.m), params(a.m));
    for (const x of [a, b, b2]) x.m.dispose();
  });
}

test("restoreBest: the model handed on is the best validation epoch's (as saved in -best)", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-compexp-best-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const { c, m } = setup();
  const r = trainCompExp(m, c, { stage: "extractor", epochs: 4, batchSize: 2, itersPerEpoch: 2, seed: 1, lr: 5e-2, checkpointDir: dir, patience: 10 });
  // the -best file holds the best epoch; the model must equal it
  const fromFile = setup().m;
  return import("../../dist/io/checkpoint.js").then(({ loadCheckpoint }) => {
    loadCheckpoint(path.join(dir, "extractor-best.safetensors"), { model: fromFile, generator: null });
    t.deepEqual(params(fromFile), params(m));
    t.true(r.bestEpoch >= 0);
    for (const x of [m, fromFile]) x.dispose();
  });
});
