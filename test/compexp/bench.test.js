// `bench compexp` on a small synthetic review file: the JSON shape (rows with the BLEU /
// IDF-BLEU columns for every method, examples, commit, provenance), mean ± sd over seeds, and
// the oracle bound above every row that picks one of the same candidates.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchCompExp } from "../../dist/bench/compexp.js";

const PHRASES = [
  "the strings sound bright and warm on my guitar", "the tuner holds its tuning very well on stage", "the cable is sturdy and the plugs fit tight",
  "the price is fair for the quality of this pedal", "the strap is comfortable for long gigs at night", "the stand folds small and fits in my bag",
  "the picks are thick and grip well when playing", "the capo clamps evenly and does not buzz at all",
];

function reviewsFile(t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-compexp-bench-"));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  const rows = [];
  for (let u = 0; u < 8; u++) for (let i = 0; i < 5; i++) {
    const a = PHRASES[(u + i) % 8], b = PHRASES[(u * 3 + i * 5 + 1) % 8];
    rows.push({ reviewerID: `U${u}`, asin: `I${i}`, overall: 1 + ((u * 7 + i * 3) % 5), unixReviewTime: 1000 * (((i + u) % 5) + 1), reviewText: `${a}. ${b}.` });
  }
  const file = path.join(dir, "reviews.json");
  fs.writeFileSync(file, rows.map((r) => JSON.stringify(r)).join("\n"));
  process.env.RECFORGE_CACHE = path.join(dir, "cache");
  return file;
}

test("bench compexp --quick: JSON shape, every method row, seeds, oracle bound, examples", async (t) => {
  const file = reviewsFile(t);
  const r = await benchCompExp({ quick: true, file, seeds: 2, log: () => {}, protocol: { testExamples: null, validation: 5 } });
  const methods = r.rows.map((x) => x.method);
  for (const m of ["compexp", "compexp-pretrained", "extract-only", "no-reference-refiner", "compexp-d0-inference", "att2seq", "random", "item-central", "oracle"]) t.true(methods.includes(m), m);
  for (const row of r.rows) {
    for (const k of ["bleu1", "bleu2", "bleu4", "idf_bleu1", "idf_bleu2", "idf_bleu4"]) {
      t.true(row[k] >= 0 && row[k] <= 1, `${row.method} ${k} = ${row[k]}`);
      t.true(row.sd[k] >= 0);
    }
    const fixed = row.method === "oracle" || row.method === "item-central";
    t.is(row.per_seed.length, fixed ? 1 : 2, row.method);
    // the mean of the per-seed values
    const m = row.per_seed.reduce((s, x) => s + x.bleu2, 0) / row.per_seed.length;
    t.true(Math.abs(m - row.bleu2) < 1e-4);
  }
  const oracle = r.rows.find((x) => x.method === "oracle");
  for (const m of ["extract-only", "random", "item-central"]) for (const s of r.rows.find((x) => x.method === m).per_seed) t.true(s.bleu2 <= oracle.bleu2 + 1e-9, m);
  t.true(r.examples.length >= 1 && r.examples.length <= 5);
  for (const e of r.examples) for (const k of ["references", "extracted", "refined", "refined_reference_free_model", "att2seq", "true_review"]) t.true(k in e, k);
  t.true("commit" in r);
  t.is(r.provenance.commit, r.commit);
  t.true(r.complete);
  t.is(typeof r.comparison["extract-only"][0].beats, "boolean");
  // every baseline is compared, paired by seed; a seed-independent row pairs with each seed
  for (const o of ["no-reference-refiner", "att2seq", "item-central", "random"]) t.is(r.comparison[o][0].seeds, 2, o);
  // the trained d = 0 model and Att2Seq have their own training reports per seed
  for (const tr of r.training) {
    t.deepEqual(tr.stages_no_reference.map((s) => s.stage), ["pretrain", "e2e"]);
    t.is(tr.att2seq.stage, "att2seq");
  }
});

test("bench compexp --tag: the result file name carries the tag; a bad tag is a RangeError", async (t) => {
  const file = reviewsFile(t);
  const out = path.join(path.dirname(file), "out");
  await t.throwsAsync(() => benchCompExp({ quick: true, file, seeds: 1, out, tag: "Bad Tag", log: () => {} }), { instanceOf: RangeError, message: /--tag/ });
  const r = await benchCompExp({ quick: true, file, seeds: 1, out, tag: "x-1", log: () => {}, protocol: { testExamples: 3, validation: 3 } });
  t.deepEqual(fs.readdirSync(out), [`compexp-${r.provenance.date_start.slice(0, 10)}-x-1-quick.json`]);
});
