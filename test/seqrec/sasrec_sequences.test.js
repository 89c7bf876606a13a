// SASRec's all-positions training (pmixer/SASRec.pytorch's protocol, sasrec_sequences.ts):
// the state at every position of one causal forward equals the per-window model's output for the
// window ending there (same positions), the BCE loss against a float64 recomputation and by
// finite differences, the sequence batch by hand (truncation, negatives outside the training
// prefix, validation / test items never read), the trainer (validation-chosen epoch restored),
// bad input.
import test from "ava";
import * as rf from "../../dist/index.js";
import { mulberry32 } from "../../dist/prng.js";
import { syntheticSeq } from "./helpers.js";
import { moduleGradcheck } from "../helpers/module_gradcheck.js";

const ds = syntheticSeq({ users: 8, perUser: 11, items: 24 });
const hist = new rf.CategoryHistory(ds);
const ranges = rf.userTrainingRanges(ds);

test("userTrainingRanges: every action before the validation item; users with < 3 actions keep all", (t) => {
  const cat = new Map([["a", "x"], ["b", "x"], ["c", "x"]]);
  const acts = [..."abcab"].map((item, k) => ({ user: "u0", item, time: k, line: k + 1 }));
  acts.push({ user: "u1", item: "a", time: 0, line: 6 }, { user: "u1", item: "b", time: 1, line: 7 });
  const h = rf.buildSeqDataset("h", acts, cat, { minHistory: 1 });
  const r = rf.userTrainingRanges(h);
  t.deepEqual([...r.start], [0, 5]);
  t.deepEqual([...r.end], [3, 7]);
});

test("sampleSequenceBatch by hand: last W + 1 training actions, positives shifted by one, negatives outside the prefix", (t) => {
  // u0: a b c d e f (valid e, test f); u1: g h (2 actions: all train). Items a..j.
  const names = [..."abcdefghij"];
  const cat = new Map(names.map((i) => [i, "x"]));
  const acts = [..."abcdef"].map((item, k) => ({ user: "u0", item, time: k, line: k + 1 }));
  acts.push({ user: "u1", item: "g", time: 0, line: 7 }, { user: "u1", item: "h", time: 1, line: 8 });
  // every item appears once more for a third user so that all ten get ids
  names.forEach((item, k) => acts.push({ user: "u2", item, time: k, line: 9 + k }));
  const h = rf.buildSeqDataset("h", acts, cat, { minHistory: 1 });
  const id = (s) => [...s].map((c) => h.itemNames.indexOf(c));
  const r = rf.userTrainingRanges(h);
  const b = rf.sampleSequenceBatch(h, r, [0, 1], 2, mulberry32(1));
  t.is(b.W, 2);
  t.deepEqual([...b.lengths], [2, 1]);
  t.deepEqual([...b.items], [...id("bc"), ...id("g"), 0]);
  t.deepEqual([...b.positives], [...id("cd"), ...id("h"), 0]);
  const b5 = rf.sampleSequenceBatch(h, r, [0], 5, mulberry32(1));
  t.deepEqual([...b5.lengths], [3]);
  t.deepEqual([...b5.items], [...id("abc"), 0, 0]);
  t.deepEqual([...b5.positives], [...id("bcd"), 0, 0]);
  // negatives: never padding, never in the user's training prefix (a b c d for u0, g h for u1)
  const seen = new Set();
  for (let s = 0; s < 200; s++) {
    const x = rf.sampleSequenceBatch(h, r, [0, 1], 2, mulberry32(s));
    for (const k of [0, 1]) { t.false(id("abcd").includes(x.negatives[k])); t.true(x.negatives[k] >= 1); seen.add(x.negatives[k]); }
    t.false(id("gh").includes(x.negatives[2]));
    t.is(x.negatives[3], 0);
  }
  t.deepEqual([...seen].sort((p, q) => p - q), id("efghij").sort((p, q) => p - q), "uniform over the items outside the prefix");
  t.throws(() => rf.sampleSequenceBatch(h, r, [0], 0, mulberry32(1)), { instanceOf: RangeError, message: /W must be an integer >= 1, got 0/ });
  t.throws(() => rf.sampleSequenceBatch(h, r, [3], 2, mulberry32(1)), { instanceOf: RangeError, message: /user 3 \(row 0\) is out of range \[0, 3\)/ });
  t.throws(() => rf.sampleSequenceBatch(h, r, [], 2, mulberry32(1)), { instanceOf: RangeError, message: /no users/ });
  const one = rf.buildSeqDataset("one", [{ user: "u", item: "a", time: 0, line: 1 }, { user: "v", item: "a", time: 0, line: 2 }, { user: "v", item: "b", time: 1, line: 3 }], cat, { minHistory: 1 });
  t.throws(() => rf.sampleSequenceBatch(one, rf.userTrainingRanges(one), [0], 2, mulberry32(1)), { instanceOf: RangeError, message: /user u \(row 0\) has 1 training actions; a training sequence needs >= 2/ });
  t.throws(() => rf.sampleSequenceBatch(one, rf.userTrainingRanges(one), [1], 2, mulberry32(1)), { instanceOf: RangeError, message: /has acted on every item: no negative to draw/ });
});

/** A per-window SASRec with window W2 sharing m's parameters, positions = m's first W2 rows. */
function windowTwin(m, W2) {
  const m2 = new rf.SasRec({ numItems: ds.numItems, hidden: m.D, window: W2, dtype: "float64" });
  const sd = m.stateDict();
  const pe = Float64Array.from(m.posEmb.toTypedArray()).slice(0, W2 * m.D);
  m2.loadStateDict({ ...sd, pos_emb: rf.tensor(pe, { dtype: "float64", shape: [W2, m.D] }) });
  m2.eval();
  return m2;
}

test("all positions in one causal forward = the per-window model for the window ending at each position", (t) => {
  const W = 6;
  const m = new rf.SasRec({ numItems: ds.numItems, hidden: 8, window: W, dtype: "float64" });
  m.eval();
  // users 0..7: training prefixes of 9 actions → rows truncated to W = 6 inputs; user 7 cut short
  const users = [0, 3, 5, 7];
  const batch = rf.sampleSequenceBatch(ds, ranges, users, W, mulberry32(3));
  // row 3: user 7's first two actions only, a row shorter than W (its positions start at W − 2)
  batch.lengths[3] = 2;
  for (let k = 0; k < W; k++) {
    batch.items[3 * W + k] = k < 2 ? ds.items[ranges.start[7] + k] : 0;
    batch.positives[3 * W + k] = k < 2 ? ds.items[ranges.start[7] + k + 1] : 0;
  }
  const all = rf.tidy(() => rf.noGrad(() => {
    const h = m.encodePacked(rf.packWindows(batch.items, batch.lengths, W));
    return Float64Array.from(rf.linear(h, m.itemEmb.weight, m.outBias).toTypedArray());
  }));
  const N = ds.numItems, twins = new Map();
  let at = 0, worst = 0, compared = 0;
  users.forEach((u, b) => {
    const n = batch.lengths[b];
    const from = b === 3 ? ranges.start[u] : ranges.end[u] - 1 - W; // the row's first input action
    for (let k = 0; k < n; k++, at++) {
      const W2 = W - n + k + 1; // the window twin whose last slot has position W − n + k
      if (!twins.has(W2)) twins.set(W2, windowTwin(m, W2));
      const target = from + k + 1;
      if (b === 3) t.true(target - ranges.start[u] <= W2, "the window holds exactly the row's prefix");
      const one = rf.tidy(() => rf.noGrad(() => Float64Array.from(twins.get(W2).scores(rf.seqInputs(ds, hist, Int32Array.of(target), W2)).toTypedArray())));
      t.is(ds.items[target], batch.positives[b * W + k]);
      for (let i = 0; i < N; i++) worst = Math.max(worst, Math.abs(one[i] - all[at * N + i]));
      compared++;
    }
  });
  t.is(compared, 6 + 6 + 6 + 2);
  t.true(worst < 1e-12, `max |difference| ${worst}`);
  for (const m2 of twins.values()) m2.dispose();
  m.dispose();
});

test("sequenceLoss = mean softplus(−s⁺) + mean softplus(s⁻) over every real token (float64 recomputation)", (t) => {
  const W = 5;
  const m = new rf.SasRec({ numItems: ds.numItems, hidden: 8, window: W, dtype: "float64" });
  m.eval();
  const batch = rf.sampleSequenceBatch(ds, ranges, [1, 2, 6], W, mulberry32(9));
  batch.lengths[1] = 3;
  const { loss, s } = rf.tidy(() => rf.noGrad(() => ({
    loss: m.sequenceLoss(batch).item(),
    s: Float64Array.from(rf.linear(m.encodePacked(rf.packWindows(batch.items, batch.lengths, W)), m.itemEmb.weight, m.outBias).toTypedArray()),
  })));
  const sp = (x) => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
  let at = 0, pos = 0, neg = 0;
  for (let b = 0; b < batch.B; b++)
    for (let k = 0; k < batch.lengths[b]; k++, at++) {
      pos += sp(-s[at * ds.numItems + batch.positives[b * W + k]]);
      neg += sp(s[at * ds.numItems + batch.negatives[b * W + k]]);
    }
  t.is(at, 5 + 3 + 5);
  t.true(Math.abs(loss - (pos + neg) / at) < 1e-12, `${loss} vs ${(pos + neg) / at}`);
  m.dispose();
});

test("gradient check (float64, finite differences): every SASRec parameter through sequenceLoss", (t) => {
  const W = 4;
  const m = new rf.SasRec({ numItems: ds.numItems, hidden: 4, window: W, dtype: "float64" });
  m.eval();
  const batch = rf.sampleSequenceBatch(ds, ranges, [0, 4, 6], W, mulberry32(5));
  batch.lengths[2] = 1;
  const r = moduleGradcheck(m, () => m.sequenceLoss(batch), { maxPerParam: 16 });
  t.true(r.ok, r.message);
  t.true(r.checked > 100);
  // item, pos; 2 blocks × (2 LN × 2 + 6 Linear × 2); ln_out 2; out_bias
  t.is(r.count, 2 + 2 * 16 + 2 + 1);
  t.deepEqual(r.untouched, []);
  m.dispose();
});

test("sequenceLoss: bad batches are clear errors", (t) => {
  const W = 4;
  const m = new rf.SasRec({ numItems: ds.numItems, hidden: 4, window: W });
  const good = () => rf.sampleSequenceBatch(ds, ranges, [0, 1], W, mulberry32(2));
  const bad = (edit, message, instanceOf = RangeError) => {
    const b = good();
    edit(b);
    t.throws(() => m.sequenceLoss(b), { instanceOf, message });
  };
  bad((b) => (b.W = 5), /rows have W = 5 slots, the model's window is 4/);
  bad((b) => (b.B = 0), /B must be an integer >= 1, got 0/);
  bad((b) => (b.lengths = Int32Array.of(4)), /lengths has 1 entries for B = 2 rows/);
  bad((b) => (b.negatives = new Int32Array(7)), /negatives has 7 entries, \[B, W\] = \[2, 4\] needs 8/);
  bad((b) => (b.items = [1, 2, 3, 4, 5, 6, 7, 8]), /items must be an Int32Array/, TypeError);
  bad((b) => (b.lengths[1] = 0), /row 1 has length 0, expected 1\.\.4/);
  bad((b) => (b.lengths[0] = 5), /row 0 has length 5, expected 1\.\.4/);
  bad((b) => (b.negatives[1] = 0), /negatives\[0, 1\] = 0 is not an item id in \[1, \d+\)/);
  bad((b) => (b.positives[4] = ds.numItems), new RegExp(`positives\\[1, 0\\] = ${ds.numItems} is not an item id`));
  t.notThrows(() => rf.tidy(() => m.sequenceLoss(good())));
  m.dispose();
});

test("trainSasRecSequences: validation-chosen epoch restored, curve and counts; bad options", async (t) => {
  const m = rf.createSeqModel("sasrec", ds, { hidden: 8, window: 6, seed: 1 });
  const logs = [];
  const r = await rf.trainSasRecSequences({ model: m, ds, hist, epochs: 5, batchSize: 3, lr: 0.01, evalEvery: 2, patience: 5, seed: 1, negatives: 10, onEval: (e) => void logs.push(e) });
  t.deepEqual(r.evals.map((e) => e.epoch), [2, 4, 5], "every 2 epochs and the last");
  t.deepEqual(logs.map((e) => e.epoch), [2, 4, 5]);
  t.is(r.epochs.length, 5);
  t.is(r.sequences, 8);
  t.is(r.batchesPerEpoch, 3);
  t.is(r.steps, 15);
  t.true(r.epochs.every((e) => Number.isFinite(e.loss) && e.seconds > 0));
  const best = r.evals.reduce((a, e) => (e.ndcg10 > a.ndcg10 ? e : a));
  t.is(r.bestEpoch, best.epoch);
  // the restored parameters reproduce the chosen epoch's validation score
  const loo = rf.leaveOneOutTargets(ds);
  const again = rf.hitRateNdcg(rf.sampledRanks(m, ds, hist, loo.valid, { negatives: 10, seed: 1 + 7919 }));
  t.is(again.ndcg, r.bestValid.ndcg10);
  t.is(again.hr, r.bestValid.hr10);
  // a stop request from onEval ends training at that validation
  const m3 = rf.createSeqModel("sasrec", ds, { hidden: 8, window: 6, seed: 1 });
  const r3 = await rf.trainSasRecSequences({ model: m3, ds, epochs: 9, batchSize: 4, seed: 1, negatives: 10, onEval: () => "stop" });
  t.is(r3.epochs.length, 1);
  for (const [o, msg] of [[{ epochs: 0 }, /epochs must be an integer >= 1, got 0/], [{ epochs: 2, evalEvery: 0 }, /evalEvery must be an integer >= 1/],
    [{ epochs: 2, batchSize: 1.5 }, /batchSize must be an integer >= 1, got 1.5/], [{ epochs: 2, lr: 0 }, /lr must be > 0, got 0/], [{ epochs: 2, patience: 0 }, /patience must be/]])
    await t.throwsAsync(() => rf.trainSasRecSequences({ model: m, ds, ...o }), { instanceOf: RangeError, message: msg });
  m.dispose();
  m3.dispose();
});
