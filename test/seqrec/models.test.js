// Sequential recommenders on the shared harness: forward shapes of every model, SASRec's packed
// causal attention (rows independent, padding never read), the top-k category mixture against a
// float64 reference, GatedLongRec's gradients (float64, finite differences, both phases and the
// short-term-only ablation), the phase-switch rule, and the harness's evaluation against a plain
// ranking reference.
import test from "ava";
import * as rf from "../../dist/index.js";
import { mulberry32 } from "../../dist/prng.js";
import { syntheticSeq } from "./helpers.js";

const ds = syntheticSeq();
const hist = new rf.CategoryHistory(ds);
const someTargets = (n, from = ds.split.train) => from.subarray(0, n);

const MODELS = [
  ["pop", {}], ["gru4rec", { hidden: 8 }], ["gru4rec-cat", { hidden: 8 }], ["sasrec", { hidden: 8, window: 6 }],
  ["sasrec", { hidden: 8, window: 200 }], ["gatedlongrec", { hidden: 8 }], ["gatedlongrec", { hidden: 8, longTerm: false }],
];

for (const [name, o] of MODELS)
  test(`${name} ${JSON.stringify(o)}: scores [B, items], a finite scalar loss with gradients`, (t) => {
    const m = rf.createSeqModel(name, ds, o);
    const pos = someTargets(7);
    const inp = rf.seqInputs(ds, hist, pos, m.window);
    rf.tidy(() => {
      const s = rf.noGrad(() => m.scores(inp));
      t.deepEqual(s.shape, [7, ds.numItems]);
      t.true(Array.from(s.toTypedArray()).every(Number.isFinite));
    });
    if (!m.trainable) {
      t.throws(() => m.loss(inp), { instanceOf: TypeError });
      return;
    }
    rf.tidy(() => {
      const l = m.loss(inp);
      t.deepEqual(l.shape, []);
      t.true(Number.isFinite(l.item()));
      l.backward();
    });
    const withGrad = m.parameters().filter((p) => p.grad).length;
    t.is(withGrad, m.parameters().length, `${withGrad} of ${m.parameters().length} parameters got a gradient`);
    m.dispose();
  });

test("SASRec: packed rows are independent (a row's scores do not depend on the batch) and windows pack without padding", (t) => {
  const m = rf.createSeqModel("sasrec", ds, { hidden: 8, window: 10 });
  m.eval();
  const pos = someTargets(5);
  const all = rf.tidy(() => rf.noGrad(() => Float64Array.from(m.scores(rf.seqInputs(ds, hist, pos, m.window)).toTypedArray())));
  for (let b = 0; b < 5; b++) {
    const one = rf.tidy(() => rf.noGrad(() => m.scores(rf.seqInputs(ds, hist, pos.subarray(b, b + 1), m.window)).toTypedArray()));
    for (let i = 0; i < ds.numItems; i++) t.true(Math.abs(one[i] - all[b * ds.numItems + i]) < 1e-4, `row ${b} item ${i}`);
  }
  const p = rf.packWindows(Int32Array.from([5, 6, 0, 7, 0, 0]), Int32Array.from([2, 1]), 3);
  t.deepEqual(Array.from(p.items), [5, 6, 7]);
  t.deepEqual(Array.from(p.positions), [1, 2, 2]);
  t.deepEqual(Array.from(p.last), [1, 2]);
  t.deepEqual(Array.from(p.intervals.subarray(12, 15)), [0, 0, 2]); // selfLo row
  t.throws(() => rf.packWindows(Int32Array.from([0, 0]), Int32Array.from([0]), 2), { instanceOf: RangeError });
});

/** Plain float64 reference of p(item) = Σ_j p(c_j) softmax(ℓ_j)[item] (categories from full logits). */
function mixtureReference(catLogits, C, itemLogits, N, B, k) {
  const out = new Float64Array(B * N);
  for (let b = 0; b < B; b++) {
    const row = Array.from(catLogits.slice(b * C, (b + 1) * C));
    const mx = Math.max(...row), z = row.reduce((a, v) => a + Math.exp(v - mx), 0);
    const order = row.map((v, c) => [v, c]).sort((x, y) => y[0] - x[0]).slice(0, k);
    order.forEach(([v], j) => {
      const pc = Math.exp(v - mx) / z;
      const l = itemLogits.slice((b * k + j) * N, (b * k + j + 1) * N);
      const lm = Math.max(...l), lz = Array.from(l).reduce((a, x) => a + Math.exp(x - lm), 0);
      for (let i = 0; i < N; i++) out[b * N + i] += (pc * Math.exp(l[i] - lm)) / lz;
    });
  }
  return out;
}

test("top-k mixture equals a float64 reference; the target-only form equals the full block at the targets", (t) => {
  const r = mulberry32(5);
  for (const [B, C, N, k] of [[3, 7, 11, 1], [4, 9, 13, 3], [2, 6, 5, 5]]) {
    const cl = Float64Array.from({ length: B * C }, () => 3 * (r() - 0.5));
    const il = Float64Array.from({ length: B * k * N }, () => 4 * (r() - 0.5));
    const ref = mixtureReference(cl, C, il, N, B, k);
    const got = rf.tidy(() => {
      const catLogits = rf.tensor(cl, { dtype: "float64", shape: [B, C] });
      const { indices } = rf.topk(catLogits, k, { axis: 1 });
      const logPc = rf.gather(rf.logSoftmax(catLogits, 1), 1, indices);
      const items = rf.tensor(il, { dtype: "float64", shape: [B * k, N] });
      const full = rf.mixtureLogProbs(logPc, items);
      const targets = Int32Array.from({ length: B }, (_, b) => (b * 3) % N);
      const at = rf.mixtureTargetLogProbs(logPc, items, targets).toTypedArray();
      const f = full.toTypedArray();
      targets.forEach((tg, b) => t.true(Math.abs(at[b] - f[b * N + tg]) < 1e-12));
      return Float64Array.from(f, Math.exp);
    });
    for (let i = 0; i < ref.length; i++) t.true(Math.abs(got[i] - ref[i]) < 1e-12, `B=${B} C=${C} N=${N} k=${k} [${i}]: ${got[i]} vs ${ref[i]}`);
    for (let b = 0; b < B; b++) {
      let s = 0;
      for (let i = 0; i < N; i++) s += got[b * N + i];
      t.true(s <= 1 + 1e-12, "a mixture over k categories carries at most their total probability");
    }
  }
  t.throws(() => rf.mixtureLogProbs(rf.zeros([2, 3]), rf.zeros([5, 4])), { instanceOf: RangeError, message: /B·k/ });
});

/** Central differences of model.loss on sampled parameter elements (embedding row 0, the frozen padding, skipped). */
function fdCheck(t, m, inp, what) {
  const named = m.namedParameters();
  m.zeroGrad();
  rf.tidy(() => m.loss(inp).backward());
  const analytic = new Map(named.map(([n, p]) => [n, p.grad ? Float64Array.from(p.grad.toTypedArray()) : new Float64Array(p.size)]));
  const lossAt = () => rf.tidy(() => rf.noGrad(() => m.loss(inp).item()));
  const r = mulberry32(3);
  let worst = 0, checked = 0;
  for (const [name, p] of named) {
    const base = Float64Array.from(p.toTypedArray());
    const width = p.shape.length === 2 ? p.shape[1] : 0;
    const padded = /emb\.weight$/.test(name);
    const picks = new Set();
    for (let tries = 0; picks.size < Math.min(6, base.length) && tries < 100; tries++) {
      const j = Math.floor(r() * base.length);
      if (!(padded && j < width)) picks.add(j);
    }
    for (const j of picks) {
      const eps = 1e-6;
      const at = (d) => {
        const v = base.slice();
        v[j] += d;
        m.loadStateDict({ [name]: rf.tensor(v, { dtype: "float64", shape: [...p.shape] }) }, { strict: false });
        return lossAt();
      };
      const num = (at(eps) - at(-eps)) / (2 * eps);
      at(0);
      const a = analytic.get(name)[j];
      const err = Math.abs(a - num) / (1e-6 + 1e-5 * Math.abs(num));
      worst = Math.max(worst, err);
      if (!(err <= 1)) t.fail(`${what}: ${name}[${j}] analytic ${a}, numeric ${num}`);
      checked++;
    }
  }
  t.true(checked > 30 && worst <= 1, `${what}: worst ${worst}`);
}

test("GatedLongRec gradients (float64, finite differences): phase 1, phase 2, short-term only", (t) => {
  const small = syntheticSeq({ users: 6, perUser: 14, items: 12, categories: 4, seed: 9 });
  const h = new rf.CategoryHistory(small);
  const pos = small.split.train.subarray(0, 5);
  for (const [what, o, phase] of [["phase 1", {}, 1], ["phase 2", { trainK: 3 }, 2], ["short-term only, phase 2", { longTerm: false, trainK: 2 }, 2]]) {
    const m = new rf.GatedLongRec({ numItems: small.numItems, numCategories: small.numCategories, hidden: 3, categoryHidden: 4, window: 6, M: 3, dtype: "float64", ...o });
    m.state = { phase, bestGateRecall: null, switchedAfterEpoch: null };
    fdCheck(t, m, rf.seqInputs(small, h, pos, m.window), what);
    m.dispose();
  }
});

test("phase switch: the first epoch whose gate Recall@5 does not improve switches for good; never with phase 2 off", (t) => {
  const run = (recalls, allow = true) => {
    let s = { phase: 1, bestGateRecall: null, switchedAfterEpoch: null };
    const phases = recalls.map((r, i) => (s = rf.phaseAfterEpoch(s, r, i + 1, allow)).phase);
    return { phases, s };
  };
  t.deepEqual(run([0.3, 0.4, 0.5]).phases, [1, 1, 1]);
  t.deepEqual(run([0.3, 0.4, 0.4, 0.6]).phases, [1, 1, 2, 2]);
  t.is(run([0.3, 0.4, 0.4, 0.6]).s.switchedAfterEpoch, 3);
  t.deepEqual(run([0.5, 0.2, 0.9]).phases, [1, 2, 2]);
  t.deepEqual(run([0.5, 0.2, 0.1], false).phases, [1, 1, 1]);
  t.is(run([0.5, 0.2], false).s.bestGateRecall, 0.5);
  t.deepEqual(run([NaN, 0.1]).phases, [1, 1].map((x, i) => (i === 0 ? 1 : 2)), "NaN never counts as an improvement");
});

test("GatedLongRec.afterEpoch measures the gate on 1% of training targets and applies the rule", (t) => {
  const m = rf.createSeqModel("gatedlongrec", ds, { hidden: 8 });
  const ctx = { ds, hist, train: ds.split.train, epoch: 1, seed: 0, batchSize: 10 };
  const r1 = m.afterEpoch(ctx);
  t.is(r1.phase, 1);
  t.true(r1.gate_recall5_train_sample >= 0 && r1.gate_recall5_train_sample <= 1);
  const r2 = m.afterEpoch({ ...ctx, epoch: 2 }); // same parameters: same recall, no improvement
  t.is(r2.phase, 2);
  t.true(r2.switched);
  t.is(m.state.switchedAfterEpoch, 2);
  const forced = rf.createSeqModel("gatedlongrec", ds, { hidden: 8, phase2After: 1 });
  t.is(forced.afterEpoch(ctx).phase, 2, "phase2After forces the switch after that epoch");
  t.is(forced.state.switchedAfterEpoch, 1);
  t.throws(() => rf.createSeqModel("gatedlongrec", ds, { phase2After: 0 }), { instanceOf: RangeError });
  t.is(rf.onePercent(ds.split.train, 0).length, Math.max(1, Math.round(ds.split.train.length / 100)));
});

/** Plain reference: rank = 1 + items (but 0) scored strictly higher; metrics by their formulas. */
function plainMetrics(scores, N, targets) {
  const ks = [5, 20, 100];
  const acc = { recall: { 5: 0, 20: 0, 100: 0 }, mrr: { 5: 0, 20: 0, 100: 0 }, ndcg10: 0 };
  targets.forEach((tg, b) => {
    let rank = 1;
    for (let i = 1; i < N; i++) if (i !== tg && scores[b * N + i] > scores[b * N + tg]) rank++;
    for (const K of ks) {
      acc.recall[K] += rank <= K ? 1 : 0;
      acc.mrr[K] += rank <= K ? 1 / rank : 0;
    }
    acc.ndcg10 += rank <= 10 ? 1 / Math.log2(1 + rank) : 0;
  });
  const n = targets.length;
  for (const K of ks) {
    acc.recall[K] /= n;
    acc.mrr[K] /= n;
  }
  acc.ndcg10 /= n;
  return acc;
}

for (const [name, o] of [["gru4rec", { hidden: 8 }], ["gatedlongrec", { hidden: 8 }], ["sasrec", { hidden: 8, window: 8 }], ["pop", {}]])
  test(`evaluateRanking(${name}) equals a plain full-ranking reference over the model's scores`, (t) => {
    const m = rf.createSeqModel(name, ds, o);
    const pos = ds.split.test;
    m.eval();
    const scores = rf.tidy(() => rf.noGrad(() => Float64Array.from(m.scores(rf.seqInputs(ds, hist, pos, m.window)).toTypedArray())));
    m.train();
    const targets = Array.from(pos, (p) => ds.items[p]);
    const ref = plainMetrics(scores, ds.numItems, targets);
    const got = rf.evaluateRanking(m, ds, hist, pos, { batchSize: 7 });
    t.is(got.count, pos.length);
    for (const K of ["5", "20", "100"]) {
      t.true(Math.abs(got.recall[K] - ref.recall[K]) < 1e-12, `recall@${K}`);
      t.true(Math.abs(got.mrr[K] - ref.mrr[K]) < 1e-12, `mrr@${K}`);
    }
    t.true(Math.abs(got.ndcg["10"] - ref.ndcg10) < 1e-12);
    t.true(m.training, "evaluation restores training mode");
  });

test("category baselines: GlobalPop / SeqPop / FOT ranks match hand-computed ones", (t) => {
  // one user, categories X X Y X Z Y ... with a time split: train targets are the early ones
  const catOf = new Map([["a", "X"], ["b", "Y"], ["c", "Z"]]);
  const seq = ["a", "a", "b", "a", "c", "b", "a", "b", "a", "c"];
  const actions = seq.map((item, k) => ({ user: "u", item, time: k, line: k + 1 }));
  const d = rf.buildSeqDataset("hand", actions, catOf, { minHistory: 1, split: { kind: "time", validQuantile: 0.6, testQuantile: 0.7 } });
  // times 0..9: T_v = 5.4, T_t = 6.3 -> train targets t = 1..5, valid 6, test 7..9
  t.deepEqual(Array.from(d.split.test), [7, 8, 9]);
  const r = rf.categoryBaselineRanks(d, d.split.test);
  // training-period counts (time <= 5.4: a a b a c b): X 3, Y 2, Z 1 -> global order X Y Z
  t.deepEqual(Array.from(r.globalPop), [2, 1, 3]); // targets b (Y), a (X), c (Z)
  // SeqPop before t=7: X 4, Y 2, Z 1 -> Y rank 2; before 8: X4 Y3 Z1 -> X 1; before 9: X5 Y3 Z1 -> Z 3
  t.deepEqual(Array.from(r.seqPop), [2, 1, 3]);
  // FOT from training targets 1..5: X->X, X->Y, Y->X, X->Z, Z->Y. t=7 prev X (6 is a): X->{X1,Y1,Z1} ties -> global order X Y Z: Y rank 2
  // t=8 prev Y: Y->X -> X rank 1; t=9 prev X: Z rank 3
  t.deepEqual(Array.from(r.fot), [2, 1, 3]);
  const m = rf.categoryMetrics(Int32Array.from([1, 2, 6]));
  t.is(m.recall5, 2 / 3);
  t.true(Math.abs(m.mrr5 - 0.5) < 1e-12);
});
