// CompExp training smoke test on the hand-made data: every stage runs, losses are finite,
// checkpoints are written and a resumed run continues where the first stopped.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { CompExpModel } from "../../dist/methods/compexp/model.js";
import { buildCorpus, computeRewrites, trainCompExp, validateGreedy } from "../../dist/methods/compexp/train.js";
import { compexpTinyData } from "./fixtures.js";

function corpus() {
  const c = buildCorpus(compexpTinyData(), 1);
  // the fixture has no validation reviews: validate on the training examples (smoke test only)
  c.validation = c.train;
  return c;
}

test("stages extractor → pretrain → e2e run, losses finite, checkpoints and resume", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-compexp-train-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const c = corpus();
  const m = new CompExpModel({ vocabSize: c.vocab.size, embedDim: 8, hidden: 8, seed: 1 });
  const small = { batchSize: 2, itersPerEpoch: 2, checkpointDir: dir, seed: 3 };
  const r1 = trainCompExp(m, c, { ...small, stage: "extractor", epochs: 2 });
  t.is(r1.epochs.length, 2);
  for (const e of r1.epochs) t.true(Number.isFinite(e.loss) && Number.isFinite(e.validation));
  t.true(fs.existsSync(path.join(dir, "extractor-last.safetensors")));
  t.true(fs.existsSync(path.join(dir, "extractor-best.safetensors")));
  c.rewrites = computeRewrites(m, c);
  t.true(Array.isArray(c.rewrites));
  const r2 = trainCompExp(m, c, { ...small, stage: "pretrain", epochs: 1 });
  t.true(Number.isFinite(r2.epochs[0].loss));
  const r3 = trainCompExp(m, c, { ...small, stage: "e2e", epochs: 1, samples: 2 });
  t.true(Number.isFinite(r3.epochs[0].loss));
  const v = validateGreedy(m, c, c.validation);
  t.true(v >= 0 && v <= 1);
  // resume: a second call with more epochs continues after the saved epoch
  const r4 = trainCompExp(m, c, { ...small, stage: "e2e", epochs: 2, samples: 2, resume: true });
  t.is(r4.resumedFrom, 0);
  t.deepEqual(r4.epochs.map((e) => e.epoch), [0, 1]);
  t.throws(() => trainCompExp(m, c, { stage: "nope" }), { instanceOf: RangeError, message: /unknown stage/ });
  m.dispose();
});
