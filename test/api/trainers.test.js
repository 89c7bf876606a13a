// Every public async trainer (lib/api) on tiny synthetic data: it returns a promise that resolves
// with a trained model, reports progress events of the one shape (keys, phases, a "train" step
// that never decreases and ends at or below `steps`), and leaves only the returned model alive.
import test from "ava";
import { RUNS, METHODS, EVENT_KEYS, REQUIRED_KEYS, PHASES, rejection, rf } from "./fixtures.js";

for (const method of METHODS) {
  test.serial(`${method}: resolves with a trained model; progress events have the one shape`, async (t) => {
    const run = RUNS[method];
    const live0 = rf.memory().liveTensors;
    const events = [];
    const target = new EventTarget();
    const viaTarget = [];
    target.addEventListener("progress", (e) => viaTarget.push(e.detail));
    const p = run.train({ ...run.options(false), onProgress: (e) => events.push(e), events: target });
    t.true(p instanceof Promise);
    const r = await p;
    const model = run.model(r);
    t.truthy(model, "the result holds the model");
    t.true(typeof model.parameters === "function" && model.parameters().length > 0, "a model with parameters");
    t.true(model.parameters().every((q) => !q.isDisposed));
    // Events: the documented keys only, the required ones present, the method's name, a known phase.
    t.true(events.length > 0);
    t.deepEqual(viaTarget, events, "the EventTarget receives the same events");
    for (const e of events) {
      for (const k of Object.keys(e)) t.true(EVENT_KEYS.includes(k), `unknown key ${k}`);
      for (const k of REQUIRED_KEYS) t.true(k in e, `missing key ${k}`);
      t.is(e.method, method);
      t.true(PHASES.includes(e.phase), e.phase);
      t.true(Number.isInteger(e.epoch) && e.epoch >= 0);
      t.true(Number.isInteger(e.step) && Number.isInteger(e.steps) && e.step >= 0 && e.step <= e.steps, `step ${e.step} of ${e.steps}`);
      t.true(e.elapsedS >= 0);
      t.true(e.etaS === null || e.etaS >= 0);
      if ("loss" in e) t.true(typeof e.loss === "number");
      if ("metrics" in e) t.true(Object.values(e.metrics).every((v) => typeof v === "number"));
    }
    const train = events.filter((e) => e.phase === "train");
    t.true(train.length > 0, "train events");
    for (let i = 1; i < train.length; i++) t.true(train[i].step > train[i - 1].step, `train step ${train[i - 1].step} -> ${train[i].step}`);
    for (let i = 1; i < events.length; i++) t.true(events[i].elapsedS >= events[i - 1].elapsedS);
    t.true(train.some((e) => Number.isFinite(e.loss)), "a finite training loss");
    t.true(train.some((e) => e.etaS !== null), "an ETA once a rate exists");
    run.free(r);
    t.is(rf.memory().liveTensors, live0, "freeing the result frees everything the run built");
  });
}

test.serial("an already-aborted signal rejects before any work, with the signal's reason", async (t) => {
  for (const method of METHODS) {
    const run = RUNS[method];
    const live0 = rf.memory().liveTensors;
    const ac = new AbortController();
    ac.abort();
    let events = 0;
    const err = await rejection(run.train({ ...run.options(false), signal: ac.signal, onProgress: () => events++ }));
    t.is(err.name, "AbortError", method);
    t.true(err instanceof DOMException);
    t.is(events, 0);
    t.is(rf.memory().liveTensors, live0, method);
    const reason = new Error("stop here");
    const err2 = await rejection(run.train({ ...run.options(false), signal: AbortSignal.abort(reason) }));
    t.is(err2, reason, `${method}: a custom reason is what rejects`);
  }
});

test.serial("bad options are still the trainers' own TypeError / RangeError, as a rejection", async (t) => {
  await t.throwsAsync(rf.trainLsdqn({ problem: "knapsack" }), { instanceOf: TypeError, message: /problem must be maxcut, kcut or tsp/ });
  await t.throwsAsync(rf.trainDti({ data: rf.syntheticCtr({ users: 5, seed: 1 }), paradigm: "sw" }), { instanceOf: RangeError, message: /paradigm/ });
  await t.throwsAsync(rf.trainCompExp({}), { instanceOf: TypeError, message: /pass data .* or corpus/ });
});

test.serial("trainNextItem trains every seqrec model by name (GatedLongRec, CTA and the baselines)", async (t) => {
  const { syntheticSeq } = await import("../seqrec/helpers.js");
  const data = syntheticSeq({ users: 20, perUser: 25 });
  for (const name of rf.SEQ_MODELS) {
    const live0 = rf.memory().liveTensors;
    let trainEvents = 0;
    const r = await rf.trainNextItem({ data, model: name, modelOptions: { hidden: 8, window: 10, heads: 2, layers: 1, ffDim: 8 }, epochs: 1, batchSize: 32, seed: 1, onProgress: (e) => { if (e.phase === "train") trainEvents++; } });
    t.truthy(r.model, name);
    t.truthy(r.test, `${name}: test metrics`);
    t.true(r.test.recall["20"] >= 0 && r.test.recall["20"] <= 1, name);
    // Pop has nothing to train: its one "epoch" is the validation run.
    if (name === "pop") t.is(trainEvents, 0);
    else t.true(trainEvents > 0 && r.model.parameters().length > 0, name);
    r.model.dispose();
    t.is(rf.memory().liveTensors, live0, name);
  }
});

test.serial("trainGreener's result scores candidate sentences with the trained model", async (t) => {
  const { tinyData } = await import("../greener/fixtures.js");
  const data = tinyData();
  const r = await rf.trainGreener({ data, sentenceDim: 16, model: { hidden: 8, heads: 2, embedDim: 4, dropout: 0 }, epochs: 2, batchSize: 1, seed: 1 });
  const review = data.reviewsOf("test")[0];
  const s = r.scorer.scores(review).sentence;
  t.is(s.length, data.pool(review).length);
  t.true(Array.from(s).every(Number.isFinite));
  t.true(r.examples.length > 0 && r.examples.every((e) => e.levels && e.levels.length === e.candidates.length));
  // The held-out pair is evaluated (top-K selection of the scored candidates against its review).
  t.is(r.quality.pairs, 1);
  for (const k of ["bleu1", "rouge1", "rougeL", "attr_f1"]) t.true(r.quality[k] >= 0 && r.quality[k] <= 1, k);
  r.dispose();
});
