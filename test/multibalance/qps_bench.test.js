// `recforge bench balance-qps` (bench/harness/balance_qps.ts): the ratios equal their parts, the
// interval is the t interval over runs, and both sides of a run train on the same batches —
// checked without timing (the numbers of record come from the command).
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { benchBalanceQps, runRatios, ratioInterval, runBatches, outlierCounts, QPS_DEFAULT_RUNS, QPS_DEFAULT_PAIRS } from "../../dist/bench/balance_qps.js";
import { COMMANDS } from "../../dist/cli/commands.js";
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

test("outlierCounts: steps over 1.5 × the median of both sides' steps, per side; nothing is removed from the ratio", (t) => {
  // pooled median of [10, 10, 31, 10, 16, 14] = 12 -> cut 18: 31 is slow (balanced), 16 is not
  t.deepEqual(outlierCounts([10, 10, 31], [10, 16, 14]), { balanced: 1, unbalanced: 0 });
  t.deepEqual(outlierCounts([8, 8, 8, 8], [8, 25, 26, 8]), { balanced: 0, unbalanced: 2 });
  const withSlow = runRatios({ balanced_ms: [10, 10, 31], unbalanced_ms: [10, 16, 14], balanced_cpu_ms: [1, 1, 1], unbalanced_cpu_ms: [1, 1, 1] });
  t.is(withSlow.qps_ratio, 40 / 51);
});

test("the CLI's --runs / --pairs help names the harness defaults", (t) => {
  const cmd = COMMANDS.find((c) => c.name === "bench balance-qps" || (c.path && c.path.join(" ") === "bench balance-qps"));
  t.truthy(cmd, "bench balance-qps is in the command table");
  const text = JSON.stringify(cmd.flags);
  t.regex(text, new RegExp(`default ${QPS_DEFAULT_RUNS}; --quick`));
  t.regex(text, new RegExp(`default ${QPS_DEFAULT_PAIRS}; --quick`));
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
    const slow = outlierCounts(run.balanced_ms, run.unbalanced_ms);
    t.is(run.balanced_outliers, slow.balanced);
    t.is(run.unbalanced_outliers, slow.unbalanced);
    for (const g of [run.balanced_gc, run.unbalanced_gc]) t.true(Number.isInteger(g.count) && g.count >= 0 && g.ms >= 0 && (g.count > 0 || g.ms === 0), JSON.stringify(g));
  }
  t.deepEqual(s.outliers, { balanced: s.runs[0].balanced_outliers + s.runs[1].balanced_outliers, unbalanced: s.runs[0].unbalanced_outliers + s.runs[1].unbalanced_outliers, steps_per_side: 6 });
  t.is(s.gc.balanced.count, s.runs[0].balanced_gc.count + s.runs[1].balanced_gc.count);
  t.true(Math.abs(s.gc.unbalanced.ms - (s.runs[0].unbalanced_gc.ms + s.runs[1].unbalanced_gc.ms)) < 1e-9);
  t.deepEqual(s.qps_ratio, ratioInterval(s.runs.map((x) => x.qps_ratio)));
  t.deepEqual(s.qps_ratio_cpu, ratioInterval(s.runs.map((x) => x.qps_ratio_cpu)));
  t.is(s.lower_at_least_0_97, s.qps_ratio.interval[0] >= 0.97);
  const j = JSON.parse(fs.readFileSync(r.results_file, "utf8"));
  t.is(path.basename(r.results_file), `balance-qps-${j.provenance.date_end.slice(0, 10)}-t1.json`);
  for (const k of ["commit", "command", "machine", "load_start", "load_end"]) t.true(k in j.provenance, k);
  fs.rmSync(out, { recursive: true, force: true });
});

test("benchBalanceQps: the two sides take turns on the two model instances (balanced on instance i mod 2); instance_ratio adds up", (t) => {
  const data = rf.syntheticMultiTask({ vocabs: [30, 5], numTasks: 2, seed: 4, trainRows: 3000, validRows: 64, testRows: 64 });
  for (const balancer of ["multibalance", "uncertainty"]) {
    const r = benchBalanceQps({
      shapes: ["sparse"], balancer, runs: 2, pairs: 5, warmup: 1, say: () => {},
      data: { sparse: data }, shapeConfig: { sparse: { batchSize: 16, modelOptions: { embeddingDim: 4, bottom: [8], tower: [4] } } },
    });
    for (const run of r.shapes[0].runs) {
      const sum = (xs) => xs.reduce((a, b) => a + b, 0);
      const inst0 = sum(run.balanced_ms.filter((_, i) => i % 2 === 0)) + sum(run.unbalanced_ms.filter((_, i) => i % 2 === 1));
      const inst1 = sum(run.balanced_ms.filter((_, i) => i % 2 === 1)) + sum(run.unbalanced_ms.filter((_, i) => i % 2 === 0));
      t.true(Math.abs(run.instance_ratio - inst0 / inst1) <= 1e-9 * run.instance_ratio, `${balancer}: instance_ratio ${run.instance_ratio} vs ${inst0 / inst1}`);
      const c0 = sum(run.balanced_cpu_ms.filter((_, i) => i % 2 === 0)) + sum(run.unbalanced_cpu_ms.filter((_, i) => i % 2 === 1));
      const c1 = sum(run.balanced_cpu_ms.filter((_, i) => i % 2 === 1)) + sum(run.unbalanced_cpu_ms.filter((_, i) => i % 2 === 0));
      t.true(Math.abs(run.instance_ratio_cpu - c0 / c1) <= 1e-9 * run.instance_ratio_cpu, `${balancer}: instance_ratio_cpu`);
    }
    t.regex(String(r.protocol.turns), /take turns on the two instances/);
  }
});

test("benchBalanceQps: the turns, replayed: each instance ends exactly as the documented sequence of balancers leaves it", async (t) => {
  // warm-up step i: instance 0 with equal weights when i is even (MultiBalance when odd), instance 1
  // the other; pair i: MultiBalance on instance i mod 2, equal weights on the other; one MultiBalance
  // object (one state) for both instances. Two tasks, so MultiBalance's update differs from the sum's.
  const { createModel } = await import("../../dist/methods/multibalance/models.js");
  const { createBalancer } = await import("../../dist/methods/multibalance/balancers/index.js");
  const { computeGradients } = await import("../../dist/methods/multibalance/trainer.js");
  const { Adam } = await import("../../dist/optim/adam.js");
  const data = rf.syntheticMultiTask({ vocabs: [30, 5], numTasks: 2, seed: 5, trainRows: 3000, validRows: 64, testRows: 64 });
  const modelOptions = { embeddingDim: 4, bottom: [8], tower: [4] }, B = 16, W = 2, P = 5;
  let got = null;
  benchBalanceQps({
    shapes: ["sparse"], runs: 1, pairs: P, warmup: W, say: () => {},
    data: { sparse: data }, shapeConfig: { sparse: { batchSize: B, modelOptions } },
    inspect: (shape, run, a, b) => (got = [a, b].map((ps) => ps.map((p) => Array.from(p.toTypedArray())))),
  });
  const batches = runBatches(data, 0, W + P, B);
  const inst = [0, 1].map(() => {
    const model = createModel("shared-bottom", data.schema, { ...modelOptions, seed: 1 });
    return { model, opt: new Adam(model.parameters(), { lr: 1e-3 }) };
  });
  const eq = createBalancer("equal", 2, { seed: 1 }), mb = createBalancer("multibalance", 2, { seed: 1 });
  const step = (k, bal, b) => {
    computeGradients(inst[k].model, bal, b);
    inst[k].opt.step();
    inst[k].opt.zeroGrad();
  };
  for (let i = 0; i < W; i++) {
    step(0, i % 2 === 0 ? eq : mb, batches[i]);
    step(1, i % 2 === 0 ? mb : eq, batches[i]);
  }
  for (let i = 0; i < P; i++) {
    step(i % 2, mb, batches[W + i]);
    step(1 - (i % 2), eq, batches[W + i]);
  }
  const want = inst.map((x) => x.model.parameters().map((p) => Array.from(p.toTypedArray())));
  t.deepEqual(got, want);
  t.notDeepEqual(want[0], want[1], "the two instances took different balancers' steps");
  for (const x of inst) {
    x.model.dispose();
    x.opt.dispose();
  }
  mb.dispose();
});

test("benchBalanceQps: balancer equal is an A/A control (both sides the plain summed loss), said in the protocol", (t) => {
  const data = rf.syntheticMultiTask({ vocabs: [30, 5], numTasks: 2, seed: 6, trainRows: 3000, validRows: 64, testRows: 64 });
  const r = benchBalanceQps({
    shapes: ["sparse"], balancer: "equal", runs: 1, pairs: 2, warmup: 1, say: () => {},
    data: { sparse: data }, shapeConfig: { sparse: { batchSize: 16, modelOptions: { embeddingDim: 4, bottom: [8], tower: [4] } } },
  });
  t.is(r.shapes[0].balancer, "equal");
  t.regex(String(r.protocol.control), /A\/A/);
});

test("benchBalanceQps: bad arguments are RangeErrors before any model is built", (t) => {
  t.throws(() => benchBalanceQps({ shapes: ["criteo"], say: () => {} }), { instanceOf: RangeError, message: /unknown shape "criteo"/ });
  t.throws(() => benchBalanceQps({ balancer: "nosuch", runs: 1, pairs: 1, shapes: ["sparse"], data: { sparse: rf.syntheticMultiTask({ vocabs: [5], numTasks: 2, seed: 1, trainRows: 100, validRows: 8, testRows: 8 }) }, say: () => {} }), { message: /nosuch/ });
  t.throws(() => benchBalanceQps({ runs: 0, say: () => {} }), { instanceOf: RangeError, message: /runs must be an integer >= 1, got 0/ });
});

test("bench balance-qps --plot: mean, interval ends and CPU-time mean per shape", async (t) => {
  const { benchChart } = await import("../../dist/cli/plots.js");
  const c = benchChart("balance-qps", { shapes: [{ shape: "census", qps_ratio: { mean: 0.98, interval: [0.96, 1.0] }, qps_ratio_cpu: { mean: 0.97 } }] });
  t.deepEqual(c.categories, ["census"]);
  t.deepEqual(c.series.map((s) => s.values), [[0.98], [0.96], [1.0], [0.97]]);
});
