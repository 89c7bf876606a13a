// The `device` option of trainMultiTask and trainGreener (trainCtr's contract) and the --device
// flag of `train multitask` / `train greener`, in this process's real configuration: on a
// machine without CUDA (not emulated) device "cuda" is one clear TypeError naming the trainer,
// raised before anything is allocated or any data is read. The device paths themselves run on
// the emulated device (test/cuda/device_option_checks.js via test/cuda/emulated.test.js, and the
// CLI test below).
import test from "ava";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { rf } from "./helpers.js";
import { GreenerModel } from "../../dist/methods/greener/model.js";
import { trainGreener } from "../../dist/methods/greener/train.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const cli = path.join(root, "bin", "recforge.js");
const withoutCuda = { ...process.env, RECFORGE_CUDA_EMULATE: "0", RECFORGE_CUDA_ADDON: path.join(root, "no-such-addon.node") };
const run = (args, env = withoutCuda) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 120000, env });
const hasCuda = rf.backends().cuda.available;

const tinyData = () => rf.syntheticMultiTask({ numTasks: 2, vocabs: [20, 5], denseDim: 2, trainRows: 32, validRows: 16, testRows: 16, seed: 1 });
const greenerExample = { user: 0, item: 0, candidates: Int32Array.of(0, 1), candidateAttrs: [[0], [1]], userAttrs: new Set([0]), itemAttrs: new Set([0, 1]), levels: Uint8Array.of(0, 2) };
const greenerModel = () => new GreenerModel({ numUsers: 1, numItems: 1, numAttributes: 2, sentenceDim: 4, hidden: 8, heads: 2, embedDim: 4, dropout: 0, seed: 0 });

(hasCuda ? test.skip : test)("without CUDA, device \"cuda\" is a TypeError naming the trainer and the reason; the model is untouched", (t) => {
  const data = tinyData();
  const model = rf.createModel("mmoe", data.schema, { seed: 0, embeddingDim: 2, experts: 2, expertDim: 4 });
  t.throws(() => rf.trainMultiTask({ data, model, device: "cuda", epochs: 1 }), { instanceOf: TypeError, message: /^recforge: trainMultiTask: device "cuda" is not available: .+ \(see recforge\.backends\(\)\)$/ });
  t.is(model.device, "cpu");
  t.throws(() => rf.trainMultiTask({ data, device: "cuda", balancer: "uncertainty" }), { instanceOf: TypeError, message: /trainMultiTask: device "cuda" is not available/ });
  const g = greenerModel();
  const table = rf.zeros([2, 4]);
  t.throws(() => trainGreener(g, table, [greenerExample], { device: "cuda" }), { instanceOf: TypeError, message: /^recforge: trainGreener: device "cuda" is not available: / });
  t.is(g.device, "cpu");
  t.throws(() => rf.createBalancer("uncertainty", 2, { device: "cuda" }), { instanceOf: TypeError, message: /device "cuda" is not available/ });
  g.dispose();
  table.dispose();
  model.dispose();
});

test("device must be \"cpu\" or \"cuda\"; \"cpu\" is the default and trains as before", (t) => {
  const data = tinyData();
  t.throws(() => rf.trainMultiTask({ data, device: "gpu" }), { instanceOf: TypeError, message: /trainMultiTask: device must be "cpu" or "cuda", got "gpu"/ });
  const g = greenerModel();
  const table = rf.zeros([2, 4]);
  t.throws(() => trainGreener(g, table, [greenerExample], { device: 0 }), { instanceOf: TypeError, message: /trainGreener: device must be "cpu" or "cuda", got 0/ });
  t.throws(() => rf.createBalancer("pcgrad", 2, { device: "tpu" }), { instanceOf: TypeError, message: /PCGrad: unknown device "tpu"/ });
  const rep = trainGreener(g, table, [greenerExample], { device: "cpu", epochs: 1 });
  t.is(rep.steps, 1);
  const r = rf.trainMultiTask({ data, device: "cpu", balancer: "uncertainty", epochs: 1, batchSize: 16, selectByValid: false });
  t.is(r.model.device, "cpu");
  t.is(r.balancer.device, "cpu");
  r.optimizer.dispose();
  r.balancer.dispose();
  r.model.dispose();
  g.dispose();
  table.dispose();
});

test("--device: `train multitask` / `train greener` without CUDA fail before reading any data; a bad value is named", (t) => {
  let r = run(["train", "multitask", "--data", "synthetic", "--rows", "64", "--device", "cuda", "--json"]);
  t.is(r.status, 1);
  t.regex(r.stderr, /train multitask: device "cuda" is not available/);
  r = run(["train", "greener", "--data", path.join(root, "no-such-reviews.json"), "--device", "cuda", "--json"]);
  t.is(r.status, 1);
  t.regex(r.stderr, /train greener: device "cuda" is not available/);
  // A bad value is a usage error now (exit 2, the command table's enum; docs/cli.md).
  r = run(["train", "multitask", "--device", "tpu"]);
  t.is(r.status, 2);
  t.regex(r.stderr, /--device must be one of cpu, cuda, got "tpu"/);
  r = run(["train", "greener", "--device", "tpu"]);
  t.is(r.status, 2);
  t.regex(r.stderr, /--device must be one of cpu, cuda, got "tpu"/);
});

test("`train multitask --device cuda --json` on the emulated device trains there and reports it", (t) => {
  const r = run(["train", "multitask", "--data", "synthetic", "--tasks", "2", "--rows", "512", "--balancer", "uncertainty", "--batch-size", "256", "--device", "cuda", "--json"], { ...process.env, RECFORGE_CUDA_EMULATE: "1" });
  t.is(r.status, 0, r.stderr);
  const j = JSON.parse(r.stdout.trim());
  t.like(j, { dataset: "synthetic", balancer: "uncertainty", device: "cuda", steps: 2 });
  for (const task of j.tasks) t.true(Number.isFinite(task.auc ?? task.mse), JSON.stringify(task));
});
