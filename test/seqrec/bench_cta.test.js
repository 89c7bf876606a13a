// `bench seqrec --suite cta` and `--suite sanity` on a tiny MovieLens-format folder written here
// (no shared data needed): the JSON contract (rows with model ∈ {pop, gru4rec, sasrec, tisasrec,
// cta}, window, seeds; CTA rows with a_k, b_k and mean context weights that sum to 1), the
// provenance block, the result file the command writes, TiSASRec's window cap, and the sanity
// file's public numbers beside HR@10 / NDCG@10.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mulberry32 } from "../../dist/prng.js";
import { benchCta } from "../../dist/bench/cta.js";
import { benchSeqRecSanity, SASREC_PUBLIC } from "../../dist/bench/seqrec_sanity.js";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rf-bench-cta-"));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
const data = path.join(dir, "ml");
fs.mkdirSync(data);
{
  const r = mulberry32(7), genres = ["Action", "Comedy", "Drama", "Action|Comedy"];
  fs.writeFileSync(path.join(data, "movies.dat"), Array.from({ length: 150 }, (_, i) => `${i + 1}::Movie ${i + 1} (2000)::${genres[i % 4]}`).join("\n") + "\n");
  const lines = [];
  for (let u = 1; u <= 40; u++) {
    let t = 1e9 + Math.floor(r() * 1e6);
    for (let k = 0; k < 16; k++) {
      t += r() < 0.5 ? 0 : Math.floor(r() * 5000); // bursts of equal times, as ML-1M
      lines.push(`${u}::${1 + ((u * 7 + k * 3 + Math.floor(r() * 4)) % 150)}::4::${t}`);
    }
  }
  fs.writeFileSync(path.join(data, "ratings.dat"), lines.join("\n") + "\n");
}
const quiet = () => {};

test("bench seqrec --suite cta: rows, windows, kernel report, provenance, result file", async (t) => {
  const out = path.join(dir, "out");
  const j = await benchCta({ quick: true, windows: [3, 12], only: ["pop", "sasrec", "tisasrec", "cta-lin-5", "cta-const"], lr: { sasrec: 0.005, "cta-lin-5": 0.002, "cta-log": 0.005 }, dataDir: data, out, log: quiet });
  t.true(j.complete);
  const rows = j.results;
  // TiSASRec is capped at W <= 8: it runs at 3, not at 12; tisasrec is not in lr: it went through the selection grid
  t.deepEqual(rows.map((r) => `${r.window}:${r.variant}`), ["3:pop", "3:sasrec", "3:tisasrec", "3:cta-lin-5", "3:cta-const", "12:pop", "12:sasrec", "12:cta-lin-5", "12:cta-const"]);
  t.deepEqual(j.skipped.map((s) => [s.variant, s.windows]), [["tisasrec", [12]]]);
  t.deepEqual(j.lr_selection.map((s) => s.variant), ["tisasrec", "tisasrec"]);
  t.is(rows.find((r) => r.variant === "cta-const").lr, 0.005, "the α-only ablation takes cta-log's learning rate");
  t.is(rows.find((r) => r.variant === "cta-lin-5").lr, 0.002);
  for (const r of rows) {
    t.true(["pop", "sasrec", "tisasrec", "cta"].includes(r.model));
    t.is(r.seed, 0);
    for (const k of ["5", "20", "100"]) t.true(r.recall[k] >= 0 && r.recall[k] <= 1 && r.mrr[k] <= r.recall[k] + 1e-12);
    t.true(r.test_targets > 0);
  }
  const lin5 = rows.find((r) => r.variant === "cta-lin-5");
  t.is(lin5.kernels, "lin-5");
  t.is(lin5.kernel_a.length, 5);
  t.is(lin5.mean_context.length, 5);
  t.true(Math.abs(lin5.mean_context.reduce((a, b) => a + b, 0) - 1) < 1e-5, String(lin5.mean_context));
  t.is(rows.find((r) => r.variant === "cta-const").mean_context, null, "one kernel: no context network");
  t.like(j.provenance, { command: "recforge bench seqrec --suite cta" });
  t.truthy(j.provenance.machine.cpu);
  const file = fs.readdirSync(out);
  t.is(file.length, 1);
  t.regex(file[0], /^cta-\d{4}-\d\d-\d\d-quick\.json$/);
  t.deepEqual(JSON.parse(fs.readFileSync(path.join(out, file[0]), "utf8")).results, rows);
  t.is(j.summary.length, rows.length, "one seed: one summary entry per (window, variant)");
});

test("bench seqrec --suite sanity: HR@10 / NDCG@10 per seed beside the public numbers", async (t) => {
  const j = await benchSeqRecSanity({ quick: true, only: ["sasrec", "cta"], seeds: 2, window: 6, dataDir: data, log: quiet });
  t.deepEqual(j.results.map((r) => `${r.seed}:${r.model}`), ["0:sasrec", "0:cta", "1:sasrec", "1:cta"]);
  for (const r of j.results) {
    t.is(r.users, 40);
    t.is(r.window, 6);
    t.true(r.hr10 >= 0 && r.hr10 <= 1 && r.ndcg10 <= r.hr10 + 1e-12);
  }
  t.deepEqual(j.public, SASREC_PUBLIC);
  t.is(j.summary.find((s) => s.model === "sasrec").seeds.length, 2);
  await t.throwsAsync(() => benchSeqRecSanity({ quick: true, only: ["gru4rec"], dataDir: data, log: quiet }), { instanceOf: RangeError, message: /unknown model "gru4rec"/ });
});

test("bench seqrec --suite sanity --train sequences: the public code's training, validation-chosen epochs, tagged file", async (t) => {
  const out = path.join(dir, "out-sanity");
  const j = await benchSeqRecSanity({ quick: true, train: "sequences", seeds: 2, epochs: 3, evalEvery: 1, patience: 5, window: 8, tag: "s5-test", dataDir: data, out, log: quiet });
  t.is(j.train, "sequences");
  t.like(j.protocol, { train: "sequences", window: 8, batchSize: 128, evalEvery: 1, patience: 5, epochs: 3 });
  t.deepEqual(j.results.map((r) => `${r.seed}:${r.model}`), ["0:sasrec", "1:sasrec"]);
  for (const r of j.results) {
    t.is(r.users, 40);
    t.is(r.window, 8);
    t.is(r.epochs_trained, 3);
    t.is(r.stopped_by, "max-epochs");
    t.deepEqual(r.curve.map((c) => c.epoch), [1, 2, 3]);
    const best = r.curve.reduce((a, c) => (c.valid_ndcg10 > a.valid_ndcg10 ? c : a));
    t.is(r.best_epoch, best.epoch, "the epoch is chosen by validation NDCG@10");
    t.is(r.valid_ndcg10, best.valid_ndcg10);
    t.true(r.hr10 >= 0 && r.hr10 <= 1 && r.ndcg10 <= r.hr10 + 1e-12);
  }
  t.deepEqual(j.public, SASREC_PUBLIC);
  const files = fs.readdirSync(out);
  t.deepEqual(files.map((f) => f.replace(/\d{4}-\d\d-\d\d/, "DATE")), ["seqrec-sanity-DATE-quick-s5-test.json"]);
  const saved = JSON.parse(fs.readFileSync(path.join(out, files[0]), "utf8"));
  t.true(saved.complete);
  t.truthy(saved.provenance.commit !== undefined && saved.provenance.command);
  const s1 = await benchSeqRecSanity({ quick: true, train: "sequences", seeds: 2, seedFrom: 1, epochs: 1, window: 8, dataDir: data, log: quiet });
  t.deepEqual(s1.results.map((r) => r.seed), [1]);
  for (const [o, msg] of [
    [{ only: ["sasrec", "cta"] }, /--train sequences trains SASRec only/],
    [{ trainFraction: 0.5 }, /--train-fraction is for --train windows/],
    [{ tag: "S5!" }, /--tag takes lower-case letters/],
    [{ maxMinutes: 0 }, /--max-minutes must be > 0/],
    [{ train: "all" }, /--train must be one of windows, sequences, got "all"/],
    [{ seedFrom: 1 }, /--seed-from must be an integer in \[0, seeds = 1\), got 1/],
  ]) await t.throwsAsync(() => benchSeqRecSanity({ quick: true, train: "sequences", dataDir: data, log: quiet, ...o }), { instanceOf: RangeError, message: msg });
  await t.throwsAsync(() => benchSeqRecSanity({ quick: true, patience: 3, dataDir: data, log: quiet }), { instanceOf: RangeError, message: /--patience is for --train sequences/ });
});

test("bench seqrec --suite cta: extra ablations only on request, unknown variants and bad names are RangeErrors", async (t) => {
  const out = path.join(dir, "out-extra");
  const j = await benchCta({ quick: true, windows: [5], only: ["cta-log-hours"], lr: { "cta-log": 0.004 }, dataDir: data, out, name: "cta-hours", log: quiet });
  t.deepEqual(j.results.map((r) => [r.variant, r.model, r.window, r.lr, r.time_unit]), [["cta-log-hours", "cta", 5, 0.004, "hours"]]);
  t.deepEqual(fs.readdirSync(out).map((f) => f.replace(/\d{4}-\d\d-\d\d/, "DATE")), ["cta-hours-DATE-quick.json"]);
  const j2 = await benchCta({ quick: true, windows: [4], seeds: 3, seedFrom: 2, only: ["pop", "cta-exp"], lr: { "cta-log": 0.004 }, dataDir: data, log: quiet });
  t.deepEqual(j2.results.map((r) => [r.seed, r.variant]), [[2, "pop"], [2, "cta-exp"]]);
  t.deepEqual(j2.lr_selection, [], "every learning rate fixed by the caller: no selection runs");
  const j3 = await benchCta({ quick: true, windows: [12], only: ["tisasrec"], lr: { tisasrec: 0.005 }, noWindowCap: true, dataDir: data, log: quiet });
  t.deepEqual(j3.results.map((r) => [r.variant, r.window]), [["tisasrec", 12]]);
  t.deepEqual(j3.skipped, []);
  await t.throwsAsync(() => benchCta({ quick: true, seeds: 2, seedFrom: 2, dataDir: data, log: quiet }), { instanceOf: RangeError, message: /--seed-from must be an integer in \[0, seeds = 2\), got 2/ });
  await t.throwsAsync(() => benchCta({ quick: true, only: ["cta-cos"], dataDir: data, log: quiet }), { instanceOf: RangeError, message: /unknown variant "cta-cos"/ });
  await t.throwsAsync(() => benchCta({ quick: true, name: "../x", dataDir: data, log: quiet }), { instanceOf: RangeError, message: /--name must be a file-name stem/ });
});
