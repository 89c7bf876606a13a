// `recforge bench dti-e2e` (bench/harness/dti_e2e.ts): the ratios equal their parts and both sides
// ran on the same inputs — checked without timing (the numbers of record come from the command).
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchDtiE2e, compareRuns } from "../../dist/bench/dti_e2e.js";
import { syntheticCtr } from "../../dist/methods/dti/synthetic.js";

const run = (seed, seconds, cpu, tokens, phases = [1, 2, 3], extra = {}) => ({
  seed, seconds, cpu_seconds: cpu, tokens, targets: 100, steps: 4, auc: 0.7,
  phase_seconds: { pack: phases[0], forwardBackward: phases[1], optimizer: phases[2] }, ...extra,
});

test("compareRuns: time, CPU, token ratios and premiums are the quotients of their parts", (t) => {
  const sw = [run(0, 10, 20, 1000, [1, 8, 1]), run(1, 20, 30, 1000, [2, 16, 2])];
  const dti = [run(0, 2, 3, 100, [0.5, 1, 0.5]), run(1, 3, 6, 100, [0.5, 2, 0.5])];
  const r = compareRuns(sw, dti);
  t.is(r.token_ratio, 0.1);
  t.deepEqual(r.time_ratio_per_seed, [0.2, 0.15]);
  t.is(r.time_ratio, 0.175);
  t.deepEqual(r.cpu_time_ratio_per_seed, [0.15, 0.2]);
  t.true(Math.abs(r.cpu_time_ratio - 0.175) < 1e-15);
  t.true(Math.abs(r.per_token_premium - 1.75) < 1e-12);
  t.true(Math.abs(r.per_token_premium_cpu - 1.75) < 1e-12);
  // Phase by phase, seconds per token over both seeds: pack (1/200)/(3/2000) = 3.33…, fb (3/200)/(24/2000) = 1.25, opt 3.33…
  t.true(Math.abs(r.phase_premium.pack - 10 / 3) < 1e-12);
  t.true(Math.abs(r.phase_premium.forwardBackward - 1.25) < 1e-12);
  t.true(Math.abs(r.phase_share.sw.forwardBackward - 0.8) < 1e-12);
  t.true(Math.abs(r.phase_share.dti.pack + r.phase_share.dti.forwardBackward + r.phase_share.dti.optimizer - 1) < 1e-12);
});

test("compareRuns: refuses runs that did not see the same inputs", (t) => {
  t.throws(() => compareRuns([run(0, 1, 1, 10)], []), { instanceOf: RangeError, message: /one SW and one DTI run per seed, got 1 and 0/ });
  t.throws(() => compareRuns([run(0, 1, 1, 10)], [run(1, 1, 1, 10)]), { message: /pairs SW seed 0 with DTI seed 1/ });
  t.throws(() => compareRuns([run(0, 1, 1, 10)], [run(0, 1, 1, 10, undefined, { targets: 99 })]), { message: /SW made 100 target updates in 4 steps, DTI 99 in 4/ });
  t.throws(() => compareRuns([run(0, 1, 1, 10)], [run(0, 1, 1, 10, undefined, { steps: 5 })]), { message: /not the same inputs/ });
});

test("benchDtiE2e (synthetic, tiny model): every (n, k) row is compared with SW at its own n on the same targets; file with provenance and tag", async (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "dti-e2e-"));
  const data = syntheticCtr({ users: 30, minLength: 30, maxLength: 40, seed: 5 });
  const r = await benchDtiE2e({ data, ns: [4, 8], ks: [3, 6], seeds: 2, model: { dim: 16, layers: 1, heads: 2 }, targetsPerStep: 24, replicates: 50, tag: "t1", out, command: "test", say: () => {} });
  const j = JSON.parse(fs.readFileSync(r.results_file, "utf8"));
  t.is(path.basename(r.results_file), `dti-e2e-${j.provenance.date_end.slice(0, 10)}-t1.json`);
  for (const k of ["commit", "command", "machine", "load_start", "load_end"]) t.true(k in j.provenance, k);
  t.deepEqual(j.rows.map((x) => [x.n, x.k]), [[4, 3], [4, 6], [8, 3], [8, 6]]);
  t.deepEqual(j.sw_by_n.map((x) => x.n), [4, 8]);
  for (const row of j.rows) {
    const sw = j.sw_by_n.find((x) => x.n === row.n).runs;
    // Same inputs: the same target updates in the same steps as SW at that n, every seed.
    row.runs.forEach((d, s) => t.like(d, { seed: s, targets: sw[s].targets, steps: sw[s].steps }));
    // The ratios recomputed from the stored runs.
    t.deepEqual(row, { ...row, ...compareRuns(sw, row.runs) });
    t.true(row.token_ratio < 1, "DTI packs fewer tokens than SW");
    t.is(row.auc_delta.rows, j.test_targets);
    row.auc_delta.per_seed.forEach((p, s) => t.true(Math.abs(p.diff - (row.runs[s].auc - sw[s].auc)) < 1e-12));
  }
  // A longer context costs SW more tokens per target.
  t.true(j.sw_by_n[1].tokens_per_target > j.sw_by_n[0].tokens_per_target);
  fs.rmSync(out, { recursive: true, force: true });
});

test("benchDtiE2e: bad arguments are RangeErrors before any training", async (t) => {
  await t.throwsAsync(() => benchDtiE2e({ ns: [20, 0], say: () => {} }), { instanceOf: RangeError, message: /ns must be integers >= 1, got \[20,0\]/ });
  await t.throwsAsync(() => benchDtiE2e({ ks: [], say: () => {} }), { instanceOf: RangeError, message: /ks must be integers >= 1/ });
  await t.throwsAsync(() => benchDtiE2e({ tag: "a/b", say: () => {} }), { instanceOf: RangeError, message: /tag must be/ });
});

test("bench dti-e2e --plot: time, CPU-time and token ratio bars per (n, k)", async (t) => {
  const { benchChart } = await import("../../dist/cli/plots.js");
  const c = benchChart("dti-e2e", { rows: [{ n: 20, k: 40, time_ratio: 0.2, cpu_time_ratio: 0.18, token_ratio: 0.15 }, { n: 40, k: 40, time_ratio: 0.12, cpu_time_ratio: 0.11, token_ratio: 0.09 }] });
  t.deepEqual(c.categories, ["n=20 k=40", "n=40 k=40"]);
  t.deepEqual(c.series.map((s) => s.values), [[0.2, 0.12], [0.18, 0.11], [0.15, 0.09]]);
});
