// `recforge bench balance-qps` (bench/harness/balance_qps.ts): the ratios equal their parts, the
// interval is the t interval over runs, and both sides of a run train on the same batches —
// checked without timing (the numbers of record come from the command).
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchBalanceQps, runRatios, ratioInterval, runBatches } from "../../dist/bench/balance_qps.js";
import { tQuantile975 } from "../../dist/metrics/bootstrap.js";
import { rf } from "./helpers.js";

test("runRatios: QPS ratio = Σ unbalanced time / Σ balanced time (wall and CPU); median of the per-pair ratios", (t) => {
  const r = runRatios({ balanced_ms: [10, 20, 30], unbalanced_ms: [9, 19, 32], balanced_cpu_ms: [20, 40, 60], unbalanced_cpu_ms: [20, 40, 57] });
  t.is(r.qps_ratio, 60 / 60);
  t.is(r.qps_ratio_cpu, 117 / 120);
  t.is(r.median_pair_ratio, 0.95);
  t.throws(() => runRatios({ balanced_ms: [1], unbalanced_ms: [], balanced_cpu_ms: [1], unbalanced_cpu_ms: [] }), { instanceOf: RangeError, message: /same number .* got 1 and 0/ });
});

test("ratioInterval: mean ± t(R−1)·sd/√R; no interval from one run", (t) => {
  const xs = [0.95, 0.97, 0.99, 0.96, 0.98];
  const r = ratioInterval(xs);
  const sd = Math.sqrt(xs.reduce((a, x) => a + (x - 0.97) ** 2, 0) / 4);
  t.true(Math.abs(r.mean - 0.97) < 1e-12 && Math.abs(r.sd - sd) < 1e-12);
  const h = (tQuantile975(4) * sd) / Math.sqrt(5);
  t.true(Math.abs(r.interval[0] - (0.97 - h)) < 1e-12 && Math.abs(r.interval[1] - (0.97 + h)) < 1e-12);
  t.is(ratioInterval([0.9]).interval, null);
});

test("runBatches: each run its own rows, the same rows for a given run", (t) => {
  const data = rf.syntheticMultiTask({ vocabs: [50, 7], numTasks: 2, seed: 2, trainRows: 5000, validRows: 64, testRows: 64 });
  const a = runBatches(data, 0, 3, 16), a2 = runBatches(data, 0, 3, 16), b = runBatches(data, 1, 3, 16);
  t.deepEqual(Array.from(a[2].sparse[0]), Array.from(a2[2].sparse[0]));
  t.notDeepEqual(Array.from(a[0].dense), Array.from(b[0].dense));
});

test("benchBalanceQps: one task (MultiBalance's weight is exactly 1) leaves both models with the same parameters: the same batches, the same steps", (t) => {
  const data = rf.syntheticMultiTask({ vocabs: [40, 9, 3], numTasks: 1, seed: 3, trainRows: 4000, validRows: 64, testRows: 64 });
  let compared = 0;
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "balance-qps-"));
  const r = benchBalanceQps({
    shapes: ["sparse"], runs: 2, pairs: 3, warmup: 1, tag: "t1", out, command: "test", say: () => {},
    data: { sparse: data }, shapeConfig: { sparse: { batchSize: 32, modelOptions: { embeddingDim: 4, bottom: [8], tower: [4] } } },
    inspect: (shape, run, u, b) => {
      t.is(u.length, b.length);
      u.forEach((p, i) => {
        const x = p.toArray().flat(Infinity), y = b[i].toArray().flat(Infinity);
        t.true(x.every((v, j) => Math.abs(v - y[j]) <= 1e-6 * (1 + Math.abs(v))), `run ${run} parameter ${i}`);
      });
      compared++;
    },
  });
  t.is(compared, 2);
  const s = r.shapes[0];
  t.is(s.runs.length, 2);
  for (const run of s.runs) {
    t.is(run.balanced_ms.length, 3);
    t.like(run, runRatios(run));
  }
  t.deepEqual(s.qps_ratio, ratioInterval(s.runs.map((x) => x.qps_ratio)));
  t.deepEqual(s.qps_ratio_cpu, ratioInterval(s.runs.map((x) => x.qps_ratio_cpu)));
  t.is(s.lower_at_least_0_97, s.qps_ratio.interval[0] >= 0.97);
  const j = JSON.parse(fs.readFileSync(r.results_file, "utf8"));
  t.is(path.basename(r.results_file), `balance-qps-${j.provenance.date_end.slice(0, 10)}-t1.json`);
  for (const k of ["commit", "command", "machine", "load_start", "load_end"]) t.true(k in j.provenance, k);
  fs.rmSync(out, { recursive: true, force: true });
});

test("benchBalanceQps: bad arguments are RangeErrors before any model is built", (t) => {
  t.throws(() => benchBalanceQps({ shapes: ["criteo"], say: () => {} }), { instanceOf: RangeError, message: /unknown shape "criteo"/ });
  t.throws(() => benchBalanceQps({ balancer: "equal", say: () => {} }), { instanceOf: RangeError, message: /must differ from the baseline/ });
  t.throws(() => benchBalanceQps({ runs: 0, say: () => {} }), { instanceOf: RangeError, message: /runs must be an integer >= 1, got 0/ });
});

test("bench balance-qps --plot: mean, interval ends and CPU-time mean per shape", async (t) => {
  const { benchChart } = await import("../../dist/cli/plots.js");
  const c = benchChart("balance-qps", { shapes: [{ shape: "census", qps_ratio: { mean: 0.98, interval: [0.96, 1.0] }, qps_ratio_cpu: { mean: 0.97 } }] });
  t.deepEqual(c.categories, ["census"]);
  t.deepEqual(c.series.map((s) => s.values), [[0.98], [0.96], [1.0], [0.97]]);
});
