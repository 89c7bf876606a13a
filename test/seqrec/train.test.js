// The seqrec trainer and commands: early stopping restores the best epoch, checkpoints resume to
// the same result as an uninterrupted run (GatedLongRec's phase included), bad options are clear
// errors, and `recforge train seqrec --json` / `bench seqrec --json --quick` keep their contract.
import test from "ava";
import { dataTest } from "../helpers/data.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as rf from "../../dist/index.js";
import { syntheticSeq, syntheticCsv } from "./helpers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "recforge-seqrec-train-"));
const ds = syntheticSeq({ users: 24, perUser: 30 });
const hist = new rf.CategoryHistory(ds);
const params = (m) => Object.fromEntries(m.namedParameters().map(([n, p]) => [n, Array.from(p.toTypedArray())]));

for (const name of ["gru4rec", "gatedlongrec"])
  test(`${name}: a run interrupted after each epoch and resumed from its checkpoint ends where an uninterrupted run does`, async (t) => {
    const dir = tmp();
    const base = { ds, hist, epochs: 3, batchSize: 16, patience: 3, seed: 4, checkpointEvery: 5 };
    const a = rf.createSeqModel(name, ds, { hidden: 8, seed: 1 });
    const ra = await rf.trainSeqRec({ ...base, model: a });
    const ckpt = path.join(dir, "run.safetensors");
    let rb = null, b = null;
    for (const epochs of [1, 2, 3]) {
      b?.dispose();
      b = rf.createSeqModel(name, ds, { hidden: 8, seed: 1 });
      rb = await rf.trainSeqRec({ ...base, epochs, model: b, checkpoint: ckpt });
      if (epochs > 1) t.deepEqual(rb.resumedFrom?.epoch, epochs - 1);
    }
    t.deepEqual(rb.epochs.map((e) => e.valid.recall["20"]), ra.epochs.map((e) => e.valid.recall["20"]));
    t.deepEqual(rb.epochs.map((e) => e.loss), ra.epochs.map((e) => e.loss));
    t.is(rb.bestEpoch, ra.bestEpoch);
    t.deepEqual(params(b), params(a));
    if (name === "gatedlongrec") t.deepEqual(b.state, a.state);
    t.true(fs.existsSync(ckpt + ".best"));
    // a checkpoint of another configuration is refused
    const other = rf.createSeqModel(name, ds, { hidden: 8, seed: 1 });
    await t.throwsAsync(() => rf.trainSeqRec({ ...base, lr: 0.01, model: other, checkpoint: ckpt }), { message: /another run/ });
    fs.rmSync(dir, { recursive: true, force: true });
  });

test("a run killed mid-epoch resumes from its last step checkpoint and ends where an uninterrupted run does", async (t) => {
  const dir = tmp();
  const base = { ds, hist, epochs: 2, batchSize: 16, patience: 3, seed: 2, checkpointEvery: 4 };
  const a = rf.createSeqModel("gatedlongrec", ds, { hidden: 8, seed: 3 });
  const ra = await rf.trainSeqRec({ ...base, model: a });
  const ckpt = path.join(dir, "run.safetensors");
  const b0 = rf.createSeqModel("gatedlongrec", ds, { hidden: 8, seed: 3 });
  const kill = new Error("killed");
  await t.throwsAsync(() => rf.trainSeqRec({ ...base, model: b0, checkpoint: ckpt, onProgress: (e) => {
    if (e.phase === "train" && e.epoch === 2 && e.step === 6) throw kill;
  } }), { is: kill });
  const b = rf.createSeqModel("gatedlongrec", ds, { hidden: 8, seed: 77 }); // other init: the checkpoint must overwrite it
  const rb = await rf.trainSeqRec({ ...base, model: b, checkpoint: ckpt });
  t.true(rb.resumedFrom.step > 0 && rb.resumedFrom.epoch === 1, JSON.stringify(rb.resumedFrom));
  t.deepEqual(rb.epochs.map((e) => e.valid.recall["20"]), ra.epochs.map((e) => e.valid.recall["20"]));
  t.deepEqual(params(b), params(a));
  fs.rmSync(dir, { recursive: true, force: true });
});

test("early stopping keeps the best validation epoch's parameters; bad options are RangeErrors", async (t) => {
  const m = rf.createSeqModel("gru4rec", ds, { hidden: 8 });
  const r = await rf.trainSeqRec({ model: m, ds, hist, epochs: 4, batchSize: 16, patience: 1, lr: 0.5 });
  const best = Math.max(...r.epochs.map((e) => e.valid.recall["20"]));
  t.is(r.bestValid.recall["20"], best);
  t.is(r.epochs.find((e) => e.epoch === r.bestEpoch).valid.recall["20"], best);
  t.is(rf.evaluateRanking(m, ds, hist, ds.split.valid).recall["20"], best, "the restored parameters score the best epoch's validation recall");
  if (r.stoppedEarly) t.is(r.epochs.length, r.bestEpoch + 1);
  for (const bad of [{ epochs: -1 }, { batchSize: 0 }, { patience: 0 }, { trainFraction: 0 }, { trainFraction: 1.5 }])
    await t.throwsAsync(() => rf.trainSeqRec({ model: m, ds, hist, ...bad }), { instanceOf: RangeError });
  await t.throwsAsync(() => rf.trainSeqRec({ model: m, ds, hist, optimizer: "sgd" }), { instanceOf: TypeError });
  t.throws(() => rf.createSeqModel("bert4rec", ds), { instanceOf: RangeError, message: /unknown model/ });
});

test("recforge train seqrec --json: one JSON object with test recall / mrr / ndcg10 on a CSV file", (t) => {
  const dir = tmp();
  const f = path.join(dir, "actions.csv");
  fs.writeFileSync(f, syntheticCsv({ users: 16, perUser: 20 }));
  for (const model of ["gatedlongrec", "sasrec", "pop"]) {
    const r = spawnSync(process.execPath, [path.join(root, "bin/recforge.js"), "train", "seqrec", "--model", model, "--data", f, "--epochs", "2", "--hidden", "8", "--batch", "16", "--json"], { encoding: "utf8", timeout: 120000 });
    t.is(r.status, 0, r.stderr);
    const lines = r.stdout.trim().split("\n");
    t.is(lines.length, 1);
    const j = JSON.parse(lines[0]);
    t.is(j.model, model);
    for (const K of ["5", "20", "100"]) {
      t.true(j.recall[K] >= 0 && j.recall[K] <= 1, `recall@${K}`);
      t.true(j.mrr[K] >= 0 && j.mrr[K] <= j.recall[K], `mrr@${K}`);
    }
    t.true(j.ndcg10 >= 0 && j.ndcg10 <= 1);
    t.true(j.test_targets > 0);
    t.true(typeof j.seconds_per_epoch === "number");
  }
  const bad = spawnSync(process.execPath, [path.join(root, "bin/recforge.js"), "train", "seqrec", "--model", "nope", "--data", f], { encoding: "utf8" });
  t.is(bad.status, 2); // a usage error: the command table's enum (lib/cli/commands.ts)
  t.regex(bad.stderr, /--model must be one of gatedlongrec, gru4rec, /);
  fs.rmSync(dir, { recursive: true, force: true });
});

const ml = rf.movielensRatingsFile(rf.movielensSeqDir());
dataTest(ml !== null, `ml-1m at ${rf.movielensSeqDir()}`)("recforge bench seqrec --json --quick: results [{model, seed, recall, mrr, ndcg10}], provenance (commit, machine, command)", (t) => {
  const dir = tmp();
  const r = spawnSync(process.execPath, [path.join(root, "bin/recforge.js"), "bench", "seqrec", "--json", "--quick", "--only", "pop,gru4rec", "--out", dir], { encoding: "utf8", timeout: 300000 });
  t.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  t.is(lines.length, 1);
  const j = JSON.parse(lines[0]);
  t.deepEqual(j.results.map((x) => x.model), ["pop", "gru4rec"]);
  for (const row of j.results) {
    t.is(row.seed, 0);
    t.deepEqual(Object.keys(row.recall).sort(), ["100", "20", "5"]);
    t.deepEqual(Object.keys(row.mrr).sort(), ["100", "20", "5"]);
    t.true(typeof row.ndcg10 === "number");
  }
  t.true(typeof j.provenance.commit === "string" || j.provenance.commit === null);
  t.true(typeof j.provenance.machine.cpu === "string" && j.provenance.load_start.length === 3 && j.provenance.load_end.length === 3);
  t.regex(j.provenance.command, /^recforge bench seqrec --json --quick/);
  t.true(j.complete);
  t.deepEqual(j.lr_selection.map((x) => [x.run, x.lr]), [["gru4rec", 0.05], ["gru4rec", 0.1]]);
  t.deepEqual(j.category.map((c) => c.method), ["GlobalPop_cate", "SeqPop_cate", "FOT_cate"]);
  const written = JSON.parse(fs.readFileSync(j.results_file, "utf8"));
  t.deepEqual(written.results, j.results);
  fs.rmSync(dir, { recursive: true, force: true });
});
