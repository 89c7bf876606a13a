// LS-DQN training smoke runs (tiny: a few dozen steps; this checks the machinery, not quality):
// every problem trains and updates, the N-step accumulator's returns, checkpoint + resume continue
// the step and update counters, memory does not grow across runs, and the CLI command runs.
import test from "ava";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { execFileSync } from "node:child_process";
import * as rf from "../../dist/index.js";

const { lsdqn } = rf;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), "recforge-lsdqn-train-"));
test.after.always(() => fs.rmSync(dir, { recursive: true, force: true }));
const tiny = { n: 8, k: 2, m: 4, envBatch: 3, batchSize: 6, hidden: 8, rounds: 2, lr: 1e-3, targetEvery: 10, valSize: 3 };

test("NStep: discounted N-step returns, bootstrap discount γ^N, terminal flush without bootstrap", (t) => {
  const acc = new lsdqn.NStep(2, 0.5), out = [];
  const s = (v) => Int32Array.of(v);
  acc.add(s(0), 10, 1, s(1), false, (x) => out.push(x));
  t.is(out.length, 0);
  acc.add(s(1), 11, 2, s(2), false, (x) => out.push(x));
  t.deepEqual([out[0].action, out[0].ret, out[0].discount, out[0].next[0]], [10, 1 + 0.5 * 2, 0.25, 2]);
  acc.add(s(2), 12, 4, s(3), true, (x) => out.push(x));
  t.deepEqual(out.slice(1).map((x) => [x.action, x.ret, x.discount]), [[11, 2 + 0.5 * 4, 0], [12, 4, 0]]);
});

for (const problem of ["maxcut", "kcut", "tsp"]) {
  test(`${problem}: a short run updates, checkpoints and resumes where it stopped`, (t) => {
    const ckpt = path.join(dir, `${problem}.ckpt`);
    const live0 = rf.memory().liveTensors;
    const r = lsdqn.trainCop({ problem, ...tiny, steps: 30, checkpoint: ckpt, checkpointEvery: 10 });
    t.is(r.steps, 30);
    t.true(r.updates > 0 && Number.isFinite(r.recentLoss), `updates ${r.updates}, loss ${r.recentLoss}`);
    t.true(Number.isFinite(r.validation.before) && Number.isFinite(r.validation.after));
    t.true(fs.existsSync(ckpt));
    const live1 = rf.memory().liveTensors;
    const r2 = lsdqn.trainCop({ problem, ...tiny, steps: 40, checkpoint: ckpt, resume: true });
    t.is(r2.resumedFrom, 30);
    t.true(r2.updates > r.updates, `${r2.updates} > ${r.updates}`);
    // Each run leaves only its returned network alive.
    t.is(rf.memory().liveTensors - live1, live1 - live0);
    t.throws(() => lsdqn.trainCop({ problem, ...tiny, n: 12, m: 6, steps: 40, checkpoint: ckpt, resume: true }), { instanceOf: RangeError, message: /checkpoint .* is for/ });
  });
}

test("maxcut on the gsetmix law trains (each law in the env batch); a non-torus n and an unknown family are refused before training", (t) => {
  const live0 = rf.memory().liveTensors;
  const r = lsdqn.trainCop({ problem: "maxcut", family: "gsetmix", ...tiny, n: 20, envBatch: 5, steps: 30, seed: 3, gains: true, residual: true });
  t.true(r.updates > 0 && Number.isFinite(r.recentLoss));
  r.net.dispose();
  t.is(rf.memory().liveTensors, live0);
  t.throws(() => lsdqn.trainCop({ problem: "maxcut", family: "gsetmix", ...tiny, n: 7, steps: 5 }), { instanceOf: RangeError, message: /family gsetmix needs n = rows × cols .* got n = 7/ });
  t.throws(() => lsdqn.trainCop({ problem: "maxcut", family: "grid", ...tiny, steps: 5 }), { instanceOf: RangeError, message: /family must be points, er, ba or gsetmix/ });
});

test("recforge train cop runs from the command line and refuses a bad --problem", (t) => {
  const bin = path.resolve("bin/recforge.js");
  const out = execFileSync(process.execPath, [bin, "train", "cop", "--problem", "maxcut", "--n", "6", "--steps", "12", "--hidden", "8", "--rounds", "1", "--env-batch", "2", "--batch", "4", "--json"], { encoding: "utf8" });
  const r = JSON.parse(out.trim().split("\n").pop());
  t.is(r.problem, "maxcut");
  t.is(r.steps, 12);
  t.true(r.updates > 0);
  t.is(r.features, "gain");
  const plain = JSON.parse(execFileSync(process.execPath, [bin, "train", "cop", "--problem", "tsp", "--n", "6", "--steps", "8", "--hidden", "8", "--rounds", "1", "--env-batch", "2", "--batch", "4", "--features", "plain", "--json"], { encoding: "utf8" }).trim().split("\n").pop());
  t.is(plain.features, "plain");
  const bad = t.throws(() => execFileSync(process.execPath, [bin, "train", "cop", "--problem", "tsp", "--features", "gains"], { encoding: "utf8", stdio: "pipe" }));
  t.is(bad.status, 2);
  const err = t.throws(() => execFileSync(process.execPath, [bin, "train", "cop", "--problem", "vrp"], { encoding: "utf8", stdio: "pipe" }));
  t.regex(String(err.stderr), /--problem must be one of maxcut, kcut, tsp/);
});

for (const problem of ["maxcut", "kcut", "tsp"]) {
  test(`${problem}: stopping at a checkpoint mid-episode and resuming gives the uninterrupted run's network exactly`, (t) => {
    const ckpt = path.join(dir, `${problem}-exact.ckpt`);
    const opts = { problem, ...tiny, n: 7, steps: 37, replay: 40 };
    const whole = lsdqn.trainCop({ ...opts });
    // The same run killed after step 24, its last checkpoint at step 23 (mid-episode: 2n = 14).
    t.throws(() => lsdqn.trainCop({ ...opts, checkpoint: ckpt, checkpointEvery: 23, onProgress: (p) => { if (p.step === 24) throw new Error("killed"); } }), { message: "killed" });
    const resumed = lsdqn.trainCop({ ...opts, checkpoint: ckpt, resume: true });
    t.is(resumed.resumedFrom, 23);
    t.is(resumed.updates, whole.updates);
    t.is(resumed.recentLoss, whole.recentLoss);
    t.is(resumed.earlyLoss, whole.earlyLoss);
    const a = whole.net.stateDict(), b = resumed.net.stateDict();
    t.deepEqual(Object.keys(a), Object.keys(b));
    for (const key of Object.keys(a)) t.deepEqual(Array.from(b[key].toTypedArray()), Array.from(a[key].toTypedArray()), key);
    t.is(resumed.validation.after, whole.validation.after);
    whole.net.dispose();
    resumed.net.dispose();
  });
}
