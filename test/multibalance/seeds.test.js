// `recforge bench balance-seeds` (bench/harness/balance_seeds.ts): verdicts read off the ΔNE interval,
// the same-test-rows assertion, and the result file's fields (tiny synthetic run; the run of record
// on Census is bench/results/multibalance-seeds-*.json); bench balance's Census `wins` from its interval.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchBalanceSeeds, neVerdict, assertSameTestRows } from "../../dist/bench/balance_seeds.js";
import { syntheticMultiTask } from "../../dist/methods/multibalance/data/synthetic.js";
import { dataTest } from "../helpers/data.js";
import { censusAvailable, censusDir } from "../../dist/methods/multibalance/data/census.js";
import { benchBalance } from "../../dist/bench/balance.js";
import { betterByInterval } from "../../dist/metrics/bootstrap.js";

test("neVerdict: lower NE wins only when the whole interval is below 0; ±0.5% is relative to the baseline's NE", (t) => {
  t.like(neVerdict([-0.003, -0.001], 1), { beats_baseline: true, loses_to_baseline: false, within_0_5pct: true });
  t.like(neVerdict([0.001, 0.003], 1), { beats_baseline: false, loses_to_baseline: true, within_0_5pct: true });
  t.like(neVerdict([-0.003, 0.0001], 1), { beats_baseline: false, loses_to_baseline: false, within_0_5pct: true });
  t.like(neVerdict([-0.003, -0.001], 0.5), { beats_baseline: true, within_0_5pct: false }); // 0.5% of 0.5 = 0.0025
  // 0.5% of NE 0.14 is 0.0007: an interval reaching −0.0008 is not inside.
  t.like(neVerdict([-0.0008, 0.0002], 0.14), { within_0_5pct: false, beats_baseline: false });
  t.throws(() => neVerdict([0, 0], 0), { instanceOf: RangeError });
});

const m = (labels) => [{ name: "t", type: "binary", predictions: new Float64Array(labels.length), labels: Float64Array.from(labels) }];

test("assertSameTestRows: throws unless every run's labels are identical, task by task", (t) => {
  t.is(assertSameTestRows([{ label: "a", test: m([0, 1]) }, { label: "b", test: m([0, 1]) }]).length, 1);
  t.throws(() => assertSameTestRows([{ label: "a", test: m([0, 1]) }, { label: "b", test: m([1, 0]) }]), { message: /run b differs from run a at test row 0/ });
  t.throws(() => assertSameTestRows([{ label: "a", test: m([0, 1]) }, { label: "b", test: m([0]) }]), { message: /run b scored 1 test rows/ });
  t.throws(() => assertSameTestRows([{ label: "a", test: m([0, 1]) }, { label: "b", test: [{ name: "t" }] }]), { message: /kept no predictions/ });
});

test("benchBalanceSeeds (synthetic, tiny model, 2 seeds): writes multibalance-seeds-<date>.json with runs, intervals and verdicts", (t) => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "balance-seeds-"));
  const data = syntheticMultiTask({ vocabs: [1000, 100, 10], numTasks: 2, trainRows: 2000, validRows: 500, testRows: 800, seed: 1 });
  const r = benchBalanceSeeds({ data, seeds: [1, 2], balancers: ["equal", "multibalance", "uncertainty"], epochs: 1, batchSize: 256, model: "shared-bottom", modelOptions: { embeddingDim: 4, bottom: [16], tower: [8] }, replicates: 50, out, command: "test", say: () => {} });
  const j = JSON.parse(fs.readFileSync(r.results_file, "utf8"));
  t.is(path.basename(r.results_file), `multibalance-seeds-${j.provenance.date_end.slice(0, 10)}.json`);
  for (const k of ["commit", "command", "machine", "load_start", "load_end"]) t.true(k in j.provenance, k);
  t.deepEqual(j.seeds, [1, 2]);
  t.true(j.same_test_rows);
  t.is(j.test_rows, 800);
  t.deepEqual(j.balancers.map((b) => b.balancer), ["equal", "multibalance", "uncertainty"]);
  // multibalance vs equal and vs uncertainty, then uncertainty vs equal; per task.
  t.deepEqual(j.comparisons.map((c) => `${c.balancer}-${c.baseline}-${c.task}`), ["multibalance-equal", "multibalance-uncertainty", "uncertainty-equal"].flatMap((p) => [`${p}-${j.comparisons[0].task}`, `${p}-${j.comparisons[1].task}`]));
  const runsOf = (b) => j.balancers.find((x) => x.balancer === b).runs;
  for (const c of j.comparisons) {
    const k = j.balancers[0].tasks.findIndex((x) => x.name === c.task);
    c.ne_delta.per_seed.forEach((p, s) => t.true(Math.abs(p.diff - (runsOf(c.balancer)[s].tasks[k].ne - runsOf(c.baseline)[s].tasks[k].ne)) < 1e-12));
    t.is(c.ne_delta.metric, "ne");
    t.is(c.auc_delta.metric, "auc");
    const baseNe = j.balancers.find((x) => x.balancer === c.baseline).tasks[k].ne_mean;
    t.deepEqual({ beats_baseline: c.beats_baseline, loses_to_baseline: c.loses_to_baseline, within_0_5pct: c.within_0_5pct, verdict: c.verdict }, neVerdict(c.ne_delta.interval, baseNe));
    t.true(Math.abs(c.ne_gain_pct - (-c.ne_delta.mean / baseNe) * 100) < 1e-9);
  }
  t.throws(() => benchBalanceSeeds({ data, balancers: ["equal", "uncertainty"], say: () => {} }), { instanceOf: RangeError, message: /must include equal and multibalance/ });
  fs.rmSync(out, { recursive: true, force: true });
});


dataTest(censusAvailable(), `Census-Income at ${censusDir()}`)("bench balance (Census, 1 epoch, 2 seeds): census_ne_vs_equal's wins is read off ne_delta_ci95, which brackets the paired mean", (t) => {
  const j = benchBalance({ datasets: ["census"], log: () => {}, census: { balancers: ["equal", "multibalance"], seeds: [1, 2], epochs: 1, qpsWarmup: 1, qpsPairs: 2 } });
  t.is(j.census_ne_vs_equal.length, 2);
  for (const c of j.census_ne_vs_equal) {
    t.is(c.balancer, "multibalance");
    t.is(c.ne_delta_ci95.length, 2);
    t.true(c.ne_delta_ci95[0] <= c.ne_delta + 1e-4 && c.ne_delta - 1e-4 <= c.ne_delta_ci95[1], JSON.stringify(c));
    t.is(c.wins, betterByInterval(c.ne_delta_ci95, "lower_is_better") === "A");
  }
});
