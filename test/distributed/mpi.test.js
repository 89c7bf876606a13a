// recforge.distributed across processes: `mpirun -np 2` runs of test/distributed/fixtures/rank.mjs
// against the same code in one process. Skipped (with the reason) only where mpirun is absent;
// under CI (CI set) an absent mpirun is a failure, since .ci/run installs Open MPI.
import test from "ava";
import { spawnSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const fixture = path.join(here, "fixtures", "rank.mjs");
const repo = path.resolve(here, "../..");
const mpirun = spawnSync("sh", ["-c", "command -v mpirun"], { encoding: "utf8" }).stdout.trim();
const env = { ...process.env, OMPI_ALLOW_RUN_AS_ROOT: "1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM: "1", OMPI_MCA_rmaps_base_oversubscribe: "1" };
const mpiTest = mpirun ? test.serial : process.env.CI ? test.serial : test.skip;
if (!mpirun) console.log(`# test/distributed/mpi.test.js: mpirun not found (install openmpi-bin libopenmpi3); the 2-rank tests are ${process.env.CI ? "FAILED (CI installs Open MPI)" : "skipped"}`);

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "recforge-dist-"));

// Runs argv under mpirun -np 2 (or alone); resolves {code, out, ms}.
function run(argv, { ranks = 2, extraEnv = {}, timeoutMs = 120_000 } = {}) {
  if (ranks && !mpirun) return Promise.resolve({ code: -1, signal: null, out: "mpirun not found (install openmpi-bin libopenmpi3)", ms: 0 });
  return new Promise((resolve) => {
    const t0 = Date.now();
    const cmd = ranks ? mpirun : process.execPath;
    const args = ranks ? ["-np", String(ranks), "--oversubscribe", process.execPath, ...argv] : argv;
    const p = spawn(cmd, args, { cwd: repo, env: { ...env, ...extraEnv } });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => p.kill("SIGKILL"), timeoutMs);
    p.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, ms: Date.now() - t0 });
    });
  });
}

async function rankResult(t, mode, opts) {
  if (!mpirun) t.fail("mpirun not found: .ci/run installs openmpi-bin");
  const f = path.join(tmp(), `${mode}.json`);
  const r = await run([fixture, mode, f], opts);
  t.is(r.code, 0, r.out);
  const out = JSON.parse(fs.readFileSync(f, "utf8"));
  out.files = fs.readdirSync(path.dirname(f)).sort();
  return out;
}

function maxAbsDiff(a, b) {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

mpiTest("2 ranks: all-reduce sum / mean (float32, float64, int32), broadcast, byte broadcast, barrier, bad input", async (t) => {
  const r = await rankResult(t, "collectives");
  t.is(r.size, 2);
  for (const dtype of ["float32", "float64"]) {
    const n = 1001;
    // Reference: rank 0's and rank 1's values added in float64.
    const sum = Array.from({ length: n }, (_, i) => 2 * ((i % 7) - 3) + 0.5);
    const mean = Array.from({ length: n }, (_, i) => i + 1);
    t.true(maxAbsDiff(r[dtype].sum, sum) <= (dtype === "float32" ? 1e-5 : 0), dtype);
    t.true(maxAbsDiff(r[dtype].mean, mean) <= (dtype === "float32" ? 1e-4 : 1e-12), dtype);
  }
  t.deepEqual(r.int32, [3, 30]);
  t.deepEqual(r.broadcast, [1, 1, 1]);
  t.deepEqual(r.bytes, [0, 7, 9]);
  t.is(r.errors.length, 3);
  t.regex(r.errors[0], /^RangeError: .*root must be a rank in \[0, 2\), got 2/);
  t.regex(r.errors[1], /^TypeError: .*contiguous/);
  t.regex(r.errors[2], /^TypeError: .*mean needs a float32 or float64/);
});

mpiTest("DistributedDataParallel on 2 ranks equals one process at the same global batch (shared weight, noSync accumulation, unused parameter, small buckets)", async (t) => {
  const two = await rankResult(t, "ddp");
  const one = await rankResult(t, "ddp", { ranks: 0 });
  t.true(two.stats.buckets >= 3, `buckets ${two.stats.buckets}`);
  // Steps 2 and 3 start buckets during backward (the first step learns the contribution counts).
  t.true(two.stats.startedDuringBackward >= 2, JSON.stringify(two.stats));
  t.is(two.losses.length, 3);
  for (let s = 0; s < 3; s++) t.true(Math.abs(two.losses[s] - one.losses[s]) <= 1e-5 * Math.max(1, Math.abs(one.losses[s])), `step ${s}: ${two.losses[s]} vs ${one.losses[s]}`);
  two.weights.forEach((w, i) => t.true(maxAbsDiff(w, one.weights[i]) <= 1e-5, `parameter ${i}: ${maxAbsDiff(w, one.weights[i])}`));
  // The unused parameter keeps its (broadcast) value.
  t.deepEqual(two.weights[4], one.weights[4]);
});

mpiTest("trainCtr on 2 ranks equals the single-process run at the same targetsPerStep: losses and final weights", async (t) => {
  const two = await rankResult(t, "ctr");
  const one = await rankResult(t, "ctr", { ranks: 0 });
  t.is(two.steps, one.steps);
  t.is(two.tokens, one.tokens);
  t.true(two.steps >= 5);
  const dl = maxAbsDiff(two.losses, one.losses);
  t.true(dl <= 1e-5, `max loss difference ${dl}`);
  let dw = 0;
  two.weights.forEach((w, i) => (dw = Math.max(dw, maxAbsDiff(w, one.weights[i]))));
  t.true(dw <= 1e-4, `max weight difference ${dw}`);
  // Checkpoints: rank 0 only (each rank was given its own path).
  t.deepEqual(two.files, ["ctr.json", "ctr.json.rank0.safetensors"]);
  t.log(`trainCtr 2 ranks vs 1: ${two.steps} steps, max |Δloss| ${dl.toExponential(2)}, max |Δweight| ${dw.toExponential(2)}`);
});

mpiTest("trainMultiTask with MultiBalance on 2 ranks equals one process at the same global batch: losses, balance weights, balancer state, final weights", async (t) => {
  const two = await rankResult(t, "multitask");
  const one = await rankResult(t, "multitask", { ranks: 0 });
  t.is(two.losses.length, 6);
  let dl = 0;
  two.losses.forEach((row, s) => row.forEach((v, k) => (dl = Math.max(dl, Math.abs(v - one.losses[s][k])))));
  t.true(dl <= 1e-5, `max loss difference ${dl}`);
  t.true(maxAbsDiff(two.meanWeights, one.meanWeights) <= 1e-5, `${two.meanWeights} vs ${one.meanWeights}`);
  // Weights away from 1: the balance did something, on the global gradients.
  t.true(Math.abs(one.meanWeights[2] - 1) > 0.01);
  const m2 = two.balancerState.state, m1 = one.balancerState.state;
  t.is(m2.m.length, 3);
  t.true(maxAbsDiff(m2.m, m1.m) <= 1e-5 * Math.max(...m1.m), `moving averages ${m2.m} vs ${m1.m}`);
  let dw = 0;
  two.weights.forEach((w, i) => (dw = Math.max(dw, maxAbsDiff(w, one.weights[i]))));
  t.true(dw <= 1e-5, `max weight difference ${dw}`);
});

mpiTest("trainSeqRec (GRU4Rec, full softmax, no dropout) on 2 ranks equals one process: epoch losses, validation recall, final weights", async (t) => {
  const two = await rankResult(t, "seqrec");
  const one = await rankResult(t, "seqrec", { ranks: 0 });
  t.is(two.steps, one.steps);
  t.true(maxAbsDiff(two.losses, one.losses) <= 1e-5, `${two.losses} vs ${one.losses}`);
  t.deepEqual(two.recall, one.recall);
  let dw = 0;
  two.weights.forEach((w, i) => (dw = Math.max(dw, maxAbsDiff(w, one.weights[i]))));
  t.true(dw <= 1e-5, `max weight difference ${dw}`);
});

mpiTest("device tensors go through the NCCL path (the emulated device's NCCL over MPI): all-reduce sum / mean, broadcast", async (t) => {
  const r = await rankResult(t, "device", { extraEnv: { RECFORGE_CUDA_EMULATE: "1" } });
  t.regex(r.library, /emulated over MPI/);
  t.deepEqual(r.sum, Array.from({ length: 513 }, (_, i) => 2 * i + 1));
  t.deepEqual(r.mean, Array.from({ length: 5 }, (_, i) => 1.5 * i));
  t.deepEqual(r.broadcast, [2, 3]);
});

mpiTest("mpirun -np 2 recforge train ctr --distributed prints the single-process result (rank 0 only)", async (t) => {
  const args = ["bin/recforge.js", "train", "ctr", "--data", "synthetic", "--users", "24", "--dim", "16", "--layers", "1", "--heads", "2", "--targets-per-step", "64", "--json"];
  const two = await run([...args, "--distributed"]);
  t.is(two.code, 0, two.out);
  const one = await run(args, { ranks: 0 });
  t.is(one.code, 0, one.out);
  const j2 = two.out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
  const j1 = JSON.parse(one.out.split("\n").find((l) => l.startsWith("{")));
  t.is(j2.length, 1, "one JSON line: only rank 0 prints");
  t.is(j2[0].world_size, 2);
  t.is(j2[0].steps, j1.steps);
  t.true(Math.abs(j2[0].final_loss - j1.final_loss) <= 1e-5);
  t.true(Math.abs(j2[0].auc - j1.auc) <= 1e-4);
});

// (train multitask --distributed runs the same trainMultiTask path as the MultiBalance test above; its CLI's
// synthetic data has industrial vocabularies, 32M parameters, too slow for a test on 2 shared cores.)
mpiTest("mpirun -np 2 recforge train seqrec --distributed prints the single-process result (rank 0 only)", async (t) => {
  const dir = tmp();
  const { syntheticCsv } = await import("../seqrec/helpers.js");
  const csv = path.join(dir, "seq.csv");
  fs.writeFileSync(csv, syntheticCsv({ users: 30, perUser: 30 }));
  const cases = [
    { args: ["train", "seqrec", "--model", "gru4rec", "--data", csv, "--hidden", "8", "--dropout", "0", "--epochs", "2", "--batch", "16", "--optimizer", "adam", "--lr", "0.01", "--json"],
      same: (a, b) => a.steps === b.steps && Math.abs(a.history[1].loss - b.history[1].loss) <= 1e-5 && Math.abs(a.recall["20"] - b.recall["20"]) <= 1e-9 },
  ];
  for (const c of cases) {
    const two = await run(["bin/recforge.js", ...c.args, "--distributed"]);
    t.is(two.code, 0, two.out);
    const one = await run(["bin/recforge.js", ...c.args], { ranks: 0 });
    t.is(one.code, 0, one.out);
    const j2 = two.out.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l));
    const j1 = JSON.parse(one.out.split("\n").find((l) => l.startsWith("{")));
    t.is(j2.length, 1, `${c.args[1]}: one JSON line`);
    t.true(c.same(j2[0], j1), `${c.args[1]}: ${JSON.stringify(j2[0]).slice(0, 300)} vs ${JSON.stringify(j1).slice(0, 300)}`);
  }
});

mpiTest("a rank that dies ends the job with an error naming it, well within the timeout (no hang)", async (t) => {
  if (!mpirun) t.fail("mpirun not found");
  const r = await run([fixture, "die", path.join(tmp(), "die.json")], { timeoutMs: 60_000 });
  t.not(r.code, 0);
  t.not(r.signal, "SIGKILL", "the job hung until the test's kill");
  t.regex(r.out, /recforge\.distributed: rank 1 of 2 exited with code 3; aborting the job/);
  t.true(r.ms < 60_000);
});

mpiTest("a rank that hangs makes the other fail with a timeout error naming the collective and the rank", async (t) => {
  if (!mpirun) t.fail("mpirun not found");
  const r = await run([fixture, "hang", path.join(tmp(), "hang.json")], { extraEnv: { RANK_TIMEOUT_S: "2" }, timeoutMs: 60_000 });
  t.not(r.code, 0);
  t.not(r.signal, "SIGKILL", "the job hung until the test's kill");
  t.regex(r.out, /recforge\.distributed: all-reduce did not complete within 2 s on rank 0 of 2/);
  t.true(r.ms < 30_000, `${r.ms} ms`);
});
