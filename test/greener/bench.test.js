// `recforge bench explain --json --quick`: one JSON object with the promised fields.
import test from "ava";
import { dataTest } from "../helpers/data.js";
import fs from "node:fs";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { musicalInstrumentsPath } from "../../dist/data/reviews.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cli = path.join(root, "bin", "recforge.js");
const haveData = fs.existsSync(musicalInstrumentsPath());

dataTest(haveData, musicalInstrumentsPath())("`recforge bench explain --json --quick` reports ILP timing, brute-force agreement and baseline quality", (t) => {
  const r = spawnSync(process.execPath, [cli, "bench", "explain", "--json", "--quick"], { encoding: "utf8", timeout: 300000 });
  t.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  t.is(lines.length, 1);
  const j = JSON.parse(lines[0]);
  t.is(j.ilp.pool, 100);
  t.is(j.ilp.k, 5);
  t.true(j.ilp.pairs >= 30);
  t.true(j.ilp.median_ms > 0 && j.ilp.p95_ms >= j.ilp.median_ms);
  t.is(j.ilp.brute_force_checked, j.ilp.pairs);
  t.is(j.ilp.brute_force_agree, j.ilp.brute_force_checked);
  t.is(j.ilp.optimal, j.ilp.pairs);
  t.true(j.ilp.highs.pairs >= 1);
  t.is(j.ilp.highs.brute_force_agree, j.ilp.highs.pairs);
  const methods = j.quality.map((q) => q.method);
  for (const m of ["random", "popular", "popular-attributes", "topk", "topk+trigram-blocking", "ilp", "greener-ilp", "greener-topk", "greener-topk+trigram-blocking"]) t.true(methods.includes(m), m);
  // GREENer's ILP setting is chosen on the validation pairs and reported; the comparison covers both metrics
  const tune = j.greener.selection_tuning;
  t.truthy(tune);
  t.true(tune.validation_pairs > 0);
  t.true(tune.tried.some((x) => x.alpha === tune.chosen.alpha && x.lengthWeight === tune.chosen.lengthWeight));
  t.is(j.greener.settings.selection.alpha, tune.chosen.alpha);
  t.is(j.greener.settings.selection.lengthWeight, tune.chosen.lengthWeight);
  t.true(j.greener.settings.centrality_features);
  t.deepEqual(j.comparison.map((c) => c.metric), ["bleu4", "rougeL"]);
  // Differences only (one run, no interval): no beats_* verdict; each equals its parts.
  for (const c of j.comparison) {
    t.is(c.beats_popular, undefined);
    t.true(Math.abs(c.diff_popular - (c.greener_ilp - c.popular)) < 1e-12);
  }
  for (const q of j.quality) {
    for (const k of ["bleu1", "bleu4", "rouge1", "rouge2", "rougeL", "attr_f1"]) t.true(typeof q[k] === "number" && q[k] >= 0 && q[k] <= 1, `${q.method}.${k}`);
    t.true(q.pairs > 0);
  }
  t.log(JSON.stringify(j.ilp));
});
