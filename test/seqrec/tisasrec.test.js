// TiSASRec: the time-interval matrix by hand, rows independent of their batch (causal and
// padding masks), finite-difference gradients of every parameter (float64, tiny), the CLI.
import test from "ava";
import * as rf from "../../dist/index.js";
import { syntheticSeq } from "./helpers.js";
import { moduleGradcheck } from "../helpers/module_gradcheck.js";

test("userTimeScales and intervalMatrix: a case worked by hand", (t) => {
  // one user, times 10, 10, 13, 19: gaps 0, 3, 6 → scale 3 (smallest non-zero gap)
  // rounded times 10/3 → 3, 3, 13/3 → 4, 19/3 → 6; |differences| clipped at span 2
  const cat = new Map([["a", "x"]]);
  const ds = rf.buildSeqDataset("h", [10, 10, 13, 19].map((time, k) => ({ user: "u", item: "a", time, line: k + 1 })), cat, { minHistory: 1 });
  t.deepEqual(Array.from(rf.userTimeScales(ds)), [3]);
  const m = rf.intervalMatrix(Float64Array.of(10, 10, 13, 19, 0), Int32Array.of(4), Float64Array.of(3), 5, 2);
  t.deepEqual(Array.from(m), [
    0, 0, 1, 2, 0, // row 0: |3−3|, |3−3|, |3−4|, |3−6| = 3 → 2, padding
    0, 0, 1, 2, 0,
    1, 1, 0, 2, 0,
    2, 2, 2, 0, 0,
    0, 0, 0, 0, 0, // padding row
  ]);
  const same = rf.buildSeqDataset("h", [5, 5].map((time, k) => ({ user: "u", item: "a", time, line: k + 1 })), cat, { minHistory: 1 });
  t.deepEqual(Array.from(rf.userTimeScales(same)), [1]); // every gap 0 → scale 1
});

const ds = syntheticSeq({ users: 10, perUser: 12, items: 16 });
const hist = new rf.CategoryHistory(ds);
const POS = Int32Array.of(ds.offsets[0] + 1, ds.offsets[0] + 3, ds.offsets[1] + 8, ds.offsets[2] + 11);

test("rows do not depend on the rows batched with them; finite scores", (t) => {
  const m = new rf.TiSasRec({ numItems: ds.numItems, hidden: 6, window: 5, dtype: "float64", timeSpan: 8 });
  m.eval();
  rf.tidy(() => rf.noGrad(() => {
    const all = m.scores(rf.seqInputs(ds, hist, POS, m.window)).toTypedArray();
    t.true(all.every(Number.isFinite));
    for (let b = 0; b < POS.length; b++) {
      const one = m.scores(rf.seqInputs(ds, hist, POS.subarray(b, b + 1), m.window)).toTypedArray();
      let d = 0;
      for (let i = 0; i < ds.numItems; i++) d = Math.max(d, Math.abs(one[i] - all[b * ds.numItems + i]));
      t.true(d < 1e-12, `row ${b}: ${d}`);
    }
  }));
  m.dispose();
});

test("gradient check (float64, finite differences): every TiSASRec parameter through the CE loss", (t) => {
  const m = new rf.TiSasRec({ numItems: ds.numItems, hidden: 4, window: 5, dtype: "float64", timeSpan: 8 });
  m.eval();
  // item_emb's padding row 0 gets no gradient by design (Embedding paddingIdx) although the CE's
  // softmax reads its logit (the ranking excludes it): its elements are left out
  const r = moduleGradcheck(m, () => m.loss(rf.seqInputs(ds, hist, POS, m.window)), { maxPerParam: 16, skip: (n, j) => n === "item_emb.weight" && j < 4 });
  t.true(r.ok, r.message);
  // item, pos_k, pos_v, rel_k, rel_v; 2 blocks × (2 LN × 2 + 5 Linear × 2); ln_out 2; out_bias
  t.is(r.count, 5 + 2 * 14 + 2 + 1);
  t.deepEqual(r.untouched, []);
  m.dispose();
});

test("createSeqModel('tisasrec') trains through the harness", async (t) => {
  const m = rf.createSeqModel("tisasrec", ds, { hidden: 8, window: 6 });
  const r = await rf.trainSeqRec({ model: m, ds, hist, epochs: 2, batchSize: 16, optimizer: "adam", lr: 0.01 });
  t.is(r.epochs.length, 2);
  t.true(r.epochs.every((e) => Number.isFinite(e.loss)));
  t.like(m.config(), { model: "tisasrec", window: 6, time_span: 256 });
  m.dispose();
});
