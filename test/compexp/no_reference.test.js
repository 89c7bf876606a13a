// The reference-free refiner TRAINED with d = 0 (trainCompExp { noReference: true }; the spec's
// "no-reference refiner" baseline): in pre-training (L_gen), end to end (REINFORCE) and validation the
// generator reads v = enc(c*) only. Shown by changing the refiner's a and b: with noReference the
// whole training run (losses, validation, every other parameter) is unchanged; with the refiner
// on, the same change moves the losses (so the check can fail).
import test from "ava";
import { tensor, tidy } from "../../dist/index.js";
import { CompExpModel } from "../../dist/methods/compexp/model.js";
import { buildCorpus, trainCompExp } from "../../dist/methods/compexp/train.js";
import { compexpTinyData } from "./fixtures.js";

function corpus() {
  const c = buildCorpus(compexpTinyData(), 1);
  c.validation = c.train; // the fixture has no validation review (loop check only)
  // rewrite pairs by hand (the fixture's sentences pass no overlap filter): another user's sentence of
  // the item → the example's own sentence, so L_gen goes through the refiner
  c.rewrites = c.train.map((e) => ({ pair: { source: e.candidates[0], target: e.target[0] }, example: e }));
  return c;
}

function trainBoth(noReference, a, b) {
  const c = corpus();
  const m = new CompExpModel({ vocabSize: c.vocab.size, embedDim: 5, hidden: 6, deltaDim: 3, seed: 4 });
  tidy(() => m.loadStateDict({ refA: tensor([a]), refB: tensor([b]) }, { strict: false }));
  const o = { batchSize: 2, itersPerEpoch: 2, seed: 9, noReference };
  const reports = [trainCompExp(m, c, { ...o, stage: "pretrain", epochs: 2 }), trainCompExp(m, c, { ...o, stage: "e2e", epochs: 1, samples: 2, lr: 1e-3 })];
  const state = Object.fromEntries(m.namedParameters().map(([n, p]) => [n, Array.from(p.toTypedArray())]));
  m.dispose();
  return { losses: reports.flatMap((r) => r.epochs.map((e) => [e.loss, e.validation])), state };
}

test("noReference: training does not read the refiner (a, b changed → identical run); with the refiner it does", (t) => {
  t.true(corpus().rewrites.length > 0);
  const x = trainBoth(true, 1, 0), y = trainBoth(true, 3, 0.5);
  t.deepEqual(x.losses, y.losses);
  for (const k of Object.keys(x.state)) if (k !== "refA" && k !== "refB") t.deepEqual(x.state[k], y.state[k], k);
  for (const [l] of x.losses) t.true(Number.isFinite(l));
  const u = trainBoth(false, 1, 0), v = trainBoth(false, 3, 0.5);
  t.notDeepEqual(u.losses.map(([l]) => l), v.losses.map(([l]) => l));
});
