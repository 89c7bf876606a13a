// Issue 13 item 7, bad input of the time-aware models and the CTA bench: missing timestamps when a
// data set is built, decreasing or non-finite timestamps in a window batch (CTA and TiSASRec), W < 2
// and unknown kernel names through the API and the CLI — each a RangeError naming the value.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as rf from "../../dist/index.js";
import { syntheticSeq, syntheticCsv } from "./helpers.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const ds = syntheticSeq({ users: 8, perUser: 12, items: 16 });
const hist = new rf.CategoryHistory(ds);
const POS = Int32Array.of(ds.offsets[0] + 2, ds.offsets[1] + 9, ds.offsets[2] + 11);
const cli = (...args) => spawnSync(process.execPath, [path.join(root, "bin/recforge.js"), ...args], { encoding: "utf8", timeout: 60000 });

test("buildSeqDataset: a missing or non-numeric timestamp names the line, the user and the value", (t) => {
  const cat = new Map([["a", "x"], ["b", "x"]]);
  const acts = (time) => [
    { user: "u1", item: "a", time: 1, line: 2 }, { user: "u1", item: "b", time, line: 3 }, { user: "u1", item: "a", time: 5, line: 4 },
  ];
  for (const bad of [undefined, NaN, Infinity, "7"])
    t.throws(() => rf.buildSeqDataset("hand", acts(bad), cat, { minHistory: 1 }), { instanceOf: RangeError, message: new RegExp(`hand:3: user "u1", item "b": timestamp ${String(bad)} is missing or not a finite number`) }, String(bad));
  t.notThrows(() => rf.buildSeqDataset("hand", acts(3), cat, { minHistory: 1 }));
});

for (const [name, make] of [
  ["CTA", () => new rf.Cta({ numItems: ds.numItems, hidden: 4, heads: 2, ffDim: 5, window: 5, kernels: "log", dtype: "float64" })],
  ["TiSASRec", () => new rf.TiSasRec({ numItems: ds.numItems, hidden: 4, window: 4, dtype: "float64", timeSpan: 8 })],
]) {
  test(`${name}: decreasing, missing and non-finite timestamps within a user are RangeErrors naming the row and values`, (t) => {
    const m = make();
    const run = (edit) => {
      const inp = rf.seqInputs(ds, hist, POS, m.window);
      edit(inp.window);
      return () => rf.tidy(() => m.loss(inp));
    };
    const T = m.window;
    t.notThrows(run(() => {}));
    t.throws(run((w) => { w.times[1 * T + 1] = w.times[1 * T] - 60; }), { instanceOf: RangeError, message: new RegExp(`${name}: row 1 \\(target position ${POS[1]}\\): timestamps decrease within the user \\(action 0 at \\d+, then action 1 at \\d+\\)`) });
    t.throws(run((w) => { w.targetTimes[2] = w.times[2 * T] - 1; }), { instanceOf: RangeError, message: /row 2 .*the last action at \d+ is after the target at \d+/ });
    t.throws(run((w) => { w.times[0] = NaN; }), { instanceOf: RangeError, message: /row 0 .*timestamp NaN of action 0 is not a finite number/ });
    t.throws(run((w) => { w.targetTimes[1] = Infinity; }), { instanceOf: RangeError, message: /row 1 .*the target's timestamp Infinity is not a finite number/ });
    // equal times (ML-1M's bursts) are fine
    t.notThrows(run((w) => { for (let i = 0; i < w.lengths[1]; i++) w.times[1 * T + i] = 1000; w.targetTimes[1] = 1000; }));
    m.dispose();
  });
}

test("CTA: W < 2 and unknown kernel names, through the API and createSeqModel", (t) => {
  for (const W of [1, 0, -3, 2.5, NaN])
    t.throws(() => rf.createSeqModel("cta", ds, { hidden: 4, heads: 2, ffDim: 4, window: W }), { instanceOf: RangeError, message: new RegExp(`window W must be an integer >= 2 .*got ${String(W)}`) }, String(W));
  t.notThrows(() => rf.createSeqModel("cta", ds, { hidden: 4, heads: 2, ffDim: 4, window: 2 }).dispose());
  t.throws(() => rf.createSeqModel("cta", ds, { hidden: 4, heads: 2, ffDim: 4, kernels: "log-2-gauss" }), { instanceOf: RangeError, message: /CTA kernels "log-2-gauss": unknown kernel "gauss"/ });
});

test("CLI: bench seqrec --suite cta rejects W < 2, bad suites; train seqrec rejects --window 1 for cta", (t) => {
  let r = cli("bench", "seqrec", "--suite", "cta", "--windows", "4,1");
  t.is(r.status, 2); // checked by the command table before anything runs (lib/cli/commands.ts)
  t.regex(r.stderr, /--windows takes integers >= 2 .*got "4,1"/);
  r = cli("bench", "seqrec", "--suite", "cat");
  t.is(r.status, 2); // a usage error: the command table's enum (lib/cli/commands.ts)
  t.regex(r.stderr, /--suite must be one of gatedlongrec, cta, sanity, got "cat"/);
  r = cli("bench", "seqrec", "--suite", "sanity", "--only", "bert4rec");
  t.is(r.status, 1);
  t.regex(r.stderr, /unknown model "bert4rec"/);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-cta-bad-"));
  const f = path.join(dir, "actions.csv");
  fs.writeFileSync(f, syntheticCsv({ users: 10, perUser: 8 }));
  r = cli("train", "seqrec", "--model", "cta", "--data", f, "--window", "1", "--hidden", "4", "--heads", "2");
  t.is(r.status, 1);
  t.regex(r.stderr, /CTA: window W must be an integer >= 2 .*got 1/);
  fs.rmSync(dir, { recursive: true, force: true });
});
