// CTA as a seqrec model: shapes and the window rule, rows independent of their batch (padding),
// finite-difference gradients of EVERY parameter through the TOP1 loss (float64, tiny model),
// context / kernel options, bad timestamps and W < 2, a short training run and the CLI contract.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as rf from "../../dist/index.js";
import { syntheticSeq, syntheticCsv } from "./helpers.js";
import { moduleGradcheck } from "../helpers/module_gradcheck.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ds = syntheticSeq({ users: 12, perUser: 14, items: 20 });
const hist = new rf.CategoryHistory(ds);
const tiny = (o = {}) => new rf.Cta({ numItems: ds.numItems, hidden: 4, heads: 2, ffDim: 5, window: 4, kernels: "log-lin", dtype: "float64", ...o });
// targets at t = 1, 2 (short rows) and later ones (full rows) of user 0 and 1
const POS = Int32Array.of(ds.offsets[0] + 1, ds.offsets[0] + 2, ds.offsets[0] + 9, ds.offsets[1] + 6);

test("shapes: scores [B, numItems]; window = W − 1; every loss is finite", (t) => {
  for (const W of [2, 4, 50]) {
    const m = tiny({ window: W, dtype: "float32" });
    t.is(m.window, W - 1);
    m.eval();
    rf.tidy(() => rf.noGrad(() => {
      const s = m.scores(rf.seqInputs(ds, hist, POS, m.window));
      t.deepEqual(s.shape, [4, ds.numItems]);
      t.true(s.toTypedArray().every(Number.isFinite));
    }));
    m.train();
    for (const loss of ["top1", "bpr", "ce"]) {
      const m2 = tiny({ window: W, loss, dtype: "float32" });
      t.true(Number.isFinite(rf.tidy(() => m2.loss(rf.seqInputs(ds, hist, POS, m2.window)).item())), loss);
      m2.dispose();
    }
    m.dispose();
  }
});

test("a row's scores do not depend on the rows batched with it (padding is masked everywhere)", (t) => {
  const m = tiny({ dropout: 0.3 });
  m.eval();
  rf.tidy(() => rf.noGrad(() => {
    const all = m.scores(rf.seqInputs(ds, hist, POS, m.window)).toTypedArray();
    for (let b = 0; b < POS.length; b++) {
      const one = m.scores(rf.seqInputs(ds, hist, POS.subarray(b, b + 1), m.window)).toTypedArray();
      let d = 0;
      for (let i = 0; i < ds.numItems; i++) d = Math.max(d, Math.abs(one[i] - all[b * ds.numItems + i]));
      t.true(d < 1e-12, `row ${b}: ${d}`);
    }
  }));
  m.dispose();
});

test("gradient check (float64, finite differences): every CTA parameter through the TOP1 loss", (t) => {
  const m = tiny({ dropout: 0.2 });
  m.eval(); // dropout off: a deterministic function of the parameters
  const r = moduleGradcheck(m, () => m.loss(rf.seqInputs(ds, hist, POS, m.window)), { maxPerParam: 24 });
  t.true(r.ok, r.message);
  // item_emb; 2 encoder layers × 12; enc_norm 2; att_q 2; att_k 2; temporal a, b; biGRU 8; ctx_out 2
  t.is(r.count, 1 + 24 + 2 + 2 + 2 + 2 + 8 + 2);
  t.deepEqual(r.untouched, []);
  m.dispose();
});

test("options: one kernel or --no-context have no context network; config names the run", (t) => {
  const one = tiny({ kernels: "log" });
  t.is(one.ctxGru, null);
  const off = tiny({ context: false });
  t.is(off.ctxGru, null);
  const on = tiny({ kernels: "log-2-lin-2", timeUnit: "hours" });
  t.truthy(on.ctxGru);
  t.like(on.config(), { model: "cta", window: 4, kernels: "log-2-lin-2", context: true, time_unit: "hours", loss: "top1" });
  for (const m of [one, off, on]) m.dispose();
});

test("bad input: W < 2, unknown kernels, unknown units, decreasing or missing timestamps", (t) => {
  t.throws(() => tiny({ window: 1 }), { instanceOf: RangeError, message: /window W must be an integer >= 2/ });
  t.throws(() => tiny({ kernels: "log-cos" }), { instanceOf: RangeError, message: /unknown kernel "cos"/ });
  t.throws(() => tiny({ timeUnit: "weeks" }), { instanceOf: RangeError, message: /timeUnit must be seconds, hours, days/ });
  t.throws(() => tiny({ loss: "hinge" }), { instanceOf: RangeError, message: /loss must be one of top1, bpr, ce/ });
  const m = tiny();
  const inp = rf.seqInputs(ds, hist, POS, m.window);
  inp.window.times[2 * 3 + 1] = inp.window.times[2 * 3 + 0] - 5; // row 2: the second action before the first
  t.throws(() => rf.tidy(() => m.loss(inp)), { instanceOf: RangeError, message: /row 2 .*timestamps decrease within the user/ });
  const inp2 = rf.seqInputs(ds, hist, POS, m.window);
  inp2.window.times[0] = NaN;
  t.throws(() => rf.tidy(() => m.loss(inp2)), { instanceOf: RangeError, message: /row 0 .*is not a finite number/ });
  m.dispose();
});

test("training through the harness: 3 epochs reduce the TOP1 loss; kernel report", async (t) => {
  const m = rf.createSeqModel("cta", ds, { hidden: 8, window: 4, kernels: "log-lin", heads: 2, ffDim: 16, dtype: "float32" });
  const r = await rf.trainSeqRec({ model: m, ds, hist, epochs: 3, batchSize: 16, patience: 3, optimizer: "adam", lr: 0.01, selectK: 5 });
  t.is(r.epochs.length, 3);
  t.true(r.epochs[2].loss < r.epochs[0].loss, `loss ${r.epochs.map((e) => e.loss)}`);
  const rep = m.kernelReport();
  t.is(rep.kernels, "log-lin");
  t.is(rep.a.length, 2);
  m.dispose();
});

test("recforge train seqrec --model cta --json on a CSV (user split by default)", (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-cta-"));
  const f = path.join(dir, "actions.csv");
  fs.writeFileSync(f, syntheticCsv({ users: 16, perUser: 20 }));
  const r = spawnSync(process.execPath, [path.join(root, "bin/recforge.js"), "train", "seqrec", "--model", "cta", "--data", f, "--epochs", "2", "--hidden", "8",
    "--heads", "2", "--ff-dim", "16", "--window", "4", "--kernels", "log-lin", "--time-unit", "hours", "--batch", "16", "--json"], { encoding: "utf8", timeout: 120000 });
  t.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout.trim());
  t.is(j.model, "cta");
  t.is(j.split, "user");
  t.like(j.config, { window: 4, kernels: "log-lin", time_unit: "hours" });
  t.is(j.temporal.a.length, 2);
  t.true(j.recall["5"] >= 0 && j.recall["5"] <= 1);
  const bad = spawnSync(process.execPath, [path.join(root, "bin/recforge.js"), "train", "seqrec", "--model", "cta", "--data", f, "--kernels", "lin-"], { encoding: "utf8" });
  t.is(bad.status, 1);
  t.regex(bad.stderr, /CTA kernels "lin-": empty part/);
  fs.rmSync(dir, { recursive: true, force: true });
});

test("<unk> vocabulary: items outside the training users' actions map to <unk>, a miss as a target", (t) => {
  // three users, split 1 / 1 / 1 by the seeded shuffle; minHistory 1 so every later action is a target
  const acts = [["u0", ["a", "b", "c", "a"]], ["u1", ["a", "d", "b"]], ["u2", ["b", "e", "a", "e"]]];
  const actions = [];
  let line = 1;
  for (const [u, items] of acts) items.forEach((it, k) => actions.push({ user: u, item: it, time: 100 * k, line: line++ }));
  const cat = new Map(["a", "b", "c", "d", "e"].map((i) => [i, "x"]));
  const full = rf.buildSeqDataset("tiny", actions, cat, { minHistory: 1, split: { kind: "user", fractions: [0.34, 0.33, 0.33], seed: 3 } });
  t.throws(() => rf.restrictToTrainingVocabulary(rf.buildSeqDataset("tiny", actions, cat, { minHistory: 1 })), { instanceOf: RangeError, message: /needs a user split/ });
  const ds2 = rf.restrictToTrainingVocabulary(full);
  const trainUser = full.userOf[full.split.train[0]];
  const vocab = new Set(acts[trainUser][1]);
  t.deepEqual(ds2.itemNames.slice(0, 2), ["", "<unk>"]);
  t.deepEqual(ds2.itemNames.slice(2).sort(), [...vocab].sort());
  t.is(ds2.numItems, 2 + vocab.size);
  for (let p = 0; p < full.items.length; p++) {
    const name = full.itemNames[full.items[p]];
    t.is(ds2.items[p], vocab.has(name) ? ds2.itemNames.indexOf(name) : 1, `position ${p} (${name})`);
  }
  // evaluation: a Pop model ranks every target; <unk> targets get rank numItems (a miss at every K)
  const pop = rf.createSeqModel("pop", ds2);
  const positions = Int32Array.from([...ds2.split.valid, ...ds2.split.test]);
  const ranks = rf.rankTargets(pop, ds2, new rf.CategoryHistory(ds2), positions);
  let unk = 0;
  positions.forEach((p, i) => {
    if (ds2.items[p] === 1) {
      unk++;
      t.is(ranks[i], ds2.numItems);
    } else t.true(ranks[i] < ds2.numItems);
  });
  t.true(unk > 0, "the tiny data has <unk> targets (d or e belong to a non-training user)");
});
