// CompExp on bad input (issue 15, item 6): reviews without text, users with one review and an
// empty vocabulary give clear RangeErrors (or counted skips), from the library and from the CLI.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { prepareGreenerData } from "../../dist/methods/greener/prepare.js";
import { buildExamples, fitVocabAndIdf } from "../../dist/methods/compexp/data.js";
import { buildCorpus, trainCompExp } from "../../dist/methods/compexp/train.js";
import { CompExpModel } from "../../dist/methods/compexp/model.js";
import { benchCompExp } from "../../dist/bench/compexp.js";
import { compexpTinyData } from "./fixtures.js";

const BIN = fileURLToPath(new URL("../../bin/recforge.js", import.meta.url));
const SENT = "The strings of this item sound great. The price is good for what you get.";

function writeReviews(t, rows) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-compexp-bad-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, "reviews.json");
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
  return file;
}

// 3 users × 3 items with empty review texts
const noText = () => Array.from({ length: 9 }, (_, k) => ({ reviewerID: `U${k % 3}`, asin: `I${Math.floor(k / 3)}`, overall: 4, unixReviewTime: 1000 * (1 + Math.floor(k / 3)), reviewText: "" }));
// 6 users with one review each
const oneEach = () => Array.from({ length: 6 }, (_, u) => ({ reviewerID: `U${u}`, asin: `I${u % 2}`, overall: 4, unixReviewTime: 1000, reviewText: SENT }));

test("reviews without text: skipped and counted; no training sentence → clear error, not an empty vocabulary crash", async (t) => {
  const { data } = await prepareGreenerData(writeReviews(t, noText()), {}, { cache: false });
  const tr = buildExamples(data, "train");
  t.is(tr.examples.length, 0);
  t.true(tr.skipped.noText > 0);
  t.throws(() => fitVocabAndIdf(data), { instanceOf: RangeError, message: /no training sentences/ });
});

test("users with one review: skipped as 'no references' (their only review has no other of theirs to compare with)", async (t) => {
  const { data } = await prepareGreenerData(writeReviews(t, oneEach()), {}, { cache: false });
  const all = ["train", "validation", "test"].map((s) => buildExamples(data, s));
  t.is(all.reduce((n, s) => n + s.examples.length, 0), 0);
  t.is(all.reduce((n, s) => n + s.skipped.noReferences, 0), 6);
});

test("trainCompExp: no training or no validation examples is an error before any epoch", (t) => {
  const c = buildCorpus(compexpTinyData(), 1);
  const m = new CompExpModel({ vocabSize: c.vocab.size, embedDim: 4, hidden: 4 });
  const logs = [];
  t.throws(() => trainCompExp(m, { ...c, validation: [] }, { stage: "extractor", log: (x) => logs.push(x) }), { instanceOf: RangeError, message: /no validation examples/ });
  t.throws(() => trainCompExp(m, { ...c, train: [] }, { stage: "extractor" }), { instanceOf: RangeError, message: /no training examples/ });
  t.is(logs.length, 0); // nothing trained
  // no rewrite pairs: documented in the log, the stage still runs
  trainCompExp(m, { ...c, validation: c.train }, { stage: "pretrain", epochs: 1, itersPerEpoch: 1, batchSize: 2, log: (x) => logs.push(x) });
  t.true(logs.some((x) => /no rewrite pairs/.test(x)));
  m.dispose();
});

test("CLI: train compexp on reviews without text / users with one review exits 1 with the skip counts", (t) => {
  for (const [rows, re] of [[noText(), /no train examples.*without text/], [oneEach(), /no train examples.*6 whose user has no other training review/]]) {
    const file = writeReviews(t, rows);
    // the prepared-data cache goes beside the file (removed with it)
    const r = spawnSync(process.execPath, [BIN, "train", "compexp", "--quick", "--data", file], { encoding: "utf8", env: { ...process.env, RECFORGE_CACHE: path.join(path.dirname(file), "cache") } });
    t.is(r.status, 1, r.stderr);
    t.regex(r.stderr, re);
    t.notRegex(r.stderr, /\n\s+at /); // a message, not a stack trace
  }
});

test("bench compexp: no test examples is a clear error", async (t) => {
  const file = writeReviews(t, oneEach());
  await t.throwsAsync(() => benchCompExp({ quick: true, file, log: () => {} }), { instanceOf: RangeError, message: /no (test|training) (examples|sentences)/ });
});
