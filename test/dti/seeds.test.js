// `recforge bench dti-seeds` (bench/harness/dti_seeds.ts): verdicts read off the ΔAUC interval,
// the same-test-targets assertion, and the result file's fields (tiny synthetic run; the run of
// record is bench/results/dti-seeds-*.json).
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchDtiSeeds, dtiVerdict, assertSameTestTargets } from "../../dist/bench/dti_seeds.js";
import { syntheticCtr } from "../../dist/methods/dti/synthetic.js";

test("dtiVerdict: decided by the whole interval, not by the mean", (t) => {
  t.like(dtiVerdict([-0.004, 0.0049]), { within_0_005: true, within_0_01: true, dti_better: false, sw_better: false });
  // A mean of −0.0027 (inside ±0.005 when rounded) with an interval reaching −0.0061: not shown equal within 0.005.
  t.like(dtiVerdict([-0.0061, 0.0007]), { within_0_005: false, within_0_01: true, dti_better: false, sw_better: false });
  t.like(dtiVerdict([-0.012, -0.001]), { within_0_005: false, within_0_01: false, dti_better: false, sw_better: true });
  t.like(dtiVerdict([0.001, 0.003]), { within_0_005: true, dti_better: true, sw_better: false });
  t.regex(dtiVerdict([-0.012, -0.001]).verdict, /SW better; not shown equal within ±0.01/);
});

const run = (label, ids, labels) => ({ label, r: { predictions: { targetIds: Int32Array.from(ids), labels: Uint8Array.from(labels), probs: new Float64Array(ids.length) } } });

test("assertSameTestTargets: throws unless every run scored the same targets with the same labels in the same order", (t) => {
  const ok = assertSameTestTargets([run("a", [1, 2, 3], [0, 1, 0]), run("b", [1, 2, 3], [0, 1, 0])]);
  t.deepEqual(Array.from(ok.targetIds), [1, 2, 3]);
  t.throws(() => assertSameTestTargets([run("a", [1, 2, 3], [0, 1, 0]), run("b", [1, 2], [0, 1])]), { message: /run b scored 2 test targets, run a 3/ });
  t.throws(() => assertSameTestTargets([run("a", [1, 2, 3], [0, 1, 0]), run("b", [1, 3, 2], [0, 0, 1])]), { message: /run b differs from run a at test position 1/ });
  t.throws(() => assertSameTestTargets([run("a", [1, 2, 3], [0, 1, 0]), run("b", [1, 2, 3], [0, 1, 1])]), { message: /at test position 2/ });
  t.throws(() => assertSameTestTargets([run("a", [1], [0]), { label: "c", r: {} }]), { message: /run c kept no predictions/ });
});

test("benchDtiSeeds (synthetic, tiny model, 2 seeds): writes dti-seeds-<date>.json with provenance, per-seed runs, intervals and verdicts", async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "dti-seeds-"));
  const data = syntheticCtr({ users: 40, minLength: 30, maxLength: 40, seed: 3 });
  // During seed 1 the partial file of seed 0 exists: complete false, one seed.
  let partial = null;
  const say = (m) => {
    if (partial === null && /seed 1: step/.test(m)) {
      const f = fs.readdirSync(out).find((x) => x.endsWith("-partial.json"));
      partial = f ? JSON.parse(fs.readFileSync(path.join(out, f), "utf8")) : undefined;
    }
  };
  const r = await benchDtiSeeds({ data, seeds: 2, ks: [4, 8], model: { dim: 16, layers: 1, heads: 2 }, targetsPerStep: 32, replicates: 50, quick: true, out, command: "test", say });
  t.truthy(partial, "no partial file during seed 1");
  t.false(partial.complete);
  t.deepEqual(partial.seeds, [0]);
  t.is(partial.provenance.partial_after_seeds, 1);
  t.is(partial.dti_by_k[0].auc_delta.seeds, 1);
  t.truthy(r.results_file);
  const j = JSON.parse(fs.readFileSync(r.results_file, "utf8"));
  t.is(path.basename(r.results_file), `dti-seeds-${j.provenance.date_end.slice(0, 10)}-quick.json`);
  for (const k of ["commit", "command", "machine", "load_start", "load_end"]) t.true(k in j.provenance, k);
  t.is(j.provenance.command, "test");
  t.deepEqual(j.seeds, [0, 1]);
  t.true(j.complete);
  // The partial file written after seed 0 is gone once the full file is written.
  t.deepEqual(fs.readdirSync(out), [path.basename(r.results_file)]);
  t.true(j.same_test_targets);
  t.true(j.test_targets > 0);
  t.is(j.sw.runs.length, 2);
  t.deepEqual(j.dti_by_k.map((x) => x.k), [4, 8]);
  for (const row of j.dti_by_k) {
    const d = row.auc_delta;
    t.is(d.metric, "auc");
    t.is(d.rows, j.test_targets);
    t.is(d.seeds, 2);
    // The per-seed differences are DTI's AUC minus SW's, seed by seed.
    d.per_seed.forEach((p, s) => t.true(Math.abs(p.diff - (row.runs[s].auc - j.sw.runs[s].auc)) < 1e-12));
    t.true(d.interval[0] <= d.mean && d.mean <= d.interval[1]);
    for (const f of ["t_interval", "rows_interval", "two_level_interval", "rows_sd", "method"]) t.true(f in d, f);
    // Verdicts are the interval's.
    t.deepEqual({ within_0_005: row.within_0_005, within_0_01: row.within_0_01, dti_better: row.dti_better, sw_better: row.sw_better, verdict: row.verdict }, dtiVerdict(d.interval));
    t.true(row.token_ratio > 0 && row.time_ratio > 0);
  }
  fs.rmSync(out, { recursive: true, force: true });
});

test("recforge bench dti-seeds / balance-seeds: bad arguments fail with a message, before any training", async (t) => {
  const { spawnSync } = await import("node:child_process");
  const { fileURLToPath } = await import("node:url");
  const cli = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../bin/recforge.js");
  const run = (args) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 60000 });
  // Usage errors (the command table's flag types and checks): exit 2, before anything loads.
  let r = run(["bench", "dti-seeds", "--ks", "20,0"]);
  t.is(r.status, 2);
  t.regex(r.stderr, /--ks expects integers >= 1, got "20,0"/);
  r = run(["bench", "dti-seeds", "--seeds", "0"]);
  t.is(r.status, 2);
  t.regex(r.stderr, /--seeds must be >= 1, got "0"/);
  r = run(["bench", "balance-seeds", "--seeds", "1.5"]);
  t.is(r.status, 2);
  t.regex(r.stderr, /--seeds expects an integer, got "1.5"/);
  // A value only the bench can judge: a runtime error (exit 1) before any training.
  r = run(["bench", "balance-seeds", "--balancers", "equal,pcgrad"]);
  t.is(r.status, 1);
  t.regex(r.stderr, /must include equal and multibalance/);
});
