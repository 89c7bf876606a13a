// `recforge train multitask` and `recforge bench balance` (the JSON contract), on tiny
// configurations so the suite stays fast; the real benchmark is run by hand (bench/results).
import test from "ava";
import { dataTest } from "../helpers/data.js";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rf } from "./helpers.js";
import { benchBalance } from "../../dist/bench/balance.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cli = path.join(root, "bin", "recforge.js");
const run = (args) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 120000 });

const haveCensus = rf.censusAvailable();
dataTest(haveCensus, `Census-Income at ${rf.censusDir()}`)("`recforge train multitask --data census --model mmoe --balancer multibalance --json` prints one JSON object", (t) => {
  const r = run(["train", "multitask", "--data", "census", "--model", "mmoe", "--balancer", "multibalance", "--epochs", "1", "--json"]);
  t.is(r.status, 0, r.stderr);
  const lines = r.stdout.trim().split("\n");
  t.is(lines.length, 1);
  const j = JSON.parse(lines[0]);
  t.like(j, { dataset: "census", model: "mmoe", balancer: "multibalance", epochs: 1, steps: 78 });
  t.deepEqual(j.tasks.map((x) => x.name), ["income", "marital"]);
  for (const task of j.tasks) t.true(task.auc > 0.85 && task.ne > 0 && task.ne < 1, JSON.stringify(task));
  t.true(j.qps > 0);
  t.regex(r.stderr, /epoch 1/);
});

test("train multitask: bad arguments fail with a message", (t) => {
  // Usage errors now (exit 2): the command table's enums and lists (lib/cli/commands.ts, docs/cli.md).
  let r = run(["train", "multitask", "--data", "criteo"]);
  t.is(r.status, 2);
  t.regex(r.stderr, /--data must be one of census, synthetic, got "criteo"/);
  r = run(["train", "multitask", "--data", "synthetic", "--rows", "64", "--balancer", "mgda"]);
  t.is(r.status, 2);
  t.regex(r.stderr, /--balancer must be one of multibalance, equal, metabalance, uncertainty, gradnorm, pcgrad, got "mgda"/);
  r = run(["bench", "balance", "--datasets", "criteo"]);
  t.is(r.status, 2);
  t.regex(r.stderr, /--datasets: "criteo" is not one of census, synthetic/);
});

test("bench balance: results carry {dataset, model, balancer, seeds, qps, qps_ratio, tasks[{name, auc, auc_std, ne, ne_std}]}", (t) => {
  const logs = [];
  const j = benchBalance({
    datasets: ["synthetic"],
    log: (m) => logs.push(m),
    synthetic: { vocabs: [1000, 100, 10], balancers: ["equal", "multibalance", "metabalance"], batchSize: 128, qpsWarmup: 1, qpsPairs: 4, evalRows: 512, modelOptions: { embeddingDim: 4, bottom: [16], tower: [8] } },
  });
  t.deepEqual(j.results.map((r) => r.balancer), ["equal", "multibalance", "metabalance"]);
  for (const r of j.results) {
    t.is(r.dataset, "synthetic");
    t.is(r.model, "shared-bottom");
    t.deepEqual(r.seeds, [1]);
    t.true(r.qps > 0 && r.qps_ratio > 0 && r.qps_ratio_iqr.length === 2);
    t.is(r.train_examples, 5 * 128);
    t.is(r.tasks.length, 4);
    for (const task of r.tasks) for (const k of ["name", "auc", "auc_std", "ne", "ne_std"]) t.true(k in task, k);
  }
  t.is(j.results[0].qps_ratio, 1);
  t.true(j.results[1].balance_ms > 0);
  // What is reported is its parts: qps = batch / median step time, every balancer paired with the
  // baseline on the same batches for the configured number of pairs, the baseline's qps measured in
  // those pairs; the baseline's own entry pools every pair.
  for (const r of j.results) {
    t.true(Math.abs(r.qps - (128 / r.step_ms) * 1000) <= 0.001 * r.qps + (128 / r.step_ms ** 2) * 0.05 * 1000 + 1, `${r.balancer}: qps ${r.qps} vs step ${r.step_ms} ms`);
    t.is(r.qps_pairs, r.balancer === "equal" ? 4 * 2 : 4);
    t.true(r.qps_ratio_iqr[0] <= r.qps_ratio && r.qps_ratio <= r.qps_ratio_iqr[1]);
    t.true(r.baseline_qps > 0);
  }
  t.is(j.results[0].baseline_qps, j.results[0].qps);
  t.true(typeof j.provenance.machine.blas_core === "string" && j.provenance.machine.cores > 0);
  t.true(j.provenance.load_start.length === 3 && j.provenance.load_end.length === 3);
  t.true(logs.some((m) => /qps_ratio/.test(m)));
  JSON.stringify(j); // serialisable
});
